//! A Go declaration that disagrees with its C function in a way the code shows is an error
//! (or, where it can be legitimate, a warning) naming the Go parameter, located at it in
//! the declarations file — instead of output that crashes or computes garbage at run time.
//! The C kernels (fixtures/mismatch/kernels.c) are compiled by clang-19 and GCC at -O0 to
//! -O3 for x86-64 and by clang-19 at -O0 to -O3 for arm64 (fixtures/mismatch/regen.sh);
//! every check holds at every level, -O0 included.
//!
//! The arm64 half needs an AArch64 assembler (clang), as every arm64 translation does.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Declarations file header: the declaration under test is on line 7.
const HEADER: &str = "package out\n\nimport \"unsafe\"\n\nvar _ unsafe.Pointer\n\n";

#[derive(Clone, Copy)]
enum Severity {
    Error,
    Warning,
}

/// One wrong declaration and what must be said about it.
struct Case {
    decl: &'static str,
    severity: Severity,
    /// Column of the Go parameter (or function name) on line 7.
    col: u32,
    /// Texts the message must contain.
    says: &'static [&'static str],
}

const fn error(decl: &'static str, col: u32, says: &'static [&'static str]) -> Case {
    Case {
        decl,
        severity: Severity::Error,
        col,
        says,
    }
}

const fn warning(decl: &'static str, col: u32, says: &'static [&'static str]) -> Case {
    Case {
        decl,
        severity: Severity::Warning,
        col,
        says,
    }
}

/// Mistakes whose message is the same on both architectures but for register names.
fn common_cases(int: [&'static str; 2], [float0, float1]: [&'static str; 2]) -> Vec<Case> {
    vec![
        // C `float scale_add(float x, float y)`.
        error(
            "func scale_add(x, y int32) float32",
            16,
            leak(&[
                &format!("reads float argument register `{float0}`"),
                "passes 0 float arguments",
                "`x` (int32) and `y` (int32) are probably floats",
            ]),
        ),
        // Only the second one wrong.
        error(
            "func scale_add(x float32, y int32) float32",
            27,
            leak(&[
                &format!("reads float argument register `{float1}`"),
                "passes 1 float arguments",
                "`y` (int32) is probably that float",
            ]),
        ),
        // C `double dot_scaled(const double *p, long n, double k)`: `n` declared as the
        // float would move `k` into the register C reads as its count, so the registers
        // cannot tell which one it is.
        error(
            "func dot_scaled(p *float64, n int64, k int64) float64",
            29,
            leak(&[
                &format!("`{float0}`"),
                "one of `n` (int64), `k` (int64) is probably a float",
            ]),
        ),
        // Declared as a pointer, `p` cannot be the float: only `k` fits.
        error(
            "func dot_scaled(k int64, p *float64, n int64) float64",
            17,
            leak(&[&format!("`{float0}`"), "`k` (int64) is probably that float"]),
        ),
        // C `void add(const float *a, const float *b, float *out, size_t n)` as three slices:
        // the second pointer gets `a`'s length, the third `a`'s capacity.
        error(
            "func add(a, b, out []float32)",
            10,
            leak(&[
                &format!("dereferences argument register `{}`", int[1]),
                "passes `a`'s length there",
            ]),
        ),
        // C `int64_t pick(const int64_t *p, int flag)`, parameters swapped.
        error(
            "func pick(flag bool, p *int64) int64",
            11,
            leak(&[
                &format!("dereferences argument register `{}`", int[0]),
                "`flag` (bool)",
            ]),
        ),
        // C `int64_t sum(const int64_t *p, int64_t n)` with an argument too many.
        warning(
            "func sum(p *int64, n int64, extra int64) int64",
            29,
            &["never reads `extra` (int64)"],
        ),
        // C `int64_t first(const int64_t *p)`: a pointer declared as an integer works, but
        // the memory is not kept alive for the garbage collector.
        warning(
            "func first(p uintptr) int64",
            12,
            leak(&[
                &format!("dereferences argument register `{}`", int[0]),
                "`p` (uintptr)",
            ]),
        ),
    ]
}

fn leak(parts: &[&str]) -> &'static [&'static str] {
    let owned: Vec<&'static str> = parts
        .iter()
        .map(|s| &*Box::leak(s.to_string().into_boxed_str()))
        .collect();
    Box::leak(owned.into_boxed_slice())
}

fn x86_cases() -> Vec<Case> {
    let mut cases = common_cases(["rdi", "rsi"], ["xmm0", "xmm1"]);
    // C `many(a…j)`: ten integers, four of them on the stack; the fourth stack slot is
    // the tenth argument.
    cases.push(error(
        "func many(a1, a2, a3, a4, a5, a6 int64) int64",
        6,
        &[
            "stack argument #4",
            "argument 10 of the C function",
            "provides 0 stack",
        ],
    ));
    // With a float register argument before them, the last one is the eleventh.
    cases.push(error(
        "func many_f(x float64, a1, a2, a3, a4, a5, a6, a7, a8 int64) float64",
        6,
        &[
            "stack argument #4",
            "argument 11 of the C function",
            "6 integer and 1 float",
            "provides 2 stack",
        ],
    ));
    cases
}

fn arm64_cases() -> Vec<Case> {
    let mut cases = common_cases(["x0", "x1"], ["v0", "v1"]);
    // Eight integer registers, then the stack: the second slot is the tenth argument.
    cases.push(error(
        "func many(a1, a2, a3, a4, a5, a6, a7, a8 int64) int64",
        6,
        &[
            "stack argument #2",
            "argument 10 of the C function",
            "provides 0 stack",
        ],
    ));
    // Both slots read by one `ldp`: one stack argument is not enough.
    cases.push(error(
        "func many(a1, a2, a3, a4, a5, a6, a7, a8, a9 int64) int64",
        6,
        &["stack argument #2", "provides 1 stack"],
    ));
    cases.push(error(
        "func many_f(x float64, a1, a2, a3, a4, a5, a6, a7, a8, a9 int64) float64",
        6,
        &[
            "stack argument #2",
            "argument 11 of the C function",
            "8 integer and 1 float",
        ],
    ));
    cases
}

/// The declarations that match kernels.c: they must translate with no warning.
const CORRECT: &str = "\
func scale_add(x, y float32) float32
func dot_scaled(p *float64, n int64, k float64) float64
func add(a, b, out *float32, n uint64)
func pick(p *int64, flag int32) int64
func first(p *int64) int64
func many(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10 int64) int64
func many_f(x float64, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10 int64) float64
";

/// The C idiom `f(int64_t *p, int64_t n)` called with a Go slice: the capacity goes
/// unread, which is not worth a warning.
const SLICE_FOR_POINTER_AND_LENGTH: &str = "func sum(x []int64) int64\n";

/// The compiled variants of kernels.c (`undefined`: of undefined.c).
fn variants(arch_dir: &str, undefined: bool) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/mismatch")
        .join(arch_dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/mismatch")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("undefined_") == undefined
        })
        .collect();
    v.sort();
    v
}

