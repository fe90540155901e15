//! The Go benchmarks of BENCHMARKS.md (call overhead; kernel throughput translated vs
//! native C vs pure Go), built from benches/go and run once each so they cannot rot.
//! `BENCH_FULL=1 cargo test --release --test go_benchmarks -- --nocapture` runs them for
//! real (median of 5) and prints the tables; `BENCH_ARGS="-kernels=false"` limits them to
//! the call-overhead table, the stack-cost table (issue #12; `-stack=false` drops it) and
//! the jump-table state machine (`-state-machine=false` drops that one); `-runs=N` sets the
//! number of interleaved runs.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/process.rs"]
mod process;
use process::run;

use c2goasm_rs::Arch;
use c2goasm_rs::package::compiler::base_flags;

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read").flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

const VARIANTS: [(&str, &str, &[&str]); 3] = [
    ("sse4.2", "sse42", &["-msse4.2"]),
    ("avx2", "avx2", &["-mavx2", "-mfma"]),
    (
        "avx512",
        "avx512",
        &["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq"],
    ),
];

#[test]
fn go_benchmarks_run() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/go");
    let root: PathBuf =
        std::env::temp_dir().join(format!("c2goasm-rs-gobench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("mkdir");
    std::fs::write(
        root.join("go.mod"),
        "module benchk\n\ngo 1.21\n\nrequire golang.org/x/sys v0.49.0\n",
    )
    .expect("go.mod");
    for d in ["kern", "handasm", "native", "report"] {
        copy(&src.join(d), &root.join(d));
    }
    // The translated package, through the package flow.
    run(
        Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
            .arg("package")
            .arg(src.join("c/calls.c"))
            .arg(src.join("c/kernels.c"))
            .arg(src.join("c/states.c"))
            .args(["--out"])
            .arg(root.join("kern"))
            .args([
                "--package",
                "kern",
                "--variants",
                "sse4.2,avx2,avx512",
                "--cc",
                "clang-19",
            ]),
        "c2goasm-rs package",
    );
    // The same C built with the flags projects pass (-mstackrealign) and with a small spill,
    // for the stack-cost table: what running C code that uses the stack costs.
    for (package, files, flags, variants) in [
        (
            "kernrealign",
            &["calls.c", "kernels.c"][..],
            &["-mstackrealign"][..],
            "sse4.2,avx2",
        ),
        (
            "kernspill",
            &["calls.c"][..],
            &["-DBENCH_SPILL"][..],
            "sse4.2",
        ),
        (
            "kernrspill",
            &["calls.c"][..],
            &["-mstackrealign", "-DBENCH_SPILL"][..],
            "sse4.2",
        ),
    ] {
        let dir = root.join(package);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let fallback = std::fs::read_to_string(src.join("kern/fallback.go")).expect("fallback");
        std::fs::write(
            dir.join("fallback.go"),
            fallback.replacen("package kern", &format!("package {package}"), 1),
        )
        .expect("write fallback");
        let mut c = Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"));
        c.arg("package");
        for f in files {
            c.arg(src.join("c").join(f));
        }
        c.arg("--out").arg(&dir).args([
            "--package",
            package,
            "--variants",
            variants,
            "--cc",
            "clang-19",
            "--",
        ]);
        run(c.args(flags), "c2goasm-rs package");
    }
    // The native baseline: the same C and flags, as objects cgo links.
    // BENCH_NATIVE_FLAGS: extra flags for the native objects only (e.g. `-falign-functions=64`
    // to place them as the translated jump-table functions are placed).
    let native_extra = std::env::var("BENCH_NATIVE_FLAGS").unwrap_or_default();
    let object = |file: &str, tag: &str, flags: &[&str], renames: &[&str]| {
        let mut c = Command::new("clang-19");
        c.arg("-c")
            .args(base_flags(Arch::Amd64))
            .args(flags)
            .args(native_extra.split_whitespace());
        for f in renames {
            c.arg(format!("-D{f}=native_{f}{tag}"));
        }
        c.arg(src.join("c").join(file)).arg("-o").arg(
            root.join("native")
                .join(format!("{}{tag}.syso", file.trim_end_matches(".c"))),
        );
        run(&mut c, "clang -c");
    };
    object("calls.c", "", &[], &["nop", "add3"]);
    // The jump-table state machine: the sse4.2 build, as the translated JsonTokensSSE42.
    object("states.c", "_sse42", &["-msse4.2"], &["json_tokens"]);
    // (the C harness below links the same objects)
    for (_, tag, flags) in VARIANTS {
        object(
            "kernels.c",
            &format!("_{tag}"),
            flags,
            &["sample_sum", "sample_max", "sample_min", "dot_f32"],
        );
    }
    // The native baseline measured from C: the same objects, called from a C loop.
    let objects: Vec<PathBuf> = std::fs::read_dir(root.join("native"))
        .expect("list objects")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "syso"))
        .collect();
    let harness = root.join("harness");
    run(
        Command::new("clang-19")
            .args(["-O2", "-o"])
            .arg(&harness)
            .arg(src.join("harness/harness.c"))
            .args(&objects),
        "build the C harness",
    );
    let full = std::env::var("BENCH_FULL").is_ok();
    let mut cpu_variants = vec!["sse4.2"];
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        cpu_variants.push("avx2");
    }
    if ["avx512f", "avx512bw", "avx512vl", "avx512dq"]
        .iter()
        .all(|f| match *f {
            "avx512f" => std::arch::is_x86_feature_detected!("avx512f"),
            "avx512bw" => std::arch::is_x86_feature_detected!("avx512bw"),
            "avx512vl" => std::arch::is_x86_feature_detected!("avx512vl"),
            _ => std::arch::is_x86_feature_detected!("avx512dq"),
        })
    {
        cpu_variants.push("avx512");
    }
    let tokens = src.join("c/tokens.json");
    let native_c = run(
        Command::new(&harness)
            .args(&cpu_variants)
            .env("TOKENS_JSON", &tokens)
            .env("BENCH_NS", if full { "3e8" } else { "1e5" })
            .env("RUNS", if full { "5" } else { "1" }),
        "run the C harness",
    );
    let native_c_path = root.join("native_c.txt");
    std::fs::write(&native_c_path, &native_c).expect("write harness output");
    let native_flag = format!("-native-c={}", native_c_path.display());
    let harness_flag = format!("-harness={}", harness.display());
    let tokens_flag = format!("-tokens={}", tokens.display());
    let go = |args: &[&str]| {
        run(
            Command::new("go")
                .args(args)
                .current_dir(&root)
                .env("GOFLAGS", "-mod=mod")
                .env("GOTOOLCHAIN", "local")
                .env("CGO_ENABLED", "1"),
            "go",
        )
    };
    go(&["mod", "tidy"]);
    go(&["vet", "./..."]);
    let report = if full {
        let mut args = vec![
            "run",
            "./report",
            native_flag.as_str(),
            harness_flag.as_str(),
            tokens_flag.as_str(),
        ];
        let extra = std::env::var("BENCH_ARGS").unwrap_or_default();
        args.extend(extra.split_whitespace());
        go(&args)
    } else {
        go(&[
            "run",
            "./report",
            "-short",
            native_flag.as_str(),
            harness_flag.as_str(),
            tokens_flag.as_str(),
        ])
    };
    eprintln!("{report}");
    let extra = std::env::var("BENCH_ARGS").unwrap_or_default();
    assert!(report.contains("| nop() |"), "{report}");
    if !extra.contains("-kernels=false") {
        assert!(report.contains("| sample_sum |"), "{report}");
    }
    if !extra.contains("-state-machine=false") {
        assert!(report.contains("jump-table state machine"), "{report}");
    }
    if !extra.contains("-stack=false") {
        assert!(report.contains("Stack cost"), "{report}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
