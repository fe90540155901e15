//! What an AArch64 C function does with its argument registers, for `arg_check`: which of
//! x0–x7 and v0–v7 it reads (certainly, and possibly), and which of x0–x7 it uses as
//! memory addresses.
//!
//! "Certainly reads" counts only reads whose value feeds the result: a scalar `s`/`d`/`q`
//! view, lane 0 of an element, a whole vector in a lane-wise operation (`fadd v0.4s, …`)
//! or a stored register; not destinations merged into (`ins`/`mov v0.s[1], …`, `bfi`,
//! `movk`, `xtn2`), not zeroing idioms (`eor v0.16b, v0.16b, v0.16b`), not permutes that
//! may take other lanes. Every write kills. "May read" is the opposite approximation:
//! every operand read counts, only a whole-register write kills, and a call keeps what
//! the callee does not read. A dereference counts when a register holding an argument's
//! entry value (plus constants) is the base of a load or store with no index, a shifted
//! index or a 32-bit index.
//!
//! Calls and tail calls pass arguments on: a callee's reads and dereferences of its entry
//! registers are the caller's at the call. Functions are analysed callee-first.

use rustc_hash::FxHashMap as HashMap;

use yaxpeax_arm::armv8::a64::{Instruction, Opcode, Operand, SIMDSizeCode, ShiftStyle, SizeCode};

use super::pipeline::Prepared;
use super::rewrite::Flow;
use super::stack::StackSummary;
use super::writes::{writes_all_named, writes_nothing, writes_two, written_gprs};
use crate::lower::arg_check::ArgUse;
use crate::lower::arg_origins;

/// Registers x0–x30 (or v0–v31) as a bit mask.
type Regs = u32;
const ALL: Regs = u32::MAX;
/// x0–x18 and x30: what a call may change (AAPCS64; x18 is left alone but not relied on).
const CALL_CLOBBERED: Regs = ((1 << 19) - 1) | (1 << 30);

/// One instruction's effect on the analyses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Facts {
    gpr_may_use: Regs,
    /// Fully and unconditionally written.
    gpr_def: Regs,
    gpr_certain_use: Regs,
    gpr_write: Regs,
    vec_may_use: Regs,
    vec_def: Regs,
    vec_certain_use: Regs,
    vec_write: Regs,
    /// Registers used as the base of a memory access that is certainly an address.
    deref: Regs,
    /// `(destination, source)`: the source is read if the destination is read afterwards.
    vec_copy: Option<(u16, u16)>,
    gpr_copy: Option<(u16, u16)>,
}

/// How an operand is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Read,
    Write,
    /// Written, and what it held partly survives or is an input (`movk`, `fmla`, `ins`).
    ReadWrite,
}

/// Operations whose destination is also an input: accumulations, inserts, bit-field and
/// narrowing-to-the-upper-half writes, crypto rounds.
fn destination_is_read(op: Opcode) -> bool {
    use Opcode::*;
    matches!(
        op,
        MOVK | BFM
            | INS
            | FMLA
            | FMLS
            | MLA
            | MLS
            | SDOT
            | UDOT
            | SQRDMLAH
            | SQRDMLSH
            | SMLAL
            | SMLAL2
            | UMLAL
            | UMLAL2
            | SMLSL
            | SMLSL2
            | UMLSL
            | UMLSL2
            | SQDMLAL
            | SQDMLAL2
            | SQDMLSL
            | SQDMLSL2
            | SABA
            | UABA
            | SABAL
            | SABAL2
            | UABAL
            | UABAL2
            | SADALP
            | UADALP
            | SSRA
            | USRA
            | SRSRA
            | URSRA
            | SRI
            | SLI
            | BSL
            | BIT
            | BIF
            | TBX
            | XTN2
            | SQXTN2
            | UQXTN2
            | SQXTUN2
            | FCVTN2
            | FCVTXN2
            | SHRN2
            | RSHRN2
            | SQSHRN2
            | SQRSHRN2
            | SQSHRUN2
            | SQRSHRUN2
            | UQSHRN2
            | UQRSHRN2
            | ADDHN2
            | SUBHN2
            | RADDHN2
            | RSUBHN2
            | FMLAL
            | FMLAL2
            | FMLSL
            | FMLSL2
            | FCMLA
            | SUQADD
            | USQADD
            // Crypto rounds update their state register.
            | AESE
            | AESD
            | SHA1C
            | SHA1P
            | SHA1M
            | SHA1SU0
            | SHA1SU1
            | SHA256H
            | SHA256H2
            | SHA256SU0
            | SHA256SU1
            | SHA512H
            | SHA512H2
            | SHA512SU0
            | SHA512SU1
            | SM3PARTW1
            | SM3PARTW2
            | SM3TT1A
            | SM3TT1B
            | SM3TT2A
            | SM3TT2B
            | SM4E
    )
}

