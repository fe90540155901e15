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

use iced_x86::{
    Code, EncodingKind, Instruction, InstructionInfo, Mnemonic, OpAccess, OpKind, Register,
};
use rustc_hash::FxHashMap as HashMap;

use super::flow::{Exit, Flow};
use super::function::Prepared;
use super::registers::{CALLER_SAVED, GprSet, INT_ARGS, gpr_index};
use super::stack::StackSummary;
use crate::lower::arg_check::ArgUse;
use crate::lower::arg_origins;

/// Vector registers xmm/ymm/zmm 0–31 as a bit mask.
type VecSet = u32;
const ALL_VEC: VecSet = u32::MAX;

/// One instruction's effect on the analyses (computed with the liveness facts, from one
/// instruction-info query per instruction form: `liveness::use_defs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
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
    /// Writes memory addressed from rbp or rsp.
    frame_write: bool,
    moves: Move,
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

pub(super) fn facts(ins: &Instruction, info: &InstructionInfo) -> Facts {
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
    f.moves = move_of(ins);
    for m in info.used_memory() {
        f.frame_write |= is_frame(m.base())
            && matches!(
                m.access(),
                OpAccess::Write
                    | OpAccess::CondWrite
                    | OpAccess::ReadWrite
                    | OpAccess::ReadCondWrite
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

/// Forms whose facts depend on an immediate, so they cannot be remembered by form.
pub(super) fn by_value(ins: &Instruction) -> bool {
    broadcast_when_zero_immediate(ins.mnemonic())
        || matches!(ins.mnemonic(), Mnemonic::Vpternlogd | Mnemonic::Vpternlogq)
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
pub fn analyse(prepared: &HashMap<usize, Prepared>, order: &[Vec<usize>]) -> Summaries {
    let mut out: Summaries = HashMap::default();
    for scc in order {
        summarise_component(prepared, scc, &mut out);
    }
    out
}

/// Summarises the functions of the callee-first component `scc` into `out`, which holds
/// their callees' summaries: tail-call cycles converge in a few rounds (the sets only
/// grow), anything else in one.
pub(super) fn summarise_component(
    prepared: &HashMap<usize, Prepared>,
    scc: &[usize],
    out: &mut Summaries,
) {
    let rounds = if super::function::is_cycle(prepared, scc) {
        scc.len() + 1
    } else {
        1
    };
    for _round in 0..rounds {
        let mut changed = false;
        for f in scc {
            let Some(p) = prepared.get(f) else {
                continue;
            };
            let s = summarise(p, &p.use_defs.arg_facts, out);
            changed |= out.insert(*f, s) != Some(s);
        }
        if !changed {
            break;
        }
    }
}

pub(super) fn summarise(p: &Prepared, facts: &[Facts], callees: &Summaries) -> Summary {
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

/// The three live sets packed in one word, so the fixpoint below is a few integer
/// operations per instruction: GPRs possibly read (bits 0–15), vector registers certainly
/// read (16–47), xmm0–7 possibly read (48–55; "may read" has no copies, so no other vector
/// register can make them live).
fn pack(gpr_may: GprSet, vec_certain: VecSet, vec_may: VecSet) -> u64 {
    gpr_may.0 as u64 | (vec_certain as u64) << 16 | ((vec_may & 0xff) as u64) << 48
}

fn unpack(w: u64) -> (GprSet, VecSet, VecSet) {
    (
        GprSet(w as u16),
        (w >> 16) as u32,
        ((w >> 48) & 0xff) as u32,
    )
}

/// Entry liveness: (GPRs possibly read, vectors possibly read, vectors certainly read).
fn liveness(flow: &Flow, facts: &[Facts], callees: &Summaries) -> (GprSet, VecSet, VecSet) {
    let n = facts.len();
    let callee = |f: usize| callees.get(&f).copied().unwrap_or(UNKNOWN);
    let mut gen_: Vec<u64> = facts
        .iter()
        .map(|f| pack(f.gpr_may_use, f.vec_certain_use, f.vec_may_use))
        .collect();
    let mut kill: Vec<u64> = facts
        .iter()
        .map(|f| pack(f.gpr_def, f.vec_write, f.vec_def))
        .collect();
    for (&i, &g) in &flow.calls {
        let s = callee(g);
        gen_[i] |= pack(s.gpr_may_in, s.vec_certain_in, s.vec_may_in);
        // Whatever the callee does, the caller's code cannot count on vector registers
        // surviving; for "may read" nothing is killed (see the module doc).
        kill[i] |= pack(GprSet::EMPTY, ALL_VEC, 0);
    }
    let exit = |e: Exit| match e {
        Exit::Return => 0,
        Exit::TailCall(f) => {
            let s = callee(f);
            pack(s.gpr_may_in, s.vec_certain_in, s.vec_may_in)
        }
        Exit::FallOff => pack(UNKNOWN.gpr_may_in, 0, UNKNOWN.vec_may_in),
    };
    let mut live = vec![0u64; n];
    let mut changed = true;
    while changed {
        changed = false;
        for i in (0..n).rev() {
            let mut out = flow.exits[i].map(exit).unwrap_or_default();
            for &s in flow.succs[i].iter() {
                out |= live[s];
            }
            let copied = match facts[i].vec_copy {
                Some((d, s)) if out & (1 << (16 + d)) != 0 => 1 << (16 + s),
                _ => 0,
            };
            let inn = gen_[i] | copied | (out & !kill[i]);
            if inn != live[i] {
                live[i] = inn;
                changed = true;
            }
        }
    }
    let (g, certain, may) = unpack(live.first().copied().unwrap_or_default());
    (g, may, certain)
}

/// Argument origins of the general-purpose registers and of `S` spill slots
/// (`arg_origins`).
type Origins<const S: usize> = arg_origins::Origins<16, S>;

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

/// Whether the function stores a register to a frame slot (`mov [rbp - 8], rdi`, -O0
/// style) without ever taking a frame address: then slots are worth tracking.
fn spills(code: &[Instruction]) -> bool {
    code.iter().any(|ins| {
        ins.code() == Code::Mov_rm64_r64
            && ins.op0_kind() == OpKind::Memory
            && is_frame(ins.memory_base())
    }) && !frame_escapes(code)
}

/// Argument registers (bits over `INT_ARGS`) whose entry values are dereferenced.
fn derefs(
    flow: &Flow,
    facts: &[Facts],
    writes: &[GprSet],
    code: &[Instruction],
    callees: &Summaries,
) -> u32 {
    let calls = !flow.calls.is_empty()
        || flow
            .exits
            .iter()
            .any(|e| matches!(e, Some(Exit::TailCall(_))));
    if !calls && facts.iter().all(|f| f.deref == GprSet::EMPTY) {
        return 0;
    }
    if spills(code) {
        derefs_with::<{ arg_origins::SLOTS }>(flow, facts, writes, code, callees)
    } else {
        derefs_with::<0>(flow, facts, writes, code, callees)
    }
}

fn derefs_with<const S: usize>(
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
    let mut out = 0u32;
    let used_as_address = |o: &Origins<S>, regs: GprSet, out: &mut u32| {
        let mut bits = regs.0;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if let Some(k) = arg_origins::argument_of(o.get(i)) {
                *out |= 1 << k;
            }
        }
    };
    // What a callee dereferences, seen from the caller's registers at the call.
    let callee_derefs = |o: &Origins<S>, f: usize, out: &mut u32| {
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
    let calls = !flow.calls.is_empty();
    arg_origins::forward(
        n,
        |i| &flow.succs[i],
        Origins::<S>::entry(&arg_regs),
        |i, o| {
            if facts[i].deref != GprSet::EMPTY {
                used_as_address(o, facts[i].deref, &mut out);
            }
            let call = if calls {
                flow.calls.get(&i).copied()
            } else {
                None
            };
            if let Some(g) = call {
                callee_derefs(o, g, &mut out);
            }
            step(&code[i], &facts[i], writes[i], o);
            if call.is_some() {
                for r in CALLER_SAVED {
                    if let Some(k) = gpr_index(r) {
                        o.set(k, arg_origins::UNKNOWN);
                    }
                }
            }
            if let Some(Exit::TailCall(g)) = flow.exits[i] {
                callee_derefs(o, g, &mut out);
            }
        },
    );
    out
}

/// How an instruction moves argument values between general-purpose registers (numbered
/// as `registers::GPRS`), decided once per instruction form.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Move {
    /// Whatever it writes is unknown afterwards.
    #[default]
    Other,
    /// `mov d, s`, `lea d, [s + k]`, `add d, k` (s = d): d holds s's origin.
    Copy { d: u8, s: u8 },
    /// `add d, s`, `lea d, [a + b]`: an address plus an integer is the address.
    Sum { d: u8, a: u8, b: u8 },
    /// `lea d, [a + i*4]`: a scaled index is an integer.
    PlusInteger { d: u8, a: u8 },
    /// `shl d, k`, `imul d, s, k`, `lea d, [i*4]`.
    Integer { d: u8 },
    /// `mov d, qword ptr [frame + k]`.
    Load { d: u8 },
    /// `mov qword ptr [frame + k], s`.
    Store { s: u8 },
}

fn move_of(ins: &Instruction) -> Move {
    let gpr = |r: Register| gpr_index(r).map(|i| i as u8);
    let reg = |i: u32| {
        (ins.op_kind(i) == OpKind::Register)
            .then(|| gpr(ins.op_register(i)))
            .flatten()
    };
    let base = ins.memory_base();
    let index = ins.memory_index();
    let frame_slot = is_frame(base) && index == Register::None;
    let scaled = ins.memory_index_scale() > 1;
    let m = match ins.code() {
        Code::Mov_r64_rm64 | Code::Mov_rm64_r64 => match (reg(0), reg(1)) {
            (Some(d), Some(s)) => Some(Move::Copy { d, s }),
            (Some(d), None) if frame_slot => Some(Move::Load { d }),
            (None, Some(s)) if frame_slot => Some(Move::Store { s }),
            _ => None,
        },
        Code::Lea_r64_m => reg(0).and_then(|d| match (gpr(base), gpr(index)) {
            (None, Some(_)) if scaled => Some(Move::Integer { d }),
            (Some(s), None) => Some(Move::Copy { d, s }),
            (Some(a), Some(_)) if scaled => Some(Move::PlusInteger { d, a }),
            (Some(a), Some(b)) => Some(Move::Sum { d, a, b }),
            _ => None,
        }),
        Code::Add_rm64_imm8
        | Code::Add_rm64_imm32
        | Code::Sub_rm64_imm8
        | Code::Sub_rm64_imm32
        | Code::Inc_rm64
        | Code::Dec_rm64 => reg(0).map(|d| Move::Copy { d, s: d }),
        Code::Add_r64_rm64 | Code::Add_rm64_r64 => match (reg(0), reg(1)) {
            (Some(d), Some(b)) => Some(Move::Sum { d, a: d, b }),
            _ => None,
        },
        Code::Shl_rm64_imm8
        | Code::Shl_rm64_1
        | Code::Imul_r64_rm64_imm8
        | Code::Imul_r64_rm64_imm32 => reg(0).map(|d| Move::Integer { d }),
        _ => None,
    };
    m.unwrap_or_default()
}

/// How `ins` moves argument values ([`Move`]); eight-byte stores and loads of frame slots
/// carry origins (when `S > 0`), every other write loses them.
fn step<const S: usize>(ins: &Instruction, f: &Facts, writes: GprSet, o: &mut Origins<S>) {
    use arg_origins::{INTEGER, UNKNOWN, sum};
    let get = |o: &Origins<S>, r: u8| o.get(r as usize);
    let offset = || ins.memory_displacement64() as i64;
    let frame = || gpr_index(ins.memory_base()).unwrap_or(0);
    let kept = match f.moves {
        Move::Other | Move::Store { .. } => None,
        Move::Copy { d, s } => Some((d, get(o, s))),
        Move::Sum { d, a, b } => Some((d, sum(get(o, a), get(o, b)))),
        Move::PlusInteger { d, a } => Some((d, sum(get(o, a), INTEGER))),
        Move::Integer { d } => Some((d, INTEGER)),
        Move::Load { d } => Some((
            d,
            if S > 0 {
                o.load(frame(), offset())
            } else {
                UNKNOWN
            },
        )),
    };
    if S > 0 && f.frame_write {
        let b = frame();
        match f.moves {
            Move::Store { s } => o.store(b, offset(), get(o, s)),
            _ if ins.memory_index() != Register::None => o.forget_frame(b),
            _ => {
                let size = match ins.memory_size().size() {
                    0 => 64,
                    s => s as i64,
                };
                o.clobber(b, offset(), size);
            }
        }
    }
    let mut bits = writes.0;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        o.set(i, UNKNOWN);
        if S > 0 && is_frame(super::registers::GPRS[i]) {
            o.forget_frame(i);
        }
    }
    if let Some((d, origin)) = kept {
        o.set(d as usize, origin);
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
        let tables = crate::lower::jump_tables::JumpTables::find(&program);
        let mut prepared = HashMap::default();
        for (i, f) in program.functions.iter().enumerate() {
            let next = (i + 1 < program.functions.len()).then_some(i + 1);
            let p = super::super::function::prepare(i, &f.body, next, &resolver, &tables)
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
        // -O0: spilled to the frame, reloaded, indexed (GCC adds a scaled index).
        let o0 = "push rbp\nmov rbp, rsp\nmov qword ptr [rbp - 8], rdi\nmov qword ptr [rbp - 16], rsi\n\
                  mov qword ptr [rbp - 24], 0\nmov rax, qword ptr [rbp - 24]\nlea rdx, [4*rax]\n\
                  mov rax, qword ptr [rbp - 16]\nadd rax, rdx\nmov eax, dword ptr [rax]\npop rbp\nret";
        assert_eq!(one(o0).derefs, 0b10);
        // A slot overwritten, or a frame address taken: nothing is claimed.
        let over = "push rbp\nmov rbp, rsp\nmov qword ptr [rbp - 8], rsi\nmov dword ptr [rbp - 4], 0\n\
                    mov rax, qword ptr [rbp - 8]\nmov eax, dword ptr [rax]\npop rbp\nret";
        assert_eq!(one(over).derefs, 0);
        let escaped = "push rbp\nmov rbp, rsp\nmov qword ptr [rbp - 8], rsi\nlea rcx, [rbp - 8]\n\
                       mov qword ptr [rcx], rdi\nmov rax, qword ptr [rbp - 8]\nmov eax, dword ptr [rax]\n\
                       pop rbp\nret";
        assert_eq!(one(escaped).derefs, 0);
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
