//! What an x86-64 C function does with its argument registers, for `arg_check`: which
//! vector registers it reads (certainly, and possibly), which integer registers it may
//! read, and which integer registers' entry values it uses as memory addresses.
//!
//! "Certainly reads" must never be claimed for a register a valid function leaves unused,
//! so it counts only reads whose low element feeds the result: not the merge operand of
//! scalar instructions (`cvtsi2ss xmm0, eax`, `sqrtss xmm0, xmm1` and the first source of
//! `vcvtsi2sd xmm0, xmm0, rdi` only supply upper lanes, and compilers give them undefined
//! registers), not zeroing idioms, not shuffles that may select other lanes, not
//! merge-masked destinations; and every write kills. "May read" is the opposite
//! approximation: every read counts, only a write that replaces the register kills, and a
//! call keeps what the callee does not read (GCC's -fipa-ra keeps values in caller-saved
//! registers across calls to functions of the same file). A dereference counts when a
//! register holding an argument's entry value (plus constants) is the base of a memory
//! access with no index or a scaled index.
//!
//! Calls and tail calls pass arguments on: a callee's reads and dereferences of its entry
//! registers are the caller's at the call. Functions are analysed callee-first.

use std::cell::RefCell;

use iced_x86::{
    Code, EncodingKind, Instruction, InstructionInfo, InstructionInfoFactory, Mnemonic, OpAccess,
    OpKind, Register,
};
use rustc_hash::FxHashMap as HashMap;

use super::exact_instruction::ExactInstruction;
use super::flow::{Exit, Flow};
use super::function::Prepared;
use super::memo::Memo;
use super::registers::{CALLER_SAVED, GprSet, INT_ARGS, gpr_index};
use super::stack::StackSummary;
use crate::lower::arg_check::ArgUse;
use crate::lower::arg_origins;

/// Vector registers xmm/ymm/zmm 0–31 as a bit mask.
type VecSet = u32;
const ALL_VEC: VecSet = u32::MAX;

/// One instruction's effect on the analyses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Facts {
    /// General-purpose registers possibly read (partial writes keep the rest: a read).
    gpr_may_use: GprSet,
    /// General-purpose registers fully and unconditionally written.
    gpr_def: GprSet,
    vec_may_use: VecSet,
    /// Vector registers whose low element is unconditionally replaced.
    vec_def: VecSet,
    /// Vector registers whose low element certainly feeds the result.
    vec_certain_use: VecSet,
    /// Vector registers written in any way.
    vec_write: VecSet,
    /// `(destination, source)`: the source's low element is read if the destination's is
    /// read afterwards.
    vec_copy: Option<(u8, u8)>,
    /// Registers used as the base of a memory access that is certainly an address.
    deref: GprSet,
    writes_memory: bool,
}

fn vec_bit(r: Register) -> VecSet {
    if r.is_vector_register() {
        1 << (r.number() & 31)
    } else {
        0
    }
}

/// The mnemonic without the VEX/EVEX `v`, lower case: `vaddss` and `addss` are one family.
fn family(ins: &Instruction) -> String {
    let name = format!("{:?}", ins.mnemonic()).to_lowercase();
    match ins.encoding() {
        EncodingKind::VEX | EncodingKind::EVEX => match name.strip_prefix('v') {
            Some(rest) => rest.to_string(),
            None => name,
        },
        _ => name,
    }
}

/// Lane-wise operations with every register operand an input: scalar and packed
/// arithmetic, logic, compares and fused multiply-adds.
fn lane_wise(f: &str) -> bool {
    const EXACT: &[&str] = &[
        "addss", "addsd", "subss", "subsd", "mulss", "mulsd", "divss", "divsd", "minss", "minsd",
        "maxss", "maxsd", "cmpss", "cmpsd", "addps", "addpd", "subps", "subpd", "mulps", "mulpd",
        "divps", "divpd", "minps", "minpd", "maxps", "maxpd", "cmpps", "cmppd", "andps", "andpd",
        "andnps", "andnpd", "orps", "orpd", "xorps", "xorpd", "ucomiss", "ucomisd", "comiss",
        "comisd",
    ];
    EXACT.contains(&f)
        || ["fmadd", "fmsub", "fnmadd", "fnmsub"]
            .iter()
            .any(|p| f.starts_with(p))
}