/// Operations that only read their operands (besides writing flags).
fn reads_only(op: Opcode) -> bool {
    use Opcode::*;
    writes_nothing(op)
        || matches!(
            op,
            FCMP | FCMPE | FCCMP | FCCMPE | CCMP | CCMN | PRFM | PRFUM | MSR | HINT | BLR
        )
}

/// Lane-wise operations: lane 0 of every vector input feeds lane 0 of the result.
fn lane_wise(op: Opcode) -> bool {
    use Opcode::*;
    matches!(
        op,
        FADD | FSUB
            | FMUL
            | FDIV
            | FMAX
            | FMIN
            | FMAXNM
            | FMINNM
            | FABD
            | FABS
            | FNEG
            | FSQRT
            | FMLA
            | FMLS
            | FMULX
            | FRECPE
            | FRSQRTE
            | FRECPS
            | FRSQRTS
            | FCVTZS
            | FCVTZU
            | FCVTNS
            | FCVTMS
            | FCVTPS
            | FCVTAS
            | FCVTNU
            | FCVTMU
            | FCVTPU
            | FCVTAU
            | SCVTF
            | UCVTF
            | FRINTN
            | FRINTP
            | FRINTM
            | FRINTZ
            | FRINTA
            | FRINTX
            | FRINTI
            | FCMEQ
            | FCMGE
            | FCMGT
            | FCMLE
            | FCMLT
            | FACGE
            | FACGT
            | FCVTL
            | FCVTN
            | AND
            | ORR
            | EOR
            | BIC
            | ORN
            | NOT
            | ADD
            | SUB
            | MUL
            | NEG
            | ABS
            | MLA
            | MLS
            | CMEQ
            | CMGE
            | CMGT
            | CMHI
            | CMHS
            | CMLE
            | CMLT
            | CMTST
            | SMAX
            | SMIN
            | UMAX
            | UMIN
            | SABD
            | UABD
            | SHL
            | SSHR
            | USHR
            | SQADD
            | UQADD
            | SQSUB
            | UQSUB
            | XTN
            | SSHLL
            | USHLL
            | SMULL
            | UMULL
            | SADDL
            | UADDL
            | SSUBL
            | USUBL
            | SADDW
            | UADDW
            | SSUBW
            | USUBW
    )
}

/// `eor v0.16b, v0.16b, v0.16b`, `sub x0, x0, x0`, `cmeq v1.4s, v2.4s, v2.4s`: the result
/// does not depend on the (identical) inputs.
fn idiom(d: &Instruction) -> bool {
    use Opcode::*;
    matches!(
        d.opcode,
        EOR | SUB | BIC | CMEQ | CMGE | CMHS | CMGT | CMHI | UQSUB | SQSUB | UABD | SABD
    ) && matches!(
        d.operands[1],
        Operand::Register(..) | Operand::SIMDRegister(..) | Operand::SIMDRegisterElements(..)
    ) && d.operands[1] == d.operands[2]
}

fn bit(n: u16) -> Regs {
    if n < 32 { 1 << n } else { 0 }
}

/// Consecutive vector registers `first`, `first + 1`, … (numbers wrap at 32).
fn group(first: u16, count: u8) -> Regs {
    (0..count as u16).fold(0, |acc, k| acc | bit((first + k) % 32))
}

/// General-purpose registers an operand names (x31 — zr or sp — excluded).
fn gprs(o: &Operand) -> Regs {
    let r = |n: u16| if n < 31 { bit(n) } else { 0 };
    match *o {
        Operand::Register(_, n) | Operand::RegisterOrSP(_, n) | Operand::RegShift(_, _, _, n) => {
            r(n)
        }
        Operand::RegisterPair(_, n) => r(n) | r(n + 1),
        Operand::RegRegOffset(b, i, ..) | Operand::RegPostIndexReg(b, i) => r(b) | r(i),
        Operand::RegPreIndex(b, ..) | Operand::RegPostIndex(b, _) => r(b),
        _ => 0,
    }
}

/// Vector registers an operand names.
fn vecs(o: &Operand) -> Regs {
    match *o {
        Operand::SIMDRegister(_, n)
        | Operand::SIMDRegisterElements(_, n, _)
        | Operand::SIMDRegisterElementsLane(_, n, _, _)
        | Operand::SIMDRegisterElementsMultipleLane(_, n, _, _, _) => bit(n),
        Operand::SIMDRegisterGroup(_, n, _, c) | Operand::SIMDRegisterGroupLane(n, _, c, _) => {
            group(n, c)
        }
        _ => 0,
    }
}

