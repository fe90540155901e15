//! The command line decides the architecture from the input and checks every other source
//! against it: one clear error for a mismatch (not one per line), and the output's build
//! constraint follows the declaration file (goat/gocc layouts name no GOARCH).

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("c2goasm-rs-targets-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// Runs the tool on `input` → `dir/output` with `decls` as the declaration file.
fn run(dir: &Path, input: &Path, output: &str, decls: &str, extra: &[&str]) -> (i32, String) {
    std::fs::write(dir.join(Path::new(output).with_extension("go")), decls).expect("decls");
    let out = Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
        .args(extra)
        .arg(input)
        .arg(dir.join(output))
        .output()
        .expect("run c2goasm-rs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const SEED_DECLS: &str = "package k\n\nimport \"unsafe\"\n\n\
    func sample_sum_clang_o3_avx2_plain(beg unsafe.Pointer, len int64) int64\n";
const ARM_DECLS: &str = "package k\n\nfunc sample_sum_clang_o3(p *int64, n int64) int64\n";

#[test]
fn aarch64_input_for_an_amd64_output_is_one_error() {
    let dir = temp_dir("arm-into-amd64");
    let input = fixture("arm64/kernels/clang_o3.s");
    let (code, err) = run(&dir, &input, "k_amd64.s", ARM_DECLS, &[]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.contains("clang_o3.s:8:2: error: this is AArch64 assembly, but the output name `k_amd64.s` says amd64"),
        "{err}"
    );
    assert!(!dir.join("k_amd64.s").exists());
    // The same through --arch.
    let (code, err) = run(&dir, &input, "k.s", ARM_DECLS, &["--arch", "amd64"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("but --arch amd64 says amd64"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn att_syntax_is_one_error_with_the_flag_to_use() {
    let dir = temp_dir("att");
    let (code, err) = run(
        &dir,
        &fixture("errors/att_syntax.s"),
        "k_amd64.s",
        "package k\n\nfunc pick(i, a, b, c int64) int64\n",
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.contains("att_syntax.s:8:2: error: AT&T syntax"),
        "{err}"
    );
    assert!(err.contains("-masm=intel"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn declarations_constrained_to_another_arch_are_an_error() {
    let dir = temp_dir("constrained");
    let decls = format!("//go:build arm64 && !noasm\n\n{SEED_DECLS}");
    let (code, err) = run(
        &dir,
        &fixture("x86/seed/clang_o3_avx2_plain.s"),
        "k_avx2.s",
        &decls,
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("k_avx2.go:1:1: error:"), "{err}");
    assert!(err.contains("arm64"), "{err}");
    assert!(!dir.join("k_avx2.s").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_constraint_follows_the_declarations_and_adds_the_goarch() {
    let dir = temp_dir("constraint");
    let input = fixture("x86/seed/clang_o3_avx2_plain.s");
    let header = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .expect("output")
            .lines()
            .find(|l| l.starts_with("//go:build"))
            .map(str::to_string)
    };
    // gocc/goat layout: no GOARCH in the name, none in the .go → the GOARCH is added.
    let (code, err) = run(&dir, &input, "k_avx2.s", SEED_DECLS, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(header("k_avx2.s").as_deref(), Some("//go:build amd64"));
    let decls = format!("// +build !noasm\n\n{SEED_DECLS}");
    let (code, err) = run(&dir, &input, "k_avx2.s", &decls, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        header("k_avx2.s").as_deref(),
        Some("//go:build !noasm && amd64")
    );
    // c2goasm layout: the name pins the GOARCH; the declaration file's constraint is kept.
    let decls = format!("//go:build !noasm && !appengine\n\n{SEED_DECLS}");
    let (code, err) = run(&dir, &input, "k_amd64.s", &decls, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        header("k_amd64.s").as_deref(),
        Some("//go:build !noasm && !appengine")
    );
    let (code, err) = run(&dir, &input, "plain_amd64.s", SEED_DECLS, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(header("plain_amd64.s"), None);
    let _ = std::fs::remove_dir_all(&dir);
}
