//! A large input takes the two-thread paths (parse, preparing the bound functions, and
//! formatting the output: see `parse::parse_with`, `pipeline::prepare_ahead`,
//! `goasm::write_file_to`). Their results must be what one thread gives.

use c2goasm_rs::{Error, Options, SourceFile, translate, translate_file};

/// `n` bound functions of 20 instructions each (those at the indices in `bad` also with
/// `bad_line`, which the tool must refuse).
fn input(n: usize, bad: &[usize], bad_line: &str) -> (String, String) {
    let mut asm = String::from(".intel_syntax noprefix\n.text\n");
    let mut go = String::from("package big\n\n");
    for c in 0..n {
        asm.push_str(&format!(".globl f{c}\n.type f{c},@function\nf{c}:\n"));
        asm.push_str("\tmov rax, rdi\n");
        for k in 0..18 {
            asm.push_str(&format!("\tadd rax, {}\n", c * 100 + k));
        }
        if bad.contains(&c) {
            asm.push_str(bad_line);
            asm.push('\n');
        }
        asm.push_str("\tret\n");
        go.push_str(&format!("func f{c}(x int64) int64\n"));
    }
    (asm, go)
}

#[test]
fn file_output_equals_the_in_memory_translation() {
    let (asm, go) = input(3_000, &[], "");
    assert!(
        asm.len() > 1 << 20,
        "the input must take the two-thread paths"
    );
    let dir = tempdir();
    std::fs::write(dir.join("big.s"), &asm).unwrap();
    std::fs::write(dir.join("big_amd64.go"), &go).unwrap();
    let options = Options {
        command_line: Some("c2goasm-rs big.s big_amd64.s".into()),
        ..Options::default()
    };
    translate_file(&dir.join("big.s"), &dir.join("big_amd64.s"), &options).expect("translates");
    let written = std::fs::read_to_string(dir.join("big_amd64.s")).unwrap();
    let in_memory = translate(
        &SourceFile::new(dir.join("big.s"), asm),
        &SourceFile::new(dir.join("big_amd64.go"), go),
        &options,
    )
    .expect("translates");
    assert_eq!(written, in_memory);
    // Every function, in declaration order, with its own constants.
    let mut at = 0;
    for c in 0..3_000 {
        let text = format!("TEXT ·f{c}(SB)");
        at += written[at..]
            .find(&text)
            .unwrap_or_else(|| panic!("{text} missing or out of order"));
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn errors_come_in_the_order_one_thread_reports_them() {
    // The same two faulty functions, once in a small input (one thread throughout) and
    // once among thousands: the same errors in the same order, at the corresponding lines.
    // Each report: (message, which of the two faulty functions), in reported order.
    let report = |n: usize, bad: [usize; 2], bad_line: &str| -> Vec<(String, usize)> {
        let (asm, go) = input(n, &bad, bad_line);
        let jump_lines: Vec<u32> = asm
            .lines()
            .enumerate()
            .filter(|(_, l)| *l == bad_line)
            .map(|(i, _)| i as u32 + 1)
            .collect();
        assert_eq!(jump_lines.len(), 2);
        let err = translate(
            &SourceFile::new("big.s", asm),
            &SourceFile::new("big_amd64.go", go),
            &Options::default(),
        )
        .expect_err("two faulty functions");
        let Error::Diagnostics(ds) = err else {
            panic!("not diagnostics: {err}");
        };
        ds.iter()
            .map(|d| {
                let which = jump_lines.iter().position(|&l| l == d.span.line);
                (d.kind.to_string(), which.expect("error at a faulty line"))
            })
            .collect()
    };
    // Found while preparing (a call nothing defines) and while proving jump tables.
    for bad_line in ["\tcall undefined_function", "\tjmp rax"] {
        let small = report(2, [0, 1], bad_line);
        let large = report(3_000, [10, 2_990], bad_line);
        assert_eq!(small.len(), 2, "{small:?}");
        assert_eq!(small, large, "{bad_line}");
    }
}

/// What one command-line run on `asm`/`go` gives: exit status, the file written (if
/// any) and the messages; `one_thread` sets C2GOASM_RS_THREADS=1, which refuses every
/// helper thread (each split path then does all the work itself, as when the OS
/// refuses a thread).
/// `C2GOASM_RS_THREADS=1`: everything on one thread.
const ONE_THREAD: &[(&str, &str)] = &[("C2GOASM_RS_THREADS", "1")];

fn run_cli(asm: &str, go: &str, env: &[(&str, &str)]) -> (Option<i32>, Option<Vec<u8>>, String) {
    let dir = tempdir();
    std::fs::write(dir.join("big.s"), asm).unwrap();
    std::fs::write(dir.join("big_amd64.go"), go).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"));
    cmd.current_dir(&dir).args(["big.s", "big_amd64.s"]);
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("runs");
    let written = std::fs::read(dir.join("big_amd64.s")).ok();
    let _ = std::fs::remove_dir_all(dir);
    let messages = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), written, messages)
}

