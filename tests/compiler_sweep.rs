//! The compiler-flag space users are in: every kernel file of fixtures/sweep compiled by
//! clang-19 and GCC at -O0…-O3 and -Os, for SSE4.2, AVX2 and AVX-512 and with the flags
//! distributions and projects add (PIC, CET, frame pointers, baseline x86-64, fast-math), and
//! for AArch64 with clang at every level (ARMv8.0, ARMv8.2 with dot product and fp16,
//! fast-math). Every result must translate without error and the Go packages must pass
//! `go vet` (asmdecl, framepointer) on both architectures. Whether the code computes the
//! right thing is the end-to-end tests' job; this one guards the breadth of inputs.
//!
//! Needs clang-19, gcc and Go (scripts/test.sh installs them).

#[path = "support/process.rs"]
mod process;

use std::path::{Path, PathBuf};
use std::process::Command;

use process::{require, run, write};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sweep")
}

/// One compilation: compiler, flags, kernel file.
struct Build {
    compiler: &'static str,
    flags: Vec<String>,
    kernel: &'static str,
}

impl Build {
    fn tag(&self) -> String {
        let flags: String = self
            .flags
            .join("_")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        format!(
            "{}_{}_{}",
            self.kernel,
            self.compiler.replace('-', ""),
            flags
        )
    }
}

const X86_KERNELS: [&str; 5] = ["floats", "bytes", "stack", "intrinsics", "switch"];
const ARM64_KERNELS: [&str; 4] = ["floats", "bytes", "stack", "switch"];

fn x86_builds() -> Vec<Build> {
    let mut out = Vec::new();
    for kernel in X86_KERNELS {
        for compiler in ["clang-19", "gcc"] {
            for level in ["-O0", "-O1", "-O2", "-O3", "-Os"] {
                for isa in [
                    "-msse4.2",
                    "-mavx2 -mfma -mbmi2",
                    "-mavx512f -mavx512bw -mavx512vl -mavx512dq -mbmi2",
                ] {
                    out.push(build(compiler, kernel, &format!("{level} {isa}")));
                }
            }
            for extra in [
                "-O2 -fPIC -mavx2",
                "-O2 -fcf-protection=full -mavx2",
                "-O2 -fno-omit-frame-pointer -mavx2",
                "-O2 -march=x86-64",
                "-O3 -ffast-math -march=x86-64-v3",
            ] {
                out.push(build(compiler, kernel, extra));
            }
        }
    }
    out
}

fn arm64_builds() -> Vec<Build> {
    let mut out = Vec::new();
    for kernel in ARM64_KERNELS {
        for level in ["-O0", "-O1", "-O2", "-O3", "-Os"] {
            for extra in ["", "-march=armv8.2-a+dotprod+fp16", "-ffast-math"] {
                out.push(build("clang-19", kernel, &format!("{level} {extra}")));
            }
        }
    }
    out
}

fn build(compiler: &'static str, kernel: &'static str, flags: &str) -> Build {
    Build {
        compiler,
        flags: flags.split_whitespace().map(str::to_string).collect(),
        kernel,
    }
}

/// Compiles and translates every build into `root/<tag>/`; returns the failures.
fn translate_all(root: &Path, builds: &[Build], arch: &str) -> Vec<String> {
    let mut failures = Vec::new();
    for b in builds {
        let dir = root.join(b.tag());
        let asm = root.join(format!("{}.s", b.tag()));
        let mut cc = Command::new(b.compiler);
        cc.args(&b.flags)
            .args(["-S", "-fno-asynchronous-unwind-tables"])
            .arg(fixtures().join(format!("{}.c", b.kernel)))
            .arg("-o")
            .arg(&asm);
        if arch == "arm64" {
            cc.args([
                "--target=aarch64-linux-gnu",
                "-nostdlibinc",
                "-ffixed-x18",
                "-ffixed-x27",
                "-ffixed-x28",
            ]);
        } else {
            cc.args(["-masm=intel", "-mno-red-zone"]);
        }
        run(&mut cc, &format!("compiling {}", b.tag()));
        let decls = std::fs::read_to_string(fixtures().join(format!("{}.go.in", b.kernel)))
            .expect("read declarations");
        write(
            &dir.join(format!("k_{arch}.go")),
            &format!("package k\n\nimport \"unsafe\"\n\nvar _ unsafe.Pointer\n\n{decls}"),
        );
        let out = Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
            .arg(&asm)
            .arg(dir.join(format!("k_{arch}.s")))
            .output()
            .expect("run c2goasm-rs");
        if !out.status.success() {
            failures.push(format!(
                "{}:\n{}",
                b.tag(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    failures
}

fn sweep(arch: &str, builds: Vec<Build>) {
    for tool in ["go", "clang-19", "gcc"] {
        require(tool);
    }
    let root = std::env::temp_dir().join(format!("c2goasm-rs-sweep-{arch}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    write(&root.join("go.mod"), "module sweep\n\ngo 1.21\n");
    let failures = translate_all(&root, &builds, arch);
    assert!(
        failures.is_empty(),
        "{} of {} builds did not translate:\n{}",
        failures.len(),
        builds.len(),
        failures.join("\n")
    );
    let mut vet = Command::new("go");
    vet.args(["vet", "./..."])
        .current_dir(&root)
        .env("GOARCH", arch)
        .env("CGO_ENABLED", "0")
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local");
    run(
        &mut vet,
        &format!("GOARCH={arch} go vet of {} packages", builds.len()),
    );
    eprintln!("{arch}: {} builds translated, go vet clean", builds.len());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn x86_builds_translate_and_vet() {
    sweep("amd64", x86_builds());
}

#[test]
fn arm64_builds_translate_and_vet() {
    sweep("arm64", arm64_builds());
}