/// Operations whose source operand's low element is an input but whose destination (or
/// VEX first source) only supplies upper lanes: conversions, square roots; and scalar
/// moves to memory or to a general-purpose register (register-to-register moves are
/// copies, see [`vector_copy`]).
fn reads_source_low_element(f: &str) -> bool {
    const EXACT: &[&str] = &[
        "sqrtss",
        "sqrtsd",
        "sqrtps",
        "sqrtpd",
        "rcpss",
        "rsqrtss",
        "roundss",
        "roundsd",
        "cvtss2sd",
        "cvtsd2ss",
        "cvtss2si",
        "cvttss2si",
        "cvtsd2si",
        "cvttsd2si",
        "cvtss2usi",
        "cvttss2usi",
        "cvtsd2usi",
        "cvttsd2usi",
        "cvtps2pd",
        "cvtpd2ps",
        "cvtdq2ps",
        "cvtps2dq",
        "cvttps2dq",
        "cvtdq2pd",
        "cvtpd2dq",
        "cvttpd2dq",
        "movss",
        "movsd",
        "movd",
        "movq",
    ];
    EXACT.contains(&f)
}

/// Moves whose destination's low element is the source's: a whole-register copy, a scalar
/// merge-move, a broadcast. They read the source only if the destination's low element is
/// read later (compilers copy undefined registers, e.g. clang -O0 after `implicit-def`).
const COPIES: &[&str] = &[
    "movaps",
    "movups",
    "movapd",
    "movupd",
    "movdqa",
    "movdqu",
    "movdqa32",
    "movdqa64",
    "movdqu8",
    "movdqu16",
    "movdqu32",
    "movdqu64",
    "movq",
    "movss",
    "movsd",
    "broadcastss",
    "broadcastsd",
    "pbroadcastb",
    "pbroadcastw",
    "pbroadcastd",
    "pbroadcastq",
];

/// `(destination, source)` vector register numbers when `ins` copies the source's low
/// element into the destination's (see [`COPIES`]; shuffles with immediate 0 broadcast).
fn vector_copy(ins: &Instruction, name: &str) -> Option<(u8, u8)> {
    if ins.op_mask() != Register::None {
        return None;
    }
    let regs: Vec<Register> = (0..ins.op_count())
        .map(|i| match ins.op_kind(i) {
            OpKind::Register => ins.op_register(i),
            _ => Register::None,
        })
        .collect();
    let vector = |r: &Register| r.is_vector_register();
    let n = |r: Register| (r.number() & 31) as u8;
    let zero_imm = ins.op_count() >= 3 && ins.immediate8() == 0;
    match (regs.as_slice(), name) {
        ([d, s], f) if COPIES.contains(&f) && vector(d) && vector(s) => Some((n(*d), n(*s))),
        // `vmovss x0, x1, x2`: x2's low element, x1's upper lanes.
        ([d, _, s], "movss" | "movsd") if vector(d) && vector(s) => Some((n(*d), n(*s))),
        ([d, s, Register::None], "pshufd" | "permilps") if zero_imm && vector(d) && vector(s) => {
            Some((n(*d), n(*s)))
        }
        ([d, s, Register::None], "shufps") if zero_imm && d == s && vector(d) => {
            Some((n(*d), n(*s)))
        }
        ([d, a, b, Register::None], "shufps") if zero_imm && a == b && vector(d) && vector(a) => {
            Some((n(*d), n(*a)))
        }
        _ => None,
    }
}

/// Shuffles that copy lane 0 when their immediate is 0 (their facts depend on the value).
fn broadcast_when_zero_immediate(m: Mnemonic) -> bool {
    matches!(
        m,
        Mnemonic::Shufps
            | Mnemonic::Vshufps
            | Mnemonic::Pshufd
            | Mnemonic::Vpshufd
            | Mnemonic::Vpermilps
    )
}

