//! End to end, for every x86 fixture set (fixtures/x86/<set>): translate every variant,
//! build a Go module around the output, and have the real Go toolchain check it:
//! `go vet` (asmdecl, framepointer) must be clean, and `go test` compares every translated
//! function bit for bit with the same .s assembled natively by the C toolchain and called
//! through cgo, on random inputs, then runs all of them concurrently under the CPU profiler,
//! the execution tracer and GOGC=1.
//!
//! Needs Go, clang-19 and gcc (scripts/test.sh installs clang-19). Knobs:
//! `E2E_ITERATIONS` (random calls per function, default 40), `E2E_STRESS_SECONDS` (default 2).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::gogen::{Kernel, ref_package, test_file};
use support::process::{require, write};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/x86")
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Variant {
    name: String,
    cpu: String,
    compiler: String,
}

fn variants(set: &Path) -> Vec<Variant> {
    let text = std::fs::read_to_string(set.join("variants.txt")).expect("read variants.txt");
    text.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some(Variant {
                name: w.next()?.to_string(),
                cpu: w.next()?.to_string(),
                compiler: w.next()?.to_string(),
            })
        })
        .collect()
}

fn run(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("{what} failed:\n{text}"))
    }
}

/// Builds the Go module for one fixture set and runs vet and the tests.
fn run_set(set_name: &str) {
    for tool in ["go", "clang-19", "gcc"] {
        require(tool);
    }
    let set = fixtures().join(set_name);
    let root =
        std::env::temp_dir().join(format!("c2goasm-rs-e2e-{set_name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let kern = root.join("kern");
    let refdir = kern.join("ref");
    write(&root.join("go.mod"), "module e2e\n\ngo 1.21\n");
    write(
        &kern.join("helpers_test.go"),
        include_str!("support/helpers_test.go.txt"),
    );
    let template = std::fs::read_to_string(set.join("decls.go.in")).expect("read decls.go.in");
    let mut kernels = Vec::new();
    for v in variants(&set) {
        let decls = format!(
            "package kern\n\nimport \"unsafe\"\n\nvar _ unsafe.Pointer\n\n{}",
            template.replace("{V}", &v.name)
        );
        let decl_path = kern.join(format!("{}_amd64.go", v.name));
        write(&decl_path, &decls);
        let input = set.join(format!("{}.s", v.name));
        let output = kern.join(format!("{}_amd64.s", v.name));
        if let Err(e) = c2goasm_rs::translate_file(&input, &output, &c2goasm_rs::Options::default())
        {
            panic!("translating {}:\n{e}", input.display());
        }
        let parsed =
            c2goasm_rs::abi::parse_go_decls(&c2goasm_rs::SourceFile::new(decl_path.clone(), decls))
                .expect("fixture declarations parse");
        kernels.extend(parsed.into_iter().map(|func| Kernel {
            func,
            cpu: v.cpu.clone(),
        }));
        // The reference: the same assembly, assembled by its own toolchain (GNU as for
        // GCC's dialect), linked through cgo.
        std::fs::create_dir_all(&refdir).expect("create ref dir");
        let object = refdir.join(format!("{}.syso", v.name));
        let mut asm = if v.compiler.starts_with("gcc") {
            let mut c = Command::new("gcc");
            c.arg("-c");
            c
        } else {
            let mut c = Command::new("clang-19");
            c.args(["-c", "--target=x86_64-unknown-linux-gnu"]);
            c
        };
        asm.arg(&input).arg("-o").arg(&object);
        if let Err(e) = run(&mut asm, "assembling the reference") {
            panic!("{e}");
        }
    }
    write(&refdir.join("ref.go"), &ref_package(&kernels));
    write(
        &kern.join("kern_test.go"),
        &test_file(
            &kernels,
            env_or("E2E_ITERATIONS", 40),
            env_or("E2E_STRESS_SECONDS", 2.0),
        ),
    );
    let go = |args: &[&str]| {
        let mut c = Command::new("go");
        c.args(args)
            .current_dir(&root)
            .env("CGO_ENABLED", "1")
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local");
        c
    };
    let vet = run(&mut go(&["vet", "./..."]), "go vet");
    let test = run(
        &mut go(&["test", "-count=1", "-timeout=20m", "-v", "./kern/"]),
        "go test",
    );
    let keep = std::env::var("E2E_KEEP").is_ok();
    match (&vet, &test) {
        (Ok(_), Ok(out)) => {
            let passed = out.matches("--- PASS").count();
            let skipped = out.matches("--- SKIP").count();
            eprintln!(
                "{set_name}: {} functions, {passed} tests passed, {skipped} skipped (CPU), vet clean",
                kernels.len()
            );
            assert!(passed > kernels.len() / 2, "too few tests ran:\n{out}");
            if let Some(line) = out.lines().find(|l| l.contains("calls, profile")) {
                eprintln!("{set_name} stress: {}", line.trim());
            }
            if !keep {
                let _ = std::fs::remove_dir_all(&root);
            }
        }
        _ => panic!(
            "{set_name} (module kept in {}):\n{}\n{}",
            root.display(),
            vet.err().unwrap_or_default(),
            test.err().unwrap_or_default()
        ),
    }
}

#[test]
fn e2e_seed() {
    run_set("seed");
}

#[test]
fn e2e_abi() {
    run_set("abi");
}

#[test]
fn e2e_pools() {
    run_set("pools");
}

#[test]
fn e2e_spill() {
    run_set("spill");
}

#[test]
fn e2e_multi() {
    run_set("multi");
}

#[test]
fn e2e_intrinsics() {
    run_set("intrinsics");
}

#[test]
fn e2e_cold() {
    run_set("cold");
}

#[test]
fn e2e_libm() {
    run_set("libm");
}

#[test]
fn e2e_switches() {
    run_set("switches");
}