/// Vector registers whose low element the input operand `o` of `d` certainly provides to
/// the result: a scalar view (but not a whole `q` register stored, which may be a spill of
/// an undefined value), a whole vector in a lane-wise operation, lane 0 multiplied by
/// element or moved to a general-purpose register or memory.
fn certain_vecs(d: &Instruction, o: &Operand) -> Regs {
    use Opcode::*;
    let store = writes_nothing(d.opcode);
    match *o {
        Operand::SIMDRegister(SIMDSizeCode::Q, _) if store => 0,
        Operand::SIMDRegister(_, n) => bit(n),
        Operand::SIMDRegisterElements(_, n, _) if lane_wise(d.opcode) => bit(n),
        Operand::SIMDRegisterElementsLane(_, n, _, 0)
            if matches!(
                d.opcode,
                FMUL | FMLA | FMLS | FMULX | MUL | MLA | MLS | UMOV | SMOV | FMOV
            ) =>
        {
            bit(n)
        }
        Operand::SIMDRegisterGroupLane(n, _, 1, 0) if d.opcode == ST1 => bit(n),
        _ => 0,
    }
}

/// `(destination, source)` when `d` copies the source's low element into the
/// destination's: `mov v1.16b, v0.16b`, `fmov s1, s0`, `dup v1.4s, v0.s[0]`,
/// `mov v1.s[0], v0.s[0]`. The source is read only if that element is read afterwards
/// (clang -O0 copies undefined registers after `implicit-def`).
fn vector_copy(d: &Instruction) -> Option<(u16, u16)> {
    use Operand::*;
    let ops = &d.operands;
    match (d.opcode, ops[0], ops[1], ops[2]) {
        (Opcode::ORR, SIMDRegisterElements(_, dst, _), SIMDRegisterElements(_, a, _), b)
            if ops[1] == b =>
        {
            Some((dst, a))
        }
        (Opcode::FMOV, SIMDRegister(_, dst), SIMDRegister(_, src), Nothing) => Some((dst, src)),
        (
            Opcode::DUP,
            SIMDRegister(_, dst) | SIMDRegisterElements(_, dst, _),
            SIMDRegisterElementsLane(_, src, _, 0),
            Nothing,
        ) => Some((dst, src)),
        (
            Opcode::INS,
            SIMDRegisterElementsLane(_, dst, _, 0),
            SIMDRegisterElementsLane(_, src, _, 0),
            Nothing,
        ) => Some((dst, src)),
        _ => None,
    }
}

/// `(destination, source)` for `mov xd, xs` / `mov wd, ws` (`orr xd, xzr, xs`).
fn gpr_copy(d: &Instruction) -> Option<(u16, u16)> {
    match (d.opcode, d.operands[0], d.operands[1], d.operands[2]) {
        (
            Opcode::ORR,
            Operand::Register(_, dst),
            Operand::Register(_, 31),
            Operand::RegShift(ShiftStyle::LSL, 0, _, src) | Operand::Register(_, src),
        ) if dst < 31 && src < 31 => Some((dst, src)),
        _ => None,
    }
}

/// The base register of a memory operand that is certainly an address (`[x1]`,
/// `[x1, #8]!`, `[x1, x2, lsl #2]`, `[x1, w2, sxtw]`; not `[x1, x2]`, where either may be
/// the pointer).
fn address_base(o: &Operand) -> Regs {
    match *o {
        Operand::RegPreIndex(b, ..)
        | Operand::RegPostIndex(b, _)
        | Operand::RegPostIndexReg(b, _)
            if b < 31 =>
        {
            bit(b)
        }
        Operand::RegRegOffset(b, _, size, _, amount)
            if b < 31 && (amount > 0 || size == SizeCode::W) =>
        {
            bit(b)
        }
        _ => 0,
    }
}

fn is_memory(o: &Operand) -> bool {
    matches!(
        o,
        Operand::RegPreIndex(..)
            | Operand::RegPostIndex(..)
            | Operand::RegPostIndexReg(..)
            | Operand::RegRegOffset(..)
    )
}

fn role(d: &Instruction, i: usize) -> Role {
    use Opcode::*;
    let op = d.opcode;
    if is_memory(&d.operands[i]) || reads_only(op) {
        return Role::Read;
    }
    if writes_all_named(op) {
        return Role::ReadWrite;
    }
    let dests = if writes_two(op) { 2 } else { 1 };
    if i >= dests {
        return Role::Read;
    }
    if matches!(
        op,
        STXR | STXRB | STXRH | STXP | STLXR | STLXRB | STLXRH | STLXP
    ) && i > 0
    {
        return Role::Read;
    }
    let lane_destination = matches!(
        d.operands[i],
        Operand::SIMDRegisterElementsLane(..) | Operand::SIMDRegisterGroupLane(..)
    );
    // `orr v0.4s, #1`: the vector-immediate forms modify their destination.
    let vector_immediate = matches!(op, ORR | BIC)
        && matches!(d.operands[0], Operand::SIMDRegisterElements(..))
        && matches!(d.operands[1], Operand::ImmShift(..) | Operand::Immediate(_));
    if destination_is_read(op) || lane_destination || vector_immediate {
        Role::ReadWrite
    } else {
        Role::Write
    }
}