/// Whether the result does not depend on the source registers' values: `pxor x, x`,
/// `pcmpeqd x, x` (all ones), `vpsubd x, y, y`, `vpternlogd` with an all-0/all-1 table.
fn vector_idiom(ins: &Instruction, f: &str) -> bool {
    if ins.op_mask() != Register::None {
        return false;
    }
    if matches!(ins.mnemonic(), Mnemonic::Vpternlogd | Mnemonic::Vpternlogq) {
        return matches!(ins.immediate8(), 0x00 | 0xff);
    }
    const PREFIXES: &[&str] = &["pxor", "xorp", "pcmpeq", "pcmpgt", "psub", "pandn", "andnp"];
    if !PREFIXES.iter().any(|p| f.starts_with(p)) {
        return false;
    }
    let regs: Vec<Register> = (0..ins.op_count())
        .map(|i| (ins.op_kind(i), ins.op_register(i)))
        .map(|(k, r)| {
            if k == OpKind::Register {
                r
            } else {
                Register::None
            }
        })
        .collect();
    match regs.as_slice() {
        // SSE: the destination is the first source.
        [a, b] => *a != Register::None && a == b,
        [_, a, b] => *a != Register::None && a == b,
        _ => false,
    }
}

fn facts(ins: &Instruction, info: &InstructionInfo) -> Facts {
    let mut f = Facts::default();
    match ins.mnemonic() {
        // Zeroes the upper lanes only: the low lanes, where arguments live, pass through.
        Mnemonic::Vzeroupper => return f,
        Mnemonic::Nop => return f,
        _ => {}
    }
    let name = family(ins);
    let idiom = vector_idiom(ins, &name);
    for u in info.used_registers() {
        let r = u.register();
        let a = u.access();
        let read = matches!(
            a,
            OpAccess::Read | OpAccess::CondRead | OpAccess::ReadWrite | OpAccess::ReadCondWrite
        );
        let write = matches!(
            a,
            OpAccess::Write | OpAccess::CondWrite | OpAccess::ReadWrite | OpAccess::ReadCondWrite
        );
        if r.is_vector_register() {
            let b = vec_bit(r);
            if read && !idiom {
                f.vec_may_use |= b;
            }
            if write {
                f.vec_write |= b;
            }
            if a == OpAccess::Write {
                f.vec_def |= b;
            }
        } else if gpr_index(r).is_some() && r.full_register() != Register::RSP {
            let full = r.is_gpr64() || r.is_gpr32();
            if read || (a == OpAccess::Write && !full) {
                f.gpr_may_use.insert(r);
            } else if a == OpAccess::Write {
                f.gpr_def.insert(r);
            }
        }
    }
    f.vec_def &= !f.vec_may_use;
    f.gpr_def = f.gpr_def.minus(f.gpr_may_use);
    if idiom {
        // Reads nothing.
    } else if let Some(copy) = vector_copy(ins, &name) {
        f.vec_copy = Some(copy);
    } else {
        f.vec_certain_use = certain_vector_reads(ins, info, &name);
    }
    for m in info.used_memory() {
        f.writes_memory |= matches!(
            m.access(),
            OpAccess::Write | OpAccess::CondWrite | OpAccess::ReadWrite | OpAccess::ReadCondWrite
        );
        if m.access() == OpAccess::NoMemAccess || gpr_index(m.base()).is_none() {
            continue;
        }
        let base = m.base();
        let index = m.index();
        // `[b + i]` may be pointer + integer either way round; `[b + i*4]` or `[b]` is not.
        let certain = index == Register::None || index.is_vector_register() || m.scale() > 1;
        if certain && base.full_register() != Register::RSP && base.is_gpr64() {
            f.deref.insert(base);
        }
    }
    f
}

