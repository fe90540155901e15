//! Inputs that cannot be translated safely are errors: file:line:col, the source line, a
//! hint, exit status 2, and no output file (fixtures/errors/README.md).

use std::path::{Path, PathBuf};
use std::process::Command;

struct Case {
    fixture: &'static str,
    decls: &'static str,
    /// (line, column) the error must point at.
    at: (u32, u32),
    message: &'static str,
    hint: &'static str,
}

const CASES: &[Case] = &[
    Case {
        fixture: "red_zone.s",
        decls: "func pick(i, a, b, c int64) int64",
        at: (9, 2),
        message: "red-zone use",
        hint: "-mno-red-zone",
    },
    Case {
        fixture: "external_call.s",
        decls: "func softplus(x float32) float32",
        at: (17, 2),
        message: "expf@PLT",
        hint: "same file",
    },
    Case {
        fixture: "jump_table.s",
        decls: "func op(code, a, b int64) int64",
        at: (13, 2),
        message: "jump table of absolute addresses",
        hint: "-fPIC",
    },
    Case {
        fixture: "indirect_jump.s",
        decls: "func apply(f unsafe.Pointer, x int64) int64",
        at: (11, 2),
        message: "indirect jump",
        hint: "-fno-jump-tables",
    },
    Case {
        fixture: "tls.s",
        decls: "func bump(d int64) int64",
        at: (10, 2),
        message: "segment-relative access (`fs:`)",
        hint: "thread-local",
    },
    Case {
        fixture: "got.s",
        decls: "func scaled(x int64) int64",
        at: (10, 2),
        message: "GOT",
        hint: "-fno-pic",
    },
    Case {
        fixture: "vla.s",
        decls: "func vla_sum(n int64, src *int64) int64",
        at: (41, 2),
        message: "stack pointer",
        hint: "alloca",
    },
    Case {
        fixture: "recursion.s",
        decls: "func depth(tree *int64, i, n int64) int64",
        at: (7, 1),
        message: "recursive",
        hint: "loop",
    },
    Case {
        fixture: "indirect_call.s",
        decls: "func apply(f unsafe.Pointer, x int64) int64",
        at: (12, 2),
        message: "indirect call",
        hint: "function pointers",
    },
    Case {
        fixture: "unknown_directive.s",
        decls: "func twice(x int64) int64",
        at: (6, 2),
        message: "unsupported directive `.bundle_align_mode`",
        hint: "directive",
    },
    Case {
        fixture: "stack_protector.s",
        decls: "func hist(p *uint8, n int64) int64",
        at: (11, 2),
        message: "stack-protector canary",
        hint: "-fno-stack-protector",
    },
    Case {
        fixture: "windows_coff.s",
        decls: "func add(a, b int64) int64",
        at: (2, 2),
        message: "unsupported directive `.def`",
        hint: "--target=x86_64-unknown-linux-gnu",
    },
    Case {
        fixture: "arity.s",
        decls: "func add2(a int64) int64",
        at: (7, 1),
        message: "reads integer argument register `rsi`",
        hint: "Go declaration",
    },
];