fn facts(d: &Instruction) -> Facts {
    let mut f = Facts::default();
    if d.opcode == Opcode::Invalid {
        // An instruction the decoder does not know (`code::opaque`): it may read anything
        // and proves nothing.
        f.gpr_may_use = ALL;
        f.vec_may_use = ALL;
        f.gpr_write = ALL;
        f.vec_write = ALL;
        return f;
    }
    let idiom = idiom(d);
    let accumulates = matches!(
        d.opcode,
        Opcode::FMLA | Opcode::FMLS | Opcode::MLA | Opcode::MLS
    );
    f.vec_copy = vector_copy(d);
    f.gpr_copy = gpr_copy(d);
    let store = writes_nothing(d.opcode);
    for (i, o) in d.operands.iter().enumerate() {
        if matches!(o, Operand::Nothing) {
            break;
        }
        let (g, v) = (gprs(o), vecs(o));
        match role(d, i) {
            Role::Read => {
                if idiom && i > 0 {
                    continue;
                }
                f.gpr_may_use |= g;
                f.vec_may_use |= v;
                // A stored register may be a spill of an undefined value; a copied one is
                // read only if the copy is.
                let stored_value = store && !is_memory(o);
                if f.gpr_copy.is_none() && !stored_value {
                    f.gpr_certain_use |= g;
                }
                if f.vec_copy.is_none() {
                    f.vec_certain_use |= certain_vecs(d, o);
                }
                if d.opcode != Opcode::PRFM && d.opcode != Opcode::PRFUM {
                    f.deref |= address_base(o);
                }
            }
            Role::Write => {
                f.gpr_write |= g;
                f.gpr_def |= g;
                f.vec_write |= v;
                f.vec_def |= v;
            }
            Role::ReadWrite => {
                f.gpr_may_use |= g;
                f.gpr_write |= g;
                f.vec_may_use |= v;
                f.vec_write |= v;
                if writes_all_named(d.opcode) {
                    f.gpr_certain_use |= g;
                }
                if accumulates {
                    f.vec_certain_use |= certain_vecs(d, o);
                }
            }
        }
    }
    // Writeback bases and everything else the stack model counts as written.
    for r in written_gprs(d).registers() {
        f.gpr_write |= 1 << r;
    }
    f.gpr_def &= !f.gpr_may_use;
    f.vec_def &= !f.vec_may_use;
    f
}

/// What a function's callers need to know about it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    gpr_may_in: Regs,
    gpr_certain_in: Regs,
    vec_may_in: Regs,
    vec_certain_in: Regs,
    /// Bits over x0–x7.
    derefs: Regs,
}

/// Unknown code reads everything and proves nothing.
const UNKNOWN: Summary = Summary {
    gpr_may_in: ALL,
    gpr_certain_in: 0,
    vec_may_in: ALL,
    vec_certain_in: 0,
    derefs: 0,
};

pub type Summaries = HashMap<usize, Summary>;

/// Summarises every prepared function in `order` (callee-first, without cycles: the
/// arm64 call order rejects tail-call cycles too).
pub(super) fn analyse(prepared: &HashMap<usize, Prepared<'_>>, order: &[usize]) -> Summaries {
    let mut out = Summaries::default();
    for f in order {
        if let Some(p) = prepared.get(f) {
            let s = summarise(p, &out);
            out.insert(*f, s);
        }
    }
    out
}

/// Successors of every instruction and the exits (callee of a tail call, or `None` for a
/// return) of a function.
struct Graph {
    succs: Vec<Vec<usize>>,
    exits: Vec<Option<Option<usize>>>,
    calls: Vec<Option<usize>>,
}

fn graph(p: &Prepared<'_>) -> Graph {
    let offsets: Vec<u64> = p.code.insns().map(|i| i.offset).collect();
    let index: HashMap<u64, usize> = offsets.iter().enumerate().map(|(i, o)| (*o, i)).collect();
    let n = offsets.len();
    let mut g = Graph {
        succs: vec![Vec::new(); n],
        exits: vec![None; n],
        calls: vec![None; n],
    };
    for (i, l) in p.lowered.iter().enumerate().take(n) {
        let next = (i + 1 < n).then_some(i + 1);
        match l.flow {
            Flow::Next => g.succs[i].extend(next),
            Flow::Call(f) => {
                g.calls[i] = Some(f);
                g.succs[i].extend(next);
            }
            Flow::Jump(off) => g.succs[i].extend(index.get(&off).copied()),
            Flow::CondJump(off) => {
                g.succs[i].extend(index.get(&off).copied());
                g.succs[i].extend(next);
            }
            Flow::TailCall(f) => g.exits[i] = Some(Some(f)),
            Flow::Return => g.exits[i] = Some(None),
            Flow::Trap => {}
            // A proven table dispatch: its successors are the table's targets.
            Flow::Dispatch => {
                for off in p.tables.targets.get(&i).into_iter().flatten() {
                    g.succs[i].extend(index.get(off).copied());
                }
            }
        }
    }
    g
}

