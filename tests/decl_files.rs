//! The Go file next to the output is an ordinary Go file of a real package: wrappers with
//! bodies, methods, generic functions and types beside the body-less declarations, with
//! parameter types named in a sibling file. The command line translates it, and the Go
//! toolchain checks the result (`go vet`, then `go test` calling through the wrappers). A
//! bound function whose type cannot be resolved is a located error on the type, exit
//! status 2, and no output.
//!
//! Needs Go (scripts/test.sh installs the toolchain).

#[path = "support/process.rs"]
mod process;

use std::path::{Path, PathBuf};
use std::process::Command;

use process::{require, run, write};

/// `clang-19 -S -O1 -masm=intel` of
/// `int64_t sum_scaled(const int64_t *p, int64_t n, int32_t k)` (Σ p[i]·k) and
/// `int64_t vmax(const int64_t *p, int64_t len, int64_t cap)` (the largest p[i]).
const KERNELS: &str = "\t.text
\t.intel_syntax noprefix
\t.globl\tsum_scaled
\t.p2align\t4, 0x90
\t.type\tsum_scaled,@function
sum_scaled:
\ttest\trsi, rsi
\tjle\t.LBB0_1
\tmovsxd\trcx, edx
\txor\tedx, edx
\txor\teax, eax
\t.p2align\t4, 0x90
.LBB0_4:
\tmov\tr8, qword ptr [rdi + 8*rdx]
\timul\tr8, rcx
\tadd\trax, r8
\tinc\trdx
\tcmp\trsi, rdx
\tjne\t.LBB0_4
\tret
.LBB0_1:
\txor\teax, eax
\tret
.Lfunc_end0:
\t.size\tsum_scaled, .Lfunc_end0-sum_scaled
\t.globl\tvmax
\t.p2align\t4, 0x90
\t.type\tvmax,@function
vmax:
\tmovabs\trax, -9223372036854775808
\ttest\trsi, rsi
\tjle\t.LBB1_3
\txor\tecx, ecx
\t.p2align\t4, 0x90
.LBB1_2:
\tmov\trdx, qword ptr [rdi + 8*rcx]
\tcmp\trdx, rax
\tcmovg\trax, rdx
\tinc\trcx
\tcmp\trsi, rcx
\tjne\t.LBB1_2
.LBB1_3:
\tret
.Lfunc_end1:
\t.size\tvmax, .Lfunc_end1-vmax
\t.section\t\".note.GNU-stack\",\"\",@progbits
";

/// The declarations file; `{K}` is the type of `_sum_scaled`'s `k`.
const DECLS: &str = r#"// Copyright 2024 The Kern Authors.

//go:build amd64

//go:generate c2goasm-rs -s ../../kernels.s kern_amd64.s

// Package kern wraps two C kernels.
package kern

import (
	"errors"
	"unsafe"
)

// ErrEmpty is returned for empty input.
var ErrEmpty = errors.New("kern: empty input")

const maxLen = 1 << 20

type stats struct {
	calls map[string]int
	hook  func(int) error
	done  chan struct{}
}

var global = stats{calls: map[string]int{}, hook: func(int) error { return nil }}

//go:noescape
func _sum_scaled(p Ptr, n Count, k {K}) Count

//go:noescape
func _vmax(v Vec) int64

// Implemented by the hand-written count_amd64.s: not bound to C, so its types are read
// past.
func _count(m map[string]int, f func(int) error) int64

// SumScaled returns k times the sum of xs.
func SumScaled(xs []int64, k Factor) (Count, error) {
	if len(xs) == 0 {
		return 0, ErrEmpty
	}
	global.record("SumScaled")
	return _sum_scaled(Ptr(unsafe.Pointer(&xs[0])), Count(len(xs)), k), nil
}

// Max returns the largest element of v.
func (v Vec) Max() (int64, error) {
	if len(v) == 0 || len(v) > maxLen {
		return 0, ErrEmpty
	}
	return _vmax(v), nil
}

func (s *stats) record(name string) {
	s.calls[name]++
}

// Map applies f to every element.
func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func init() {
	_ = Map([]int{1}, func(i int) error { return global.hook(i) })
}
"#;

/// Named types in a sibling file of the package.
const TYPES: &str = "package kern

import \"unsafe\"

type (
\tPtr    unsafe.Pointer
\tFactor = int32
)

// Vec is a vector of samples.
type Vec []int64

type Point struct {
\tX, Y float64
}
";

/// A hand-written assembly file of the package.
const COUNT_ASM: &str = "#include \"textflag.h\"

// func _count(m map[string]int, f func(int) error) int64
TEXT ·_count(SB), NOSPLIT, $0-24
\tMOVQ $7, ret+16(FP)
\tRET
";

/// `Count` for amd64 (`b_amd64.go`) and arm64 (`a_arm64.go`, read first if it were read at
/// all: int32 would change the frame layout `go vet` checks).
const COUNT_AMD64: &str = "package kern\n\ntype Count int64\n";
const COUNT_ARM64: &str = "package kern\n\ntype Count int32\n";

const TEST: &str = r#"package kern

import "testing"

