//! AAPCS64 (Linux) classification of the flattened C arguments: integer class (ints,
//! bools, pointers) in x0–x7, floating point (float32/64) in v0–v7, the rest on the stack
//! in argument order, one eight-byte slot each (scalars of at most 8 bytes).

use super::layout::Slot;
use super::sysv::{ArgLocation, classify_args};

/// Locations in argument order: `IntReg(n)` is xn, `FloatReg(n)` is vn, `Stack(n)` is the
/// n-th eight-byte slot at `[sp + 8n]` on entry.
pub fn classify_aapcs_args(args: &[Slot]) -> Vec<ArgLocation> {
    classify_args(args, 8, 8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::ScalarKind;

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
    fn eight_of_each_class_then_stack() {
        let i = slot(ScalarKind::Int { signed: true });
        let f = slot(ScalarKind::Float64);
        let mut args = vec![f.clone(), i.clone()];
        args.extend(std::iter::repeat_n(i.clone(), 8));
        args.extend(std::iter::repeat_n(f.clone(), 8));
        let locs = classify_aapcs_args(&args);
        assert_eq!(locs[0], ArgLocation::FloatReg(0));
        assert_eq!(locs[1], ArgLocation::IntReg(0));
        assert_eq!(locs[8], ArgLocation::IntReg(7));
        assert_eq!(locs[9], ArgLocation::Stack(0));
        assert_eq!(locs[16], ArgLocation::FloatReg(7));
        assert_eq!(locs[17], ArgLocation::Stack(1));
    }
}
