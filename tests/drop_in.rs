//! Drop-in on project layouts: each fixtures/dropin/<project> is a Go package as a user of
//! c2goasm, goat or gocc has it (declaration files with wrappers, methods, named types and
//! build constraints; the peers' file names; C or C++ sources), without its assembly. For
//! every configuration of its recipe.txt the C is compiled as the project would, the tool
//! writes each `.s` where the project expects it — with nothing else changed — and the Go
//! toolchain checks the package: `go vet` and `go test` on amd64, on arm64 (under
//! qemu-aarch64 when the project has arm64 assembly), with `-tags noasm`, and a build for
//! riscv64, an architecture without assembly.
//!
//! Needs Go (and the module proxy for golang.org/x/sys), clang-19, gcc/g++ and qemu-user;
//! scripts/test.sh installs them.

#[path = "support/process.rs"]
mod process;

use std::path::{Path, PathBuf};
use std::process::Command;

use process::require;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dropin")
}

/// One row of a recipe: compile `source` with `command`, translate into `output`.
struct Row {
    config: String,
    command: Vec<String>,
    source: String,
    output: String,
}

fn recipe(project: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(project.join("recipe.txt")).expect("read recipe.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('|').map(str::trim).collect();
            assert_eq!(f.len(), 4, "recipe line `{l}`");
            Row {
                config: f[0].to_string(),
                command: f[1].split_whitespace().map(str::to_string).collect(),
                source: f[2].to_string(),
                output: f[3].to_string(),
            }
        })
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn output_of(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn go(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut c = Command::new("go");
    c.args(args)
        .current_dir(dir)
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local");
    for (k, v) in env {
        c.env(k, v);
    }
    let (ok, text) = output_of(&mut c);
    assert!(
        ok,
        "go {} ({env:?}) failed in {}:\n{text}",
        args.join(" "),
        dir.display()
    );
    text
}

/// Runs every configuration of `name`'s recipe; returns how many `.s` files were written.
fn check_project(name: &str) -> usize {
    for tool in ["go", "clang-19", "gcc", "qemu-aarch64"] {
        require(tool);
    }
    let fixture = fixtures().join(name);
    let rows = recipe(&fixture);
    let mut configs: Vec<&str> = rows.iter().map(|r| r.config.as_str()).collect();
    configs.dedup();
    let root =
        std::env::temp_dir().join(format!("c2goasm-rs-dropin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let mut written = 0;
    for config in configs {
        let dir = root.join(config);
        copy_tree(&fixture.join("project"), &dir);
        let asm_dir = root.join(format!("{config}-asm"));
        std::fs::create_dir_all(&asm_dir).expect("asm dir");
        let mut arm64 = false;
        for row in rows.iter().filter(|r| r.config == config) {
            let asm = asm_dir.join(Path::new(&row.output).with_extension("in.s"));
            let (ok, text) = output_of(
                Command::new(&row.command[0])
                    .args(&row.command[1..])
                    .arg(fixture.join(&row.source))
                    .arg("-o")
                    .arg(&asm),
            );
            assert!(ok, "{name}/{config}: compiling {}:\n{text}", row.source);
            arm64 |= row.command.iter().any(|a| a.contains("aarch64"));
            // The one-line swap: the tool's command line, nothing else.
            let (ok, text) = output_of(
                Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
                    .arg(&asm)
                    .arg(dir.join(&row.output)),
            );
            assert!(
                ok,
                "{name}/{config}: translating into {}:\n{text}",
                row.output
            );
            assert!(
                !text.contains("warning:"),
                "{name}/{config}: {}:\n{text}",
                row.output
            );
            written += 1;
        }
        go(&dir, &["mod", "tidy"], &[]);
        go(&dir, &["vet", "./..."], &[]);
        let log = go(&dir, &["test", "-count=1", "-v", "./..."], &[]);
        assert!(
            log.contains("impl=") && !log.contains("impl=go"),
            "{name}/{config}: {log}"
        );
        go(&dir, &["vet", "-tags", "noasm", "./..."], &[]);
        let log = go(
            &dir,
            &["test", "-count=1", "-v", "-tags", "noasm", "./..."],
            &[],
        );
        assert!(log.contains("impl=go"), "{name}/{config} noasm: {log}");
        let arm = [("GOARCH", "arm64"), ("CGO_ENABLED", "0")];
        go(&dir, &["vet", "./..."], &arm);
        if arm64 {
            let log = go(
                &dir,
                &["test", "-count=1", "-v", "-exec", "qemu-aarch64", "./..."],
                &arm,
            );
            assert!(
                log.contains("impl=") && !log.contains("impl=go"),
                "{name}/{config} arm64: {log}"
            );
        } else {
            go(&dir, &["build", "./..."], &arm);
        }
        let other = [("GOARCH", "riscv64"), ("CGO_ENABLED", "0")];
        go(&dir, &["vet", "./..."], &other);
        go(&dir, &["build", "./..."], &other);
        eprintln!("{name}/{config}: vet + test on amd64, arm64, noasm, riscv64 build: ok");
    }
    if std::env::var("DROPIN_KEEP").is_err() {
        let _ = std::fs::remove_dir_all(&root);
    }
    written
}

#[test]
fn c2goasm_layout_with_wrappers_named_types_and_plus_build_lines() {
    assert_eq!(check_project("c2goasm_sum"), 5);
}

#[test]
fn goat_layout_on_both_architectures_and_an_unpinned_name() {
    assert_eq!(check_project("goat_vec"), 6);
}

#[test]
fn gocc_layout_on_both_architectures() {
    assert_eq!(check_project("gocc_floats"), 4);
}

#[test]
fn cpp_kernels_bind_by_unqualified_name() {
    assert_eq!(check_project("cpp_kernels"), 4);
}