func TestThroughWrappers(t *testing.T) {
	got, err := SumScaled([]int64{1, -2, 3, 40, 1 << 40}, 3)
	if want := Count(3 * (42 + 1<<40)); err != nil || got != want {
		t.Fatalf("SumScaled = %d, %v; want %d", got, err, want)
	}
	if _, err := SumScaled(nil, 1); err != ErrEmpty {
		t.Fatalf("SumScaled(nil) error = %v", err)
	}
	m, err := Vec{3, -9, 17, 5}.Max()
	if err != nil || m != 17 {
		t.Fatalf("Max = %d, %v; want 17", m, err)
	}
	if m, _ := (Vec{-5, -7}).Max(); m != -5 {
		t.Fatalf("Max of negatives = %d", m)
	}
	if n := _count(nil, nil); n != 7 {
		t.Fatalf("_count = %d", n)
	}
	if global.calls["SumScaled"] != 1 {
		t.Fatalf("calls = %v", global.calls)
	}
}
"#;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("c2goasm-rs-decls-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// A Go module (`<dir>/mod`) with the kernels' package `kern`: the declarations file with
/// `k`'s type `k_type` and the sibling Go files; the assembly input is `<dir>/kernels.s`,
/// outside the module (Go would assemble a `.s` in the package). Returns `<dir>`.
fn module(name: &str, k_type: &str) -> PathBuf {
    let dir = temp_dir(name);
    write(&dir.join("kernels.s"), KERNELS);
    let root = dir.join("mod");
    write(&root.join("go.mod"), "module decltest\n\ngo 1.21\n");
    let kern = root.join("kern");
    write(&kern.join("kern_amd64.go"), &DECLS.replace("{K}", k_type));
    write(&kern.join("types.go"), TYPES);
    write(&kern.join("count_amd64.s"), COUNT_ASM);
    write(&kern.join("b_amd64.go"), COUNT_AMD64);
    write(&kern.join("a_arm64.go"), COUNT_ARM64);
    write(
        &kern.join("gen.go"),
        "//go:build ignore\n\npackage main\n\ntype Factor = int8\n\nfunc main() {}\n",
    );
    write(&kern.join("kern_test.go"), TEST);
    dir
}

/// Runs `c2goasm-rs <dir>/kernels.s <dir>/mod/kern/kern_amd64.s`.
fn translate(dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_c2goasm-rs"))
        .arg(dir.join("kernels.s"))
        .arg(dir.join("mod/kern/kern_amd64.s"))
        .output()
        .expect("run c2goasm-rs")
}

#[test]
fn a_real_package_translates_vets_and_runs() {
    require("go");
    let dir = module("ok", "Factor");
    let (root, kern) = (dir.join("mod"), dir.join("mod/kern"));
    let out = translate(&dir);
    assert!(
        out.status.success(),
        "c2goasm-rs failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The declaration another .s implements is only a warning.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`_count`"), "{stderr}");
    let asm = std::fs::read_to_string(kern.join("kern_amd64.s")).expect("output written");
    assert!(!asm.contains("_count"), "{asm}");
    // The frame follows the resolved types: Ptr (8), Count = int64 (8), Factor = int32 (4),
    // then the 8-aligned Count result; the comment keeps the names as written.
    assert!(
        asm.contains("TEXT ·_sum_scaled(SB), NOSPLIT, $0-32"),
        "{asm}"
    );
    assert!(
        asm.contains("func _sum_scaled(p Ptr, n Count, k Factor) Count"),
        "{asm}"
    );
    assert!(asm.contains("TEXT ·_vmax(SB), NOSPLIT, $0-32"), "{asm}");
    let go = |args: &[&str]| {
        let mut c = Command::new("go");
        c.args(args)
            .current_dir(&root)
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local");
        c
    };
    run(&mut go(&["vet", "./..."]), "go vet");
    let test = run(&mut go(&["test", "-count=1", "-v", "./kern/"]), "go test");
    assert!(test.contains("--- PASS: TestThroughWrappers"), "{test}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bound_function_with_a_type_that_does_not_resolve_is_an_error_on_the_type() {
    for (k_type, message) in [
        (
            "Missing",
            "cannot resolve Go type `Missing`: no such type is declared in this package",
        ),
        (
            "time.Duration",
            "`time.Duration` is declared in another package",
        ),
        (
            "Point",
            "`Point` (underlying type `struct{ X, Y float64 }`)",
        ),
        ("map[string]int", "unsupported Go type `map[string]int`"),
    ] {
        let dir = module("bad", k_type);
        let out = translate(&dir);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let decl_line = DECLS.replace("{K}", k_type);
        let (line_no, line) = decl_line
            .lines()
            .enumerate()
            .find(|(_, l)| l.starts_with("func _sum_scaled"))
            .expect("declaration line");
        let col = line.find(k_type).expect("type in line") + 1;
        let location = format!("kern_amd64.go:{}:{col}: error: ", line_no + 1);
        let caret = format!(
            "{} | {}{}\n",
            " ".repeat((line_no + 1).to_string().len()),
            " ".repeat(col - 1),
            "^".repeat(k_type.len())
        );
        assert_eq!(out.status.code(), Some(2), "{k_type}: {stderr}");
        assert!(
            stderr.contains(&location),
            "{k_type}: want {location}\n{stderr}"
        );
        assert!(
            stderr.contains(message),
            "{k_type}: want {message}\n{stderr}"
        );
        assert!(
            stderr.contains(&caret),
            "{k_type}: want caret\n{caret}\n{stderr}"
        );
        assert!(stderr.contains("help: "), "{k_type}: {stderr}");
        assert!(
            !dir.join("mod/kern/kern_amd64.s").exists(),
            "{k_type}: output written"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