/// Runs the translator on `input` with `decls` in a fresh directory: (exit status,
/// stderr, whether the output was written).
fn run(input: &Path, decls: &str, goarch: &str, tag: &str) -> (Option<i32>, String, bool) {
    let dir = std::env::temp_dir().join(format!(
        "c2goasm-rs-mismatch-{}-{goarch}-{tag}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join(format!("out_{goarch}.go")),
        format!("{HEADER}{decls}"),
    )
    .expect("write declarations");
    let output = dir.join(format!("out_{goarch}.s"));
    let out = Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
        .arg(input)
        .arg(&output)
        .output()
        .expect("run c2goasm-rs");
    let written = output.exists();
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        written,
    )
}

fn check(arch_dir: &str, goarch: &str, cases: &[Case]) {
    let inputs = variants(arch_dir, false);
    assert!(inputs.len() >= 4, "fixtures missing: {inputs:?}");
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input.file_name().unwrap_or_default().to_string_lossy();
        for (i, c) in cases.iter().enumerate() {
            let (code, stderr, written) =
                run(input, &format!("{}\n", c.decl), goarch, &i.to_string());
            let (kind, want_code, want_written) = match c.severity {
                Severity::Error => ("error", Some(2), false),
                Severity::Warning => ("warning", Some(0), true),
            };
            let location = format!("out_{goarch}.go:7:{}: {kind}:", c.col);
            let mut problems: Vec<String> = Vec::new();
            if code != want_code {
                problems.push(format!("exit status {code:?}, expected {want_code:?}"));
            }
            if !stderr.contains(&location) {
                problems.push(format!("no `{location}`"));
            }
            for s in c.says {
                if !stderr.contains(s) {
                    problems.push(format!("message lacks `{s}`"));
                }
            }
            if !stderr.contains("help:") {
                problems.push("no hint".into());
            }
            if written != want_written {
                problems.push(format!("output written: {written}"));
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{name}: `{}`: {}\n{stderr}",
                    c.decl,
                    problems.join("; ")
                ));
            }
        }
        for (tag, decls) in [
            ("correct", CORRECT),
            ("slice", SLICE_FOR_POINTER_AND_LENGTH),
        ] {
            let (code, stderr, written) = run(input, decls, goarch, tag);
            if code != Some(0) || !written || stderr.contains("warning:") {
                failures.push(format!(
                    "{name}: matching declarations ({tag}): exit {code:?}, written {written}\n{stderr}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn x86_mismatched_declarations_name_the_go_parameter() {
    check("x86", "amd64", &x86_cases());
}

#[test]
fn arm64_mismatched_declarations_name_the_go_parameter() {
    check("arm64", "arm64", &arm64_cases());
}

/// fixtures/mismatch/undefined.c: code in which compilers read registers that hold no
/// argument (a conversion merging into an undefined register, vectors built from scalars,
/// clang -O0 copying `implicit-def` registers), declared right.
const UNDEFINED_DECLS: &str = "\
func int_to_float(x int64) float32
func mixed_convert(a int32, b int64, c uint32) float64
func sqrt_of_int(x int32) float32
func fill_ramp(out *float32, n int64)
func round_sum(p *float64, n int64) int64
func build_vector(out *float32, a *float32)
func widen_halves(out *float32, in *float32, n int64)
func horizontal(p *float32) float32
func int_vec_to_float(out *float32, in *int32, n int64)
func select_min(p *float64, n int64, limit float64) float64
func float_bits(x float32) int32
func from_bits(i int32) float32
func calls_helper(a float32, n int64) float32
func strided(p *int16, stride int64, n int64) int64
func byte_at(base *uint8, off int64) uint8
";

fn check_undefined(arch_dir: &str, goarch: &str) {
    let inputs = variants(arch_dir, true);
    assert!(inputs.len() >= 4, "fixtures missing: {inputs:?}");
    let mut failures = Vec::new();
    for input in &inputs {
        let (code, stderr, written) = run(input, UNDEFINED_DECLS, goarch, "undefined");
        if code != Some(0) || !written || stderr.contains("warning:") {
            failures.push(format!(
                "{}: exit {code:?}, written {written}\n{stderr}",
                input.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn x86_reads_of_undefined_registers_are_not_reported() {
    check_undefined("x86", "amd64");
}

#[test]
fn arm64_reads_of_undefined_registers_are_not_reported() {
    check_undefined("arm64", "arm64");
}
