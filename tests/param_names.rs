//! Every valid Go parameter name works (issue #10 §4), on amd64 and arm64: each name Go's
//! assembler or `go vet` could read as something else — every register of both
//! architectures' tables, arm64 special operands, the assembler's macros, their lower-case
//! spellings, names vet misreads or repeats — is used as a parameter and as a named result,
//! in a frameless wrapper (inlined leaf) and in a framed one (the C code uses stack), plus
//! narrow, float, slice, string and stack-passed arguments. Each architecture's functions go
//! into one Go package that must pass `go vet` and a `go test` checking every result (arm64
//! under qemu-aarch64).
//!
//! The register, system-register, special-operand and macro names are read from the sources
//! of the Go on the machine (the tables `lower::arg_operands` cites), so the test follows the
//! Go release. Needs Go, qemu-user and clang (for arm64 input), like the e2e tests.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/process.rs"]
mod process;
use process::{require, run, write};

use c2goasm_rs::{Arch, Options, SourceFile, translate};

fn goroot() -> PathBuf {
    let out = run(Command::new("go").args(["env", "GOROOT"]), "go env GOROOT");
    PathBuf::from(out.trim())
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The quoted strings of `text` between `start` and the next line that is `}`.
fn quoted_in_block(text: &str, start: &str) -> Vec<String> {
    let from = text.find(start).expect("block start") + start.len();
    let block = &text[from..from + text[from..].find("\n}").expect("block end")];
    block
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Names the assembler may read as registers, special operands or macros, from Go's
/// sources (cmd/asm/internal/arch/arch.go builds its tables from these), and the names
/// around them the tool must not confuse with them.
fn register_like_names(goroot: &Path) -> Vec<String> {
    let src = goroot.join("src");
    let obj = src.join("cmd/internal/obj");
    let mut names: Vec<String> = Vec::new();
    // amd64: x86.Register, the pseudo-registers and g (arch.go archX86).
    let x86 = quoted_in_block(&read(&obj.join("x86/list6.go")), "var Register = []string{");
    assert!(x86.len() > 150, "x86 register table: {x86:?}");
    names.extend(x86.iter().cloned());
    // arm64 (archArm64): R0–R31 (R18 and R28 are renamed), F, V, RSP, ZR, LR, pseudo.
    let mut arm64: Vec<String> = Vec::new();
    for i in 0..32 {
        arm64.extend([format!("R{i}"), format!("F{i}"), format!("V{i}")]);
    }
    arm64.extend(
        [
            "RSP",
            "ZR",
            "LR",
            "SB",
            "FP",
            "PC",
            "SP",
            "g",
            "R18_PLATFORM",
        ]
        .map(str::to_string),
    );
    names.extend(arm64.iter().cloned());
    // arm64 system registers: sysRegEnc.go `{"NAME", REG_…`.
    let sysregs: Vec<String> = read(&obj.join("arm64/sysRegEnc.go"))
        .split("{\"")
        .skip(1)
        .filter_map(|s| s.split_once("\", REG_").map(|(n, _)| n.to_string()))
        .collect();
    assert!(
        sysregs.len() > 300,
        "arm64 system registers: {}",
        sysregs.len()
    );
    names.extend(sysregs);
    // arm64 special operands (arch.go ARM64SpecialOperand): the stringer's names.
    let spops: Vec<String> = read(&obj.join("arm64/specialoperand_string.go"))
        .split("_ = x[SPOP_")
        .skip(1)
        .filter_map(|s| s.split_once('-').map(|(n, _)| n.to_string()))
        .filter(|n| n != "BEGIN" && n != "END")
        .collect();
    assert!(spops.len() > 100, "arm64 special operands: {}", spops.len());
    names.extend(spops);
    names.extend(["CS", "CC"].map(str::to_string));
    // Macros of the headers the output includes, and cmd/go's -D predefines.
    for header in ["runtime/textflag.h", "runtime/funcdata.h"] {
        for line in read(&src.join(header)).lines() {
            if let Some(rest) = line.strip_prefix("#define") {
                let name: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
        }
    }
    names.extend(
        [
            "GOOS_linux",
            "GOOS_darwin",
            "GOARCH_amd64",
            "GOARCH_arm64",
            "GOAMD64_v1",
            "GOAMD64_v3",
            "GOARM64_LSE",
            "GOEXPERIMENT_regabiargs",
        ]
        .map(str::to_string),
    );
    // Lower-case spellings of the core registers: plain symbols.
    let lower: Vec<String> = x86.iter().chain(&arm64).map(|n| n.to_lowercase()).collect();
    names.extend(lower);
    // Names vet reads in part (asmdecl's class stops at U+00FE), other scripts, mnemonics,
    // vet's own names, names that are not registers on one architecture, `_`.
    names.extend(
        [
            "naïve", "ré_x", "é", "µ", "ÿ", "日本", "α", "x٣", "argframe", "arg", "ret", "_", "N",
            "Z", "C", "V", "G", "J", "R", "F", "R28", "R18", "R31", "MOVQ", "MOVD", "RET", "TEXT",
            "CALL", "B", "BL", "EAX", "W0", "X0_base",
        ]
        .map(str::to_string),
    );
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| !n.is_empty() && !GO_KEYWORDS.contains(&n.as_str()) && seen.insert(n.clone()));
    // Mixed so that one function has names of every kind: some written by name, some not.
    names.sort_by_key(|n| fnv1a(n));
    names
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

const GO_KEYWORDS: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

/// One architecture's C side: function bodies (without the final return) in the input
/// dialect, and how a function is framed.
struct Target {
    arch: Arch,
    goarch: &'static str,
    /// `a + 3*b + 5*c` for three int64 arguments.
    kernel: &'static str,
    /// Makes the C function use stack, so the wrapper gets a frame and calls it.
    prologue: &'static str,
    epilogue: &'static str,
    ret: &'static str,
    header: &'static str,
    /// Hand-written functions, each also framed (`name_framed`): (Go declaration, body),
    /// checked by `SPECIAL_TEST`.
    specials: &'static [(&'static str, &'static str)],
    /// The arguments passed on the stack (their own function, framed by nature).
    stack: (&'static str, &'static str),
}

/// `a + 3*b + 5*c` for three int64 arguments.
const X86_KERNEL: &str = "\tlea\trax, [rsi + 2*rsi]\n\tadd\trax, rdi\n\
                          \tlea\trcx, [rdx + 4*rdx]\n\tadd\trax, rcx\n";
const ARM64_KERNEL: &str = "\tadd\tx8, x1, x1, lsl #1\n\tadd\tx0, x0, x8\n\
                            \tadd\tx8, x2, x2, lsl #2\n\tadd\tx0, x0, x8\n";

const AMD64: Target = Target {
    arch: Arch::Amd64,
    goarch: "amd64",
    kernel: X86_KERNEL,
    prologue: "\tpush\trbx\n",
    epilogue: "\tpop\trbx\n",
    ret: "\tret\n",
    header: "\t.intel_syntax noprefix\n\t.text\n",
    specials: &[
        (
            "func narrow(AL int8, AX int16, R0 int32, g uint8, ZR uint16, NOSPLIT bool) (X0 int64)",
            "\tmovsxd\trax, edi\n\tmovsxd\trsi, esi\n\tadd\trax, rsi\n\tmovsxd\trdx, edx\n\
             \tadd\trax, rdx\n\tmov\tecx, ecx\n\tadd\trax, rcx\n\tmov\tr8d, r8d\n\
             \tadd\trax, r8\n\tmovzx\tr9d, r9b\n\tadd\trax, r9\n",
        ),
        (
            "func floats(X0 float64, F0 float32, g float64) (Y0 float64)",
            "\tcvtss2sd\txmm1, xmm1\n\taddsd\txmm1, xmm1\n\taddsd\txmm0, xmm1\n\
             \taddsd\txmm2, xmm2\n\taddsd\txmm2, xmm2\n\taddsd\txmm0, xmm2\n",
        ),
        (
            "func float32res(V0 float32) (S0 float32)",
            "\taddss\txmm0, xmm0\n",
        ),
        ("func dups(_ int64, _ int64, ret int64) int64", X86_KERNEL),
        ("func unnamed(int64, int64, int64) (arg1 int64)", X86_KERNEL),
        (
            "func af(g int64, argframe int64, AX int64) (R0 int64)",
            X86_KERNEL,
        ),
        (
            "func comp(x []int64, x_len int64) (AX int64)",
            "\tlea\trax, [rdx + 2*rdx]\n\tadd\trax, rsi\n\
             \tlea\trcx, [rcx + 4*rcx]\n\tadd\trax, rcx\n",
        ),
        (
            "func regslice(R0 []int64, g string) (SP int64)",
            "\tmov\trax, qword ptr [rdi]\n\tlea\trax, [rax + 4*rax]\n\tadd\trax, rsi\n\
             \tlea\tr8, [r8 + 2*r8]\n\tadd\trax, r8\n",
        ),
    ],
    stack: (
        "func stack(g int64, AX int64, X0 int64, SP int64, FP int64, PC int64, SB int64, \
         NOSPLIT int64) (R15 int64)",
        "\tlea\trax, [rdi + 2*rsi]\n\tlea\trdx, [rdx + 2*rdx]\n\tadd\trax, rdx\n\
         \tlea\trax, [rax + 4*rcx]\n\tlea\tr8, [r8 + 4*r8]\n\tadd\trax, r8\n\
         \tlea\tr9, [r9 + 2*r9]\n\tlea\trax, [rax + 2*r9]\n\timul\trcx, qword ptr [rsp + 8], 7\n\
         \tadd\trax, rcx\n\tmov\trcx, qword ptr [rsp + 16]\n\tlea\trax, [rax + 8*rcx]\n",
    ),
};

const ARM64: Target = Target {
    arch: Arch::Arm64,
    goarch: "arm64",
    kernel: ARM64_KERNEL,
    prologue: "\tstp\tx29, x30, [sp, #-16]!\n\tmov\tx29, sp\n",
    epilogue: "\tldp\tx29, x30, [sp], #16\n",
    ret: "\tret\n",
    header: "\t.text\n",
    specials: &[
        (
            "func narrow(AL int8, AX int16, R0 int32, g uint8, ZR uint16, NOSPLIT bool) (X0 int64)",
            "\tsxtb\tx8, w0\n\tadd\tx8, x8, w1, sxth\n\tadd\tx8, x8, w2, sxtw\n\
             \tadd\tx8, x8, w3, uxtb\n\tadd\tx8, x8, w4, uxth\n\tand\tw9, w5, #0xff\n\
             \tadd\tx0, x8, x9\n",
        ),
        (
            "func floats(X0 float64, F0 float32, g float64) (Y0 float64)",
            "\tfcvt\td1, s1\n\tfadd\td1, d1, d1\n\tfadd\td0, d0, d1\n\tfadd\td2, d2, d2\n\
             \tfadd\td2, d2, d2\n\tfadd\td0, d0, d2\n",
        ),
        (
            "func float32res(V0 float32) (S0 float32)",
            "\tfadd\ts0, s0, s0\n",
        ),
        ("func dups(_ int64, _ int64, ret int64) int64", ARM64_KERNEL),
        (
            "func unnamed(int64, int64, int64) (arg1 int64)",
            ARM64_KERNEL,
        ),
        (
            "func af(g int64, argframe int64, AX int64) (R0 int64)",
            ARM64_KERNEL,
        ),
        (
            "func comp(x []int64, x_len int64) (AX int64)",
            "\tadd\tx8, x2, x2, lsl #1\n\tadd\tx8, x8, x1\n\tadd\tx9, x3, x3, lsl #2\n\
             \tadd\tx0, x8, x9\n",
        ),
        (
            "func regslice(R0 []int64, g string) (SP int64)",
            "\tldr\tx8, [x0]\n\tadd\tx8, x8, x8, lsl #2\n\tadd\tx8, x8, x1\n\
             \tadd\tx9, x4, x4, lsl #1\n\tadd\tx0, x8, x9\n",
        ),
    ],
    stack: (
        "func stack(g int64, R0 int64, RSP int64, ZR int64, LR int64, F0 int64, V0 int64, \
         DAIF int64, EQ int64, CurrentEL int64) (NZCV int64)",
        "\tadd\tx8, x0, x1, lsl #1\n\tmov\tx9, #3\n\tmadd\tx8, x2, x9, x8\n\
         \tadd\tx8, x8, x3, lsl #2\n\tmov\tx9, #5\n\tmadd\tx8, x4, x9, x8\n\
         \tmov\tx9, #6\n\tmadd\tx8, x5, x9, x8\n\tmov\tx9, #7\n\tmadd\tx8, x6, x9, x8\n\
         \tadd\tx8, x8, x7, lsl #3\n\tldr\tx9, [sp]\n\tmov\tx10, #9\n\tmadd\tx8, x9, x10, x8\n\
         \tldr\tx9, [sp, #8]\n\tmov\tx10, #10\n\tmadd\tx0, x9, x10, x8\n",
    ),
};

/// Calls every generated function (`{table}` lists them) and the stack-argument one.
const EVERY_NAME_TEST: &str = r#"package names

import "testing"

type kernel struct {
	f   func(int64, int64, int64) int64
	sig string
}

{table}
func TestEveryName(t *testing.T) {
	for i, k := range kernels {
		a, b, c := int64(i+1), int64(-2*i-7), int64(1<<40+i)
		if got, want := k.f(a, b, c), a+3*b+5*c; got != want {
			t.Errorf("%s: got %d, want %d", k.sig, got, want)
		}
	}
}

func callStack(a []int64) int64 { return stack({stack_args}) }
"#;

/// Checks of the hand-written functions (`f` is the leaf form, `f_framed` the framed one).
const SPECIAL_TEST: &str = r#"
func TestSpecials(t *testing.T) {
	eq := func(what string, got, want any) {
		if got != want {
			t.Errorf("%s: got %v, want %v", what, got, want)
		}
	}
	for _, f := range []func(int8, int16, int32, uint8, uint16, bool) int64{narrow, narrow_framed} {
		eq("narrow", f(-5, -300, -70000, 200, 60000, true), int64(-5-300-70000+200+60000+1))
		eq("narrow", f(7, 1, 2, 255, 1, false), int64(7+1+2+255+1))
	}
	for _, f := range []func(float64, float32, float64) float64{floats, floats_framed} {
		eq("floats", f(1.5, -0.25, 8), 1.5-0.5+32)
	}
	for _, f := range []func(float32) float32{float32res, float32res_framed} {
		eq("float32res", f(1.25), float32(2.5))
	}
	abc := []func(int64, int64, int64) int64{dups, dups_framed, unnamed, unnamed_framed, af, af_framed}
	for _, f := range abc {
		eq("a+3b+5c", f(1, -20, 300), int64(1-60+1500))
	}
	x := make([]int64, 3, 11)
	for _, f := range []func([]int64, int64) int64{comp, comp_framed} {
		eq("comp", f(x, 100), int64(3+33+500))
	}
	for _, f := range []func([]int64, string) int64{regslice, regslice_framed} {
		eq("regslice", f([]int64{7, 1}, "hello"), int64(35+2+15))
	}
	var want int64
	for k := int64(1); k <= nStack; k++ {
		want += k * (k*k - 40)
	}
	args := make([]int64, nStack)
	for k := range args {
		args[k] = int64((k+1)*(k+1) - 40)
	}
	eq("stack", callStack(args), want)
}
"#;

fn translate_arch(t: &Target, names: &[String], root: &Path) {
    let n = names.len();
    let mut decls = format!("package names\n\nconst nStack = {}\n\n", stack_count(t));
    let mut asm = t.header.to_string();
    let add_c = |asm: &mut String, name: &str, body: &str, framed: bool| {
        asm.push_str(&format!(
            "\t.globl\t{name}\n\t.p2align\t4\n\t.type\t{name},@function\n{name}:\n"
        ));
        if framed {
            asm.push_str(t.prologue);
        }
        asm.push_str(body);
        if framed {
            asm.push_str(t.epilogue);
        }
        asm.push_str(t.ret);
        asm.push_str(&format!(
            ".Lend_{name}:\n\t.size\t{name}, .Lend_{name}-{name}\n"
        ));
    };
    let mut table = String::from("var kernels = []kernel{\n");
    for (i, result) in names.iter().enumerate() {
        let p: Vec<&String> = (1..=3).map(|k| &names[(i + k) % n]).collect();
        for (form, framed) in [("l", false), ("f", true)] {
            decls.push_str(&format!(
                "func {form}{i}({} int64, {} int64, {} int64) ({result} int64)\n",
                p[0], p[1], p[2]
            ));
            add_c(&mut asm, &format!("{form}{i}"), t.kernel, framed);
            table.push_str(&format!(
                "\t{{{form}{i}, \"{form}{i}({}, {}, {}) {result}\"}},\n",
                p[0], p[1], p[2]
            ));
        }
    }
    table.push_str("}\n");
    for (decl, body) in t.specials {
        let name = &decl[5..decl.find('(').expect("(")];
        let framed_decl = decl.replacen(name, &format!("{name}_framed"), 1);
        decls.push_str(&format!("{decl}\n{framed_decl}\n"));
        add_c(&mut asm, name, body, false);
        add_c(&mut asm, &format!("{name}_framed"), body, true);
    }
    decls.push_str(t.stack.0);
    decls.push('\n');
    add_c(&mut asm, "stack", t.stack.1, false);

    let decl_name = format!("names_{}.go", t.goarch);
    write(&root.join(&decl_name), &decls);
    let options = Options {
        arch: Some(t.arch),
        ..Options::default()
    };
    let out = translate(
        &SourceFile::new(format!("names_{}_c.s", t.goarch), asm),
        &SourceFile::new(decl_name, decls),
        &options,
    )
    .unwrap_or_else(|e| panic!("translating for {}:\n{e}", t.goarch));
    write(&root.join(format!("names_{}.s", t.goarch)), &out);

    let args: Vec<String> = (0..stack_count(t)).map(|k| format!("a[{k}]")).collect();
    let test = EVERY_NAME_TEST
        .replace("{table}", &table)
        .replace("{stack_args}", &args.join(", "))
        + SPECIAL_TEST;
    write(&root.join("names_test.go"), &test);
}

fn stack_count(t: &Target) -> usize {
    t.stack.0.matches(" int64").count() - 1
}

fn check(t: &Target) {
    require("go");
    let native = std::env::consts::ARCH == "x86_64" && t.goarch == "amd64";
    if !native {
        require("qemu-aarch64");
    }
    let names = register_like_names(&goroot());
    let root = std::env::temp_dir().join(format!(
        "c2goasm-rs-param-names-{}-{}",
        t.goarch,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&root);
    write(&root.join("go.mod"), "module names\n\ngo 1.21\n");
    translate_arch(t, &names, &root);
    let go = |args: &[&str]| {
        let mut c = Command::new("go");
        c.args(args)
            .current_dir(&root)
            .env("GOARCH", t.goarch)
            .env("CGO_ENABLED", "0")
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local");
        c
    };
    run(
        &mut go(&["vet", "."]),
        &format!("GOARCH={} go vet", t.goarch),
    );
    let mut test = vec!["test", "-count=1", "-v"];
    if !native {
        test.extend(["-exec", "qemu-aarch64"]);
    }
    test.push(".");
    let out = run(&mut go(&test), &format!("GOARCH={} go test", t.goarch));
    assert!(out.contains("--- PASS: TestEveryName"), "{out}");
    assert!(out.contains("--- PASS: TestSpecials"), "{out}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn every_register_like_name_on_amd64() {
    check(&AMD64);
}

#[test]
fn every_register_like_name_on_arm64() {
    check(&ARM64);
}
