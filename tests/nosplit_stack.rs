//! The edge of running C code's stack on the Go stack below a NOSPLIT wrapper
//! (src/lower/nosplit_stack.rs), on amd64 and arm64:
//! - a kernel using exactly the most stack the inline form takes is inlined, with its
//!   height declared to the linker; one 8 bytes deeper keeps the SP switch; on amd64 a
//!   kernel that realigns its own stack is inlined and one that relies on System V's entry
//!   alignment is not;
//! - the linker counts the declared height: a NOSPLIT assembly caller whose frame leaves
//!   exactly that much below it links and runs, one 8 (arm64: 16) bytes larger fails with
//!   "nosplit stack over 792 byte limit" — and links under `-race`, whose limit is twice
//!   as large; the same large NOSPLIT caller links with the over-the-bound kernel, whose
//!   wrapper is splittable;
//! - everything runs correctly, called directly, through func values and from deep Go
//!   recursion (calls at every distance from the stack guard), in several goroutines
//!   under the CPU profiler at 2 kHz, the execution tracer and GOGC=1 (arm64 under
//!   qemu-aarch64 when it is installed), and `go vet` is clean.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/process.rs"]
mod process;
use process::{require, run, write};

/// amd64 kernels (Intel syntax, as clang emits it). Each returns 2·a + b or a + b.
const X86_KERNELS: &str = r#"	.intel_syntax noprefix
	.text
	.globl	at_bound                        # 8 + 248 = 256 bytes: the most the inline form takes
	.type	at_bound,@function
at_bound:
	push	rbp
	mov	rbp, rsp
	sub	rsp, 248
	mov	qword ptr [rsp], rdi
	mov	qword ptr [rsp + 240], rsi
	mov	rax, qword ptr [rsp]
	add	rax, qword ptr [rsp + 240]
	mov	rsp, rbp
	pop	rbp
	ret
.Lfunc_end0:
	.size	at_bound, .Lfunc_end0-at_bound

	.globl	over_bound                      # 8 + 256 = 264 bytes: keeps the SP switch
	.type	over_bound,@function
over_bound:
	push	rbp
	mov	rbp, rsp
	sub	rsp, 256
	mov	qword ptr [rsp], rdi
	mov	qword ptr [rsp + 248], rsi
	mov	rax, qword ptr [rsp]
	add	rax, qword ptr [rsp + 248]
	mov	rsp, rbp
	pop	rbp
	ret
.Lfunc_end1:
	.size	over_bound, .Lfunc_end1-over_bound

	.globl	realigned                       # -mstackrealign's shape: aligned spills below a realigned SP
	.type	realigned,@function
realigned:
	push	rbp
	mov	rbp, rsp
	and	rsp, -32
	sub	rsp, 64
	vmovq	xmm0, rdi
	vpbroadcastq	ymm0, xmm0
	vmovaps	ymmword ptr [rsp], ymm0
	vmovdqa	ymmword ptr [rsp + 32], ymm0
	mov	rax, qword ptr [rsp + 8]
	add	rax, qword ptr [rsp + 56]
	add	rax, rsi
	mov	rsp, rbp
	pop	rbp
	vzeroupper
	ret
.Lfunc_end2:
	.size	realigned, .Lfunc_end2-realigned

	.globl	entry_aligned                   # relies on entry = 8 (mod 16): keeps the SP switch
	.type	entry_aligned,@function
entry_aligned:
	sub	rsp, 24
	movq	xmm0, rdi
	punpcklqdq	xmm0, xmm0
	movaps	xmmword ptr [rsp], xmm0
	mov	rax, qword ptr [rsp]
	add	rax, qword ptr [rsp + 8]
	add	rax, rsi
	add	rsp, 24
	ret
.Lfunc_end3:
	.size	entry_aligned, .Lfunc_end3-entry_aligned
"#;

/// arm64 kernels. The wrapper keeps 16 bytes for the caller's frame pointer above the C
/// stack, so 240 bytes of C stack make the 256 the inline form takes.
const ARM64_KERNELS: &str = r#"	.text
	.globl	at_bound
	.p2align	2
	.type	at_bound,@function
