//! `c2goasm-rs package`: C file → Go package with typed declarations, per-variant
//! assembly and runtime dispatch, checked by the Go toolchain (vet, test, other GOARCHes,
//! the noasm tag). Needs Go (with the module proxy for golang.org/x/sys) and clang-19.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/package")
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("c2goasm-rs-pkg-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn tool(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
        .args(args)
        .env("CC", "clang-19")
        .output()
        .expect("run c2goasm-rs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn go(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<String, String> {
    let mut c = Command::new("go");
    c.args(args)
        .current_dir(dir)
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().map_err(|e| format!("go: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "go {} failed in {}:\n{text}",
            args.join(" "),
            dir.display()
        ))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("read fixture dir").flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy fixture");
    }
}

/// Generates `c_file` into a fresh package with `variants`, adds the hand-written Go files
/// of `go_dir`, and runs every Go check.
fn generate_and_check(c_file: &str, package: &str, variants: &str, go_dir: &str) -> String {
    let dir = temp(package).join(package);
    let c = fixtures().join(c_file);
    let (ok, out) = tool(&[
        "package",
        c.to_str().expect("utf-8 path"),
        "--out",
        dir.to_str().expect("utf-8 path"),
        "--variants",
        variants,
    ]);
    assert!(ok, "package failed:\n{out}");
    copy_dir(&fixtures().join("go").join(go_dir), &dir);
    type Step<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);
    let steps: [Step; 6] = [
        (&["mod", "tidy"], &[]),
        (&["vet", "./..."], &[]),
        (&["test", "-count=1", "-v", "./..."], &[]),
        (&["vet", "-tags", "noasm", "./..."], &[]),
        (&["test", "-count=1", "-tags", "noasm", "./..."], &[]),
        (&["vet", "./..."], &[("GOARCH", "arm64")]),
    ];
    let mut log = String::new();
    for (args, env) in steps {
        match go(&dir, args, env) {
            Ok(text) => log.push_str(&text),
            Err(e) => panic!("{e}"),
        }
    }
    go(&dir, &["build", "./..."], &[("GOARCH", "arm64")]).unwrap_or_else(|e| panic!("{e}"));
    if variants.contains("neon") {
        // The arm64 build runs too, under qemu-user.
        let arm = [("GOARCH", "arm64"), ("CGO_ENABLED", "0")];
        for args in [
            &["test", "-count=1", "-v", "-exec", "qemu-aarch64", "./..."][..],
            &[
                "test",
                "-count=1",
                "-tags",
                "noasm",
                "-exec",
                "qemu-aarch64",
                "./...",
            ][..],
        ] {
            match go(&dir, args, &arm) {
                Ok(text) => log.push_str(&text),
                Err(e) => panic!("{e}"),
            }
        }
    }
    let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(&dir));
    log
}

#[test]
fn seed_kernels_in_all_variants_of_both_architectures() {
    let log = generate_and_check(
        "sample.c",
        "sample",
        "sse4.2,avx,avx2,avx512,neon",
        "sample",
    );
    assert!(log.contains("--- PASS: TestNeonAgainstGo"), "{log}");
    assert!(log.contains("--- PASS: TestDispatchPicksNeon"), "{log}");
    assert!(log.contains("--- PASS: TestEveryVariantAgainstGo"), "{log}");
    assert!(
        log.contains("--- PASS: TestDispatchPicksTheBestVariant"),
        "{log}"
    );
    assert!(log.contains("--- PASS: TestExportedAgainstGo"), "{log}");
}

#[test]
fn every_supported_c_type() {
    let log = generate_and_check("types.c", "types", "sse4.2,avx2,neon", "types");
    assert!(log.contains("--- PASS: TestEveryTypeAgainstGo"), "{log}");
}

#[test]
fn struct_by_value_is_a_located_error() {
    let dir = temp("bad");
    let c = fixtures().join("bad_struct.c");
    let (ok, out) = tool(&[
        "package",
        c.to_str().expect("utf-8 path"),
        "--out",
        dir.to_str().expect("utf-8 path"),
    ]);
    assert!(!ok);
    assert!(out.contains("bad_struct.c:8:9: error:"), "{out}");
    assert!(out.contains("parameter `p`"), "{out}");
    assert!(out.contains("struct point"), "{out}");
    let written: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(written.is_empty(), "files written on error: {written:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn regenerating_gives_identical_files_and_spares_foreign_ones() {
    let dir = temp("regen");
    let c = fixtures().join("sample.c");
    let args = |d: &Path| {
        vec![
            "package".to_string(),
            c.display().to_string(),
            "--out".to_string(),
            d.display().to_string(),
            "--variants".to_string(),
            "sse4.2,avx2".to_string(),
        ]
    };
    let run = |d: &Path| {
        let a = args(d);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        let (ok, out) = tool(&refs);
        assert!(ok, "{out}");
    };
    let snapshot = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .expect("list")
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).expect("read"),
                )
            })
            .collect();
        v.sort();
        v
    };
    run(&dir);
    let first = snapshot(&dir);
    run(&dir);
    assert_eq!(first, snapshot(&dir), "regeneration changed files");
    // A user file where a generated one would go is never overwritten.
    let foreign = dir.join("c2goasm_dispatch.go");
    std::fs::write(&foreign, "package sample\n// mine\n").expect("write");
    let a = args(&dir);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let (ok, out) = tool(&refs);
    assert!(!ok && out.contains("refusing to overwrite"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&foreign).expect("read"),
        "package sample\n// mine\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