/// Vector registers whose low element `ins` certainly uses (see the module doc).
fn certain_vector_reads(ins: &Instruction, info: &InstructionInfo, name: &str) -> VecSet {
    // A merge-masked operation may leave lane 0 alone and skip its inputs.
    if ins.op_mask() != Register::None {
        return 0;
    }
    let lanes = lane_wise(name);
    if !lanes && !reads_source_low_element(name) {
        return 0;
    }
    let kind = |i: u32| ins.op_kind(i);
    let dest_written = kind(0) == OpKind::Register
        && ins.op0_register().is_vector_register()
        && matches!(
            info.op_access(0),
            OpAccess::Write | OpAccess::ReadWrite | OpAccess::CondWrite | OpAccess::ReadCondWrite
        );
    // `vaddss x0, x1, x2/m32`, `vcvtsi2sd x0, x1, r64`; not `vpermilps x0, x1, imm`.
    let two_sources = ins.op_count() >= 3
        && (kind(2) == OpKind::Memory
            || (kind(2) == OpKind::Register
                && (ins.op2_register().is_vector_register() || ins.op2_register().is_gpr())));
    let mut out = 0;
    for i in 0..ins.op_count() {
        if kind(i) != OpKind::Register {
            continue;
        }
        let r = ins.op_register(i);
        if !r.is_vector_register() {
            continue;
        }
        let access = info.op_access(i);
        let read = matches!(
            access,
            OpAccess::Read | OpAccess::CondRead | OpAccess::ReadWrite | OpAccess::ReadCondWrite
        );
        if !read {
            continue;
        }
        // The destination read by SSE forms, and the first of two VEX sources, carry
        // only upper lanes unless the operation is lane-wise.
        let merge_role = (i == 0 && dest_written) || (i == 1 && dest_written && two_sources);
        if lanes || !merge_role {
            out |= vec_bit(r);
        }
    }
    out
}

thread_local! {
    /// Facts by instruction form (they never depend on values, except for the forms
    /// `facts_of` computes directly).
    static FACTS: RefCell<Memo<ExactInstruction, Facts>> = RefCell::new(Memo::new());
}

fn facts_of(code: &[Instruction]) -> Vec<Facts> {
    let mut factory = InstructionInfoFactory::new();
    FACTS.with(|memo| {
        let mut memo = memo.borrow_mut();
        code.iter()
            .map(|ins| {
                let by_value = broadcast_when_zero_immediate(ins.mnemonic())
                    || matches!(ins.mnemonic(), Mnemonic::Vpternlogd | Mnemonic::Vpternlogq);
                if by_value {
                    return facts(ins, factory.info(ins));
                }
                let key = ExactInstruction::register_form(ins);
                match memo.get(&key) {
                    Some(f) => f,
                    None => {
                        let f = facts(ins, factory.info(ins));
                        memo.insert(key, f);
                        f
                    }
                }
            })
            .collect()
    })
}

/// What a function's callers need to know about it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    gpr_may_in: GprSet,
    vec_may_in: VecSet,
    vec_certain_in: VecSet,
    /// Bits over [`INT_ARGS`].
    derefs: u32,
}

/// Summaries of every prepared function.
pub type Summaries = HashMap<usize, Summary>;

/// Summarises every prepared function; `order` is callee-first (`call_graph`).
pub fn analyse(prepared: &HashMap<usize, Prepared<'_>>, order: &[Vec<usize>]) -> Summaries {
    let mut out: Summaries = HashMap::default();
    for scc in order {
        let facts: Vec<(usize, Vec<Facts>)> = scc
            .iter()
            .filter_map(|f| prepared.get(f).map(|p| (*f, facts_of(&p.code))))
            .collect();
        // Tail-call cycles converge in a few rounds (the sets only grow).
        for _round in 0..=scc.len() {
            let mut changed = false;
            for (f, fs) in &facts {
                let p = &prepared[f];
                let s = summarise(p, fs, &out);
                changed |= out.insert(*f, s) != Some(s);
            }
            if !changed {
                break;
            }
        }
    }
    out
}

fn summarise(p: &Prepared<'_>, facts: &[Facts], callees: &Summaries) -> Summary {
    let (gpr_may_in, vec_may_in, vec_certain_in) = liveness(&p.flow, facts, callees);
    Summary {
        gpr_may_in,
        vec_may_in,
        vec_certain_in,
        derefs: derefs(&p.flow, facts, &p.use_defs.writes, &p.code, callees),
    }
}

/// Unknown code reads everything and proves nothing.
const UNKNOWN: Summary = Summary {
    gpr_may_in: GprSet(u16::MAX),
    vec_may_in: ALL_VEC,
    vec_certain_in: 0,
    derefs: 0,
};

