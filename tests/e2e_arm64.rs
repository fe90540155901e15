//! End to end on AArch64: translate every variant of fixtures/arm64/<set> (clang-19 and
//! aarch64 GCC output at several optimisation levels), build a Go arm64 module around the
//! output, require `GOARCH=arm64 go vet` to be clean, and run `go test` under qemu-aarch64:
//! every kernel against a hand-written pure-Go reference on random inputs, then all of them
//! concurrently under the CPU profiler, the execution tracer and GOGC=1.
//!
//! Needs Go, qemu-user and an AArch64 assembler (clang); scripts/test.sh installs them.
//! Knobs: `E2E_ITERATIONS` (random rounds per variant, default 40), `E2E_STRESS_SECONDS`.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/process.rs"]
mod process;
use process::{require, run, write};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/arm64")
}

/// `func name_{V}(params) results` → (`name`, `func(params) results`).
fn field_of(decl: &str) -> Option<(String, String)> {
    let rest = decl.trim().strip_prefix("func ")?;
    let (name, signature) = rest.split_once("_{V}")?;
    Some((name.to_string(), format!("func{signature}")))
}

/// The generated table of translated functions per variant.
fn variants_file(package: &str, template: &str, variants: &[String]) -> String {
    let fields: Vec<(String, String)> = template.lines().filter_map(field_of).collect();
    let mut out = format!("package {package}\n\ntype variant struct {{\n\tname string\n");
    for (name, ty) in &fields {
        out.push_str(&format!("\t{name} {ty}\n"));
    }
    out.push_str("}\n\nvar variants = []variant{\n");
    for v in variants {
        out.push_str(&format!("\t{{name: {v:?}"));
        for (name, _) in &fields {
            out.push_str(&format!(", {name}: {name}_{v}"));
        }
        out.push_str("},\n");
    }
    out.push_str("}\n");
    out
}

fn run_set(set_name: &str) {
    require("go");
    require("qemu-aarch64");
    let set = fixtures().join(set_name);
    let root = std::env::temp_dir().join(format!(
        "c2goasm-rs-e2e-arm64-{set_name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&root);
    write(
        &root.join("go.mod"),
        &format!("module {set_name}\n\ngo 1.21\n"),
    );
    let template = std::fs::read_to_string(set.join("decls.go.in")).expect("read decls.go.in");
    let variants: Vec<String> = std::fs::read_to_string(set.join("variants.txt"))
        .expect("read variants.txt")
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(!variants.is_empty());
    for v in &variants {
        let decl_path = root.join(format!("{v}_arm64.go"));
        write(
            &decl_path,
            &format!("package {set_name}\n\n{}", template.replace("{V}", v)),
        );
        let input = set.join(format!("{v}.s"));
        let output = root.join(format!("{v}_arm64.s"));
        if let Err(e) = c2goasm_rs::translate_file(&input, &output, &c2goasm_rs::Options::default())
        {
            panic!("translating {}:\n{e}", input.display());
        }
    }
    write(
        &root.join("variants_test.go"),
        &variants_file(set_name, &template, &variants),
    );
    let test_src = std::fs::read_to_string(set.join(format!("{set_name}_test.go.txt")))
        .expect("read the Go test");
    write(&root.join(format!("{set_name}_test.go")), &test_src);

    let go = |args: &[&str]| {
        let mut c = Command::new("go");
        c.args(args)
            .current_dir(&root)
            .env("GOARCH", "arm64")
            .env("CGO_ENABLED", "0")
            .env("GOFLAGS", "-mod=mod");
        c
    };
    run(&mut go(&["vet", "./..."]), "GOARCH=arm64 go vet");
    let out = run(
        &mut go(&["test", "-count=1", "-v", "-exec", "qemu-aarch64", "./..."]),
        "GOARCH=arm64 go test under qemu-aarch64",
    );
    eprintln!("{out}");
    assert!(out.contains("--- PASS: TestKernelsMatchReference"), "{out}");
    assert!(
        out.contains("--- PASS: TestStressUnderProfilerTracerGC"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn e2e_arm64_kernels() {
    run_set("kernels");
}

#[test]
fn generated_table_lists_every_function() {
    let t = "func a_{V}(x int64) int64\nfunc b_{V}(p *float32)\n";
    let f = variants_file("k", t, &["v1".into()]);
    assert!(f.contains("\ta func(x int64) int64\n"));
    assert!(f.contains("{name: \"v1\", a: a_v1, b: b_v1},"));
}

#[test]
fn e2e_arm64_tables() {
    run_set("tables");
}

#[test]
fn e2e_arm64_neon() {
    run_set("neon");
}

#[test]
fn e2e_arm64_libm() {
    run_set("libm");
}

#[test]
fn e2e_arm64_switches() {
    run_set("switches");
}

#[test]
fn e2e_arm64_gcc_form() {
    run_set("gcc_form");
}

/// Code compiled without -ffixed-x18 (as goat's, gocc's and c2goasm's users compile) uses
/// x18: it runs on Linux (checked above under qemu, with signals arriving while x18 is
/// live), and the output says so in its build constraint and a warning.
#[test]
fn e2e_arm64_platform_register() {
    run_set("platform_register");
}

#[test]
fn platform_register_output_builds_only_for_linux() {
    let dir = std::env::temp_dir().join(format!("c2goasm-rs-x18-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let template = std::fs::read_to_string(fixtures().join("platform_register/decls.go.in"))
        .expect("read decls.go.in");
    write(
        &dir.join("k.go"),
        &format!(
            "//go:build !noasm && (arm64 || amd64)\n\npackage k\n\n{}",
            template.replace("{V}", "clang_o2")
        ),
    );
    let input = fixtures().join("platform_register/clang_o2.s");
    let output = dir.join("k.s");
    let warnings = c2goasm_rs::translate_file(&input, &output, &c2goasm_rs::Options::default())
        .expect("translates");
    let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(
        text[0].contains("warning: `x18`, the platform register"),
        "{text:?}"
    );
    assert!(text[0].contains("-ffixed-x18"), "{text:?}");
    let out = std::fs::read_to_string(&output).expect("output");
    assert!(
        out.contains("\n//go:build !noasm && (arm64 || amd64) && arm64 && linux && !android\n"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
