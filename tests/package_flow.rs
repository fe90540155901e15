//! `c2goasm-rs package`: C file → Go package with typed declarations, per-variant
//! assembly and runtime dispatch, checked by the Go toolchain (vet, test, other GOARCHes,
//! the noasm tag through cgo or the package's Go). Needs Go (with the module proxy for
//! golang.org/x/sys), clang-19, gcc (cgo), qemu-aarch64, and qemu-riscv64, -ppc64le and
//! -s390x for the pure-Go builds — and no C library for aarch64: kernels with
//! freestanding headers only build for arm64 without one.

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

/// Runs the package flow for `c_file` into `dir`.
fn package(c_file: &str, dir: &Path, variants: &str) {
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
}

/// Fails when a generated Go file is not as gofmt writes it.
fn assert_gofmt_clean(dir: &Path) {
    let out = Command::new("gofmt")
        .arg("-l")
        .arg(dir)
        .output()
        .expect("run gofmt");
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && listed.trim().is_empty(),
        "not gofmt-clean: {listed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Adds the hand-written Go files of `go_dir` (the user's pure-Go versions and tests)
/// into a fresh package, generates `c_file` into it with `variants` — after, as a user
/// would regenerate, so that the Go versions are found — and runs every Go check.
fn generate_and_check(c_file: &str, package_name: &str, variants: &str, go_dir: &str) -> String {
    let dir = temp(package_name).join(package_name);
    std::fs::create_dir_all(&dir).expect("create package dir");
    copy_dir(&fixtures().join("go").join(go_dir), &dir);
    package(c_file, &dir, variants);
    assert_gofmt_clean(&dir);
    type Step<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);
    let steps: [Step; 7] = [
        (&["mod", "tidy"], &[]),
        (&["vet", "./..."], &[]),
        (&["test", "-count=1", "-v", "./..."], &[]),
        (&["vet", "-tags", "noasm", "./..."], &[]),
        (&["test", "-count=1", "-tags", "noasm", "./..."], &[]),
        (&["vet", "./..."], &[("GOARCH", "arm64")]),
        // The package's Go versions serve GOARCHes without assembly.
        (&["vet", "./..."], &[("GOARCH", "riscv64")]),
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

/// NEON intrinsics (`arm_neon.h`) on arm64 and AVX2 intrinsics on x86-64 in one file; the
/// arm64 prototypes come from the aarch64 AST (one function exists only there), and no
/// aarch64 C library is needed.
#[test]
fn neon_and_avx2_intrinsics_in_one_file() {
    let log = generate_and_check("simd.c", "simd", "avx2,neon", "simd");
    for test in [
        "TestExportedAgainstGo",
        "TestArm64OnlyFunctionKeepsItsFallback",
        "TestEveryDispatchEntryOfAnAVX2OnlyFunction",
        "TestNeonAgainstGo",
        "TestDispatchPicksNeon",
    ] {
        assert!(log.contains(&format!("--- PASS: {test}")), "{test}:\n{log}");
    }
    // AVX2 runs where the CPU has it, and is skipped (not failed) elsewhere.
    assert!(
        log.contains("--- PASS: TestAVX2AgainstGo") || log.contains("--- SKIP: TestAVX2AgainstGo"),
        "{log}"
    );
}

/// C++: a namespaced function bound by its mangled name, references, constexpr and
/// template helpers, internal-linkage helpers and an `extern "C"` function.
#[test]
fn cxx_source_in_every_architecture() {
    let log = generate_and_check("kernels.cpp", "kernels", "sse4.2,avx2,neon", "kernels");
    for test in [
        "TestExportedAgainstGo",
        "TestEveryVariantAgainstGo",
        "TestNeonAgainstGo",
    ] {
        assert!(log.contains(&format!("--- PASS: {test}")), "{test}:\n{log}");
    }
}

/// Runs the package flow expecting failure: exit status 2 and nothing written.
fn package_error(c_file: &str, variants: &str) -> String {
    let dir = temp(&format!("err-{c_file}"));
    let c = fixtures().join(c_file);
    let out = Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
        .args([
            "package",
            c.to_str().expect("utf-8 path"),
            "--out",
            dir.to_str().expect("utf-8 path"),
            "--variants",
            variants,
        ])
        .env("CC", "clang-19")
        .output()
        .expect("run c2goasm-rs");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{text}");
    let written: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(written.is_empty(), "files written on error: {written:?}");
    let _ = std::fs::remove_dir_all(&dir);
    text
}

#[test]
fn cxx_overloads_are_an_error_naming_both() {
    let out = package_error("overload.cpp", "sse4.2,avx2,neon");
    assert!(out.contains("exported as `Scale`"), "{out}");
    assert!(
        out.contains("`int64_t scale(int64_t x)` (overload.cpp:5)"),
        "{out}"
    );
    assert!(
        out.contains("`double scale(double x)` (overload.cpp:7)"),
        "{out}"
    );
    assert!(
        out.contains("help:") && out.contains("extern \"C\""),
        "{out}"
    );
}

#[test]
fn a_prototype_that_differs_between_targets_is_an_error() {
    // The x86-64 baseline, sse2, is always built: it is the first prototype met.
    let out = package_error("mismatch.c", "sse4.2,neon");
    assert!(
        out.contains(
            "mismatch.c:5:9: error: `widen` has a different prototype for neon than for sse2"
        ),
        "{out}"
    );
    assert!(
        out.contains("sse2: `int64_t widen(int64_t x)` (mismatch.c:7)"),
        "{out}"
    );
    assert!(
        out.contains("neon: `int32_t widen(int32_t x)` (mismatch.c:5)"),
        "{out}"
    );
}

/// `<stdlib.h>` is not freestanding: natively the host's C library serves it; for a cross
/// target it needs that target's, and without them the error names the Debian package.
#[test]
fn a_c_library_header_needs_the_targets_c_library() {
    let (ok, out) = generate("needs_libc.c", "sse4.2");
    assert!(ok, "the host's C library serves x86-64:\n{out}");
    // Where the tool looks for the aarch64 C library: the host's own on arm64, Debian's
    // cross package elsewhere.
    let libc = if cfg!(target_arch = "aarch64") {
        "/usr/include/stdlib.h"
    } else {
        "/usr/aarch64-linux-gnu/include/stdlib.h"
    };
    if Path::new(libc).is_file() {
        let (ok, out) = generate("needs_libc.c", "neon");
        assert!(ok, "{libc} is installed:\n{out}");
    } else {
        let out = package_error("needs_libc.c", "neon");
        assert!(
            out.contains("needs_libc.c:4:10: error: `stdlib.h` not found for aarch64-linux-gnu"),
            "{out}"
        );
        assert!(
            out.contains("apt-get install libc6-dev-arm64-cross"),
            "{out}"
        );
    }
}

/// Runs the package flow into a fresh directory (removed afterwards).
fn generate(c_file: &str, variants: &str) -> (bool, String) {
    let dir = temp(&format!("gen-{c_file}-{variants}"));
    let c = fixtures().join(c_file);
    let r = tool(&[
        "package",
        c.to_str().expect("utf-8 path"),
        "--out",
        dir.to_str().expect("utf-8 path"),
        "--variants",
        variants,
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    r
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
    // A file an earlier version generated and this one does not is removed.
    let old = dir.join("c2goasm_dispatch.go");
    std::fs::write(
        &old,
        "// Code generated by c2goasm-rs 0.0.9. DO NOT EDIT.\n// Command: c2goasm-rs package sample.c --out .\n\npackage sample\n",
    )
    .expect("write");
    run(&dir);
    assert!(!old.exists(), "a stale generated file stayed");
    assert_eq!(first, snapshot(&dir), "regeneration changed files");
    // A user file where a generated one would go is never overwritten.
    let foreign = dir.join("c2goasm_api.go");
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

/// Runs `go` expecting failure; returns its output.
fn go_fails(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    match go(dir, args, env) {
        Ok(text) => panic!("go {} succeeded:\n{text}", args.join(" ")),
        Err(e) => e,
    }
}

/// The issue #13 library: float and integer kernels, in and out slices, output pointers,
/// a narrow length, a function without slices — and no Go written for it. Its tests pass
/// on amd64 (every variant the CPU runs), arm64 under qemu and through cgo with
/// `-tags noasm`; cross builds without cgo fail with the message naming what to write,
/// and once a pure-Go version exists they build and pass under qemu.
#[test]
fn a_c_library_becomes_a_go_package_with_no_go_written() {
    let dir = temp("vec").join("vec");
    std::fs::create_dir_all(&dir).expect("create package dir");
    copy_dir(&fixtures().join("go/vec"), &dir); // tests only
    let variants = "sse2,avx2,avx512,neon";
    package("vec.c", &dir, variants);
    assert_gofmt_clean(&dir);
    for f in [
        "c2goasm_api.go",
        "c2goasm_amd64.go",
        "c2goasm_amd64.s",
        "c2goasm_arm64.go",
        "c2goasm_arm64.s",
        "c2goasm_cgo.go",
        "c2goasm_cgo_vec.c",
        "c2goasm_nocgo.go",
        "example_test.go",
        "vec_sse2_amd64.s",
        "vec_avx512_amd64.s",
        "vec_neon_arm64.s",
    ] {
        assert!(dir.join(f).is_file(), "{f} not generated");
    }
    let api = std::fs::read_to_string(dir.join("c2goasm_api.go")).expect("api");
    for sig in [
        "func VecDotF32(a, b []float32) float32 {",
        "func VecDotF32Raw(a, b *float32, n uint64) float32 {",
        "func VecAddF32(dst, a, b []float32) {",
        "func VecAbsF32(dst, src []float32) {",
        "func VecScaleI16(dst, src []int16, k int16) {",
        "func VecMinMaxI32(p []int32) (min, max int32) {",
        "func VecCountU8(hay []uint8, c uint8) uint64 {",
        "func VecMeanVarF64(x []float64) (ret, var_ float64) {",
        "func VecMixU32(a, b uint32) uint32 {",
        "func SelectedVariant() string",
        "// Dot product of a and b, accumulated in any order.",
        "//\tfloat vec_dot_f32(const float *a, const float *b, size_t n)",
        "//go:generate c2goasm-rs package ",
    ] {
        assert!(api.contains(sig), "{sig:?} not in c2goasm_api.go:\n{api}");
    }
    assert!(
        !api.contains("VecMixU32Raw"),
        "a function without slices has one name"
    );
    let mut log = String::new();
    let arm = [("GOARCH", "arm64"), ("CGO_ENABLED", "0")];
    type Step<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);
    let steps: [Step; 8] = [
        (&["mod", "tidy"], &[]),
        (&["vet", "./..."], &[]),
        (&["vet", "-tags", "noasm", "./..."], &[]),
        (&["vet", "./..."], &arm),
        (&["test", "-count=1", "-v", "./..."], &[]),
        (&["test", "-count=1", "-v", "-tags", "noasm", "./..."], &[]),
        (
            &["test", "-count=1", "-v", "-exec", "qemu-aarch64", "./..."],
            &arm,
        ),
        (&["build", "-gcflags=-m", "."], &[]),
    ];
    for (args, env) in steps {
        log.push_str(&go(&dir, args, env).unwrap_or_else(|e| panic!("{e}")));
    }
    for test in [
        "TestExportedAgainstReference",
        "TestNilAndEmptySlices",
        "TestLengthsThatDoNotFitPanic",
        "TestNoAllocations",
        "TestEveryAMD64VariantAgainstReference",
        "TestExportedThroughEveryDispatchEntry",
        "TestNeonAgainstReference",
        "TestPortableBuildSaysWhatRuns",
    ] {
        assert!(log.contains(&format!("--- PASS: {test}")), "{test}:\n{log}");
    }
    assert!(log.contains("SelectedVariant() = cgo"), "{log}");
    assert!(log.contains("SelectedVariant() = neon"), "{log}");
    // The slice functions are inlined into their callers: they cost what the call costs.
    for f in [
        "VecDotF32",
        "VecAddF32",
        "VecScaleI16",
        "VecMinMaxI32",
        "VecMeanVarF64",
    ] {
        assert!(
            log.contains(&format!("can inline {f}\n")),
            "{f} not inlinable:\n{log}"
        );
    }
    // Without assembly, cgo or Go, the build fails with a message saying what to write.
    for arch in ["riscv64", "ppc64le", "s390x"] {
        let err = go_fails(&dir, &["build", "."], &[("GOARCH", arch)]);
        for want in [
            "c2goasm-rs: package vec has no assembly for this build",
            "cgo is off (CGO_ENABLED=0",
            "\tVecDotF32      needs  func vecDotF32(a, b *float32, n uint64) float32\n",
            "\tVecMixU32      needs  func vecMixU32(a, b uint32) uint32\n",
            "Write them in a .go file of package vec (any name, no build constraint), then \
             regenerate the package (go generate)",
        ] {
            assert!(err.contains(want), "{want:?} not in:\n{err}");
        }
        assert!(!err.contains("undefined:"), "{err}");
    }
    // A pure-Go version wins where there is no assembly: cross builds now pass.
    std::fs::copy(
        fixtures().join("go/vec_fallback/fallback.go"),
        dir.join("fallback.go"),
    )
    .expect("copy fallback");
    package("vec.c", &dir, variants);
    assert_gofmt_clean(&dir);
    assert!(
        !dir.join("c2goasm_cgo.go").exists(),
        "cgo is not needed any more"
    );
    let log = go(
        &dir,
        &["test", "-count=1", "-v", "-tags", "noasm", "./..."],
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(log.contains("SelectedVariant() = go"), "{log}");
    for arch in ["riscv64", "ppc64le", "s390x"] {
        let env = [("GOARCH", arch), ("CGO_ENABLED", "0")];
        go(&dir, &["vet", "./..."], &env).unwrap_or_else(|e| panic!("{e}"));
        let exec = format!("qemu-{arch}");
        let log = go(
            &dir,
            &["test", "-count=1", "-v", "-exec", &exec, "./..."],
            &env,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            log.contains("--- PASS: TestExportedAgainstReference"),
            "{arch}:\n{log}"
        );
    }
    let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(&dir));
}

/// A `c2goasm:` line that does not fit the prototype is an error at that line.
#[test]
fn a_wrong_annotation_is_a_located_error() {
    let dir = temp("annot");
    std::fs::create_dir_all(&dir).expect("dir");
    let c = dir.join("k.c");
    std::fs::write(
        &c,
        "#include <stddef.h>\n\n/* Sums p.\n   c2goasm: p[m] */\nlong sum(const long *p, size_t n) { return n ? p[0] : 0; }\n",
    )
    .expect("write");
    let out = dir.join("out");
    let (ok, text) = tool(&[
        "package",
        c.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--arch",
        "amd64",
    ]);
    assert!(!ok, "{text}");
    assert!(
        text.contains(
            "k.c:4:4: error: `sum`: in `c2goasm: p[m]`: `m` is not a parameter (they are: p, n)"
        ),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A C file inside the package directory would be compiled by go build itself.
#[test]
fn a_c_file_in_the_package_directory_is_refused_with_a_hint() {
    let dir = temp("inside");
    std::fs::create_dir_all(&dir).expect("dir");
    let c = dir.join("k.c");
    std::fs::write(&c, "long one(void) { return 1; }\n").expect("write");
    let (ok, text) = tool(&[
        "package",
        c.to_str().expect("utf-8"),
        "--out",
        dir.to_str().expect("utf-8"),
        "--arch",
        "amd64",
    ]);
    assert!(!ok && text.contains("`//go:build ignore`"), "{text}");
    // With the constraint, it is the package's C and the flow goes on.
    std::fs::write(&c, "//go:build ignore\n\nlong one(void) { return 1; }\n").expect("write");
    let (ok, text) = tool(&[
        "package",
        c.to_str().expect("utf-8"),
        "--out",
        dir.to_str().expect("utf-8"),
        "--arch",
        "amd64",
    ]);
    assert!(ok, "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// C++ through cgo: with its Go versions in a test file only (the tests' reference), the
/// package has none, and `-tags noasm` calls the C++ — namespaced functions, references —
/// through the `extern "C"` functions generated after the copy of the source.
#[test]
fn cxx_through_cgo_without_go_versions() {
    let dir = temp("kcgo").join("kernels");
    std::fs::create_dir_all(&dir).expect("dir");
    let go_dir = fixtures().join("go/kernels");
    std::fs::copy(go_dir.join("kernels_test.go"), dir.join("kernels_test.go")).expect("copy");
    std::fs::copy(go_dir.join("kernels.go"), dir.join("reference_test.go")).expect("copy");
    package("kernels.cpp", &dir, "sse4.2,neon");
    assert!(dir.join("c2goasm_cgo_kernels.cpp").is_file());
    go(&dir, &["mod", "tidy"], &[]).unwrap_or_else(|e| panic!("{e}"));
    let log = go(
        &dir,
        &["test", "-count=1", "-v", "-tags", "noasm", "./..."],
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(log.contains("dispatch chose cgo"), "{log}");
    assert!(log.contains("--- PASS: TestExportedAgainstGo"), "{log}");
    let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(&dir));
}

/// Functions the amd64 baseline lacks (`#ifdef __aarch64__`, `#if __AVX2__`) need a Go
/// version on amd64, and cgo cannot compile them for other targets: without one, each
/// build says so; arm64, which defines them all, needs nothing.
#[test]
fn functions_some_variants_lack_need_go_and_the_build_says_so() {
    let dir = temp("simd-nogo").join("simd");
    std::fs::create_dir_all(&dir).expect("dir");
    package("simd.c", &dir, "avx2,neon");
    go(&dir, &["mod", "tidy"], &[]).unwrap_or_else(|e| panic!("{e}"));
    let needs = [
        "\tSimdSumI32     needs  func simdSumI32(p *int32, n uint64) int64\n",
        "\tSimdCountBits  needs  func simdCountBits(p *uint8, n uint64) uint64\n",
    ];
    let err = go_fails(&dir, &["build", "."], &[]);
    assert!(
        err.contains(
            "cannot run these functions on every amd64 CPU: the C does not define them for sse2"
        ),
        "{err}"
    );
    let cgo = go_fails(&dir, &["build", "-tags", "noasm", "."], &[]);
    assert!(
        cgo.contains(
            "the C does not define these functions for every target (so cgo cannot compile them)"
        ),
        "{cgo}"
    );
    for text in [&err, &cgo] {
        for n in needs {
            assert!(text.contains(n), "{n:?} not in:\n{text}");
        }
        assert!(!text.contains("SimdDot "), "{text}");
    }
    go(&dir, &["build", "."], &[("GOARCH", "arm64")]).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(&dir));
}
