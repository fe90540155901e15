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

/// Slots remembered at once where code spills arguments: -O0 code spills each once.
pub const SLOTS: usize = 12;

/// Origins of `N` registers and of up to `S` spill slots. Functions that do not spill use
/// `S = 0`: the state is then a few bytes, copied at every instruction of the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origins<const N: usize, const S: usize> {
    regs: [Origin; N],
    slots: [Slot; S],
}

impl<const N: usize, const S: usize> Origins<N, S> {
    /// Argument register k (numbered `regs[k]`) holds argument k's entry value.
    pub fn entry(regs: &[usize]) -> Origins<N, S> {
        let mut o = Origins {
            regs: [UNKNOWN; N],
            slots: [Slot::default(); S],
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
    pub fn merge(&self, other: &Origins<N, S>) -> Origins<N, S> {
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

/// Runs a forward "must" dataflow over the instructions reachable from instruction 0:
/// `transfer(i, state)` turns the state before instruction i into the state after it;
/// `succs(i)` are i's successors. States are kept only where paths join: a straight run
/// of instructions is walked with one state, so the cost is the transfers themselves.
pub fn forward<'a, const N: usize, const S: usize>(
    n: usize,
    succs: impl Fn(usize) -> &'a [usize],
    entry: Origins<N, S>,
    mut transfer: impl FnMut(usize, &mut Origins<N, S>),
) {
    if n == 0 {
        return;
    }
    // Predecessor counts (2 = "several"); the entry counts as one.
    let mut preds = vec![0u8; n];
    preds[0] = 1;
    for i in 0..n {
        for &s in succs(i) {
            if s < n {
                preds[s] = preds[s].saturating_add(1).min(2);
            }
        }
    }
    let mut states: Vec<Option<Origins<N, S>>> = vec![None; n];
    states[0] = Some(entry);
    let mut work = vec![0usize];
    while let Some(head) = work.pop() {
        let Some(mut o) = states[head] else { continue };
        let mut i = head;
        loop {
            transfer(i, &mut o);
            match succs(i) {
                // The only way into the next instruction: no state to keep. (Every cycle
                // has a join, so this walk ends.)
                [s] if *s < n && preds[*s] == 1 => i = *s,
                next => {
                    for &s in next {
                        if s >= n {
                            continue;
                        }
                        let merged = match &states[s] {
                            None => o,
                            Some(prev) => prev.merge(&o),
                        };
                        if states[s] != Some(merged) {
                            states[s] = Some(merged);
                            work.push(s);
                        }
                    }
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_and_slots_merge_to_what_both_paths_agree_on() {
        let mut a: Origins<4, 4> = Origins::entry(&[2, 0]);
        assert_eq!(argument_of(a.get(2)), Some(0));
        assert_eq!(argument_of(a.get(0)), Some(1));
        // Without slots, stores are forgotten.
        let mut none: Origins<4, 0> = Origins::entry(&[2, 0]);
        none.store(3, -8, argument(0));
        assert_eq!(none.load(3, -8), UNKNOWN);
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
    fn forward_visits_every_reachable_instruction_and_merges_at_joins() {
        // 0 → 1 → {2, 3}; 2 → 4; 3 → 4; 4 → 1 (loop); 5 unreachable.
        let succs: Vec<Vec<usize>> = vec![vec![1], vec![2, 3], vec![4], vec![4], vec![1], vec![]];
        let mut seen = [0u32; 6];
        let mut at_join = None;
        forward::<4, 0>(
            6,
            |i| succs[i].as_slice(),
            Origins::entry(&[0, 1]),
            |i, o| {
                seen[i] += 1;
                match i {
                    2 => o.set(0, UNKNOWN),
                    4 => at_join = Some(o.get(0)),
                    _ => {}
                }
            },
        );
        assert!(
            seen[..5].iter().all(|&c| c >= 1) && seen[5] == 0,
            "{seen:?}"
        );
        assert_eq!(at_join, Some(UNKNOWN), "one path lost register 0");
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
