//! System V AMD64 classification of the flattened C arguments and the result.

use super::layout::Slot;

/// Where the C callee expects an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgLocation {
    /// n-th integer register: rdi, rsi, rdx, rcx, r8, r9.
    IntReg(u8),
    /// n-th vector register xmm0…xmm7.
    FloatReg(u8),
    /// n-th eight-byte stack slot above the return address (`[rsp + 8 + 8*n]` at entry).
    Stack(u32),
}

/// Where the C callee leaves its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultLocation {
    /// rax (or eax/ax/al by width).
    Int,
    /// xmm0.
    Float,
}

/// Classifies arguments in order: INTEGER class (ints, bools, pointers) take the next
/// integer register, SSE class (float32/64) the next xmm register; overflow goes to the
/// stack in argument order.
pub fn classify_sysv_args(args: &[Slot]) -> Vec<ArgLocation> {
    let _ = args;
    todo!("implemented by the ABI layout")
}

pub fn classify_sysv_result(result: &Slot) -> ResultLocation {
    let _ = result;
    todo!("implemented by the ABI layout")
}
