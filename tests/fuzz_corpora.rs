//! Replays the fuzz targets' minimised corpora (fuzz/corpus/TARGET) and the inputs of
//! every finding (fuzz/regressions/TARGET) through the entry points the campaigns ran
//! (fuzz/src/lib.rs, included here), on stable Rust: no finding comes back. The campaigns
//! themselves (nightly, libFuzzer) are in FUZZING.md.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod entries;

use std::path::Path;
use std::time::{Duration, Instant};

use c2goasm_rs::{Arch, Options, SourceFile, translate};

/// Every file of `fuzz/{corpus,regressions}/target` through `entry`; each must finish
/// without panicking, well within the campaigns' 1 s timeout.
fn replay(target: &str, entry: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) {
            files.extend(entries.flatten().map(|e| e.path()));
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no corpus for {target}");
    let start = Instant::now();
    let mut slow = Vec::new();
    for f in &files {
        let data = std::fs::read(f).expect("read corpus file");
        let t = Instant::now();
        entry(&data);
        // Debug builds are several times slower than the campaigns' optimised ones.
        if t.elapsed() > Duration::from_secs(5) {
            slow.push(format!("{}: {:?}", f.display(), t.elapsed()));
        }
    }
    eprintln!(
        "{target}: {} inputs replayed in {:?}",
        files.len(),
        start.elapsed()
    );
    assert!(slow.is_empty(), "slow inputs:\n{}", slow.join("\n"));
}

#[test]
fn x86_translate_corpus() {
    replay("x86_translate", entries::x86_translate);
}

#[test]
fn arm64_front_corpus() {
    replay("arm64_front", entries::arm64_front);
}

#[test]
fn arm64_object_corpus() {
    replay("arm64_object", entries::arm64_object);
}

#[test]
fn go_decls_corpus() {
    replay("go_decls", entries::go_decls);
}

#[test]
fn expr_corpus() {
    replay("expr", entries::expr);
}

#[test]
fn prototype_corpus() {
    replay("prototype", entries::prototype);
}

/// Issue 14: an operand expression of 200 K terms overflowed the stack (recursive
/// parsing). Every way to nest deeply is now an error at the operand, in linear time.
#[test]
fn deep_expressions_are_located_errors() {
    let n = 200_000;
    let deep = [
        format!("\tmov rax, qword ptr [rdi + {}1]", "1+".repeat(n)),
        format!("\tmov rax, {}1", "1+".repeat(n)),
        format!("\tmov eax, {}1{}", "(".repeat(n), ")".repeat(n)),
        format!("\tmov eax, {}1", "-".repeat(n)),
        format!("\tlea rax, [rdi + {}]", "8 + ".repeat(n) + "8"),
        format!("\t.quad {}1", "~".repeat(n)),
        format!("x = {}1", "1*".repeat(n)),
    ];
    for line in deep {
        let text = format!(
            ".intel_syntax noprefix\n.text\n.globl f\n.type f,@function\nf:\n{line}\n\tret\n"
        );
        let asm = SourceFile::new("deep.s", text);
        let decls = SourceFile::new("deep_amd64.go", "package p\n\nfunc f(p *int64) int64\n");
        let start = Instant::now();
        let err = translate(&asm, &decls, &Options::default()).expect_err("too deep");
        let msg = err.to_string();
        assert!(
            msg.contains("deep.s:6:") && msg.contains("nested more than 100 levels deep"),
            "{}: {msg}",
            &line[..30]
        );
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }
    // The same on AArch64 (stopped at the assembler: nothing runs).
    let text = format!(
        "\t.text\n\t.globl f\n\t.type f,%function\nf:\n\tmov x0, #{}1\n\tret\n",
        "1+".repeat(n)
    );
    let asm = SourceFile::new("deep.s", text);
    let decls = SourceFile::new("deep_arm64.go", "package p\n\nfunc f() int64\n");
    let options = Options {
        arch: Some(Arch::Arm64),
        ..Options::default()
    };
    use c2goasm_rs::lower::arm64::assembler::{AssembleError, with_object};
    let stop = Err(AssembleError::Io("not reached".into()));
    let err = with_object(stop, || translate(&asm, &decls, &options)).expect_err("rejected");
    let msg = err.to_string();
    assert!(
        msg.contains("deep.s:5:") && msg.contains("nested more than 100 levels deep"),
        "{msg}"
    );
}