/// The same discipline on AArch64 (fixtures/errors/arm64, output `out_arm64.s`).
const ARM64_CASES: &[Case] = &[
    Case {
        fixture: "arm64/recursion.s",
        decls: "func depth(tree *int64, i, n int64) int64",
        at: (6, 1),
        message: "recursive",
        hint: "loop",
    },
    Case {
        fixture: "arm64/vla.s",
        decls: "func vla_sum(n int64, src *int64) int64",
        at: (21, 2),
        message: "stack pointer",
        hint: "alloca",
    },
    Case {
        fixture: "arm64/indirect_call.s",
        decls: "func apply(f unsafe.Pointer, x int64) int64",
        at: (12, 2),
        message: "indirect call",
        hint: "function pointers",
    },
    Case {
        fixture: "arm64/got.s",
        decls: "func scaled(x int64) int64",
        at: (8, 2),
        message: "GOT",
        hint: "-fno-pic",
    },
    Case {
        fixture: "arm64/tls.s",
        decls: "func bump(d int64) int64",
        at: (9, 2),
        message: "thread-local storage",
        hint: "thread-local",
    },
    Case {
        fixture: "arm64/sve.s",
        decls: "func scale(p *float32, n int64, k float32)",
        at: (30, 7),
        message: "SVE",
        hint: "-march",
    },
    Case {
        fixture: "arm64/reserved_register.s",
        decls: "func pressure(p *int64, n int64) int64",
        at: (14, 6),
        message: "`x28` belongs to the Go runtime",
        hint: "-ffixed-x28",
    },
    Case {
        fixture: "arm64/external_call.s",
        decls: "func softplus(x float32) float32",
        at: (10, 2),
        message: "call to `expf`",
        hint: "same file",
    },
    Case {
        fixture: "arm64/literal_pool.s",
        decls: "func big(x int64) int64",
        at: (8, 10),
        message: "literal-pool",
        hint: "movz",
    },
    Case {
        fixture: "arm64/indirect_jump.s",
        decls: "func apply(f unsafe.Pointer, x int64) int64",
        at: (10, 2),
        message: "indirect jump",
        hint: "-fno-jump-tables",
    },
    Case {
        fixture: "arm64/macho.s",
        decls: "func pick(i int64) float32",
        at: (1, 2),
        message: "Mach-O",
        hint: "--target=aarch64-linux-gnu",
    },
    Case {
        fixture: "arm64/stack_protector.s",
        decls: "func hist(p *uint8, n int64) int64",
        at: (16, 2),
        message: "stack-protector canary",
        hint: "-fno-stack-protector",
    },
    Case {
        fixture: "arm64/extern_data.s",
        decls: "func pick(i int64) float32",
        at: (8, 2),
        message: "`table`, which is not defined in this file",
        hint: "static const",
    },
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/errors")
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("c2goasm-rs-errors-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

fn run(input: &Path, output: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
        .arg(input)
        .arg(output)
        .output()
        .expect("run c2goasm-rs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn unsafe_inputs_are_located_errors_and_write_nothing() {
    check_cases(CASES, "amd64");
}

#[test]
fn unsafe_arm64_inputs_are_located_errors_and_write_nothing() {
    check_cases(ARM64_CASES, "arm64");
}

fn check_cases(cases: &[Case], arch: &str) {
    let mut failures = Vec::new();
    for case in cases {
        let dir = temp_dir(&case.fixture.replace('/', "_"));
        let output = dir.join(format!("out_{arch}.s"));
        std::fs::write(
            dir.join(format!("out_{arch}.go")),
            format!(
                "package out\n\nimport \"unsafe\"\n\nvar _ unsafe.Pointer\n\n{}\n",
                case.decls
            ),
        )
        .expect("write decls");
        let input = fixtures().join(case.fixture);
        let (code, stderr) = run(&input, &output);
        let file_name = case.fixture.rsplit('/').next().unwrap_or(case.fixture);
        let location = format!("{file_name}:{}:{}: error:", case.at.0, case.at.1);
        let problems: Vec<&str> = [
            (code != Some(2)).then_some("exit status is not 2"),
            (!stderr.contains(&location)).then_some("wrong or missing file:line:col"),
            (!stderr.contains(case.message)).then_some("message missing"),
            (!stderr.contains("help:") || !stderr.contains(case.hint)).then_some("hint missing"),
            (!stderr.contains(" | ")).then_some("source line not quoted"),
            output.exists().then_some("output file was written"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {} (expected `{location}` / `{}` / `{}`)\n--- stderr:\n{stderr}",
                case.fixture,
                problems.join(", "),
                case.message,
                case.hint
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn failed_run_leaves_previous_output_untouched() {
    let dir = temp_dir("previous");
    let output = dir.join("out_amd64.s");
    std::fs::write(
        dir.join("out_amd64.go"),
        "package out\n\nfunc pick(i, a, b, c int64) int64\n",
    )
    .expect("write decls");
    std::fs::write(&output, "previous contents\n").expect("write previous output");
    let (code, _) = run(&fixtures().join("red_zone.s"), &output);
    assert_eq!(code, Some(2));
    assert_eq!(
        std::fs::read_to_string(&output).expect("read output"),
        "previous contents\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("list dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_declarations_file_is_a_usage_error() {
    let dir = temp_dir("nodecl");
    let output = dir.join("out_amd64.s");
    let (code, stderr) = run(&fixtures().join("arity.s"), &output);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("out_amd64.go"), "{stderr}");
    assert!(!output.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn declared_function_missing_from_assembly_is_a_warning_naming_the_nearest() {
    let dir = temp_dir("missing");
    let output = dir.join("out_amd64.s");
    std::fs::write(
        dir.join("out_amd64.go"),
        "package out\n\n// ok\nfunc add2(a, b int64) int64\nfunc _ad3(x int64) int64\n",
    )
    .expect("write decls");
    let (code, stderr) = run(&fixtures().join("arity.s"), &output);
    // It may be implemented by another assembly file of the package: warn, still write.
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("out_amd64.go:5:6: warning:"), "{stderr}");
    assert!(
        stderr.contains("`_ad3` has no C function `_ad3` or `ad3`"),
        "{stderr}"
    );
    assert!(stderr.contains("nearest first: `add2`"), "{stderr}");
    assert!(
        std::fs::read_to_string(&output)
            .expect("output written")
            .contains("TEXT ·add2(SB)")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_declaration_binding_is_an_error_and_writes_nothing() {
    let dir = temp_dir("nothing");
    let output = dir.join("out_amd64.s");
    std::fs::write(
        dir.join("out_amd64.go"),
        "package out\n\nfunc _addtwo(a, b int64) int64\n",
    )
    .expect("write decls");
    let (code, stderr) = run(&fixtures().join("arity.s"), &output);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("out_amd64.go:3:6: error:"), "{stderr}");
    assert!(stderr.contains("no Go declaration"), "{stderr}");
    assert!(stderr.contains("nearest first: `add2`"), "{stderr}");
    assert!(!output.exists());
    // A file without any body-less declaration is the same mistake.
    std::fs::write(
        dir.join("out_amd64.go"),
        "package out\n\nfunc Add(a, b int64) int64 { return a + b }\n",
    )
    .expect("write decls");
    let (code, stderr) = run(&fixtures().join("arity.s"), &output);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("declares no Go function without a body"),
        "{stderr}"
    );
    assert!(!output.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_arm64_assembler_names_the_package_to_install() {
    let dir = temp_dir("noas");
    let output = dir.join("out_arm64.s");
    std::fs::write(
        dir.join("out_arm64.go"),
        "package out\n\nfunc ret_i8_clang_o3(x int64) int8\n",
    )
    .expect("write decls");
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/arm64/kernels/clang_o3.s");
    let out = Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
        .arg(&input)
        .arg(&output)
        .env("C2GOASM_AS", "/nonexistent/aarch64-as")
        .output()
        .expect("run c2goasm-rs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no AArch64 assembler found"), "{stderr}");
    assert!(stderr.contains("apt-get install clang-19"), "{stderr}");
    assert!(!output.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `c2goasm-rs … 2>&1 | head -1`: once the reader has gone, writing the diagnostics fails;
/// the exit status must still be the translation's (2), not a panic's (101).
#[test]
fn closed_output_pipes_keep_the_exit_status() {
    let dir = temp_dir("pipe");
    let output = dir.join("out_amd64.s");
    std::fs::write(
        dir.join("out_amd64.go"),
        "package out\n\nfunc _nothere(x int64) int64\n",
    )
    .expect("write decls");
    for (stdout_closed, stderr_closed) in [(true, true), (false, true), (true, false)] {
        let closed = || {
            let (reader, writer) = std::io::pipe().expect("pipe");
            drop(reader);
            std::process::Stdio::from(writer)
        };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"));
        cmd.arg(fixtures().join("arity.s")).arg(&output);
        cmd.stdout(if stdout_closed {
            closed()
        } else {
            std::process::Stdio::null()
        });
        cmd.stderr(if stderr_closed {
            closed()
        } else {
            std::process::Stdio::null()
        });
        let status = cmd.status().expect("run c2goasm-rs");
        assert_eq!(
            status.code(),
            Some(2),
            "stdout closed {stdout_closed}, stderr closed {stderr_closed}"
        );
        // Help text to a closed stdout is not a crash either.
        let status = Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
            .arg("--help")
            .stdout(closed())
            .status()
            .expect("run --help");
        assert_ne!(status.code(), Some(101), "--help panicked on a closed pipe");
    }
    assert!(!output.exists());
    let _ = std::fs::remove_dir_all(&dir);
}