/// Entry liveness: (GPRs possibly read, vectors possibly read, vectors certainly read).
fn liveness(flow: &Flow, facts: &[Facts], callees: &Summaries) -> (GprSet, VecSet, VecSet) {
    let n = facts.len();
    let callee = |f: usize| callees.get(&f).copied().unwrap_or(UNKNOWN);
    let mut uses: Vec<Facts> = facts.to_vec();
    for (&i, &g) in &flow.calls {
        let s = callee(g);
        let u = &mut uses[i];
        u.gpr_may_use = u.gpr_may_use.union(s.gpr_may_in);
        u.vec_may_use |= s.vec_may_in;
        u.vec_certain_use |= s.vec_certain_in;
        // Whatever the callee does, the caller's code cannot count on vector registers
        // surviving; for "may read" nothing is killed (see the module doc).
        u.vec_write = ALL_VEC;
    }
    let exit = |e: Exit| match e {
        Exit::Return => (GprSet::EMPTY, 0, 0),
        Exit::TailCall(f) => {
            let s = callee(f);
            (s.gpr_may_in, s.vec_may_in, s.vec_certain_in)
        }
        Exit::FallOff => (UNKNOWN.gpr_may_in, UNKNOWN.vec_may_in, 0),
    };
    let mut live = vec![(GprSet::EMPTY, 0u32, 0u32); n];
    let mut changed = true;
    while changed {
        changed = false;
        for i in (0..n).rev() {
            let (mut g, mut v, mut c) = flow.exits[i].map(exit).unwrap_or_default();
            for &s in flow.succs[i].iter() {
                g = g.union(live[s].0);
                v |= live[s].1;
                c |= live[s].2;
            }
            let u = &uses[i];
            let copied = match u.vec_copy {
                Some((d, s)) if c & (1 << d) != 0 => 1 << s,
                _ => 0,
            };
            let inn = (
                u.gpr_may_use.union(g.minus(u.gpr_def)),
                u.vec_may_use | (v & !u.vec_def),
                u.vec_certain_use | copied | (c & !u.vec_write),
            );
            if inn != live[i] {
                live[i] = inn;
                changed = true;
            }
        }
    }
    live.first().copied().unwrap_or_default()
}

/// Argument origins of the general-purpose registers and spill slots (`arg_origins`).
type Origins = arg_origins::Origins<16>;

fn is_frame(r: Register) -> bool {
    matches!(r.full_register(), Register::RSP | Register::RBP)
}

/// Whether the function computes a frame address into another register (`lea rax,
/// [rbp - 8]`, `mov rax, rsp`): then a store through any pointer may change a spill slot,
/// so slots are not tracked.
fn frame_escapes(code: &[Instruction]) -> bool {
    code.iter().any(|ins| {
        let dest = ins.op0_kind() == OpKind::Register
            && ins.op0_register().is_gpr()
            && !is_frame(ins.op0_register());
        if !dest {
            return false;
        }
        if ins.mnemonic() == Mnemonic::Lea {
            return is_frame(ins.memory_base()) || is_frame(ins.memory_index());
        }
        (1..ins.op_count())
            .any(|i| ins.op_kind(i) == OpKind::Register && is_frame(ins.op_register(i)))
    })
}