#[test]
fn the_command_line_writes_the_same_bytes_on_one_thread() {
    let (asm, go) = input(3_000, &[], "");
    let two = run_cli(&asm, &go, &[]);
    assert_eq!(two.0, Some(0), "{}", two.2);
    assert!(two.1.as_ref().is_some_and(|w| w.len() > 1 << 20));
    assert!(
        two == run_cli(&asm, &go, ONE_THREAD),
        "outputs or messages differ"
    );
}

/// `C2GOASM_RS_TIMES=1` prints when each stage ends, to stderr only, in order; nothing else
/// changes (and without it nothing is printed).
#[test]
fn stage_times_are_printed_only_when_asked() {
    let (asm, go) = input(3_000, &[], "");
    let plain = run_cli(&asm, &go, &[]);
    assert_eq!(plain.0, Some(0), "{}", plain.2);
    assert!(plain.2.is_empty(), "{}", plain.2);
    let timed = run_cli(&asm, &go, &[("C2GOASM_RS_TIMES", "1")]);
    assert_eq!((timed.0, &timed.1), (plain.0, &plain.1));
    let main_marks: Vec<(f64, &str)> = timed
        .2
        .lines()
        .map(|l| {
            let mut words = l.split_whitespace();
            assert_eq!(words.next(), Some("time"), "{l}");
            let ms: f64 = words
                .next()
                .and_then(|w| w.parse().ok())
                .expect("milliseconds");
            (ms, l)
        })
        .filter(|(_, l)| l.contains(" main "))
        .collect();
    let at = |stage: &str| {
        main_marks
            .iter()
            .position(|(_, l)| l.ends_with(&format!("main   {stage}")))
            .unwrap_or_else(|| panic!("no `{stage}` mark in\n{}", timed.2))
    };
    let stages = [
        "input read",
        "parsed",
        "prepared",
        "facts",
        "wrappers",
        "texts",
        "written",
    ];
    let order: Vec<usize> = stages.iter().map(|s| at(s)).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", timed.2);
    assert!(
        main_marks.windows(2).all(|w| w[0].0 <= w[1].0),
        "{}",
        timed.2
    );
}

#[test]
fn the_command_line_reports_the_same_errors_on_one_thread() {
    // Errors found while preparing, proving jump tables, and by the stack analysis (which
    // stops at the first failure it meets: a store below the stack pointer, the red
    // zone), among thousands of functions: the same messages with and without helpers,
    // and nothing written.
    for bad_line in [
        "\tcall undefined_function",
        "\tjmp rax",
        "\tmov qword ptr [rsp - 8], rdi",
    ] {
        let (asm, go) = input(3_000, &[10, 1_500, 2_990], bad_line);
        let two = run_cli(&asm, &go, &[]);
        assert_eq!(two.0, Some(2), "{bad_line}");
        assert!(two.1.is_none(), "nothing written");
        assert!(two.2.contains("big.s:"), "{}", two.2);
        assert_eq!(two, run_cli(&asm, &go, ONE_THREAD), "{bad_line}");
    }
}

#[test]
fn declaration_checks_among_thousands_match_one_thread() {
    // What the C code does with its arguments (summaries computed level by level on two
    // threads) against declarations that leave the argument out: the same messages and
    // status with and without helpers.
    let (asm, go) = input(3_000, &[], "");
    let go = go
        .replace("func f10(x int64) int64", "func f10() int64")
        .replace("func f2990(x int64) int64", "func f2990() int64");
    let two = run_cli(&asm, &go, &[]);
    assert!(
        two.2.contains("f10") && two.2.contains("f2990"),
        "{}",
        two.2
    );
    assert_eq!(two, run_cli(&asm, &go, ONE_THREAD));
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "c2goasm-large-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}
