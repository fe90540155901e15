//! System V AMD64 classification of the flattened C arguments and the result.

use super::layout::{ScalarKind, Slot};

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

fn is_float(s: &Slot) -> bool {
    matches!(s.kind, ScalarKind::Float32 | ScalarKind::Float64)
}

/// Classifies arguments in order: INTEGER class (ints, bools, pointers) take the next
/// integer register, SSE class (float32/64) the next xmm register; overflow goes to the
/// stack in argument order, one eight-byte slot each.
pub fn classify_sysv_args(args: &[Slot]) -> Vec<ArgLocation> {
    classify_args(args, 6, 8)
}

/// The register-or-stack assignment System V and AAPCS64 share for scalars: each class
/// takes its next register while any is left, everything else the next eight-byte stack
/// slot, in argument order.
pub fn classify_args(args: &[Slot], int_regs: u8, float_regs: u8) -> Vec<ArgLocation> {
    let (mut ints, mut floats, mut stack) = (0u8, 0u8, 0u32);
    args.iter()
        .map(|s| {
            if is_float(s) && floats < float_regs {
                floats += 1;
                ArgLocation::FloatReg(floats - 1)
            } else if !is_float(s) && ints < int_regs {
                ints += 1;
                ArgLocation::IntReg(ints - 1)
            } else {
                stack += 1;
                ArgLocation::Stack(stack - 1)
            }
        })
        .collect()
}

pub fn classify_sysv_result(result: &Slot) -> ResultLocation {
    if is_float(result) {
        ResultLocation::Float
    } else {
        ResultLocation::Int
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(kind: ScalarKind) -> Slot {
        Slot {
            name: "x".into(),
            whole: None,
            offset: 0,
            size: 8,
            kind,
        }
    }

    #[test]
    fn mixed_classes_and_overflow() {
        let i = slot(ScalarKind::Int { signed: true });
        let f = slot(ScalarKind::Float64);
        let mut args = vec![f.clone(), i.clone(), f.clone()];
        args.extend(std::iter::repeat_n(i.clone(), 6));
        args.extend(std::iter::repeat_n(f.clone(), 7));
        let locs = classify_sysv_args(&args);
        assert_eq!(locs[0], ArgLocation::FloatReg(0));
        assert_eq!(locs[1], ArgLocation::IntReg(0));
        assert_eq!(locs[2], ArgLocation::FloatReg(1));
        assert_eq!(locs[7], ArgLocation::IntReg(5));
        assert_eq!(locs[8], ArgLocation::Stack(0));
        assert_eq!(locs[14], ArgLocation::FloatReg(7));
        assert_eq!(locs[15], ArgLocation::Stack(1));
        assert_eq!(classify_sysv_result(&f), ResultLocation::Float);
    }
}
