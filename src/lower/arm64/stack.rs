//! The stack model of one C function, over its control-flow graph: how deep below the
//! entry SP the code goes (calls included), which stack-passed arguments it reads, and
//! proof that SP is back at its entry value at every return. No prologue pattern is
//! assumed: every SP change is an `add`/`sub` by a constant, a pre/post-indexed access
//! with writeback, or a restore from the frame pointer; anything else is an error.

use std::collections::VecDeque;

use rustc_hash::FxHashMap as HashMap;

use yaxpeax_arm::armv8::a64::{Instruction, Opcode, Operand, SizeCode};

use super::code::Insn;
use super::rewrite::Flow;
use super::writes::written_gprs;
use crate::lower::LowerError;
use crate::source::Span;

const SP: u16 = 31;
const FP: u16 = 29;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StackSummary {
    /// Deepest point below the entry SP, in bytes, including callees.
    pub max_depth: u64,
    /// Number of eight-byte stack-argument slots the code reads (highest slot + 1).
    pub arg_slots_read: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State {
    /// Bytes below the entry SP.
    depth: i64,
    /// Depth that x29 points at, when known.
    fp: Option<i64>,
    /// Known constant values of x0–x30 (GCC sizes frames above 4 KiB with
    /// `mov x12, #n; sub sp, sp, x12`).
    consts: [Option<i64>; 31],
}

impl State {
    fn entry() -> State {
        State {
            depth: 0,
            fp: None,
            consts: [None; 31],
        }
    }

    /// What holds on every path: facts that differ are dropped.
    fn merge(&self, other: &State) -> State {
        let mut consts = self.consts;
        for (c, o) in consts.iter_mut().zip(other.consts) {
            if *c != o {
                *c = None;
            }
        }
        State {
            depth: self.depth,
            fp: if self.fp == other.fp { self.fp } else { None },
            consts,
        }
    }
}

fn gpr_number(o: &Operand) -> Option<usize> {
    match o {
        Operand::Register(_, n) | Operand::RegisterOrSP(_, n) if *n < 31 => Some(*n as usize),
        _ => None,
    }
}

/// The constant `d` puts in its destination: `movz`/`movn`/`movk`/`orr xN, xzr, #imm`.
fn constant_result(d: &Instruction, s: &State) -> Option<(usize, i64)> {
    let wide = !matches!(d.operands[0], Operand::Register(SizeCode::W, _));
    let mask = |v: i64| if wide { v } else { v & 0xffff_ffff };
    let shifted = |o: &Operand| match o {
        Operand::ImmShift(v, sh) => Some(((*v as i64) << sh, (0xffffi64) << sh)),
        _ => None,
    };
    let rd = gpr_number(&d.operands[0])?;
    let value = match d.opcode {
        Opcode::MOVZ => shifted(&d.operands[1]).map(|(v, _)| mask(v)),
        Opcode::MOVN => shifted(&d.operands[1]).map(|(v, _)| mask(!v)),
        Opcode::MOVK => match (s.consts[rd], shifted(&d.operands[1])) {
            (Some(old), Some((v, field))) => Some(mask((old & !field) | v)),
            _ => None,
        },
        Opcode::ORR if matches!(d.operands[1], Operand::Register(_, 31)) => {
            immediate(&d.operands[2]).map(mask)
        }
        _ => None,
    }?;
    Some((rd, value))
}

fn immediate(o: &Operand) -> Option<i64> {
    match o {
        Operand::Immediate(v) => Some(*v as i64),
        Operand::ImmShift(v, s) => Some((*v as i64) << s),
        Operand::Imm16(v) => Some(*v as i64),
        Operand::Imm64(v) => i64::try_from(*v).ok(),
        _ => None,
    }
}

fn is_sp(o: &Operand) -> bool {
    matches!(o, Operand::RegisterOrSP(_, SP))
}

/// Bytes a load or store accesses: `ldp x8, x9, [sp]` reads two stack-argument slots.
/// Unknown forms count one byte, so no slot is claimed that the code may not read.
fn access_bytes(d: &Instruction) -> i64 {
    use yaxpeax_arm::armv8::a64::SIMDSizeCode as V;
    let element = match (d.opcode, d.operands[0]) {
        (Opcode::LDRB | Opcode::LDRSB | Opcode::LDURB | Opcode::LDURSB, _) => 1,
        (Opcode::STRB | Opcode::STURB, _) => 1,
        (Opcode::LDRH | Opcode::LDRSH | Opcode::LDURH | Opcode::LDURSH, _) => 2,
        (Opcode::STRH | Opcode::STURH, _) => 2,
        (Opcode::LDRSW | Opcode::LDURSW | Opcode::LDPSW, _) => 4,
        (_, Operand::Register(SizeCode::W, _)) => 4,
        (_, Operand::Register(SizeCode::X, _)) => 8,
        (_, Operand::SIMDRegister(V::B, _)) => 1,
        (_, Operand::SIMDRegister(V::H, _)) => 2,
        (_, Operand::SIMDRegister(V::S, _)) => 4,
        (_, Operand::SIMDRegister(V::D, _)) => 8,
        (_, Operand::SIMDRegister(V::Q, _)) => 16,
        _ => 1,
    };
    match d.opcode {
        Opcode::LDP | Opcode::LDNP | Opcode::LDPSW | Opcode::STP | Opcode::STNP => 2 * element,
        _ => element,
    }
}

/// Applies one instruction to the state; records stack-argument reads.
fn step(d: &Instruction, s: &mut State, arg_bytes: &mut i64) -> Result<(), LowerError> {
    if d.opcode == Opcode::Invalid {
        // An instruction the decoder does not know (see `code::opaque`): it does not touch
        // SP, but forget every register fact.
        s.consts = [None; 31];
        s.fp = None;
        return Ok(());
    }
    let add_sub = matches!(d.opcode, Opcode::ADD | Opcode::SUB);
    let sign = if d.opcode == Opcode::SUB { -1 } else { 1 };
    if is_sp(&d.operands[0]) {
        // SP is written.
        // `sub sp, sp, x12` with x12 a known constant counts as an immediate.
        let imm = immediate(&d.operands[2]).or(match d.operands[2] {
            Operand::RegShift(_, 0, SizeCode::X, r) | Operand::Register(SizeCode::X, r)
                if r < 31 =>
            {
                s.consts[r as usize]
            }
            _ => None,
        });
        match (add_sub, &d.operands[1], imm) {
            (true, Operand::RegisterOrSP(_, SP), Some(k)) => s.depth -= sign * k,
            (true, Operand::RegisterOrSP(_, FP), Some(k)) => match s.fp {
                Some(fp) => s.depth = fp - sign * k,
                None => return Err(LowerError::UnknownStackChange),
            },
            (true, _, None) => return Err(LowerError::DynamicStack),
            _ => return Err(LowerError::UnknownStackChange),
        }
        return Ok(());
    }
    // Forget what the instruction overwrites; learn what it sets.
    let constant = constant_result(d, s);
    let written = written_gprs(d);
    for r in written.registers() {
        s.consts[r] = None;
    }
    if let Some((r, v)) = constant {
        s.consts[r] = Some(v);
    }
    if written.contains(FP as usize) {
        s.fp = match (
            add_sub,
            &d.operands[0],
            &d.operands[1],
            immediate(&d.operands[2]),
        ) {
            (true, Operand::RegisterOrSP(_, FP), Operand::RegisterOrSP(_, SP), Some(k)) => {
                Some(s.depth - sign * k)
            }
            _ => None,
        };
    }
    for o in &d.operands {
        match *o {
            Operand::RegPreIndex(SP, off, writeback) => {
                let off = off as i64;
                if writeback {
                    s.depth -= off;
                } else if off < 0 {
                    return Err(LowerError::RedZone(-off));
                } else {
                    *arg_bytes = (*arg_bytes).max(off - s.depth + access_bytes(d));
                }
            }
            Operand::RegPostIndex(SP, off) => s.depth -= off as i64,
            Operand::RegPreIndex(FP, off, false) => {
                if let Some(fp) = s.fp {
                    *arg_bytes = (*arg_bytes).max(off as i64 - fp + access_bytes(d));
                }
            }
            Operand::RegPostIndexReg(SP, _) => return Err(LowerError::DynamicStack),
            _ => {}
        }
    }
    if s.depth < 0 {
        // Above the entry SP: that is the caller's frame.
        return Err(LowerError::UnknownStackChange);
    }
    Ok(())
}

/// Analyses a function. `flows[i]` is the control flow of `insns[i]`; `callee_depth`
/// gives the summary depth of a called function; `dispatch_targets` the successors (code
/// offsets) of each proven jump-table dispatch, by instruction index.
pub fn analyse(
    insns: &[&Insn<'_>],
    flows: &[Flow],
    callee_depth: &dyn Fn(usize) -> u64,
    dispatch_targets: &HashMap<usize, Vec<u64>>,
) -> Result<StackSummary, Vec<(Span, LowerError)>> {
    let index_of: HashMap<u64, usize> = insns
        .iter()
        .enumerate()
        .map(|(i, n)| (n.offset, i))
        .collect();
    let mut states: Vec<Option<State>> = vec![None; insns.len()];
    let mut queue = VecDeque::new();
    let mut errors = Vec::new();
    let mut max_depth = 0i64;
    let mut arg_bytes = 0i64;
    if !insns.is_empty() {
        states[0] = Some(State::entry());
        queue.push_back(0usize);
    }
    let propagate = |to: usize,
                     s: State,
                     states: &mut Vec<Option<State>>,
                     queue: &mut VecDeque<usize>,
                     errors: &mut Vec<(Span, LowerError)>| {
        match states[to] {
            None => {
                states[to] = Some(s);
                queue.push_back(to);
            }
            Some(prev) if prev.depth != s.depth => errors.push((
                insns[to].span,
                LowerError::StackMismatch(
                    format!("{} bytes allocated", prev.depth),
                    format!("{} bytes allocated", s.depth),
                ),
            )),
            Some(prev) => {
                let merged = prev.merge(&s);
                if merged != prev {
                    states[to] = Some(merged);
                    queue.push_back(to);
                }
            }
        }
    };
    while let Some(i) = queue.pop_front() {
        if errors.len() > 8 {
            break;
        }
        let mut s = states[i].expect("queued states are set");
        let insn = insns[i];
        if let Err(e) = step(&insn.decoded, &mut s, &mut arg_bytes) {
            errors.push((insn.span, e));
            continue;
        }
        max_depth = max_depth.max(s.depth);
        let next = (i + 1 < insns.len()).then_some(i + 1);
        let target = |off: u64| index_of.get(&off).copied();
        match flows[i] {
            Flow::Next => match next {
                Some(n) => propagate(n, s, &mut states, &mut queue, &mut errors),
                None => errors.push((
                    insn.span,
                    LowerError::UnsupportedInstruction(
                        "execution runs off the end of the function".into(),
                    ),
                )),
            },
            Flow::Call(f) => {
                max_depth = max_depth.max(s.depth + callee_depth(f) as i64);
                if let Some(n) = next {
                    propagate(n, s, &mut states, &mut queue, &mut errors);
                }
            }
            Flow::Jump(off) | Flow::CondJump(off) => {
                match target(off) {
                    Some(t) => propagate(t, s, &mut states, &mut queue, &mut errors),
                    None => {
                        errors.push((insn.span, LowerError::PcRelative(insn.source.text.clone())))
                    }
                }
                if matches!(flows[i], Flow::CondJump(_))
                    && let Some(n) = next
                {
                    propagate(n, s, &mut states, &mut queue, &mut errors);
                }
            }
            Flow::Trap => {}
            Flow::Dispatch => {
                for &off in dispatch_targets.get(&i).into_iter().flatten() {
                    match target(off) {
                        Some(t) => propagate(t, s, &mut states, &mut queue, &mut errors),
                        None => errors
                            .push((insn.span, LowerError::PcRelative(insn.source.text.clone()))),
                    }
                }
            }
            Flow::Return | Flow::TailCall(_) => {
                if s.depth != 0 {
                    errors.push((
                        insn.span,
                        LowerError::UnbalancedReturn(format!("{} bytes still allocated", s.depth)),
                    ));
                }
                if let Flow::TailCall(f) = flows[i] {
                    max_depth = max_depth.max(callee_depth(f) as i64);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(StackSummary {
        max_depth: max_depth as u64,
        arg_slots_read: (arg_bytes.max(0) as u64).div_ceil(8) as u32,
    })
}