fn summarise(p: &Prepared<'_>, callees: &Summaries) -> Summary {
    let facts: Vec<Facts> = p.code.insns().map(|i| facts(&i.decoded)).collect();
    let g = graph(p);
    let callee = |f: usize| callees.get(&f).copied().unwrap_or(UNKNOWN);
    let mut uses = facts.clone();
    for (i, c) in g.calls.iter().enumerate() {
        if let Some(f) = *c {
            let s = callee(f);
            let u = &mut uses[i];
            u.gpr_may_use |= s.gpr_may_in;
            u.gpr_certain_use |= s.gpr_certain_in;
            u.vec_may_use |= s.vec_may_in;
            u.vec_certain_use |= s.vec_certain_in;
            u.gpr_write |= CALL_CLOBBERED;
            u.vec_write = ALL;
        }
    }
    // Backward liveness: (gpr may, gpr certain, vec may, vec certain).
    type Live = (Regs, Regs, Regs, Regs);
    let n = facts.len();
    let mut live: Vec<Live> = vec![(0, 0, 0, 0); n];
    let exit = |e: Option<usize>| -> Live {
        match e {
            None => (0, 0, 0, 0),
            Some(f) => {
                let s = callee(f);
                (
                    s.gpr_may_in,
                    s.gpr_certain_in,
                    s.vec_may_in,
                    s.vec_certain_in,
                )
            }
        }
    };
    let mut changed = true;
    while changed {
        changed = false;
        for i in (0..n).rev() {
            let mut out = g.exits[i].map(exit).unwrap_or_default();
            for &s in &g.succs[i] {
                out.0 |= live[s].0;
                out.1 |= live[s].1;
                out.2 |= live[s].2;
                out.3 |= live[s].3;
            }
            let u = &uses[i];
            let copied = |copy: Option<(u16, u16)>, live: Regs| match copy {
                Some((d, s)) if live & bit(d) != 0 => bit(s),
                _ => 0,
            };
            let inn = (
                u.gpr_may_use | (out.0 & !u.gpr_def),
                u.gpr_certain_use | copied(u.gpr_copy, out.1) | (out.1 & !u.gpr_write),
                u.vec_may_use | (out.2 & !u.vec_def),
                u.vec_certain_use | copied(u.vec_copy, out.3) | (out.3 & !u.vec_write),
            );
            if inn != live[i] {
                live[i] = inn;
                changed = true;
            }
        }
    }
    let entry = live.first().copied().unwrap_or_default();
    Summary {
        gpr_may_in: entry.0,
        gpr_certain_in: entry.1,
        vec_may_in: entry.2,
        vec_certain_in: entry.3,
        derefs: derefs(p, &facts, &g, callees),
    }
}

/// Argument origins of x0–x30 and of `S` spill slots (sp is frame register 31;
/// `arg_origins`).
type Origins<const S: usize> = arg_origins::Origins<32, S>;

const SP: u16 = 31;
const FP: u16 = 29;

fn x_register(o: &Operand) -> Option<u16> {
    match *o {
        Operand::Register(SizeCode::X, n)
        | Operand::RegisterOrSP(SizeCode::X, n)
        | Operand::RegShift(ShiftStyle::LSL, 0, SizeCode::X, n)
            if n < 31 =>
        {
            Some(n)
        }
        _ => None,
    }
}

/// An X register written by `d` as a plain destination.
fn x_destination(d: &Instruction) -> Option<u16> {
    match d.operands[0] {
        Operand::Register(SizeCode::X, n) | Operand::RegisterOrSP(SizeCode::X, n) if n < 31 => {
            Some(n)
        }
        _ => None,
    }
}

/// Whether the function computes a frame address into another register (`add x8, sp,
/// #16`, `mov x0, x29`): then a store through any pointer may change a spill slot, so
/// slots are not tracked.
fn frame_escapes(insns: &[&Instruction]) -> bool {
    insns.iter().any(|d| {
        if writes_nothing(d.opcode) {
            return false;
        }
        let dest = match d.operands[0] {
            Operand::Register(_, n) | Operand::RegisterOrSP(_, n) => n != SP && n != FP,
            _ => false,
        };
        dest && d.operands[1..].iter().any(|o| {
            matches!(
                *o,
                Operand::RegisterOrSP(_, SP)
                    | Operand::Register(_, FP)
                    | Operand::RegisterOrSP(_, FP)
                    | Operand::RegShift(_, _, _, FP)
            )
        })
    })
}

