//! No false alarms from the declaration checks: every fixture set's declarations match
//! their C code, so every variant (clang and GCC, -O0 to -O3 and -Os, several CPUs) must
//! translate with no error and no warning. The e2e tests prove the same declarations run
//! correctly; this test is the cheap one that only translates.
//!
//! The arm64 sets need an AArch64 assembler (clang), as every arm64 translation does.

use std::path::{Path, PathBuf};

use c2goasm_rs::{Arch, Options, SourceFile, translate_with_warnings};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// (set directory, variant names) for every fixture set of an architecture.
fn sets(arch_dir: &str) -> Vec<(PathBuf, Vec<String>)> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures().join(arch_dir))
        .expect("fixture directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("decls.go.in").exists())
        .collect();
    dirs.sort();
    for d in dirs {
        let variants = std::fs::read_to_string(d.join("variants.txt"))
            .expect("variants.txt")
            .lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect();
        out.push((d, variants));
    }
    out
}

fn check(arch_dir: &str, arch: Arch, header: &str) {
    let mut problems = Vec::new();
    let mut translated = 0;
    for (set, variants) in sets(arch_dir) {
        let template = std::fs::read_to_string(set.join("decls.go.in")).expect("decls.go.in");
        for v in variants {
            let asm_path = set.join(format!("{v}.s"));
            let asm = SourceFile::new(
                asm_path.clone(),
                std::fs::read_to_string(&asm_path).expect("fixture .s"),
            );
            let decls = SourceFile::new(
                format!("{v}_{}.go", arch.go_name()),
                format!("{header}{}", template.replace("{V}", &v)),
            );
            let options = Options {
                arch: Some(arch),
                ..Options::default()
            };
            match translate_with_warnings(&asm, &decls, &options) {
                Ok(t) => {
                    // Declaration warnings only: the platform-register warning of the
                    // set compiled without -ffixed-x18 is about the code, and expected.
                    let warnings: String = t
                        .warnings
                        .iter()
                        .map(|w| w.to_string())
                        .filter(|w| !w.contains("`x18`, the platform register, is used"))
                        .collect();
                    if warnings.is_empty() {
                        translated += 1;
                    } else {
                        problems.push(format!("{}: warnings:\n{warnings}", asm_path.display()));
                    }
                }
                Err(e) => problems.push(format!("{}: {e}", asm_path.display())),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(translated > 10, "only {translated} variants translated");
}

#[test]
fn x86_fixture_declarations_translate_without_warnings() {
    check(
        "x86",
        Arch::Amd64,
        "package kern\n\nimport \"unsafe\"\n\nvar _ unsafe.Pointer\n\n",
    );
}

#[test]
fn arm64_fixture_declarations_translate_without_warnings() {
    check("arm64", Arch::Arm64, "package kern\n\n");
}