at_bound:
	sub	sp, sp, #240
	str	x0, [sp]
	str	x1, [sp, #232]
	ldr	x0, [sp]
	ldr	x2, [sp, #232]
	add	x0, x0, x2
	add	sp, sp, #240
	ret
.Lfunc_end0:
	.size	at_bound, .Lfunc_end0-at_bound

	.globl	over_bound
	.p2align	2
	.type	over_bound,@function
over_bound:
	sub	sp, sp, #256
	str	x0, [sp]
	str	x1, [sp, #248]
	ldr	x0, [sp]
	ldr	x2, [sp, #248]
	add	x0, x0, x2
	add	sp, sp, #256
	ret
.Lfunc_end1:
	.size	over_bound, .Lfunc_end1-over_bound

	.globl	realigned                       // a frame record, as clang's prologues push it
	.p2align	2
	.type	realigned,@function
realigned:
	stp	x29, x30, [sp, #-32]!
	mov	x29, sp
	str	x0, [sp, #16]
	str	x0, [sp, #24]
	ldr	x2, [sp, #16]
	ldr	x3, [sp, #24]
	add	x0, x2, x3
	add	x0, x0, x1
	ldp	x29, x30, [sp], #32
	ret
.Lfunc_end2:
	.size	realigned, .Lfunc_end2-realigned
"#;

struct Arch {
    goarch: &'static str,
    kernels: &'static str,
    /// The declared height of `at_bound`, as the wrapper spells it.
    at_bound_height: &'static str,
    /// Functions expected inline / switched.
    inline: &'static [&'static str],
    switched: &'static [&'static str],
    /// The NOSPLIT caller's frame that leaves exactly the limit, and the next one up.
    fits: u32,
    too_big: u32,
    callers: fn(u32) -> String,
}

const DECLS: &str = "func at_bound(a, b int64) int64\nfunc over_bound(a, b int64) int64\nfunc realigned(a, b int64) int64\n";

/// amd64: the height at the call is frame + 8 (saved BP), the call pushes 8, and
/// `at_bound` declares 256: 520 + 8 + 8 + 256 = 792, the limit.
fn x86_callers(frame: u32) -> String {
    format!(
        r#"#include "textflag.h"
#include "funcdata.h"

// func RunAtBound() int64
TEXT ·RunAtBound(SB), $0-8
	CALL atBound<>(SB)
	MOVQ ·result(SB), AX
	MOVQ AX, ret+0(FP)
	RET

TEXT atBound<>(SB), NOSPLIT, ${frame}
	NO_LOCAL_POINTERS
	MOVQ $40, 0(SP)
	MOVQ $2, 8(SP)
	CALL ·at_bound(SB)
	MOVQ 16(SP), AX
	MOVQ AX, ·result(SB)
	RET

// func RunOverBound() int64
TEXT ·RunOverBound(SB), $0-8
	CALL overBound<>(SB)
	MOVQ ·result(SB), AX
	MOVQ AX, ret+0(FP)
	RET

TEXT overBound<>(SB), NOSPLIT, $696
	NO_LOCAL_POINTERS
	MOVQ $40, 0(SP)
	MOVQ $2, 8(SP)
	CALL ·over_bound(SB)
	MOVQ 16(SP), AX
	MOVQ AX, ·result(SB)
	RET
"#
    )
}

/// arm64: a frame F becomes F + 8 (LR) rounded to 16 plus 8 or 16 for the saved FP; no
/// bytes for the call; `at_bound` declares 256: $512 → 528 + 256 = 784 fits, $528 → 544 +
/// 256 = 800 does not (the limit is 800 − 8).
fn arm64_callers(frame: u32) -> String {
    format!(
        r#"#include "textflag.h"
#include "funcdata.h"

// func RunAtBound() int64
TEXT ·RunAtBound(SB), $0-8
	CALL atBound<>(SB)
	MOVD ·result(SB), R0
	MOVD R0, ret+0(FP)
	RET

TEXT atBound<>(SB), NOSPLIT, ${frame}
	NO_LOCAL_POINTERS
	MOVD $40, R0
	MOVD R0, 8(RSP)
	MOVD $2, R0
	MOVD R0, 16(RSP)
	CALL ·at_bound(SB)
	MOVD 24(RSP), R0
	MOVD R0, ·result(SB)
	RET

// func RunOverBound() int64
TEXT ·RunOverBound(SB), $0-8
	CALL overBound<>(SB)
	MOVD ·result(SB), R0
	MOVD R0, ret+0(FP)
	RET

TEXT overBound<>(SB), NOSPLIT, $688
	NO_LOCAL_POINTERS
	MOVD $40, R0
	MOVD R0, 8(RSP)
	MOVD $2, R0
	MOVD R0, 16(RSP)
	CALL ·over_bound(SB)
	MOVD 24(RSP), R0
	MOVD R0, ·result(SB)
	RET
"#
    )
}

const GO_TEST: &str = r#"package ns

import (
	"bytes"
	"math/rand"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"testing"
	"time"
)

var result int64

func RunAtBound() int64
func RunOverBound() int64

type kernel struct {
	name string
	f    func(a, b int64) int64
	want func(a, b int64) int64
}

var kernels = []kernel{
	{"at_bound", at_bound, func(a, b int64) int64 { return a + b }},
	{"over_bound", over_bound, func(a, b int64) int64 { return a + b }},
	{"realigned", realigned, func(a, b int64) int64 { return 2*a + b }},
}

// direct calls each kernel by a direct call (through the compiler's ABI wrapper).
func direct(i int, a, b int64) int64 {
	switch i {
	case 0:
		return at_bound(a, b)
	case 1:
		return over_bound(a, b)
	default:
		return realigned(a, b)
	}
}

// deep calls kernel i from n frames down, through frames of two sizes 8 bytes apart
// chosen by the bits of n, so the call lands at every distance from the stack guard as
// the stack grows, with SP at both residues mod 16.
func deep(n, i int, a, b int64) int64 {
	var pad [40]byte
	pad[n%40] = byte(n)
	if n == 0 {
		return direct(i, a, b)
	}
	if n&5 == 1 {
		return deeper(n-1, i, a, b) + int64(pad[n%40]) - int64(byte(n))
	}
	return deep(n-1, i, a, b) + int64(pad[n%40]) - int64(byte(n))
}

func deeper(n, i int, a, b int64) int64 {
	var pad [48]byte
	pad[n%48] = byte(n)
	if n == 0 {
		return direct(i, a, b)
	}
	return deep(n-1, i, a, b) + int64(pad[n%48]) - int64(byte(n))
}

func TestEdge(t *testing.T) {
	for i, k := range kernels {
		for _, ab := range [][2]int64{{40, 2}, {-7, 1 << 40}, {1<<62 + 3, -5}} {
			want := k.want(ab[0], ab[1])
			if got := k.f(ab[0], ab[1]); got != want {
				t.Errorf("%s(%d, %d) = %d, want %d", k.name, ab[0], ab[1], got, want)
			}
			for n := 290; n < 300; n++ {
				if got := deep(n, i, ab[0], ab[1]); got != want {
					t.Errorf("deep(%d) %s(%d, %d) = %d, want %d", n, k.name, ab[0], ab[1], got, want)
				}
			}
		}
	}
	if got := RunAtBound(); got != 42 {
		t.Errorf("at_bound from a NOSPLIT caller = %d", got)
	}
	if got := RunOverBound(); got != 42 {
		t.Errorf("over_bound from a NOSPLIT caller = %d", got)
	}
}

func TestStress(t *testing.T) {
	debug.SetGCPercent(1)
	defer debug.SetGCPercent(100)
	runtime.SetCPUProfileRate(2000)
	var prof, tr bytes.Buffer
	if err := pprof.StartCPUProfile(&prof); err != nil {
		t.Fatal(err)
	}
	if err := trace.Start(&tr); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(STRESS * time.Millisecond)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	calls := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			n := 0
			for time.Now().Before(deadline) {
				i := r.Intn(len(kernels))
				a, b := int64(r.Uint64()), int64(r.Uint64())
				want := kernels[i].want(a, b)
				var got int64
				switch r.Intn(3) {
				case 0:
					got = kernels[i].f(a, b)
				case 1:
					got = direct(i, a, b)
				default:
					got = deep(r.Intn(400), i, a, b)
				}
				if r.Intn(64) == 0 {
					_ = make([]byte, 1<<12)
				}
				if got != want {
					mu.Lock()
					failures = append(failures, kernels[i].name)
					mu.Unlock()
				}
				n++
			}
			mu.Lock()
			calls += n
			mu.Unlock()
		}(int64(g))
	}
	wg.Wait()
	trace.Stop()
	pprof.StopCPUProfile()
	if len(failures) > 0 {
		t.Fatalf("wrong results under stress: %v", failures[:min(len(failures), 10)])
	}
	if prof.Len() == 0 || tr.Len() == 0 {
		t.Fatalf("no profile (%d bytes) or trace (%d bytes)", prof.Len(), tr.Len())
	}
	t.Logf("%d calls, profile %d bytes, trace %d bytes", calls, prof.Len(), tr.Len())
}
"#;

fn go(dir: &Path, goarch: &str, args: &[&str]) -> Command {
    let mut c = Command::new("go");
    c.args(args)
        .current_dir(dir)
        .env("GOARCH", goarch)
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local");
    c
}

/// The text of `·name`'s TEXT symbol in `asm`.
fn text_of<'a>(asm: &'a str, name: &str) -> &'a str {
    let start = asm
        .find(&format!("TEXT ·{name}(SB)"))
        .unwrap_or_else(|| panic!("no ·{name} in:\n{asm}"));
    let rest = &asm[start..];
    let end = rest[1..].find("\nTEXT ").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

fn check(arch: &Arch) {
    require("go");
    let root: PathBuf = std::env::temp_dir().join(format!(
        "c2goasm-rs-nosplit-{}-{}",
        arch.goarch,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&root);
    write(&root.join("go.mod"), "module ns\n\ngo 1.21\n");
    let suffix = arch.goarch;
    let decls = if arch.goarch == "amd64" {
        format!("{DECLS}func entry_aligned(a, b int64) int64\n")
    } else {
        DECLS.to_string()
    };
    write(
        &root.join(format!("k_{suffix}.go")),
        &format!("package ns\n\n{decls}"),
    );
    // Outside the package directory, which Go would assemble.
    let input_s = root.join("c").join("kernels.s");
    write(&input_s, arch.kernels);
    let output = root.join(format!("k_{suffix}.s"));
    c2goasm_rs::translate_file(&input_s, &output, &c2goasm_rs::Options::default())
        .unwrap_or_else(|e| panic!("translating the {} kernels:\n{e}", arch.goarch));
    let asm = std::fs::read_to_string(&output).expect("read output");

    // The forms: inline within the bound, switched beyond it.
    for name in arch.inline {
        let t = text_of(&asm, name);
        assert!(t.contains("NOSPLIT, $0-"), "{name} should be inline:\n{t}");
        assert!(!t.contains("CALL"), "{name} should be inline:\n{t}");
    }
    assert!(
        text_of(&asm, "at_bound").contains(arch.at_bound_height),
        "at_bound should declare {}:\n{asm}",
        arch.at_bound_height
    );
    for name in arch.switched {
        let t = text_of(&asm, name);
        assert!(!t.contains("NOSPLIT"), "{name} should switch SP:\n{t}");
    }

    let callers = root.join(format!("callers_{suffix}.s"));
    let test = GO_TEST.replace(
        "STRESS",
        &std::env::var("E2E_STRESS_SECONDS")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .map_or(1500, |s| (s * 1000.0) as u64)
            .to_string(),
    );
    let test = if arch.goarch == "amd64" {
        test.replace(
            "\t{\"realigned\", realigned, func(a, b int64) int64 { return 2*a + b }},\n",
            "\t{\"realigned\", realigned, func(a, b int64) int64 { return 2*a + b }},\n\t{\"entry_aligned\", entry_aligned, func(a, b int64) int64 { return 2*a + b }},\n",
        )
        .replace(
            "\tdefault:\n\t\treturn realigned(a, b)\n",
            "\tcase 2:\n\t\treturn realigned(a, b)\n\tdefault:\n\t\treturn entry_aligned(a, b)\n",
        )
    } else {
        test
    };
    write(&root.join("ns_test.go"), &test);

    // A NOSPLIT caller that leaves exactly enough: links, vets and runs.
    write(&callers, &(arch.callers)(arch.fits));
    run(&mut go(&root, arch.goarch, &["vet", "."]), "go vet");
    if arch.goarch == "amd64" {
        let out = run(
            &mut go(&root, arch.goarch, &["test", "-count=1", "-v", "."]),
            "go test",
        );
        eprintln!(
            "{}",
            out.lines()
                .filter(|l| l.contains("calls"))
                .collect::<String>()
        );
    } else {
        let bin = root.join("ns.test");
        run(
            go(&root, arch.goarch, &["test", "-c", "-o"]).arg(&bin),
            "go test -c",
        );
        if Command::new("qemu-aarch64")
            .arg("--version")
            .output()
            .is_ok()
        {
            let out = run(
                Command::new("qemu-aarch64")
                    .arg(&bin)
                    .args(["-test.v", "-test.count=1"]),
                "the arm64 test under qemu",
            );
            eprintln!(
                "{}",
                out.lines()
                    .filter(|l| l.contains("calls"))
                    .collect::<String>()
            );
        }
    }

    // One word more: the linker sees the C stack and refuses.
    write(&callers, &(arch.callers)(arch.too_big));
    let out = go(&root, arch.goarch, &["test", "-c", "-o", "/dev/null"])
        .output()
        .expect("run go");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "linking should fail:\n{text}");
    assert!(
        text.contains("nosplit stack over 792 byte limit") && text.contains("at_bound"),
        "{text}"
    );
    // -race doubles the NOSPLIT allowance (and the linker's limit with it).
    if arch.goarch == "amd64" {
        run(
            go(
                &root,
                arch.goarch,
                &["test", "-race", "-count=1", "-run", "Edge", "."],
            )
            .env("CGO_ENABLED", "1"),
            "go test -race with the larger caller",
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn nosplit_stack_amd64() {
    check(&Arch {
        goarch: "amd64",
        kernels: X86_KERNELS,
        at_bound_height: "ADJSP $256",
        inline: &["at_bound", "realigned"],
        switched: &["over_bound", "entry_aligned"],
        fits: 520,
        too_big: 528,
        callers: x86_callers,
    });
}

#[test]
fn nosplit_stack_arm64() {
    require("clang-19");
    check(&Arch {
        goarch: "arm64",
        kernels: ARM64_KERNELS,
        at_bound_height: "SUB $256, RSP, RSP",
        inline: &["at_bound", "realigned"],
        switched: &["over_bound"],
        fits: 512,
        too_big: 528,
        callers: arm64_callers,
    });
}