/// How `d` moves argument values: `mov`, constant offsets, adding an integer and
/// writeback by an immediate keep the origin; shifts and multiplies give integers; eight-
/// byte stores and loads of `[sp, #n]` / `[x29, #n]` carry origins (when `slots`); every
/// other write loses them.
fn step<const S: usize>(d: &Instruction, f: &Facts, slots: bool, o: &mut Origins<S>) {
    use Opcode::*;
    use arg_origins::{INTEGER, UNKNOWN, sum};
    let ops = &d.operands;
    let get = |o: &Origins<S>, n: u16| o.get(n as usize);
    let mut kept: Vec<(u16, u8)> = Vec::new();
    let frame_slot = |op: &Operand| match *op {
        Operand::RegPreIndex(b, off, false) if slots && (b == SP || b == FP) => {
            Some((b as usize, off as i64))
        }
        _ => None,
    };
    if let Some(dst) = x_destination(d) {
        let origin = match (d.opcode, ops[1], ops[2]) {
            (ORR, Operand::Register(SizeCode::X, 31), src) => x_register(&src).map(|s| get(o, s)),
            (
                ADD | SUB,
                Operand::RegisterOrSP(SizeCode::X, n),
                Operand::Immediate(_) | Operand::ImmShift(..),
            ) if n < 31 => Some(get(o, n)),
            (ADD, Operand::RegisterOrSP(SizeCode::X, n) | Operand::Register(SizeCode::X, n), m)
                if n < 31 =>
            {
                match m {
                    // A shifted or 32-bit-extended register is an index, not an address.
                    Operand::RegShift(_, amount, SizeCode::X, _) if amount > 0 => {
                        Some(sum(get(o, n), INTEGER))
                    }
                    Operand::RegShift(_, _, SizeCode::W, _) => Some(sum(get(o, n), INTEGER)),
                    other => x_register(&other).map(|m| sum(get(o, n), get(o, m))),
                }
            }
            (UBFM | SBFM | MUL | MADD | UMULH | SMULH, ..) => Some(INTEGER),
            (LDR | LDUR, mem, _) => frame_slot(&mem).map(|(b, off)| o.load(b, off)),
            (LDP, Operand::Register(SizeCode::X, second), mem) if second < 31 => {
                if let Some((b, off)) = frame_slot(&mem) {
                    kept.push((second, o.load(b, off + 8)));
                    Some(o.load(b, off))
                } else {
                    None
                }
            }
            _ => None,
        };
        if let Some(origin) = origin {
            kept.push((dst, origin));
        }
    }
    // Immediate writeback moves a base by a constant (unless it is also loaded into).
    let named = ops
        .iter()
        .filter(|op| !is_memory(op))
        .fold(0, |a, op| a | gprs(op));
    for op in ops {
        if let Operand::RegPreIndex(b, _, true) | Operand::RegPostIndex(b, _) = *op
            && b < 31
            && named & bit(b) == 0
        {
            kept.push((b, get(o, b)));
        }
    }
    // Stores to the frame.
    if slots && writes_nothing(d.opcode) {
        for op in ops {
            match *op {
                Operand::RegPreIndex(b, off, false) if b == SP || b == FP => {
                    let (b, off) = (b as usize, off as i64);
                    // xzr stores a known non-argument (x_register excludes it).
                    let value = |o: &Origins<S>, op: &Operand| {
                        x_register(op).map_or(UNKNOWN, |t| get(o, t))
                    };
                    let eight = |op: &Operand| matches!(*op, Operand::Register(SizeCode::X, _));
                    match d.opcode {
                        STR | STUR if eight(&ops[0]) => o.store(b, off, value(o, &ops[0])),
                        STP if eight(&ops[0]) => {
                            let (v0, v1) = (value(o, &ops[0]), value(o, &ops[1]));
                            o.store(b, off, v0);
                            o.store(b, off + 8, v1);
                        }
                        _ => o.clobber(b, off, store_size(d)),
                    }
                }
                Operand::RegPreIndex(b, ..)
                | Operand::RegPostIndex(b, _)
                | Operand::RegPostIndexReg(b, _)
                | Operand::RegRegOffset(b, ..)
                    if b == SP || b == FP =>
                {
                    o.forget_frame(b as usize)
                }
                _ => {}
            }
        }
    }
    let sp_written = (!writes_nothing(d.opcode) && matches!(ops[0], Operand::RegisterOrSP(_, SP)))
        || ops.iter().any(|op| {
            matches!(
                *op,
                Operand::RegPreIndex(SP, _, true) | Operand::RegPostIndex(SP, _)
            )
        });
    if sp_written {
        o.forget_frame(SP as usize);
    }
    for r in 0..31 {
        if f.gpr_write & (1 << r) != 0 {
            o.set(r, UNKNOWN);
            if r == FP as usize {
                o.forget_frame(r);
            }
        }
    }
    for (r, origin) in kept {
        o.set(r as usize, origin);
    }
}

/// Bytes a store writes (an upper bound where unsure).
fn store_size(d: &Instruction) -> i64 {
    use yaxpeax_arm::armv8::a64::SIMDSizeCode as V;
    let one = match (d.opcode, d.operands[0]) {
        (Opcode::STRB | Opcode::STURB | Opcode::STLRB | Opcode::STLURB, _) => 1,
        (Opcode::STRH | Opcode::STURH | Opcode::STLRH | Opcode::STLURH, _) => 2,
        (_, Operand::Register(SizeCode::W, _)) => 4,
        (_, Operand::Register(SizeCode::X, _)) => 8,
        (_, Operand::SIMDRegister(V::B, _)) => 1,
        (_, Operand::SIMDRegister(V::H, _)) => 2,
        (_, Operand::SIMDRegister(V::S, _)) => 4,
        (_, Operand::SIMDRegister(V::D, _)) => 8,
        _ => 64,
    };
    let pair = matches!(d.opcode, Opcode::STP | Opcode::STNP);
    if pair { 2 * one } else { one }
}