/// Argument registers (bits over `INT_ARGS`) whose entry values are dereferenced.
fn derefs(
    flow: &Flow,
    facts: &[Facts],
    writes: &[GprSet],
    code: &[Instruction],
    callees: &Summaries,
) -> u32 {
    let n = facts.len();
    if n == 0 {
        return 0;
    }
    let slots = !frame_escapes(code);
    let mut out = 0u32;
    let used_as_address = |o: &Origins, regs: GprSet, out: &mut u32| {
        for i in regs.indices() {
            if let Some(k) = arg_origins::argument_of(o.get(i)) {
                *out |= 1 << k;
            }
        }
    };
    // What a callee dereferences, seen from the caller's registers at the call.
    let callee_derefs = |o: &Origins, f: usize, out: &mut u32| {
        let d = callees.get(&f).map_or(0, |s| s.derefs);
        let mut regs = GprSet::EMPTY;
        for (k, r) in INT_ARGS.iter().enumerate() {
            if d & (1 << k) != 0 {
                regs.insert(*r);
            }
        }
        used_as_address(o, regs, out);
    };
    let arg_regs: Vec<usize> = INT_ARGS.iter().filter_map(|r| gpr_index(*r)).collect();
    let mut states: Vec<Option<Origins>> = vec![None; n];
    states[0] = Some(Origins::entry(&arg_regs));
    let mut work = vec![0usize];
    while let Some(i) = work.pop() {
        let Some(mut o) = states[i] else { continue };
        used_as_address(&o, facts[i].deref, &mut out);
        if let Some(&g) = flow.calls.get(&i) {
            callee_derefs(&o, g, &mut out);
        }
        step(&code[i], &facts[i], writes[i], slots, &mut o);
        if flow.calls.contains_key(&i) {
            for r in CALLER_SAVED {
                if let Some(k) = gpr_index(r) {
                    o.set(k, arg_origins::UNKNOWN);
                }
            }
        }
        if let Some(Exit::TailCall(g)) = flow.exits[i] {
            callee_derefs(&o, g, &mut out);
        }
        for &s in flow.succs[i].iter() {
            let merged = match &states[s] {
                None => o,
                Some(prev) => prev.merge(&o),
            };
            if states[s] != Some(merged) {
                states[s] = Some(merged);
                work.push(s);
            }
        }
    }
    out
}

/// How `ins` moves argument values: copies, constant offsets and adding an integer keep
/// the origin, scaled indices are integers, eight-byte stores and loads of frame slots
/// carry origins (when `slots`), every other write loses them.
fn step(ins: &Instruction, f: &Facts, writes: GprSet, slots: bool, o: &mut Origins) {
    use arg_origins::{INTEGER, UNKNOWN, sum};
    let reg = |i: u32| (ins.op_kind(i) == OpKind::Register).then(|| ins.op_register(i));
    let get = |o: &Origins, r: Register| gpr_index(r).map_or(UNKNOWN, |i| o.get(i));
    let base = ins.memory_base();
    let index = ins.memory_index();
    let offset = ins.memory_displacement64() as i64;
    let frame_slot = slots && is_frame(base) && index == Register::None;
    let kept: Option<(Register, u8)> = match ins.code() {
        Code::Mov_r64_rm64 | Code::Mov_rm64_r64 => match (reg(0), reg(1)) {
            (Some(d), Some(s)) => Some((d, get(o, s))),
            (Some(d), None) if frame_slot => gpr_index(base).map(|b| (d, o.load(b, offset))),
            _ => None,
        },
        Code::Lea_r64_m => {
            let d = ins.op0_register();
            let scaled = ins.memory_index_scale() > 1;
            Some(match (gpr_index(base).is_some(), index) {
                (false, Register::None) => (d, UNKNOWN),
                (false, _) if scaled => (d, INTEGER),
                (false, _) => (d, UNKNOWN),
                (true, Register::None) => (d, get(o, base)),
                (true, _) if scaled => (d, sum(get(o, base), INTEGER)),
                (true, i) => (d, sum(get(o, base), get(o, i))),
            })
        }
        Code::Add_rm64_imm8
        | Code::Add_rm64_imm32
        | Code::Sub_rm64_imm8
        | Code::Sub_rm64_imm32
        | Code::Inc_rm64
        | Code::Dec_rm64 => reg(0).map(|d| (d, get(o, d))),
        Code::Add_r64_rm64 | Code::Add_rm64_r64 => match (reg(0), reg(1)) {
            (Some(d), Some(s)) => Some((d, sum(get(o, d), get(o, s)))),
            _ => None,
        },
        Code::Shl_rm64_imm8
        | Code::Shl_rm64_1
        | Code::Imul_r64_rm64_imm8
        | Code::Imul_r64_rm64_imm32 => reg(0).map(|d| (d, INTEGER)),
        _ => None,
    };
    if slots && f.writes_memory && is_frame(base) {
        let b = gpr_index(base).unwrap_or(0);
        if index != Register::None {
            o.forget_frame(b);
        } else if ins.code() == Code::Mov_rm64_r64
            && let Some(s) = reg(1)
        {
            o.store(b, offset, get(o, s));
        } else {
            let size = match ins.memory_size().size() {
                0 => 64,
                s => s as i64,
            };
            o.clobber(b, offset, size);
        }
    }
    for i in writes.indices() {
        o.set(i, UNKNOWN);
        if is_frame(super::registers::GPRS[i]) {
            o.forget_frame(i);
        }
    }
    if let Some((d, origin)) = kept
        && let Some(i) = gpr_index(d)
    {
        o.set(i, origin);
    }
}

