//! Translation throughput on a large input: every x86 fixture, copied with renamed symbols
//! until the file has at least 100 K lines, translated in one call on one thread.
//!
//! Run: `cargo bench --bench translate` (prints lines/s, instructions/s, peak memory).
//! `BENCH_MIN_LINES` sets the input size, `BENCH_RUNS` the number of timed runs (median),
//! `BENCH_COLD` the number of cold command-line runs timed side by side with `clang-19 -c`
//! (default 10; 0 skips them).

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$')
}

/// Renames every label defined in `text` by appending `suffix`.
fn rename_labels(text: &str, suffix: &str) -> String {
    let defined: HashSet<&str> = text
        .lines()
        .filter_map(|l| l.split_once(':').map(|(name, _)| name))
        .filter(|n| !n.is_empty() && n.chars().all(is_ident))
        .collect();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(word);
        if defined.contains(word.as_str()) {
            out.push_str(suffix);
        }
        word.clear();
    };
    for c in text.chars() {
        if is_ident(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Each clang fixture with the Go declarations of its set (`decls.go.in`, `{V}` = the
/// variant), so the input is declared the way real users declare kernels.
fn fixture_texts() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/x86");
    let mut texts = Vec::new();
    for set in std::fs::read_dir(&root).expect("fixtures/x86").flatten() {
        let Ok(template) = std::fs::read_to_string(set.path().join("decls.go.in")) else {
            continue;
        };
        let Ok(files) = std::fs::read_dir(set.path()) else {
            continue;
        };
        for f in files.flatten() {
            // clang's output only, so `clang-19 -c` can assemble the same input as a baseline.
            let name = f.file_name().to_string_lossy().into_owned();
            if f.path().extension().is_some_and(|e| e == "s") && name.starts_with("clang") {
                let variant = name.trim_end_matches(".s");
                texts.push((
                    std::fs::read_to_string(f.path()).expect("read fixture"),
                    template.replace("{V}", variant),
                ));
            }
        }
    }
    texts.sort();
    texts
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let min_lines: usize = std::env::var("BENCH_MIN_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let texts = fixture_texts();
    let mut asm = String::new();
    let mut decls = String::from("package bench\n\nimport \"unsafe\"\n\nvar _ unsafe.Pointer\n\n");
    let mut copy = 0;
    while asm.lines().count() < min_lines {
        for (t, set_decls) in &texts {
            let suffix = format!("_c{copy}");
            let renamed = rename_labels(t, &suffix);
            // The declared functions, renamed like their symbols.
            for l in set_decls.lines() {
                if let Some(rest) = l.trim().strip_prefix("func ")
                    && let Some((name, signature)) = rest.split_once('(')
                {
                    decls.push_str(&format!("func {name}{suffix}({signature}\n"));
                }
            }
            asm.push_str(&renamed);
            asm.push('\n');
            copy += 1;
        }
    }
    // As the library does: calls to memset/memcpy/memmove bind to appended implementations.
    if let Some(extra) =
        c2goasm_rs::lower::libc_support::support_for(&asm, c2goasm_rs::parse::Dialect::X86)
    {
        asm.push_str(&extra);
    }
    let lines = asm.lines().count();
    // BENCH_WRITE_INPUT=dir writes the input, so the command line's own peak memory can be
    // measured on it (`/usr/bin/time -v c2goasm-rs dir/bench.s dir/bench_amd64.s`).
    if let Ok(dir) = std::env::var("BENCH_WRITE_INPUT") {
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir).expect("create input dir");
        std::fs::write(dir.join("bench.s"), &asm).expect("write bench.s");
        std::fs::write(dir.join("bench_amd64.go"), &decls).expect("write bench_amd64.go");
    }
    // The cold runs first, while this process is small: a spawned child's peak RSS as the
    // kernel reports it is at least this process's own peak at the time (see
    // `cold_command_line`).
    cold_command_line(&asm, &decls, lines);
    let asm_file = c2goasm_rs::SourceFile::new("bench.s", asm);
    let decl_file = c2goasm_rs::SourceFile::new("bench_amd64.go", decls);
    let instructions = c2goasm_rs::parse::parse_x86(&asm_file)
        .expect("bench input parses")
        .iter()
        .filter(|i| matches!(i.item, c2goasm_rs::parse::Item::Instruction(_)))
        .count();
    let start = Instant::now();
    let items = c2goasm_rs::parse::parse_x86(&asm_file).expect("parses");
    let parse_time = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut built = 0usize;
    for it in &items {
        if let c2goasm_rs::parse::Item::Instruction(ins) = &it.item
            && c2goasm_rs::lower::x86::build(ins).is_ok()
        {
            built += 1;
        }
    }
    let build_time = start.elapsed().as_secs_f64();
    let go_funcs = c2goasm_rs::abi::parse_go_decls(&decl_file).expect("decls parse");
    let start = Instant::now();
    let program = c2goasm_rs::lower::program::build_program(items).expect("lays out");
    let lowered =
        c2goasm_rs::lower::x86::pipeline::lower(c2goasm_rs::lower::x86::pipeline::Inputs {
            asm: &asm_file,
            program,
            decl_file: &decl_file,
            decls: &go_funcs,
            strip_comments: false,
        })
        .expect("lowers");
    let lower_time = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let text = c2goasm_rs::emit::goasm::write_file(&lowered.file, Default::default());
    let emit_time = start.elapsed().as_secs_f64();
    println!(
        "stages: lower {:.1} ms, emit {:.1} ms ({} bytes)",
        lower_time * 1e3,
        emit_time * 1e3,
        text.len()
    );
    println!(
        "stages: parse {:.1} ms ({:.2} M lines/s), assemble {built} instructions {:.1} ms",
        parse_time * 1e3,
        lines as f64 / parse_time / 1e6,
        build_time * 1e3
    );
    let options = c2goasm_rs::Options::default();
    let mut times = Vec::new();
    let mut out_len = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let out = c2goasm_rs::translate(&asm_file, &decl_file, &options)
            .unwrap_or_else(|e| panic!("bench input translates: {e}"));
        times.push(start.elapsed().as_secs_f64());
        out_len = out.len();
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[times.len() / 2];
    println!(
        "input: {lines} lines, {instructions} instructions, {} bytes ({copy} fixture copies); output {out_len} bytes",
        asm_file.text.len()
    );
    println!(
        "translate (median of {runs}): {:.1} ms = {:.2} M lines/s, {:.2} M instructions/s",
        median * 1e3,
        lines as f64 / median / 1e6,
        instructions as f64 / median / 1e6
    );
    // Baseline measured in the same run: what an external assembler (the step c2goasm and
    // goat/gocc run at translate time) needs for the same input.
    let tmp = std::env::temp_dir().join(format!("c2goasm-rs-bench-{}.s", std::process::id()));
    if std::fs::write(&tmp, &*asm_file.text).is_ok() {
        let mut base = Vec::new();
        for _ in 0..runs {
            let start = Instant::now();
            let ok = std::process::Command::new("clang-19")
                .args(["-c", "--target=x86_64-unknown-linux-gnu", "-o", "/dev/null"])
                .arg(&tmp)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if !ok {
                break;
            }
            base.push(start.elapsed().as_secs_f64());
        }
        let _ = std::fs::remove_file(&tmp);
        if !base.is_empty() {
            base.sort_by(|a, b| a.total_cmp(b));
            let b = base[base.len() / 2];
            println!(
                "baseline clang-19 -c on the same input: {:.1} ms; translate / assemble = {:.2}",
                b * 1e3,
                median / b
            );
        }
    }
    if let Some(kib) = peak_rss_kib() {
        println!(
            "peak RSS: {:.1} MiB = {:.1}x the input size (includes the benchmark's own copies)",
            kib as f64 / 1024.0,
            kib as f64 * 1024.0 / asm_file.text.len() as f64
        );
    }
}

/// Runs `cmd` to completion: wall time and CPU time (user + system) in seconds and peak
/// resident memory in KiB of that one child (`wait4`), or `None` if it failed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn run_measured(cmd: &mut std::process::Command) -> Option<(f64, f64, u64)> {
    #[repr(C)]
    struct RUsage {
        utime: [i64; 2],
        stime: [i64; 2],
        maxrss: i64,
        rest: [i64; 13],
    }
    unsafe extern "C" {
        fn wait4(pid: i32, status: *mut i32, options: i32, usage: *mut RUsage) -> i32;
    }
    let start = Instant::now();
    let child = cmd.spawn().ok()?;
    let pid = child.id() as i32;
    let mut status = 0;
    let mut u = RUsage {
        utime: [0; 2],
        stime: [0; 2],
        maxrss: 0,
        rest: [0; 13],
    };
    // SAFETY: waits for (and reaps) our own child; `RUsage` is glibc's `struct rusage` on
    // 64-bit Linux. `child` is dropped without waiting, which std allows.
    if unsafe { wait4(pid, &mut status, 0, &mut u) } != pid {
        return None;
    }
    let wall = start.elapsed().as_secs_f64();
    drop(child);
    // Exited normally (WIFEXITED) with status 0.
    if status & 0x7f != 0 || (status >> 8) & 0xff != 0 {
        return None;
    }
    let t = |tv: [i64; 2]| tv[0] as f64 + tv[1] as f64 * 1e-6;
    Some((wall, t(u.utime) + t(u.stime), u.maxrss as u64))
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn run_measured(cmd: &mut std::process::Command) -> Option<(f64, f64, u64)> {
    let start = Instant::now();
    let ok = cmd.status().ok()?.success();
    ok.then(|| (start.elapsed().as_secs_f64(), 0.0, 0))
}

/// The whole command line, cold — a new process per run, as users and build systems run
/// it: start-up, table set-up, reading and writing the files included — side by side with
/// `clang-19 -c` on the same file, interleaved, `BENCH_COLD` runs each (default 10).
fn cold_command_line(asm: &str, decls: &str, lines: usize) {
    let runs: usize = std::env::var("BENCH_COLD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    if runs == 0 {
        return;
    }
    let dir = std::env::temp_dir().join(format!("c2goasm-rs-cold-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err()
        || std::fs::write(dir.join("bench.s"), asm).is_err()
        || std::fs::write(dir.join("out_amd64.go"), decls).is_err()
    {
        return;
    }
    let (mut ours, mut clang, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = run_measured(
            std::process::Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
                .current_dir(&dir)
                .args(["bench.s", "out_amd64.s"]),
        );
        let c = run_measured(
            std::process::Command::new("clang-19")
                .current_dir(&dir)
                .args([
                    "-c",
                    "--target=x86_64-unknown-linux-gnu",
                    "-o",
                    "/dev/null",
                    "bench.s",
                ]),
        );
        let (Some(t), Some(c)) = (t, c) else {
            break;
        };
        ratios.push(c.0 / t.0);
        ours.push(t);
        clang.push(c);
    }
    let _ = std::fs::remove_dir_all(&dir);
    if ours.is_empty() {
        return;
    }
    let stats = |v: Vec<f64>| {
        let mut v = v;
        v.sort_by(|a, b| a.total_cmp(b));
        (v[0], v[v.len() / 2], v[v.len() - 1])
    };
    let ms =
        |(a, b, c): (f64, f64, f64)| format!("{:.1} / {:.1} / {:.1}", a * 1e3, b * 1e3, c * 1e3);
    let (tw, cw) = (
        stats(ours.iter().map(|r| r.0).collect()),
        stats(clang.iter().map(|r| r.0).collect()),
    );
    let peak_kib = ours.iter().map(|r| r.2).max().unwrap_or(0);
    // A child's reported peak RSS includes its parent's peak RSS before `exec` (the kernel
    // carries the spawning address space's high-water mark over): only a figure above this
    // process's own peak is the child's.
    let floor = peak_rss_kib().unwrap_or(0);
    let note = if peak_kib > floor {
        String::new()
    } else {
        format!(
            " (not measurable: this process's own peak, {:.1} MiB, is higher)",
            floor as f64 / 1024.0
        )
    };
    println!(
        "command line, cold, {} interleaved runs each (min / median / max):",
        ours.len()
    );
    println!(
        "  c2goasm-rs  wall {} ms, CPU {} ms = {:.2} M lines/s at the median, peak RSS {:.1} MiB = {:.1}x the input{note}",
        ms(tw),
        ms(stats(ours.iter().map(|r| r.1).collect())),
        lines as f64 / tw.1 / 1e6,
        peak_kib as f64 / 1024.0,
        peak_kib as f64 * 1024.0 / asm.len() as f64
    );
    println!(
        "  clang-19 -c wall {} ms, CPU {} ms",
        ms(cw),
        ms(stats(clang.iter().map(|r| r.1).collect()))
    );
    let r = stats(ratios);
    println!(
        "  clang-19 -c / c2goasm-rs, wall (how many times faster): medians {:.2}, per interleaved pair min {:.2} / median {:.2} / max {:.2}",
        cw.1 / tw.1,
        r.0,
        r.1,
        r.2
    );
}
