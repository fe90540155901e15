//! Stack model of one C function, independent of what its prologue looks like.
//!
//! Abstract interpretation over the control-flow graph tracks the stack pointer and every
//! general-purpose register that holds a stack address, as `anchor + offset`. The entry
//! anchor is the stack pointer at entry (pointing at the return address); `and rsp, -A`
//! creates a new anchor whose distance to the entry is only known within bounds. This
//! handles shrink-wrapped prologues, several `ret`s, realignment and frame-pointer restores
//! (`mov rsp, rbp`, `lea rsp, [rbp - 40]`, `leave`) alike, and proves:
//! - the stack is balanced at every `ret` and tail call;
//! - no access below the stack pointer (red zone), no write to the return-address slot;
//! - the maximum depth (so the Go frame can reserve it) and the highest stack argument read.

use rustc_hash::FxHashMap as HashMap;

use iced_x86::{InstructionInfoFactory, Mnemonic, OpAccess, OpKind, Register};

use super::alignment::required_alignment;
use super::flow::{Exit, Flow};
use super::liveness::UseDefs;
use super::registers::{GprSet, gpr_index};
use crate::lower::LowerError;

/// What the rest of the translation needs to know about a function's stack use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StackSummary {
    /// Bytes used below the entry stack pointer (the return-address slot excluded),
    /// including callees.
    pub max_depth: u64,
    /// Number of stack argument slots read or written (0 = none).
    pub stack_arg_slots: u32,
    /// Largest `and rsp, -A` alignment used (1 when none).
    pub max_align: u64,
}

const ENTRY: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Val {
    Unknown,
    /// Address = anchor + off.
    Rel {
        anchor: u32,
        off: i64,
    },
}

impl Val {
    fn add(self, d: i64) -> Val {
        match self {
            Val::Rel { anchor, off } => Val::Rel {
                anchor,
                off: off + d,
            },
            Val::Unknown => Val::Unknown,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    sp: Val,
    regs: [Val; 16],
}

/// Where an anchor lies relative to the entry stack pointer, and its known alignment.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    lo: i64,
    hi: i64,
    /// The anchor address is ≡ `residue` (mod `modulus`).
    modulus: u64,
    residue: u64,
}

/// The entry stack pointer points at the return address of a call made with a 16-byte
/// aligned stack: entry ≡ 8 (mod 16).
const ENTRY_ANCHOR: Anchor = Anchor {
    lo: 0,
    hi: 0,
    modulus: 16,
    residue: 8,
};

/// The entry stack pointer of a Go function: only 8-byte aligned (go-abi-rules.md §3.1).
const GO_ENTRY_ANCHOR: Anchor = Anchor {
    lo: 0,
    hi: 0,
    modulus: 8,
    residue: 0,
};

type Fail = (usize, LowerError);

struct Analysis<'a> {
    code: &'a [iced_x86::Instruction],
    /// General-purpose registers each instruction may write (`UseDefs::writes`).
    writes: &'a [GprSet],
    /// `UseDefs::stack_free`: the fixpoint is known without iterating.
    stack_free: bool,
    flow: &'a Flow,
    callees: &'a HashMap<usize, StackSummary>,
    info: InstructionInfoFactory,
    /// `and rsp, -A` at instruction i creates anchor i with alignment A.
    anchor_align: HashMap<u32, u64>,
    /// What is known about the entry stack pointer.
    entry: Anchor,
    /// Set when a memory operand that faults if misaligned is not proven aligned (only
    /// checked under [`GO_ENTRY_ANCHOR`]).
    misaligned: bool,
}

/// Analyses one function. `callees` holds the summaries of every function it calls or
/// tail-calls (callers analyse callees first; recursion is rejected before this).
pub fn analyse(
    code: &[iced_x86::Instruction],
    uses: &UseDefs,
    flow: &Flow,
    callees: &HashMap<usize, StackSummary>,
) -> Result<StackSummary, Fail> {
    let mut a = Analysis::new(code, uses, flow, callees, ENTRY_ANCHOR);
    let states = a.fixpoint()?;
    let anchors = a.anchor_bounds(&states)?;
    a.check_and_measure(&states, &anchors)
}

