//! Which argument's entry value each register and spill slot holds, shared by both
//! architectures' dereference analyses (`x86::arg_use`, `arm64::arg_use`): a forward
//! "must" dataflow state, where a fact survives a merge only if every path agrees.
//!
//! A register holds an [`Origin`]: the entry value of argument register k plus some
//! constant, a value that is certainly an integer and not an address (a scaled index),
//! or nothing known. Spill slots (`[rbp - 8]`, `[sp, #40]`: a frame register plus a
//! constant) hold origins too, which is what makes the analysis work at -O0, where every
//! argument is stored to the frame on entry and reloaded before use. Slots are only
//! tracked in functions that never take a frame address (see the callers), so a store
//! through any other pointer cannot change them.

/// What a register or slot is known to hold.
pub type Origin = u8;
/// Nothing known.
pub const UNKNOWN: Origin = 0;
/// Certainly an integer, not an address (e.g. `i * 4`).
pub const INTEGER: Origin = u8::MAX;

/// The origin of argument register `k` (k < 32).
pub fn argument(k: usize) -> Origin {
    k as u8 + 1
}

/// The argument register `o` is the entry value of, if any.
pub fn argument_of(o: Origin) -> Option<usize> {
    (o != UNKNOWN && o != INTEGER).then(|| o as usize - 1)
}

/// The origin of `a + b`: an address plus an integer is that address.
pub fn sum(a: Origin, b: Origin) -> Origin {
    match (a, b) {
        (INTEGER, INTEGER) => INTEGER,
        (x, INTEGER) | (INTEGER, x) => x,
        _ => UNKNOWN,
    }
}

/// A spill slot: frame register (its number) and byte offset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Slot {
    base: u8,
    offset: i32,
    origin: Origin,
}

/// Slots remembered at once: -O0 code spills each argument once.
const SLOTS: usize = 12;

/// Origins of `N` registers and of the spill slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origins<const N: usize> {
    regs: [Origin; N],
    slots: [Slot; SLOTS],
}

impl<const N: usize> Origins<N> {
    /// Argument register k (numbered `regs[k]`) holds argument k's entry value.
    pub fn entry(regs: &[usize]) -> Origins<N> {
        let mut o = Origins {
            regs: [UNKNOWN; N],
            slots: [Slot::default(); SLOTS],
        };
        for (k, r) in regs.iter().enumerate() {
            if *r < N {
                o.regs[*r] = argument(k);
            }
        }
        o
    }

    pub fn get(&self, r: usize) -> Origin {
        self.regs.get(r).copied().unwrap_or(UNKNOWN)
    }

    pub fn set(&mut self, r: usize, o: Origin) {
        if let Some(slot) = self.regs.get_mut(r) {
            *slot = o;
        }
    }

    /// The origin stored at `[base + offset]` by an eight-byte store.
    pub fn load(&self, base: usize, offset: i64) -> Origin {
        self.slots
            .iter()
            .find(|s| s.origin != UNKNOWN && s.base as usize == base && s.offset as i64 == offset)
            .map_or(UNKNOWN, |s| s.origin)
    }

    /// An eight-byte store of a value of origin `o` to `[base + offset]`.
    pub fn store(&mut self, base: usize, offset: i64, o: Origin) {
        self.clobber(base, offset, 8);
        let Ok(offset) = i32::try_from(offset) else {
            return;
        };
        if o == UNKNOWN || base > u8::MAX as usize {
            return;
        }
        if let Some(s) = self.slots.iter_mut().find(|s| s.origin == UNKNOWN) {
            *s = Slot {
                base: base as u8,
                offset,
                origin: o,
            };
        }
    }

    /// Any other write of `size` bytes at `[base + offset]`.
    pub fn clobber(&mut self, base: usize, offset: i64, size: i64) {
        for s in &mut self.slots {
            let start = s.offset as i64;
            if s.base as usize == base && start < offset + size && offset < start + 8 {
                *s = Slot::default();
            }
        }
    }

    /// The frame register `base` changed (or was written through an unknown offset): its
    /// slots are no longer where they were.
    pub fn forget_frame(&mut self, base: usize) {
        for s in &mut self.slots {
            if s.base as usize == base {
                *s = Slot::default();
            }
        }
    }

    /// What holds on both paths.
    pub fn merge(&self, other: &Origins<N>) -> Origins<N> {
        let mut m = *self;
        for (a, b) in m.regs.iter_mut().zip(other.regs) {
            if *a != b {
                *a = UNKNOWN;
            }
        }
        for s in &mut m.slots {
            if s.origin != UNKNOWN && !other.slots.contains(s) {
                *s = Slot::default();
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_and_slots_merge_to_what_both_paths_agree_on() {
        let mut a: Origins<4> = Origins::entry(&[2, 0]);
        assert_eq!(argument_of(a.get(2)), Some(0));
        assert_eq!(argument_of(a.get(0)), Some(1));
        a.store(3, -8, a.get(2));
        a.store(3, -16, a.get(0));
        let mut b = a;
        b.set(2, UNKNOWN);
        b.clobber(3, -12, 4);
        let m = a.merge(&b);
        assert_eq!(m.get(2), UNKNOWN);
        assert_eq!(argument_of(m.load(3, -8)), Some(0));
        assert_eq!(m.load(3, -16), UNKNOWN, "overwritten on one path");
        let mut f = m;
        f.forget_frame(3);
        assert_eq!(f.load(3, -8), UNKNOWN);
    }

    #[test]
    fn an_address_plus_an_integer_is_the_address() {
        assert_eq!(sum(argument(1), INTEGER), argument(1));
        assert_eq!(sum(INTEGER, argument(0)), argument(0));
        assert_eq!(sum(argument(1), argument(0)), UNKNOWN);
        assert_eq!(sum(argument(1), UNKNOWN), UNKNOWN);
        assert_eq!(argument_of(INTEGER), None);
    }
}
