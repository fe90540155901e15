//! The library API from a real `build.rs`: a throw-away crate depends on c2goasm-rs, its
//! build script generates a Go package from a C file, and `go test` passes on it.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/process.rs"]
mod process;
use process::run;

#[test]
fn build_script_generates_a_go_package_that_passes_go_test() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("build-rs-crate");
    let go_out = work.join("go").join("sample");
    let _ = std::fs::remove_dir_all(work.join("go"));
    std::fs::create_dir_all(work.join("src")).expect("create crate");
    let c_file = repo.join("fixtures/package/sample.c");
    std::fs::write(
        work.join("Cargo.toml"),
        format!(
            "[package]\nname = \"gen-sample\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [build-dependencies]\nc2goasm-rs = {{ path = {:?} }}\n\n[workspace]\n",
            repo.display().to_string()
        ),
    )
    .expect("write Cargo.toml");
    std::fs::write(
        work.join("src/lib.rs"),
        "//! Generates a Go package at build time.\n",
    )
    .expect("write lib.rs");
    std::fs::write(
        work.join("build.rs"),
        format!(
            r#"use c2goasm_rs::{{Package, Variant}};

fn main() {{
    Package::new("sample")
        .file({c:?})
        .variants([Variant::Sse42, Variant::Avx, Variant::Avx2, Variant::Avx512])
        .out_dir({o:?})
        .generate()
        .unwrap_or_else(|e| panic!("{{e}}"));
}}
"#,
            c = c_file.display().to_string(),
            o = go_out.display().to_string()
        ),
    )
    .expect("write build.rs");
    run(
        Command::new(env!("CARGO"))
            .args(["build", "--quiet"])
            .current_dir(&work)
            .env("CC", "clang-19")
            .env("CARGO_TARGET_DIR", work.join("target")),
        "cargo build of the throw-away crate",
    );
    // The build script told cargo to rerun when the C file changes.
    let outputs = glob_outputs(&work.join("target/debug/build"));
    assert!(
        outputs
            .iter()
            .any(|o| o.contains(&format!("cargo:rerun-if-changed={}", c_file.display()))),
        "no rerun-if-changed line in {outputs:?}"
    );
    for e in std::fs::read_dir(repo.join("fixtures/package/go/sample"))
        .expect("fixture go files")
        .flatten()
    {
        std::fs::copy(e.path(), go_out.join(e.file_name())).expect("copy");
    }
    let go = |args: &[&str]| {
        run(
            Command::new("go")
                .args(args)
                .current_dir(&go_out)
                .env("GOFLAGS", "-mod=mod")
                .env("GOTOOLCHAIN", "local"),
            "go",
        )
    };
    go(&["mod", "tidy"]);
    go(&["vet", "./..."]);
    let log = go(&["test", "-count=1", "-v", "./..."]);
    assert!(log.contains("--- PASS: TestEveryVariantAgainstGo"), "{log}");
}

fn glob_outputs(build: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for d in std::fs::read_dir(build).into_iter().flatten().flatten() {
        if let Ok(text) = std::fs::read_to_string(d.path().join("output")) {
            out.push(text);
        }
    }
    out
}