/// The stack depth of a leaf function (no calls, no tail calls) when it runs directly on
/// the Go stack, whose entry stack pointer is only 8-byte aligned: realignments may then
/// move the stack pointer further down than under System V's entry alignment. `None` when
/// the code depends on System V's alignment — a memory operand that faults when misaligned
/// ([`required_alignment`]) is not proven aligned through a realignment of the code's own —
/// or calls other code, or the analysis fails under the weaker assumption.
pub fn depth_at_go_sp(
    code: &[iced_x86::Instruction],
    uses: &UseDefs,
    flow: &Flow,
    system_v: &StackSummary,
) -> Option<u64> {
    let tail_calls = flow
        .exits
        .iter()
        .any(|e| matches!(e, Some(Exit::TailCall(_))));
    if !flow.calls.is_empty() || tail_calls {
        return None;
    }
    if !entry_alignment_matters(code) {
        return Some(system_v.max_depth);
    }
    let callees = HashMap::default();
    let mut a = Analysis::new(code, uses, flow, &callees, GO_ENTRY_ANCHOR);
    let states = a.fixpoint().ok()?;
    let anchors = a.anchor_bounds(&states).ok()?;
    let summary = a.check_and_measure(&states, &anchors).ok()?;
    (!a.misaligned).then_some(summary.max_depth)
}

/// Whether the entry alignment can change the analysis: only through `and rsp, -16` (the
/// one realignment that System V's entry alignment alone can make a no-op; smaller ones
/// are no-ops and larger ones realign under both entries) or a memory operand that must be
/// aligned. Without either, the analysis under Go's entry is the System V one.
fn entry_alignment_matters(code: &[iced_x86::Instruction]) -> bool {
    code.iter().any(|ins| {
        let realigns_by_16 = ins.mnemonic() == Mnemonic::And
            && ins.op_count() == 2
            && ins.op0_kind() == OpKind::Register
            && ins.op0_register() == Register::RSP
            && is_immediate(ins.op1_kind())
            && ins.immediate(1) as i64 == -16;
        let aligned_memory = (0..ins.op_count()).any(|op| ins.op_kind(op) == OpKind::Memory)
            && !ins.is_ip_rel_memory_operand()
            && !(ins.memory_base() == Register::None && ins.memory_index() == Register::None)
            && required_alignment(ins).is_some();
        realigns_by_16 || aligned_memory
    })
}