/// A file with an error on every one of 50 K lines: each diagnostic quoted its line by
/// scanning the file from the start (28 s on the command line); now a line index, and the
/// first 50 are rendered.
#[test]
fn thousands_of_errors_are_reported_in_linear_time() {
    let n = 50_000;
    let mut text = String::from(".intel_syntax noprefix\n.text\n.globl f\n.type f,@function\nf:\n");
    for i in 0..n {
        text.push_str(&format!("\tmov rax, qword ptr [rip + ext{i}]\n"));
    }
    text.push_str("\tret\n");
    let asm = SourceFile::new("many.s", text);
    let decls = SourceFile::new("many_amd64.go", "package p\n\nfunc f() int64\n");
    let start = Instant::now();
    let err = translate(&asm, &decls, &Options::default()).expect_err("undefined symbols");
    let msg = err.to_string();
    assert!(
        msg.ends_with("50000 errors (the first 50 shown)"),
        "{}",
        &msg[msg.len() - 80..]
    );
    assert!(
        !msg.contains("`ext49999`"),
        "only the first 50 are rendered"
    );
    assert!(
        msg.contains("many.s:6:2: error: reference to `ext0`"),
        "{}",
        &msg[..200]
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

/// 5000 declarations that bind to none of 5000 functions: every warning ranked every
/// function by edit distance and listed them all (16 s); now the first 50 warnings name
/// the 8 nearest and count the others.
#[test]
fn thousands_of_unbound_declarations_warn_in_linear_time() {
    let n = 5000;
    let mut asm = String::from(".intel_syntax noprefix\n.text\n");
    let mut go = String::from("package p\n\nfunc fn_0() int64\n");
    for i in 0..n {
        asm.push_str(&format!(
            ".globl fn_{i}\n.type fn_{i},@function\nfn_{i}:\n\tret\n"
        ));
        go.push_str(&format!("func other_{i}() int64\n"));
    }
    let asm = SourceFile::new("binds.s", asm);
    let decls = SourceFile::new("binds_amd64.go", go);
    let start = Instant::now();
    let t =
        c2goasm_rs::translate_with_warnings(&asm, &decls, &Options::default()).expect("fn_0 binds");
    assert_eq!(t.warnings.len(), n);
    let first = t.warnings[0].to_string();
    assert!(first.contains("nearest first: `fn_0`"), "{first}");
    assert!(first.contains("and 4992 more"), "{first}");
    let last = t.warnings[n - 1].to_string();
    assert!(
        last.contains("the assembly defines 5000 C functions"),
        "{last}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

/// `.zero 4000000000` in `.rodata` took 8 GB and 30 s, in `.bss` 4 GB (its bytes were
/// materialised though never written): data beyond what Go's linker or a sane output can
/// take is an error at the directive; `.bss` up to 2 GB costs nothing.
#[test]
fn huge_data_directives_are_errors_not_gigabytes() {
    let program = |data: &str| {
        format!(
            ".intel_syntax noprefix\n.text\n.globl f\n.type f,@function\nf:\n\
             \tlea rax, [rip + .Ld]\n\tret\n{data}"
        )
    };
    let decls = SourceFile::new("d_amd64.go", "package p\n\nfunc f() int64\n");
    let translate_data = |data: &str| {
        let asm = SourceFile::new("d.s", program(data));
        let start = Instant::now();
        let r = translate(&asm, &decls, &Options::default()).map_err(|e| e.to_string());
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{data}: {:?}",
            start.elapsed()
        );
        r
    };
    for (data, want) in [
        (
            ".section .rodata\n.Ld:\n\t.zero 4000000000\n",
            "d.s:10:2: error: data section `.rodata` would be 4000000000 bytes; at most 268435456",
        ),
        (
            ".section .rodata\n.Ld:\n\t.space 300000000, 7\n",
            "d.s:10:2: error: data section `.rodata` would be 300000000 bytes",
        ),
        (
            ".bss\n.Ld:\n\t.zero 2000000001\n",
            "d.s:10:2: error: data section `.bss` would be 2000000001 bytes; at most 2000000000",
        ),
        (
            ".section .rodata.a,\"a\"\n.Ld:\n\t.zero 200000000\n.section .rodata.b,\"a\"\n\t.zero 200000000\n",
            "d.s:12:2: error: the initialised data of all sections (`.rodata.b` and those before) \
             would be 400000000 bytes",
        ),
    ] {
        let err = translate_data(data).expect_err(data);
        assert!(err.contains(want), "{data}: {err}");
    }
    let out = translate_data(".bss\n.Ld:\n\t.zero 1900000000\n").expect("2 GB of .bss is fine");
    assert!(out.contains("NOPTR, $1900000000"), "{out}");
}