/// The facts `arg_check` needs about function `f`.
pub fn arg_use(
    summaries: &Summaries,
    f: usize,
    precise_in: GprSet,
    stack: &StackSummary,
) -> ArgUse {
    let s = summaries.get(&f).copied().unwrap_or(UNKNOWN);
    let over_args = |set: GprSet| {
        INT_ARGS
            .iter()
            .enumerate()
            .filter(|(_, r)| set.contains(**r))
            .fold(0u32, |acc, (k, _)| acc | 1 << k)
    };
    ArgUse {
        int_reads: over_args(precise_in),
        int_may_read: over_args(s.gpr_may_in),
        float_reads: s.vec_certain_in & 0xff,
        float_may_read: s.vec_may_in & 0xff,
        derefs: s.derefs,
        stack_slots_read: stack.stack_arg_slots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Summaries of every function of `text` (functions in file order; a label not
    /// starting with `.` starts a function).
    fn summaries(text: &str) -> Vec<Summary> {
        let text: String = text
            .lines()
            .map(|l| match l.strip_suffix(':') {
                Some(name) if !name.starts_with('.') => {
                    format!(".globl {name}\n.type {name},@function\n{l}\n")
                }
                _ => format!("{l}\n"),
            })
            .collect();
        let file = crate::source::SourceFile::new("t.s", text);
        let items = crate::parse::parse_x86(&file).expect("parses");
        let program =
            crate::lower::program::build_program(items).unwrap_or_else(|_| panic!("lays out"));
        let names = crate::lower::symbols::GoNames::new(&program);
        let resolver = crate::lower::symbols::Resolver {
            program: &program,
            names: &names,
        };
        let mut prepared = HashMap::default();
        for (i, f) in program.functions.iter().enumerate() {
            let next = (i + 1 < program.functions.len()).then_some(i + 1);
            let p = super::super::function::prepare(i, f, next, &resolver)
                .unwrap_or_else(|_| panic!("prepares"));
            prepared.insert(i, p);
        }
        let order: Vec<Vec<usize>> = (0..program.functions.len())
            .rev()
            .map(|i| vec![i])
            .collect();
        let s = analyse(&prepared, &order);
        (0..program.functions.len()).map(|i| s[&i]).collect()
    }

    fn one(body: &str) -> Summary {
        summaries(&format!(
            ".intel_syntax noprefix\n.text\nf:\n{body}\n.section .rodata\n.LC0:\n.quad 0\n.quad 0\n"
        ))[0]
    }

    #[test]
    fn merge_operands_and_idioms_are_not_certain_reads() {
        for body in [
            "cvtsi2ss xmm0, edi\nret",
            "vcvtsi2sd xmm1, xmm1, rdi\nvmovaps xmm0, xmm1\nret",
            "xorps xmm0, xmm0\ncvtsi2ss xmm0, edi\nret",
            "pcmpeqd xmm2, xmm2\nmovaps xmm0, xmm2\nret",
            "vpxor xmm3, xmm3, xmm3\nvmovdqu xmmword ptr [rdi], xmm3\nret",
            "sqrtss xmm1, dword ptr [rdi]\nmovaps xmm0, xmm1\nret",
            "vzeroupper\nret",
            "shufps xmm0, xmm1, 68\nret",
            "unpcklps xmm0, xmm1\nret",
            "insertps xmm0, xmm1, 64\nret",
            "movlps xmm0, qword ptr [rdi]\nret",
            "vaddps zmm0 {k1}, zmm1, zmm2\nret",
            // A copy whose low element is overwritten before use, and a vector spill.
            "movaps xmm1, xmm0\nmovss xmm1, dword ptr [rdi]\naddss xmm1, xmm1\nret",
            "movaps xmmword ptr [rsp - 16], xmm2\nret",
            "vbroadcastss ymm1, xmm1\nret",
        ] {
            assert_eq!(one(body).vec_certain_in, 0, "{body}");
        }
    }

    #[test]
    fn real_uses_are_certain_reads() {
        for (body, regs) in [
            ("addss xmm0, dword ptr [rip + .LC0]\nret", 0b1),
            ("mulss xmm0, xmm0\nret", 0b1),
            ("vaddss xmm0, xmm1, xmm2\nret", 0b110),
            ("cvttss2si eax, xmm0\nret", 0b1),
            ("cvtss2sd xmm0, xmm0\nret", 0b1),
            ("movss dword ptr [rdi], xmm2\nret", 0b100),
            ("shufps xmm3, xmm3, 0\nmulps xmm3, xmm3\nret", 0b1000),
            (
                "vbroadcastss ymm1, xmm1\nvmovups ymmword ptr [rdi], ymm1\nvmulps ymm2, ymm1, ymm1\nret",
                0b10,
            ),
            ("movaps xmm5, xmm1\nmovss dword ptr [rdi], xmm5\nret", 0b10),
            ("ucomiss xmm0, xmm1\nret", 0b11),
            ("vfmadd213sd xmm0, xmm1, xmm2\nret", 0b111),
            ("andps xmm0, xmmword ptr [rip + .LC0]\nret", 0b1),
        ] {
            assert_eq!(one(body).vec_certain_in, regs, "{body}");
        }
    }

    #[test]
    fn may_read_keeps_merges_and_partial_writes() {
        let s = one("cvtsi2ss xmm0, edi\nret");
        assert_eq!(s.vec_may_in, 0b1);
        let s = one("movss xmm0, dword ptr [rdi]\nmov sil, 1\nmov rax, rsi\nret");
        assert_eq!(s.vec_may_in, 0);
        assert!(s.gpr_may_in.contains(Register::RSI) && s.gpr_may_in.contains(Register::RDI));
        let s = one("xor edx, edx\nmov rax, rdx\nret");
        assert!(!s.gpr_may_in.contains(Register::RDX));
    }

    #[test]
    fn dereferences_follow_copies_offsets_and_calls() {
        // rsi + 8 copied to rax, loaded through; rdx only as an index.
        let s = one("lea rax, [rsi + 8]\nmov rcx, rax\nmov eax, dword ptr [rcx + rdx*4]\nret");
        assert_eq!(s.derefs, 0b10);
        // `[rdi + rsi]`: which one is the pointer is unknown.
        assert_eq!(one("mov eax, dword ptr [rdi + rsi]\nret").derefs, 0);
        // A loop advancing the pointer.
        let s =
            one("xor eax, eax\n.L1:\nadd eax, dword ptr [rdx]\nadd rdx, 4\ndec rcx\njne .L1\nret");
        assert_eq!(s.derefs, 0b100);
        // A value overwritten is no longer the argument.
        assert_eq!(
            one("mov rdi, qword ptr [rsi]\nmov eax, dword ptr [rdi]\nret").derefs,
            0b10
        );
        // Arguments passed to a callee that dereferences them.
        let s = summaries(
            ".intel_syntax noprefix\n.text\nf:\nmov rdi, rdx\ncall g\nret\ng:\nmov eax, dword ptr [rdi]\nret\n",
        );
        assert_eq!(s[1].derefs, 0b1);
        assert_eq!(s[0].derefs, 0b100);
    }

    #[test]
    fn callees_reads_are_the_callers() {
        let s = summaries(
            ".intel_syntax noprefix\n.text\nf:\npush rbx\ncall g\npop rbx\nret\ng:\nmulss xmm1, xmm1\nmovaps xmm0, xmm1\nret\n",
        );
        assert_eq!(s[0].vec_certain_in, 0b10);
        // Tail calls too.
        let s =
            summaries(".intel_syntax noprefix\n.text\nf:\njmp g\ng:\ncvttsd2si rax, xmm2\nret\n");
        assert_eq!(s[0].vec_certain_in, 0b100);
    }
}
