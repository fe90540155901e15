//! x86-64 registers as Go's assembler names them, and the System V register roles.

use iced_x86::Register;

/// The 16 general-purpose registers in encoding order.
pub const GPRS: [Register; 16] = [
    Register::RAX,
    Register::RCX,
    Register::RDX,
    Register::RBX,
    Register::RSP,
    Register::RBP,
    Register::RSI,
    Register::RDI,
    Register::R8,
    Register::R9,
    Register::R10,
    Register::R11,
    Register::R12,
    Register::R13,
    Register::R14,
    Register::R15,
];

/// System V integer argument registers, in order.
pub const INT_ARGS: [Register; 6] = [
    Register::RDI,
    Register::RSI,
    Register::RDX,
    Register::RCX,
    Register::R8,
    Register::R9,
];

/// System V vector argument registers, in order.
pub const FLOAT_ARGS: [Register; 8] = [
    Register::XMM0,
    Register::XMM1,
    Register::XMM2,
    Register::XMM3,
    Register::XMM4,
    Register::XMM5,
    Register::XMM6,
    Register::XMM7,
];

/// Registers a System V callee must preserve (besides rsp).
pub const CALLEE_SAVED: [Register; 6] = [
    Register::RBX,
    Register::RBP,
    Register::R12,
    Register::R13,
    Register::R14,
    Register::R15,
];

/// Registers a call may clobber.
pub const CALLER_SAVED: [Register; 9] = [
    Register::RAX,
    Register::RCX,
    Register::RDX,
    Register::RSI,
    Register::RDI,
    Register::R8,
    Register::R9,
    Register::R10,
    Register::R11,
];

/// Index 0..16 of a general-purpose register of any width (`eax`, `r8b` → its 64-bit
/// register's index); `None` for other registers.
pub fn gpr_index(r: Register) -> Option<usize> {
    if !r.is_gpr() {
        return None;
    }
    // iced-x86 numbers RAX..R15 contiguously in encoding order, as GPRS lists them.
    let i = (r.full_register() as usize).wrapping_sub(Register::RAX as usize);
    (i < GPRS.len()).then_some(i)
}

/// A set of general-purpose registers as a bit mask (bit i = `GPRS[i]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct GprSet(pub u16);

impl GprSet {
    pub const EMPTY: GprSet = GprSet(0);

    pub fn of(regs: &[Register]) -> GprSet {
        let mut s = GprSet::EMPTY;
        for r in regs {
            s.insert(*r);
        }
        s
    }

    pub fn insert(&mut self, r: Register) {
        if let Some(i) = gpr_index(r) {
            self.0 |= 1 << i;
        }
    }

    pub fn remove(&mut self, r: Register) {
        if let Some(i) = gpr_index(r) {
            self.0 &= !(1 << i);
        }
    }

    pub fn contains(&self, r: Register) -> bool {
        gpr_index(r).is_some_and(|i| self.0 & (1 << i) != 0)
    }

    pub fn union(self, o: GprSet) -> GprSet {
        GprSet(self.0 | o.0)
    }

    pub fn minus(self, o: GprSet) -> GprSet {
        GprSet(self.0 & !o.0)
    }

    /// Indices (into [`GPRS`]) of the registers in the set.
    pub fn indices(self) -> impl Iterator<Item = usize> {
        (0..GPRS.len()).filter(move |i| self.0 & (1 << i) != 0)
    }

    pub fn iter(self) -> impl Iterator<Item = Register> {
        GPRS.into_iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, r)| r)
    }
}

/// Go's name for a 64-bit GPR or an XMM register (what native instructions use).
pub fn go_name(r: Register) -> Option<&'static str> {
    const GPR_NAMES: [&str; 16] = [
        "AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI", "R8", "R9", "R10", "R11", "R12", "R13",
        "R14", "R15",
    ];
    const XMM_NAMES: [&str; 16] = [
        "X0", "X1", "X2", "X3", "X4", "X5", "X6", "X7", "X8", "X9", "X10", "X11", "X12", "X13",
        "X14", "X15",
    ];
    if let Some(i) = gpr_index(r) {
        return Some(GPR_NAMES[i]);
    }
    if r.is_xmm() {
        let n = r.number();
        return XMM_NAMES.get(n).copied();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_registers_map_to_their_full_register() {
        assert_eq!(gpr_index(Register::EAX), Some(0));
        assert_eq!(gpr_index(Register::R8L), Some(8));
        assert_eq!(gpr_index(Register::XMM0), None);
        assert_eq!(gpr_index(Register::AH), Some(0));
        assert_eq!(gpr_index(Register::RIP), None);
        for (i, g) in GPRS.iter().enumerate() {
            assert_eq!(gpr_index(*g), Some(i), "{g:?}");
        }
        for r in Register::values().filter(|r| !r.is_gpr()) {
            assert_eq!(gpr_index(r), None, "{r:?}");
        }
        assert_eq!(go_name(Register::R11D), Some("R11"));
        assert_eq!(go_name(Register::XMM3), Some("X3"));
    }

    #[test]
    fn gpr_set_operations() {
        let mut s = GprSet::of(&INT_ARGS);
        assert!(s.contains(Register::ECX));
        s.remove(Register::CL);
        assert!(!s.contains(Register::RCX));
        assert_eq!(s.iter().count(), 5);
    }
}