impl<'a> Analysis<'a> {
    fn new(
        code: &'a [iced_x86::Instruction],
        uses: &'a UseDefs,
        flow: &'a Flow,
        callees: &'a HashMap<usize, StackSummary>,
        entry: Anchor,
    ) -> Analysis<'a> {
        Analysis {
            code,
            writes: &uses.writes,
            stack_free: uses.stack_free,
            flow,
            callees,
            info: InstructionInfoFactory::new(),
            anchor_align: HashMap::default(),
            entry,
            misaligned: false,
        }
    }

    fn fixpoint(&mut self) -> Result<Vec<Option<State>>, Fail> {
        let n = self.code.len();
        let mut states: Vec<Option<State>> = vec![None; n];
        if n == 0 {
            return Ok(states);
        }
        let mut entry = State {
            sp: Val::Rel {
                anchor: ENTRY,
                off: 0,
            },
            regs: [Val::Unknown; 16],
        };
        entry.regs[4] = entry.sp;
        // Touching the stack pointer only by `ret`, the function leaves it and every
        // register as at entry: that is the fixpoint, without iterating.
        if self.stack_free {
            let reachable = self.flow.reachable();
            return Ok(reachable
                .into_iter()
                .map(|r| r.then(|| entry.clone()))
                .collect());
        }
        states[0] = Some(entry);
        let mut work = vec![0usize];
        let mut visits = 0usize;
        while let Some(i) = work.pop() {
            visits += 1;
            if visits > 64 * n + 1024 {
                return Err((i, LowerError::UnknownStackChange));
            }
            let post = match &states[i] {
                Some(pre) => self.transfer(i, pre)?,
                None => continue,
            };
            for &s in self.flow.succs[i].iter() {
                let merged = match &states[s] {
                    None => Some(post.clone()),
                    Some(old) => merge(old, &post).map_err(|e| (s, e))?,
                };
                if let Some(m) = merged {
                    states[s] = Some(m);
                    work.push(s);
                }
            }
        }
        Ok(states)
    }

    fn anchor(&self, id: u32) -> Anchor {
        if id == ENTRY {
            return self.entry;
        }
        let a = self.anchor_align.get(&id).copied().unwrap_or(16);
        Anchor {
            lo: 0,
            hi: 0,
            modulus: a,
            residue: 0,
        }
    }

    fn is_aligned(&self, v: Val, align: u64) -> bool {
        match v {
            Val::Rel { anchor, off } => {
                let a = self.anchor(anchor);
                a.modulus >= align && (a.residue as i64 + off).rem_euclid(align as i64) == 0
            }
            Val::Unknown => false,
        }
    }

    /// The state after instruction `i`.
    fn transfer(&mut self, i: usize, pre: &State) -> Result<State, Fail> {
        let ins = &self.code[i];
        let mut post = pre.clone();
        let fail = |e: LowerError| Err((i, e));

        // Registers written by the instruction lose what we knew, unless a pattern below
        // re-establishes it.
        let written = self.writes[i];
        let sp_written = written.contains(Register::RSP);
        for g in written.indices().filter(|&g| g != 4) {
            post.regs[g] = Val::Unknown;
        }
        let reg0 =
            (ins.op_count() > 0 && ins.op0_kind() == OpKind::Register).then(|| ins.op0_register());
        let full64 = |r: Option<Register>| r.filter(|r| r.is_gpr64());

        match ins.mnemonic() {
            Mnemonic::Call => {
                // A local callee returns with the stack balanced, preserving callee-saved
                // registers; the others are clobbered.
                for r in super::registers::CALLER_SAVED {
                    if let Some(g) = gpr_index(r) {
                        post.regs[g] = Val::Unknown;
                    }
                }
                post.sp = pre.sp;
                post.regs[4] = post.sp;
                return Ok(post);
            }
            Mnemonic::Ret => {
                post.sp = pre.sp.add(8);
                post.regs[4] = post.sp;
                return Ok(post);
            }
            Mnemonic::Leave => {
                post.sp = pre.regs[5].add(8);
                post.regs[5] = Val::Unknown;
                post.regs[4] = post.sp;
                if post.sp == Val::Unknown {
                    return fail(LowerError::UnknownStackChange);
                }
                return Ok(post);
            }
            Mnemonic::Enter => return fail(LowerError::UnknownStackChange),
            _ => {}
        }

        let inc = ins.stack_pointer_increment();
        if inc != 0 {
            // push/pop/pushf/popf…: the implicit adjustment. `pop rsp` is not modelled.
            if ins.mnemonic() == Mnemonic::Pop && full64(reg0) == Some(Register::RSP) {
                return fail(LowerError::UnknownStackChange);
            }
            post.sp = pre.sp.add(inc as i64);
            post.regs[4] = post.sp;
            return Ok(post);
        }

        if sp_written {
            post.sp = self.sp_write(i, pre)?;
            post.regs[4] = post.sp;
            return Ok(post);
        }

        // Copies of stack addresses into other registers (frame pointers, DRAP).
        if let Some(dst) = full64(reg0) {
            let g = gpr_index(dst).unwrap_or(0);
            match ins.mnemonic() {
                Mnemonic::Mov if ins.op1_kind() == OpKind::Register => {
                    if let Some(s) = full64(Some(ins.op1_register())).and_then(gpr_index) {
                        post.regs[g] = pre.regs[s];
                    }
                }
                Mnemonic::Lea if ins.memory_index() == Register::None => {
                    if let Some(b) = gpr_index(ins.memory_base()) {
                        post.regs[g] = pre.regs[b].add(ins.memory_displacement64() as i64);
                    }
                }
                Mnemonic::Add | Mnemonic::Sub if is_immediate(ins.op1_kind()) => {
                    let v = ins.immediate(1) as i64;
                    let d = if ins.mnemonic() == Mnemonic::Add {
                        v
                    } else {
                        -v
                    };
                    post.regs[g] = pre.regs[g].add(d);
                }
                _ => {}
            }
        }
        Ok(post)
    }

    /// The new stack pointer after an explicit write to rsp.
    fn sp_write(&mut self, i: usize, pre: &State) -> Result<Val, Fail> {
        let ins = &self.code[i];
        let fail = |e: LowerError| Err((i, e));
        let dst_is_rsp = ins.op_count() > 0
            && ins.op0_kind() == OpKind::Register
            && ins.op0_register() == Register::RSP;
        if !dst_is_rsp {
            return fail(LowerError::UnknownStackChange);
        }
        let new = match ins.mnemonic() {
            Mnemonic::Sub | Mnemonic::Add => {
                if !is_immediate(ins.op1_kind()) {
                    return fail(LowerError::DynamicStack);
                }
                let v = ins.immediate(1) as i64;
                pre.sp.add(if ins.mnemonic() == Mnemonic::Add {
                    v
                } else {
                    -v
                })
            }
            Mnemonic::And if is_immediate(ins.op1_kind()) => {
                let mask = ins.immediate(1) as i64;
                let align = mask.wrapping_neg();
                if mask >= 0 || align & (align - 1) != 0 {
                    return fail(LowerError::UnknownStackChange);
                }
                let align = align as u64;
                if self.is_aligned(pre.sp, align) {
                    pre.sp
                } else {
                    self.anchor_align.insert(i as u32, align);
                    Val::Rel {
                        anchor: i as u32,
                        off: 0,
                    }
                }
            }
            Mnemonic::Mov if ins.op1_kind() == OpKind::Register => {
                match gpr_index(ins.op1_register()) {
                    Some(s) if ins.op1_register().is_gpr64() => pre.regs[s],
                    _ => Val::Unknown,
                }
            }
            Mnemonic::Lea if ins.memory_index() == Register::None => {
                match gpr_index(ins.memory_base()) {
                    Some(b) => pre.regs[b].add(ins.memory_displacement64() as i64),
                    None => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        };
        if new == Val::Unknown {
            let by_register = matches!(ins.mnemonic(), Mnemonic::Sub | Mnemonic::Add);
            return fail(if by_register {
                LowerError::DynamicStack
            } else {
                LowerError::UnknownStackChange
            });
        }
        Ok(new)
    }

    /// Bounds of every realignment anchor relative to the entry.
    fn anchor_bounds(&self, states: &[Option<State>]) -> Result<HashMap<u32, Anchor>, Fail> {
        let mut out: HashMap<u32, Anchor> = HashMap::default();
        out.insert(ENTRY, self.entry);
        // Anchors depend on the anchor of the stack pointer they realign; resolve in
        // dependency order, rejecting cycles.
        let mut pending: Vec<u32> = self.anchor_align.keys().copied().collect();
        pending.sort_unstable();
        let mut progress = true;
        while !pending.is_empty() && progress {
            progress = false;
            pending.retain(|&id| {
                let i = id as usize;
                let Some(Some(pre)) = states.get(i) else {
                    return false;
                };
                let Val::Rel { anchor, off } = pre.sp else {
                    return false;
                };
                let Some(base) = out.get(&anchor).copied() else {
                    return true;
                };
                let align = self.anchor_align[&id];
                // Realigning can move the stack pointer down by up to align - 8 bytes (it
                // is always at least 8-byte aligned).
                let a = Anchor {
                    lo: base.lo + off - (align as i64 - 8),
                    hi: base.hi + off,
                    modulus: align,
                    residue: 0,
                };
                out.insert(id, a);
                progress = true;
                false
            });
        }
        if let Some(id) = pending.first() {
            return Err((*id as usize, LowerError::UnknownStackChange));
        }
        Ok(out)
    }

    fn check_and_measure(
        &mut self,
        states: &[Option<State>],
        anchors: &HashMap<u32, Anchor>,
    ) -> Result<StackSummary, Fail> {
        let bounds = |v: Val| -> Option<(i64, i64)> {
            match v {
                Val::Rel { anchor, off } => anchors.get(&anchor).map(|a| (a.lo + off, a.hi + off)),
                Val::Unknown => None,
            }
        };
        let mut summary = StackSummary {
            max_depth: 0,
            stack_arg_slots: 0,
            max_align: 1,
        };
        let mut lowest: i64 = 0;
        for (i, st) in states.iter().enumerate() {
            let Some(pre) = st else { continue };
            let ins = &self.code[i];
            let (sp_lo, sp_hi) = bounds(pre.sp).ok_or((i, LowerError::UnknownStackChange))?;
            lowest = lowest.min(sp_lo);
            let inc = ins.stack_pointer_increment() as i64;
            if inc < 0 && ins.mnemonic() != Mnemonic::Call {
                lowest = lowest.min(sp_lo + inc);
            }
            if let Some(&align) = self.anchor_align.get(&(i as u32)) {
                summary.max_align = summary.max_align.max(align);
            }
            if let Some(&callee) = self.flow.calls.get(&i) {
                let c = self.callees.get(&callee).copied().unwrap_or_default();
                // The callee's entry is 8 bytes (the return address) below the call site.
                lowest = lowest.min(sp_lo - 8 - c.max_depth as i64);
                summary.max_align = summary.max_align.max(c.max_align);
            }
            match self.flow.exits[i] {
                Some(Exit::Return) => {
                    if pre.sp
                        != (Val::Rel {
                            anchor: ENTRY,
                            off: 0,
                        })
                    {
                        return Err((i, LowerError::UnbalancedReturn(describe(pre.sp))));
                    }
                }
                Some(Exit::TailCall(callee)) => {
                    if pre.sp
                        != (Val::Rel {
                            anchor: ENTRY,
                            off: 0,
                        })
                    {
                        return Err((i, LowerError::UnbalancedReturn(describe(pre.sp))));
                    }
                    let c = self.callees.get(&callee).copied().unwrap_or_default();
                    lowest = lowest.min(-(c.max_depth as i64));
                    summary.stack_arg_slots = summary.stack_arg_slots.max(c.stack_arg_slots);
                    summary.max_align = summary.max_align.max(c.max_align);
                }
                Some(Exit::FallOff) | None => {}
            }
            self.check_memory(i, pre, sp_lo, sp_hi, &bounds, &mut summary)?;
            if self.entry.modulus < ENTRY_ANCHOR.modulus && !self.alignment_holds(i, pre) {
                self.misaligned = true;
            }
        }
        summary.max_depth = (-lowest) as u64;
        Ok(summary)
    }

    /// Whether instruction `i`'s memory operand is aligned as much as it must be
    /// ([`required_alignment`]) whatever the entry alignment: an operand that needs
    /// alignment must be a stack address proven aligned — through a realignment, since the
    /// entry alone proves only 8 — or outside the stack (RIP-relative, absolute). An address
    /// the model does not follow (an indexed one, or a register it lost track of) might be
    /// on the stack, so it does not hold.
    fn alignment_holds(&self, i: usize, pre: &State) -> bool {
        let ins = &self.code[i];
        if !(0..ins.op_count()).any(|op| ins.op_kind(op) == OpKind::Memory) {
            return true;
        }
        let Some(align) = required_alignment(ins) else {
            return true;
        };
        let (base, index) = (ins.memory_base(), ins.memory_index());
        if ins.is_ip_rel_memory_operand() || (base == Register::None && index == Register::None) {
            return true;
        }
        match gpr_index(base) {
            Some(g) if index == Register::None => {
                self.is_aligned(pre.regs[g].add(ins.memory_displacement64() as i64), align)
            }
            _ => false,
        }
    }

    fn check_memory(
        &mut self,
        i: usize,
        pre: &State,
        sp_lo: i64,
        sp_hi: i64,
        bounds: &dyn Fn(Val) -> Option<(i64, i64)>,
        summary: &mut StackSummary,
    ) -> Result<(), Fail> {
        let ins = &self.code[i];
        for op in 0..ins.op_count() {
            if ins.op_kind(op) != OpKind::Memory {
                continue;
            }
            let base = ins.memory_base();
            // An indexed access's offset is unknown; it addresses an array the code placed
            // above the stack pointer.
            if ins.memory_index() != Register::None || ins.is_ip_rel_memory_operand() {
                continue;
            }
            let Some(g) = gpr_index(base) else { continue };
            let val = pre.regs[g];
            let disp = ins.memory_displacement64() as i64;
            let Some((lo, hi)) = bounds(val.add(disp)) else {
                continue;
            };
            let is_lea = ins.mnemonic() == Mnemonic::Lea;
            if is_lea {
                continue;
            }
            let same_anchor = matches!((val, pre.sp), (Val::Rel { anchor: a, .. }, Val::Rel { anchor: b, .. }) if a == b);
            let below = if same_anchor { hi < sp_hi } else { hi < sp_lo };
            if below {
                let by = if same_anchor { sp_hi - hi } else { sp_lo - hi };
                return Err((i, LowerError::RedZone(by)));
            }
            if lo == hi && lo >= 0 {
                // Asked only for accesses at or above the entry stack pointer (rare).
                let access = self.info.info(ins).op_access(op);
                let writes = matches!(
                    access,
                    OpAccess::Write
                        | OpAccess::CondWrite
                        | OpAccess::ReadWrite
                        | OpAccess::ReadCondWrite
                );
                if lo < 8 {
                    if writes {
                        return Err((i, LowerError::ReturnAddressWrite));
                    }
                } else {
                    let size = ins.memory_size().size().max(1) as i64;
                    let last_slot = (lo + size - 1 - 8) / 8;
                    summary.stack_arg_slots = summary.stack_arg_slots.max(last_slot as u32 + 1);
                }
            }
        }
        Ok(())
    }
}

fn is_immediate(k: OpKind) -> bool {
    matches!(
        k,
        OpKind::Immediate8
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate64
            | OpKind::Immediate8to16
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
            | OpKind::Immediate32to64
    )
}

fn describe(v: Val) -> String {
    match v {
        Val::Rel { anchor: ENTRY, off } => format!("{} bytes pushed", -off),
        Val::Rel { .. } => "stack realigned and not restored".into(),
        Val::Unknown => "unknown stack pointer".into(),
    }
}

/// Joins the state on a new path into the known one: `Some(new)` when it changed.
fn merge(old: &State, new: &State) -> Result<Option<State>, LowerError> {
    if old.sp != new.sp {
        return Err(LowerError::StackMismatch(
            describe(old.sp),
            describe(new.sp),
        ));
    }
    let widens = |g: usize| old.regs[g] != new.regs[g] && old.regs[g] != Val::Unknown;
    if !(0..16).any(widens) {
        return Ok(None);
    }
    let mut m = old.clone();
    for g in (0..16).filter(|&g| widens(g)) {
        m.regs[g] = Val::Unknown;
    }
    Ok(Some(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::x86::flow::Transfer;
    use crate::lower::x86::liveness::use_defs;
    use iced_x86::{Code, Instruction};

    fn summaries(
        code: &[Instruction],
        transfers: &[Transfer],
    ) -> (bool, StackSummary, StackSummary) {
        let flow = Flow::build(transfers, None);
        let mut callees = HashMap::default();
        callees.insert(
            7,
            StackSummary {
                max_depth: 24,
                stack_arg_slots: 2,
                max_align: 32,
            },
        );
        let mut uses = use_defs(code);
        let free = uses.stack_free;
        let fast = analyse(code, &uses, &flow, &callees).expect("fast path");
        uses.stack_free = false;
        let full = analyse(code, &uses, &flow, &callees).expect("full analysis");
        (free, fast, full)
    }

    #[test]
    fn stack_free_shortcut_agrees_with_the_full_analysis() {
        // mov rax, rdi ; test rax, rax ; je tail ; ret ; tail: jmp f7
        let code = vec![
            Instruction::with2(Code::Mov_r64_rm64, Register::RAX, Register::RDI).expect("mov"),
            Instruction::with2(Code::Test_rm64_r64, Register::RAX, Register::RAX).expect("test"),
            Instruction::with_branch(Code::Je_rel32_64, 0).expect("je"),
            Instruction::with(Code::Retnq),
            Instruction::with_branch(Code::Jmp_rel32_64, 0).expect("jmp"),
        ];
        let transfers = [
            Transfer::Next,
            Transfer::Next,
            Transfer::Jump {
                target: Some(4),
                conditional: true,
            },
            Transfer::Return,
            Transfer::TailCall {
                callee: 7,
                conditional: false,
            },
        ];
        let (free, fast, full) = summaries(&code, &transfers);
        assert!(free);
        assert_eq!(fast, full);
        assert_eq!(fast.max_depth, 24);
        // A push touches the stack pointer: no shortcut.
        let code = vec![
            Instruction::with1(Code::Push_r64, Register::RBX).expect("push"),
            Instruction::with1(Code::Pop_r64, Register::RBX).expect("pop"),
            Instruction::with(Code::Retnq),
        ];
        let (free, _, full) = summaries(&code, &[Transfer::Next, Transfer::Next, Transfer::Return]);
        assert!(!free);
        assert_eq!(full.max_depth, 8);
    }

    /// The Go-entry depth of `code` (straight-line, ends in `ret`), rerun in full and by
    /// the shortcut.
    fn go_depths(code: &[Instruction]) -> (Option<u64>, Option<u64>, bool) {
        let mut transfers = vec![Transfer::Next; code.len()];
        if let Some(last) = transfers.last_mut() {
            *last = Transfer::Return;
        }
        let flow = Flow::build(&transfers, None);
        let uses = use_defs(code);
        let sysv = analyse(code, &uses, &flow, &HashMap::default()).expect("System V");
        let callees = HashMap::default();
        let mut a = Analysis::new(code, &uses, &flow, &callees, GO_ENTRY_ANCHOR);
        let states = a.fixpoint().expect("fixpoint");
        let anchors = a.anchor_bounds(&states).expect("anchors");
        let full = a.check_and_measure(&states, &anchors).expect("measure");
        let full = (!a.misaligned).then_some(full.max_depth);
        (
            full,
            depth_at_go_sp(code, &uses, &flow, &sysv),
            entry_alignment_matters(code),
        )
    }

    #[test]
    fn go_entry_depth_shortcut_agrees_with_the_full_rerun() {
        let i1 = |c, r| Instruction::with1(c, r).expect("instruction");
        let i2 = |c, r, v: i32| Instruction::with2(c, r, v).expect("instruction");
        let rr = |c, a, b| Instruction::with2(c, a, b).expect("instruction");
        let spill = Instruction::with2(
            Code::Mov_rm64_r64,
            iced_x86::MemoryOperand::with_base(Register::RSP),
            Register::RDI,
        )
        .expect("mov");
        let prologue = |align: i32| {
            vec![
                i1(Code::Push_r64, Register::RBP),
                rr(Code::Mov_r64_rm64, Register::RBP, Register::RSP),
                i2(Code::And_rm64_imm8, Register::RSP, align),
                i2(Code::Sub_rm64_imm8, Register::RSP, 24),
                spill,
                rr(Code::Mov_r64_rm64, Register::RSP, Register::RBP),
                i1(Code::Pop_r64, Register::RBP),
                Instruction::with(Code::Retnq),
            ]
        };
        // -mstackrealign's `and rsp, -8` (no aligned slot): the shortcut applies.
        let (full, short, matters) = go_depths(&prologue(-8));
        assert!(!matters);
        assert_eq!(full, Some(32));
        assert_eq!(short, full);
        // `and rsp, -16` right after `push rbp` is a no-op for System V (entry + 8 is
        // 16-aligned) but not at Go's SP: 8 more bytes, found by the rerun.
        let (full, short, matters) = go_depths(&prologue(-16));
        assert!(matters);
        assert_eq!(full, Some(40));
        assert_eq!(short, full);
        // An aligned spill below an unrealigned SP depends on System V's entry.
        let mut code = prologue(-8);
        code[4] = Instruction::with2(
            Code::Movaps_xmmm128_xmm,
            iced_x86::MemoryOperand::with_base(Register::RSP),
            Register::XMM0,
        )
        .expect("movaps");
        let (full, short, matters) = go_depths(&code);
        assert!(matters);
        assert_eq!((full, short), (None, None));
    }
}