/// Whether the function stores an X register to a frame slot (`str x0, [sp, #8]`, -O0
/// style) without ever taking a frame address: then slots are worth tracking.
fn spills(insns: &[&Instruction]) -> bool {
    insns.iter().any(|d| {
        matches!(d.opcode, Opcode::STR | Opcode::STUR | Opcode::STP)
            && matches!(d.operands[0], Operand::Register(SizeCode::X, _))
            && d.operands
                .iter()
                .any(|o| matches!(*o, Operand::RegPreIndex(b, _, false) if b == SP || b == FP))
    }) && !frame_escapes(insns)
}

/// x0–x7 (as bits) whose entry values are used as addresses.
fn derefs(p: &Prepared<'_>, facts: &[Facts], g: &Graph, callees: &Summaries) -> Regs {
    let calls =
        g.calls.iter().any(Option::is_some) || g.exits.iter().any(|e| matches!(e, Some(Some(_))));
    if !calls && facts.iter().all(|f| f.deref == 0) {
        return 0;
    }
    let insns: Vec<&Instruction> = p.code.insns().map(|i| &i.decoded).collect();
    if spills(&insns) {
        derefs_with::<{ arg_origins::SLOTS }>(&insns, facts, g, callees)
    } else {
        derefs_with::<0>(&insns, facts, g, callees)
    }
}

