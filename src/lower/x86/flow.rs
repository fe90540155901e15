//! Control flow of one function at instruction granularity: successors of each
//! instruction and how the function can be left.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

/// How control leaves an instruction besides falling through / branching to local labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `ret`.
    Return,
    /// A jump (conditional or not) to the entry of function `i` (tail call).
    TailCall(usize),
    /// Execution runs past the last instruction into the function that follows.
    FallOff,
}

/// The successors of one instruction: at most two (the branch target and the next
/// instruction), kept inline so a function's flow is not one allocation per instruction —
/// except a table dispatch, whose targets are shared with the dispatch's transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Succs {
    Inline { len: Len, items: [usize; 2] },
    Table(Arc<[usize]>),
}

/// How many inline successors are set (an enum, so `Succs` needs no tag of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Len {
    Zero,
    One,
    Two,
}

impl Default for Succs {
    fn default() -> Succs {
        Succs::Inline {
            len: Len::Zero,
            items: [0; 2],
        }
    }
}

impl Succs {
    fn push(&mut self, s: usize) {
        if let Succs::Inline { len, items } = self {
            *len = match *len {
                Len::Zero => {
                    items[0] = s;
                    Len::One
                }
                Len::One | Len::Two => {
                    items[1] = s;
                    Len::Two
                }
            };
        }
    }
}

impl std::ops::Deref for Succs {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        match self {
            Succs::Inline { len, items } => &items[..*len as usize],
            Succs::Table(t) => t,
        }
    }
}

/// Per-instruction control flow, computed once and shared by the analyses.
#[derive(Debug, Clone, Default)]
pub struct Flow {
    /// Successor instruction indices (within the function).
    pub succs: Vec<Succs>,
    /// Exits taken from an instruction (a conditional tail call has a successor too).
    pub exits: Vec<Option<Exit>>,
    /// Direct calls to local functions: instruction index → callee.
    pub calls: HashMap<usize, usize>,
}

/// What an instruction does to control flow, as the lowering classified it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transfer {
    /// Falls through to the next instruction.
    Next,
    /// Jumps to instruction index `target` (`None` = label at the very end).
    Jump {
        target: Option<usize>,
        conditional: bool,
    },
    TailCall {
        callee: usize,
        conditional: bool,
    },
    Call {
        callee: usize,
    },
    Return,
    /// Never continues (`ud2`).
    Stop,
    /// `jmp reg` through a jump table: the distinct target instructions once
    /// `table_dispatch` proved which table, `None` before (no successors).
    TableJump {
        targets: Option<Arc<[usize]>>,
    },
}

impl Flow {
    /// `next_function` is the function control reaches by running past the end (the next
    /// one in the section), if any.
    pub fn build(transfers: &[Transfer], next_function: Option<usize>) -> Flow {
        let n = transfers.len();
        let mut flow = Flow {
            succs: vec![Succs::default(); n],
            exits: vec![None; n],
            calls: HashMap::default(),
        };
        let next = |i: usize| if i + 1 < n { Some(i + 1) } else { None };
        let fall_off = match next_function {
            Some(f) => Exit::TailCall(f),
            None => Exit::FallOff,
        };
        for (i, t) in transfers.iter().enumerate() {
            let fall = |flow: &mut Flow| match next(i) {
                Some(j) => flow.succs[i].push(j),
                None => flow.exits[i] = Some(fall_off),
            };
            match t {
                Transfer::Next => fall(&mut flow),
                Transfer::Call { callee } => {
                    flow.calls.insert(i, *callee);
                    fall(&mut flow);
                }
                Transfer::Jump {
                    target,
                    conditional,
                } => {
                    match target.filter(|t| *t < n) {
                        Some(t) => flow.succs[i].push(t),
                        None => flow.exits[i] = Some(fall_off),
                    }
                    if *conditional {
                        fall(&mut flow);
                    }
                }
                Transfer::TailCall {
                    callee,
                    conditional,
                } => {
                    flow.exits[i] = Some(Exit::TailCall(*callee));
                    if *conditional && let Some(j) = next(i) {
                        flow.succs[i].push(j);
                    }
                }
                Transfer::Return => flow.exits[i] = Some(Exit::Return),
                Transfer::Stop | Transfer::TableJump { targets: None } => {}
                Transfer::TableJump {
                    targets: Some(targets),
                } => flow.succs[i] = Succs::Table(targets.clone()),
            }
        }
        flow
    }

    pub fn len(&self) -> usize {
        self.succs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.succs.is_empty()
    }

    /// Instructions reachable from the entry, in discovery order.
    pub fn reachable(&self) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack = Vec::new();
        if !self.is_empty() {
            stack.push(0);
        }
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            stack.extend(self.succs[i].iter().copied().filter(|s| !seen[*s]));
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_branches_have_two_successors_and_tail_calls_exit() {
        let t = [
            Transfer::Next,
            Transfer::Jump {
                target: Some(3),
                conditional: true,
            },
            Transfer::Return,
            Transfer::TailCall {
                callee: 7,
                conditional: false,
            },
        ];
        let f = Flow::build(&t, None);
        assert_eq!(*f.succs[0], [1]);
        assert_eq!(*f.succs[1], [3, 2]);
        assert_eq!(f.exits[2], Some(Exit::Return));
        assert_eq!(f.exits[3], Some(Exit::TailCall(7)));
        assert!(f.succs[3].is_empty());
    }

    #[test]
    fn successors_stay_three_words() {
        assert_eq!(
            std::mem::size_of::<Succs>(),
            3 * std::mem::size_of::<usize>()
        );
        let t = [Transfer::TableJump {
            targets: Some(vec![0, 0].into()),
        }];
        assert_eq!(*Flow::build(&t, None).succs[0], [0, 0]);
    }

    #[test]
    fn last_instruction_without_terminator_falls_off() {
        let f = Flow::build(&[Transfer::Next], None);
        assert_eq!(f.exits[0], Some(Exit::FallOff));
        let f = Flow::build(&[Transfer::Next], Some(3));
        assert_eq!(f.exits[0], Some(Exit::TailCall(3)));
        let f = Flow::build(
            &[Transfer::Jump {
                target: Some(0),
                conditional: false,
            }],
            None,
        );
        assert_eq!(f.exits[0], None);
        assert_eq!(f.reachable(), vec![true]);
    }
}
