//! C code that uses a little stack, run on the Go stack itself: no SP switch, no call.
//!
//! A C function that needs no stack is inlined into its `NOSPLIT, $0` Go wrapper. One that
//! pushes a frame pointer, realigns (`-mstackrealign`) or spills a few registers used to go
//! through the wrapper's C-stack switch (a Go frame holding the C stack, SP moved into it,
//! a call, SP restored: about 0.5 ns a call). When its whole stack use is small and
//! provable, it is now inlined the same way and runs directly below the wrapper's entry SP,
//! exactly as the peers' output does — but with the stack accounted for. Why that is safe:
//!
//! **1. Space: the linker proves it, because the wrapper declares its height.** The wrapper
//! is NOSPLIT, so what Go guarantees it is the NOSPLIT allowance: a function that passed
//! its stack check leaves `StackNosplit` bytes free below its frame (`runtime/stack.go`:
//! `stackGuard = stackNosplit + stackSystem + StackSmall`, and the check lets a frame of
//! up to `StackSmall` — or, for larger frames, exactly the frame — eat only into the
//! `StackSmall` part). `StackNosplit` is `internal/abi.StackNosplitBase` (800) times the
//! stack-guard multiplier (×2 under `-race`, ×2 on AIX and OpenBSD). The linker
//! (`cmd/link/internal/ld/stackcheck.go`) walks every chain of NOSPLIT functions reached
//! by direct calls — Go functions marked `//go:nosplit`, assembly, and the compiler's
//! ABIInternal→ABI0 wrapper through which func values of an assembly function call it (it
//! is NOSPLIT, `cmd/compile/internal/ssagen/abi.go`) — adding up the heights their pc→SP
//! tables show, and fails the build when one exceeds `StackNosplit − callsize` (792 bytes
//! on amd64 and arm64; 1592 under `-race`, which the linker is told): "nosplit stack over
//! 792 byte limit". It cannot see what raw machine code does to SP, so the wrapper
//! declares it: after its last `RET`, never executed, a balanced `ADJSP $H; ADJSP $-H`
//! (arm64: `SUB $H, RSP; ADD $H, RSP`) puts H into the pc→SP table, where H covers the C
//! code's maximum depth below the entry SP as the stack model computes it (every push,
//! realignment and spill, on every path; calls are not allowed in this form). Every caller
//! chain the linker sees is therefore checked with the C stack included — a NOSPLIT Go
//! caller too, under the limit of the build's own mode — and a build that links is one
//! whose C stack fits. (Tested: `tests/nosplit_stack.rs` links a `//go:nosplit` caller
//! whose frame leaves just enough, and one 8 bytes short, which must fail.)
//!
//! **2. What the linker cannot see.** Indirect calls: the linker assumes their target is
//! splittable. A func value of an assembly function calls the compiler's ABI wrapper,
//! which calls the wrapper directly (checked); that the ABI wrapper is itself NOSPLIT is
//! Go's own assumption about indirect calls from NOSPLIT code, shared by every NOSPLIT
//! assembly function that has a frame. Indirect jumps carry no relocation at all: the
//! package flow's dispatch trampolines (`emit/package/trampoline.rs`) jump through a
//! table, so they also name every table entry in direct jumps placed after their indirect
//! one (never executed), which gives the linker those edges. Signals run on the signal
//! stack (`sigaltstack`) on every Unix Go supports, so nothing is pushed below SP behind
//! the C code's back; `stackSystem` reserves room on the others.
//!
//! **3. The bound.** H is at most [`MAX_HEIGHT`], a third of the 792-byte allowance, so
//! that a normal call never comes near the limit: Go code calls the wrapper directly right
//! after its own stack check, or through the ABI wrapper, which adds its argument frame
//! plus 16 bytes (`-ldflags=-debugnosplit` shows `F<1> +32 -> F<0>` for one argument and
//! one result); that leaves more than 500 bytes for arguments and NOSPLIT Go callers.
//! Deeper C stacks keep the SP switch (a splittable wrapper with a Go frame as large as
//! the C stack, so Go's stack growth covers it, never a link error).
//!
//! **4. Alignment.** amd64: Go's SP is only 8-byte aligned, System V's is ≡ 8 (mod 16) at
//! entry. The stack model is rerun with the weaker entry (realignments may then go 8
//! bytes deeper) and the form is used only when every memory operand that faults when
//! misaligned is proven aligned through the code's own realignment (`and rsp, -A`, what
//! `-mstackrealign` emits) — see `x86/alignment.rs`. arm64: Go keeps RSP 16-byte aligned
//! like AAPCS64, but a Go function saves its caller's frame pointer at −8(RSP), *below*
//! its SP, and that is where a frameless callee's C code would put its frame record; the
//! wrapper moves RSP down 16 bytes (`SUB`/`ADD $16, RSP`, visible to Go) around the body.
//!
//! **5. Unwinding (go-abi-rules.md §3).** Inside the body the pc→SP table is wrong (the raw
//! pushes and realignment are invisible), so the wrapper is marked SPWRITE by a native SP
//! write that is never executed (after the `RET`, like the height): the profiler's
//! unwinder (`runtime/traceback.go`) ends the traceback at an SPWRITE frame — samples in
//! the kernel show it without its callers, as in the switched form. The body makes no
//! calls, so the wrapper is never an outer frame, where SPWRITE would be fatal; assembly
//! is never preempted asynchronously, so no stack scan starts inside it; BP (amd64) and
//! the frame record (arm64) hold valid values again at every exit, since the C code
//! restores them before its `ret`. Arguments are loaded before the body and results stored
//! after it, where SP has its entry value.

/// The most stack, in bytes below the wrapper's entry SP, that C code may use in this
/// form (see the module documentation, point 3).
pub const MAX_HEIGHT: u64 = 256;

/// The height to declare to Go's linker for code that uses `depth` bytes below the entry
/// stack pointer (rounded up to whole words), or `None` when that is more than this form
/// may use.
pub fn height(depth: u64) -> Option<u64> {
    let h = depth.div_ceil(8) * 8;
    (h <= MAX_HEIGHT).then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_are_whole_words_up_to_the_bound() {
        assert_eq!(height(0), Some(0));
        assert_eq!(height(1), Some(8));
        assert_eq!(height(MAX_HEIGHT), Some(MAX_HEIGHT));
        assert_eq!(height(MAX_HEIGHT - 7), Some(MAX_HEIGHT));
        assert_eq!(height(MAX_HEIGHT + 1), None);
    }

    #[test]
    fn the_bound_leaves_most_of_the_nosplit_allowance_to_callers() {
        // StackNosplit (800) − callsize (8) on amd64; arm64: 800 − 8 for the saved FP.
        let limit = 800 - 8;
        assert!(3 * MAX_HEIGHT <= limit);
    }
}