fn derefs_with<const S: usize>(
    insns: &[&Instruction],
    facts: &[Facts],
    g: &Graph,
    callees: &Summaries,
) -> Regs {
    let n = insns.len();
    if n == 0 {
        return 0;
    }
    let slots = S > 0;
    let mut out: Regs = 0;
    let used_as_address = |o: &Origins<S>, regs: Regs, out: &mut Regs| {
        for r in 0..31 {
            if regs & (1 << r) != 0
                && let Some(k) = arg_origins::argument_of(o.get(r))
            {
                *out |= 1 << k;
            }
        }
    };
    let callee_derefs = |f: usize| callees.get(&f).map_or(0, |s| s.derefs);
    let mut states: Vec<Option<Origins<S>>> = vec![None; n];
    states[0] = Some(Origins::entry(&[0, 1, 2, 3, 4, 5, 6, 7]));
    let mut work = vec![0usize];
    while let Some(i) = work.pop() {
        let Some(mut o) = states[i] else { continue };
        used_as_address(&o, facts[i].deref, &mut out);
        if let Some(f) = g.calls[i] {
            used_as_address(&o, callee_derefs(f), &mut out);
        }
        if let Some(Some(f)) = g.exits[i] {
            used_as_address(&o, callee_derefs(f), &mut out);
        }
        step(insns[i], &facts[i], slots, &mut o);
        for &s in &g.succs[i] {
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

/// The facts `arg_check` needs about function `f`.
pub fn arg_use(summaries: &Summaries, f: usize, stack: &StackSummary) -> ArgUse {
    let s = summaries.get(&f).copied().unwrap_or(UNKNOWN);
    ArgUse {
        int_reads: s.gpr_certain_in & 0xff,
        int_may_read: s.gpr_may_in & 0xff,
        float_reads: s.vec_certain_in & 0xff,
        float_may_read: s.vec_may_in & 0xff,
        derefs: s.derefs & 0xff,
        stack_slots_read: stack.arg_slots_read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::arm64::code::place;
    use crate::lower::arm64::rewrite::Context;
    use std::collections::BTreeSet;

    /// Summaries of the functions of `body` (AArch64 assembly; a label not starting with
    /// `.` starts a function), in file order. Needs clang as the assembler.
    fn summaries(body: &str) -> Vec<Summary> {
        let mut text = String::from(".text\n");
        for l in body.lines() {
            match l.trim().strip_suffix(':') {
                Some(name) if !name.starts_with('.') => text.push_str(&format!(
                    ".globl {name}\n.type {name},%function\n.p2align 2\n{name}:\n"
                )),
                _ => text.push_str(&format!("\t{}\n", l.trim())),
            }
        }
        let file = crate::source::SourceFile::new("t.s", text.clone());
        let items = crate::parse::parse_arm64(&file).expect("parses");
        let program =
            crate::lower::program::build_program(items).unwrap_or_else(|_| panic!("lays out"));
        let bytes = super::super::assembler::assemble(&text).expect("assembles");
        let object = super::super::object_file::read_object(&bytes).expect("object");
        let names = crate::lower::symbols::GoNames::new(&program);
        let entries: HashMap<(usize, u64), usize> = program
            .functions
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                object
                    .symbols
                    .get(&f.name)
                    .map(|p| ((p.section, p.value), i))
            })
            .collect();
        let data_names = HashMap::default();
        let ctx = Context {
            object: &object,
            entries: &entries,
            function_names: &names.functions,
            data_names: &data_names,
            strip_comments: true,
        };
        let mut prepared = HashMap::default();
        for (i, f) in program.functions.iter().enumerate() {
            let code = place(f, &object).unwrap_or_else(|_| panic!("places"));
            let lowered = code
                .insns()
                .map(|insn| ctx.lower(&code, insn).unwrap_or_else(|_| panic!("lowers")))
                .collect();
            prepared.insert(
                i,
                Prepared {
                    code,
                    lowered,
                    calls: BTreeSet::new(),
                    tail_calls: BTreeSet::new(),
                    tables: Default::default(),
                },
            );
        }
        let order: Vec<usize> = (0..program.functions.len()).rev().collect();
        let s = analyse(&prepared, &order);
        (0..program.functions.len()).map(|i| s[&i]).collect()
    }

    fn one(body: &str) -> Summary {
        summaries(&format!("f:\n{body}"))[0]
    }

    #[test]
    fn undefined_copies_merges_and_idioms_are_not_certain_reads() {
        for body in [
            // clang -O0 after `implicit-def: $q0`.
            "mov v2.16b, v0.16b\nmov v2.s[0], v3.s[0]\nstr q2, [x0]\nret",
            "mov v0.s[1], w1\nret",
            "eor v1.16b, v1.16b, v1.16b\nstr q1, [x0]\nret",
            "ins v4.s[1], v1.s[0]\nret",
            "str q3, [sp, #-16]!\nadd sp, sp, #16\nret",
            "zip1 v0.4s, v1.4s, v2.4s\nret",
            "dup v0.4s, v1.s[1]\nret",
        ] {
            assert_eq!(one(body).vec_certain_in, 0, "{body}");
        }
    }

    #[test]
    fn real_uses_are_certain_reads() {
        for (body, regs) in [
            ("fmul s0, s0, s1\nret", 0b11),
            ("str s2, [x0]\nret", 0b100),
            (
                "dup v1.4s, v3.s[0]\nfmul v1.4s, v1.4s, v1.4s\nstr q1, [x0]\nret",
                0b1000,
            ),
            ("fcvtzs w0, d1\nret", 0b10),
            ("fmov s5, s2\nfcmp s5, #0.0\nret", 0b100),
            ("fadd v0.4s, v0.4s, v1.4s\nret", 0b11),
        ] {
            assert_eq!(one(body).vec_certain_in, regs, "{body}");
        }
    }

    #[test]
    fn integer_reads_certain_and_possible() {
        let s = one("add x0, x0, x1\nret");
        assert_eq!((s.gpr_certain_in & 0xff, s.gpr_may_in & 0xff), (0b11, 0b11));
        // A bit-field insert into an undefined register, and a spill: possible reads only.
        let s = one("bfi x3, x0, #8, #8\nstr x2, [sp, #-16]!\nadd sp, sp, #16\nmov x0, x3\nret");
        assert_eq!(s.gpr_certain_in & 0b1100, 0);
        assert_eq!(s.gpr_may_in & 0b1101, 0b1101);
    }

    #[test]
    fn dereferences_through_copies_offsets_and_spill_slots() {
        assert_eq!(one("ldr w0, [x1, #4]\nret").derefs, 0b10);
        assert_eq!(
            one("mov x8, x2\nadd x8, x8, #16\nldr w0, [x8]\nret").derefs,
            0b100
        );
        assert_eq!(one("ldr w0, [x1, x2, lsl #2]\nret").derefs, 0b10);
        assert_eq!(
            one("ldrb w0, [x1, x2]\nret").derefs,
            0,
            "either may be the pointer"
        );
        assert_eq!(one("ldr x1, [x1]\nldr w0, [x1]\nret").derefs, 0b10);
        // -O0: spilled, reloaded, indexed.
        let o0 = "sub sp, sp, #32\nstr x0, [sp, #24]\nstr x1, [sp, #16]\nstr xzr, [sp, #8]\n\
                  ldr x8, [sp, #16]\n\
                  ldr x9, [sp, #24]\nldr s0, [x8, x9, lsl #2]\nadd sp, sp, #32\nret";
        assert_eq!(one(o0).derefs, 0b10);
        // A frame address escapes: slots are not trusted.
        let escaped = "sub sp, sp, #32\nstr x1, [sp, #16]\nadd x8, sp, #16\nstr x0, [x8]\n\
                       ldr x8, [sp, #16]\nldr s0, [x8]\nadd sp, sp, #32\nret";
        assert_eq!(one(escaped).derefs, 0);
        // Through a callee.
        let s = summaries("f:\nmov x0, x3\nbl g\nret\ng:\nldr x0, [x0]\nret");
        assert_eq!((s[0].derefs, s[1].derefs), (0b1000, 0b1));
    }
}
