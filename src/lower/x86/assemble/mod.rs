//! In-process assembler: a parsed Intel-syntax instruction → iced-x86 `Instruction` → bytes,
//! choosing among valid encodings the one LLVM's assembler chooses.
//!
//! Candidates come from iced-x86's tables (`table`); operands are matched by kind
//! (`operands`); every candidate that fits is encoded and the best is kept: an explicit
//! `{vex}`/`{evex}` decides first, then LLVM's preference for VEX over EVEX (except for
//! the AVX-512 VNNI/IFMA/BF16 forms, which LLVM assembles as EVEX unless `{vex}` is
//! written), then the shortest encoding, then LLVM's tie-breaks (`llvm_tie_break`), then
//! iced's `Code` order (which lists the `r/m, reg` forms LLVM picks for
//! register-to-register operations first). tests/isa_differential.rs checks the choice
//! against `clang-19 -c` over iced's whole instruction table.

mod cache;
mod operands;
mod table;

pub(crate) use table::warm_up;

use std::borrow::Cow;
use std::cell::RefCell;

use iced_x86::{Encoder, Instruction, Mnemonic, Register, RoundingControl};

use super::exact_instruction::ExactInstruction;
use super::memo::Memo;
use crate::emit::model::MachineCode;
use crate::parse::x86::{Instruction as AsmInstruction, Operand, Prefix, Rounding};
use operands::{Op, apply, fits};
use table::{Candidate, blank, candidates};

/// Why an instruction cannot be assembled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EncodeError {
    #[error("no encoding of `{mnemonic}` takes these operands ({operands})")]
    NoMatchingForm { mnemonic: String, operands: String },
    #[error("immediate {value} does not fit the operand")]
    ImmediateOutOfRange { value: i128 },
    #[error("unsupported prefix on `{0}`")]
    UnsupportedPrefix(String),
    #[error("iced-x86 could not encode the instruction: {0}")]
    Encoder(String),
}

/// The decorations that are not operands of their own in iced-x86.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
struct Decorations {
    sae: bool,
    rounding: Option<RoundingControl>,
}

/// LLVM assembles these AVX-512 VNNI / IFMA mnemonics as EVEX unless `{vex}` is written.
fn prefers_evex(m: Mnemonic) -> bool {
    matches!(
        m,
        Mnemonic::Vpdpbusd
            | Mnemonic::Vpdpbusds
            | Mnemonic::Vpdpwssd
            | Mnemonic::Vpdpwssds
            | Mnemonic::Vpmadd52luq
            | Mnemonic::Vpmadd52huq
            // AVX512-BF16 over AVX-NE-CONVERT.
            | Mnemonic::Vcvtneps2bf16
    )
}

fn describe(ops: &[Op<'_>]) -> String {
    ops.iter()
        .map(|o| match o {
            Op::Reg(r) => format!("{r:?}").to_lowercase(),
            Op::Mem(m) => match m.size {
                Some(s) => format!("{s:?} ptr").to_lowercase(),
                None => "memory".into(),
            },
            Op::Imm(_) => "immediate".into(),
            Op::Symbolic => "symbol".into(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Builds the iced-x86 instruction for `ins`.
///
/// Operands naming a symbol are built as placeholders the lowering rewrites: a memory
/// displacement with a symbol gets displacement 0 (RIP-relative operands keep base RIP), a
/// branch or call target gets target 0, `offset sym` an immediate 0.
pub fn build<'a>(ins: &'a AsmInstruction) -> Result<Instruction, EncodeError> {
    // Inline operand list (this runs once per instruction): no x86 encoding takes more
    // than MAX_OPS operands, so a longer list cannot assemble anyway.
    const MAX_OPS: usize = 8;
    let mut buf: [Op<'a>; MAX_OPS] = [Op::Symbolic; MAX_OPS];
    let mut len = 0usize;
    let mut push = |op: Op<'a>| -> Result<(), EncodeError> {
        *buf.get_mut(len)
            .ok_or_else(|| EncodeError::NoMatchingForm {
                mnemonic: format!("{:?}", ins.mnemonic.base).to_lowercase(),
                operands: format!("{} operands", ins.operands.len()),
            })? = op;
        len += 1;
        Ok(())
    };
    let mut deco = Decorations::default();
    for o in &ins.operands {
        match o {
            Operand::Reg(r) => push(Op::Reg(*r))?,
            Operand::Mem(m) => push(Op::Mem(m))?,
            Operand::Expr(e) => push(match e.eval_const() {
                Some(v) => Op::Imm(v),
                None => Op::Symbolic,
            })?,
            Operand::Offset(_) => push(Op::Symbolic)?,
            Operand::Sae => deco.sae = true,
            Operand::Rounding(r) => {
                deco.rounding = Some(match r {
                    Rounding::Nearest => RoundingControl::RoundToNearest,
                    Rounding::Down => RoundingControl::RoundDown,
                    Rounding::Up => RoundingControl::RoundUp,
                    Rounding::TowardZero => RoundingControl::RoundTowardZero,
                })
            }
        }
    }
    if let Some(v) = ins.mnemonic.implied_imm {
        push(Op::Imm(v as i128))?;
    }
    let ops = &mut buf[..len];
    for p in &ins.prefixes {
        if matches!(
            p,
            Prefix::Data16 | Prefix::Addr32 | Prefix::Rex64 | Prefix::Cs | Prefix::Ds
        ) {
            return Err(EncodeError::UnsupportedPrefix(ins.text.to_string()));
        }
    }
    // `xchg` of two registers: `xchg rax, rcx` is the one-byte accumulator form (iced
    // writes it `xchg rcx, rax`); otherwise LLVM puts the first register in ModRM.reg,
    // which iced's `xchg r/m, reg` takes second.
    if ins.mnemonic.base == Mnemonic::Xchg
        && let [Op::Reg(a), Op::Reg(b)] = ops[..]
    {
        let accumulator = |r: Register| matches!(r, Register::RAX | Register::EAX | Register::AX);
        if !(accumulator(b) && a != b) {
            ops.swap(0, 1);
        }
    }
    let ops: &[Op<'_>] = ops;
    // `xchg rax, rax` is LLVM's one-byte `nop` (90, no REX.W).
    if ins.mnemonic.base == Mnemonic::Xchg
        && ops == [Op::Reg(Register::RAX), Op::Reg(Register::RAX)]
        && ins.prefixes.is_empty()
    {
        return Ok(blank(iced_x86::Code::Nopd));
    }
    if let Some(found) = select(ins, ops, deco)? {
        return Ok(found);
    }
    // Intel syntax writes some operands iced-x86 keeps implicit, and omits some it wants.
    for retry in alternatives(ops) {
        if let Some(found) = select(ins, &retry, deco)? {
            return Ok(found);
        }
    }
    // GAS accepts `movsx r64, r/m32` (GCC writes it) for `movsxd`.
    if ins.mnemonic.base == Mnemonic::Movsx {
        let mut alias = ins.clone();
        alias.mnemonic.base = Mnemonic::Movsxd;
        if let Some(found) = select(&alias, ops, deco)? {
            return Ok(found);
        }
    }
    if let Some(v) = ops.iter().find_map(|o| match o {
        Op::Imm(v) if *v > u64::MAX as i128 || *v < i64::MIN as i128 => Some(*v),
        _ => None,
    }) {
        return Err(EncodeError::ImmediateOutOfRange { value: v });
    }
    Err(EncodeError::NoMatchingForm {
        mnemonic: format!("{:?}", ins.mnemonic.base).to_lowercase(),
        operands: describe(ops),
    })
}

fn alternatives<'a>(ops: &[Op<'a>]) -> Vec<Vec<Op<'a>>> {
    let mut out = Vec::new();
    // `fxch st(2)`, `fcom st(5)`: the x87 stack top is implicit.
    if let [Op::Reg(r)] = ops
        && r.is_st()
    {
        out.push(vec![Op::Reg(Register::ST0), Op::Reg(*r)]);
    }
    // `blendvps xmm1, xmm2, xmm0`, `sha256rnds2 xmm1, xmm2, xmm0`: implicit XMM0.
    if let Some(Op::Reg(Register::XMM0)) = ops.last() {
        out.push(ops[..ops.len() - 1].to_vec());
    }
    // `shl rax` = `shl rax, 1`.
    if ops.len() == 1 {
        let mut v = ops.to_vec();
        v.push(Op::Imm(1));
        out.push(v);
    }
    out
}

thread_local! {
    static ENCODER: RefCell<Encoder> = RefCell::new(Encoder::new(64));
}

/// Hands the encoder's output to `f` and clears it, keeping the buffer for the next use.
fn with_encoded<T>(ins: &Instruction, f: impl FnOnce(Result<&[u8], String>) -> T) -> T {
    ENCODER.with(|e| {
        let mut e = e.borrow_mut();
        let result = e.encode(ins, 0).map_err(|err| err.to_string());
        let mut buf = e.take_buffer();
        let out = f(result.map(|_| buf.as_slice()));
        buf.clear();
        e.set_buffer(buf);
        out
    })
}

fn encoded_len(ins: &Instruction) -> Option<usize> {
    with_encoded(ins, |r| r.ok().map(<[u8]>::len))
}

fn decorations_fit(ins: &AsmInstruction, c: &Candidate, deco: Decorations, ops: &[Op<'_>]) -> bool {
    let info = c.info;
    let broadcast = ops
        .iter()
        .any(|o| matches!(o, Op::Mem(m) if m.broadcast.is_some()));
    if ins.opmask.is_some() && !info.can_use_op_mask_register() {
        return false;
    }
    if ins.opmask.is_none() && info.require_op_mask_register() {
        return false;
    }
    if ins.zeroing && !info.can_use_zeroing_masking() {
        return false;
    }
    if broadcast && !info.can_broadcast() {
        return false;
    }
    if deco.sae && !info.can_suppress_all_exceptions() {
        return false;
    }
    if deco.rounding.is_some() && !info.can_use_rounding_control() {
        return false;
    }
    if ins.prefixes.contains(&Prefix::Vex) && !c.is_vex() {
        return false;
    }
    if ins.prefixes.contains(&Prefix::Evex) && !c.is_evex() {
        return false;
    }
    if ins.mnemonic.movabs {
        let kinds = info.op_kinds();
        let has = kinds.iter().any(|k| {
            matches!(
                k,
                iced_x86::OpCodeOperandKind::imm64 | iced_x86::OpCodeOperandKind::mem_offs
            )
        });
        if !has {
            return false;
        }
    }
    true
}

/// The best encoding of `ins` with exactly `ops`, if any fits.
/// The best encoding of `ins` with exactly `ops`, if any fits. Decisions are cached by
/// the instruction's shape ([`cache::Shape`]): kernels repeat the same forms constantly.
fn select(
    ins: &AsmInstruction,
    ops: &[Op<'_>],
    deco: Decorations,
) -> Result<Option<Instruction>, EncodeError> {
    let shape = cache::Shape::of(ins, ops, deco);
    if let Some(decision) = shape.as_ref().and_then(cache::get) {
        return Ok(decision.map(|c| {
            let ops = operands_for(c, ops);
            construct(c, ins, &ops, deco)
        }));
    }
    let best = search(ins, ops, deco);
    if let Some(shape) = shape {
        cache::put(shape, best.map(|(c, _)| c));
    }
    Ok(best.map(|(_, i)| i))
}

/// `ops`, or the implicit operands of an operand-less string instruction, or `ops` after
/// the implicit `[rdi]` of `maskmovdqu xmm1, xmm2` (LLVM does not write it).
fn operands_for<'o, 'a>(c: &Candidate, ops: &'o [Op<'a>]) -> Cow<'o, [Op<'a>]> {
    let count = c.info.op_count() as usize;
    if count == ops.len() {
        return Cow::Borrowed(ops);
    }
    let kinds = c.info.op_kinds();
    if ops.is_empty() {
        Cow::Owned(implicit_string_operands(c).unwrap_or_default())
    } else if kinds.len() == ops.len() + 1 && kinds[0] == iced_x86::OpCodeOperandKind::seg_rDI {
        let mut all = vec![Op::Mem(implicit_memory(Register::RDI))];
        all.extend_from_slice(ops);
        Cow::Owned(all)
    } else {
        Cow::Borrowed(ops)
    }
}

/// How LLVM ranks fitting encodings, best first: EVEX preference, length, tie-break
/// ([`llvm_tie_break`]), `Code` order.
type Rank = (u8, usize, u8, u32);

/// Tries every candidate: the fitting one LLVM would choose.
fn search(
    ins: &AsmInstruction,
    ops: &[Op<'_>],
    deco: Decorations,
) -> Option<(&'static Candidate, Instruction)> {
    let prefer_evex = prefers_evex(ins.mnemonic.base);
    let mut best: Option<(Rank, &'static Candidate, Instruction)> = None;
    for c in candidates(ins.mnemonic.base) {
        // `rep stosq` without operands: string instructions' operands are implicit.
        let ops = operands_for(c, ops);
        if c.info.op_count() as usize != ops.len() {
            continue;
        }
        if !decorations_fit(ins, c, deco, &ops) {
            continue;
        }
        // `xchg eax, eax` is 87 C0: the short form 90 is `nop`, which would leave the upper
        // half of rax alone.
        if c.code == iced_x86::Code::Xchg_r32_EAX && ops[0] == Op::Reg(Register::EAX) {
            continue;
        }
        if !c
            .info
            .op_kinds()
            .iter()
            .zip(ops.iter())
            .all(|(k, o)| fits(*k, o, c, ins.mnemonic.movabs))
        {
            continue;
        }
        let built = construct(c, ins, &ops, deco);
        let Some(len) = encoded_len(&built) else {
            continue;
        };
        let evex_rank = u8::from(c.is_evex() != prefer_evex);
        let key = (evex_rank, len, llvm_tie_break(c, &ops), c.code as u32);
        if best.as_ref().is_none_or(|(k, _, _)| key < *k) {
            best = Some((key, c, built));
        }
    }
    best.map(|(_, c, i)| (c, i))
}

/// The iced-x86 instruction for candidate `c` with `ops` and the decorations.
fn construct(
    c: &Candidate,
    ins: &AsmInstruction,
    ops: &[Op<'_>],
    deco: Decorations,
) -> Instruction {
    let mut built = blank(c.code);
    let mut imm_placed = false;
    for (i, (k, o)) in c.info.op_kinds().iter().zip(ops).enumerate() {
        apply(&mut built, i as u32, *k, o, imm_placed);
        if matches!(o, Op::Imm(_)) {
            imm_placed = true;
        }
    }
    if let Some(k) = ins.opmask {
        built.set_op_mask(k);
    }
    built.set_zeroing_masking(ins.zeroing);
    if deco.sae {
        built.set_suppress_all_exceptions(true);
    }
    if let Some(rc) = deco.rounding {
        built.set_rounding_control(rc);
    }
    rip_relative_constant(&mut built, ops);
    for p in &ins.prefixes {
        match p {
            Prefix::Rep => built.set_has_rep_prefix(true),
            Prefix::Repe => built.set_has_repe_prefix(true),
            Prefix::Repne => built.set_has_repne_prefix(true),
            Prefix::Lock => built.set_has_lock_prefix(true),
            // CET's `notrack` is a DS segment prefix on an indirect branch.
            Prefix::Notrack => built.set_segment_prefix(iced_x86::Register::DS),
            _ => {}
        }
    }
    built
}

/// `[rip + 16]` with a number: iced takes a RIP-relative operand's displacement as the
/// target address, so it becomes the instruction's end (at IP 0) plus the number. (The
/// translator rejects such operands — a PC-relative offset cannot stay in raw bytes — but
/// the assembler encodes them as LLVM does. Symbolic ones stay placeholders.)
fn rip_relative_constant(built: &mut Instruction, ops: &[Op<'_>]) {
    if built.memory_base() != Register::RIP {
        return;
    }
    let Some(disp) = ops.iter().find_map(|o| match o {
        Op::Mem(m) if m.base == Some(Register::RIP) => m.disp.eval_const(),
        _ => None,
    }) else {
        return;
    };
    if let Some(len) = encoded_len(built) {
        built.set_memory_displacement64((disp as i64).wrapping_add(len as i64) as u64);
    }
}

/// Ties (equal length) LLVM breaks differently from `Code` order: 1 loses to 0.
/// - `movq`/`vmovq` between an MMX/XMM register and memory use 0F 6F / F3 0F 7E / 66 0F D6,
///   not the REX.W GPR forms (0F 6E / 66 0F 6E, same length once a REX is needed anyway);
/// - `add ax, 0x7f`: the sign-extended imm8 form, not the accumulator form with an imm16;
/// - FMA4 with four registers: the VEX.W1 form (the last source in ModRM.rm).
fn llvm_tie_break(c: &Candidate, ops: &[Op<'_>]) -> u8 {
    use iced_x86::Code as C;
    use iced_x86::OpCodeOperandKind as K;
    let has_mem = ops.iter().any(|o| matches!(o, Op::Mem(_)));
    let gpr_form = matches!(
        c.code,
        C::Movq_xmm_rm64
            | C::Movq_rm64_xmm
            | C::VEX_Vmovq_xmm_rm64
            | C::VEX_Vmovq_rm64_xmm
            | C::EVEX_Vmovq_xmm_rm64
            | C::EVEX_Vmovq_rm64_xmm
            | C::Movq_mm_rm64
            | C::Movq_rm64_mm
    );
    let kinds = c.info.op_kinds();
    let accumulator_imm = matches!(
        kinds,
        [K::ax, K::imm16] | [K::eax, K::imm32] | [K::rax, K::imm32sex64]
    );
    let fma4_w0 =
        c.code.cpuid_features() == [iced_x86::CpuidFeature::FMA4] && c.info.w() == 0 && !has_mem;
    u8::from((has_mem && gpr_form) || accumulator_imm || fma4_w0)
}

/// `[base]`, an implicit operand's memory.
fn implicit_memory(base: Register) -> &'static crate::parse::x86::MemOperand {
    use std::sync::OnceLock;
    static RDI: OnceLock<crate::parse::x86::MemOperand> = OnceLock::new();
    static RSI: OnceLock<crate::parse::x86::MemOperand> = OnceLock::new();
    static RBX: OnceLock<crate::parse::x86::MemOperand> = OnceLock::new();
    let cell = match base {
        Register::RSI => &RSI,
        Register::RBX => &RBX,
        _ => &RDI,
    };
    cell.get_or_init(|| crate::parse::x86::MemOperand {
        size: None,
        segment: None,
        base: Some(base),
        index: None,
        scale: 1,
        disp: crate::parse::Expr::Num(0),
        broadcast: None,
    })
}

/// The operands GAS lets string instructions omit (`stosq` = `stosq qword ptr es:[rdi],
/// rax`, `xlatb` = `xlat byte ptr [rbx + al]`).
fn implicit_string_operands(c: &Candidate) -> Option<Vec<Op<'static>>> {
    use iced_x86::OpCodeOperandKind as K;
    c.info
        .op_kinds()
        .iter()
        .map(|k| match k {
            K::es_rDI | K::seg_rDI => Some(Op::Mem(implicit_memory(Register::RDI))),
            K::seg_rSI => Some(Op::Mem(implicit_memory(Register::RSI))),
            K::seg_rBX_al => Some(Op::Mem(implicit_memory(Register::RBX))),
            K::al => Some(Op::Reg(Register::AL)),
            K::ax => Some(Op::Reg(Register::AX)),
            K::eax => Some(Op::Reg(Register::EAX)),
            K::rax => Some(Op::Reg(Register::RAX)),
            _ => None,
        })
        .collect()
}

thread_local! {
    /// Machine code of instructions already encoded: kernels repeat the same instructions
    /// (register moves, pushes, loop bodies), and encoding costs far more than a lookup.
    static ENCODED: RefCell<Memo<ExactInstruction, MachineCode>> = RefCell::new(Memo::new());
}

/// Encodes `ins` (at IP 0) and returns its bytes.
pub fn encode(ins: &Instruction) -> Result<MachineCode, EncodeError> {
    let key = ExactInstruction(*ins);
    if let Some(code) = ENCODED.with(|m| m.borrow().get(&key)) {
        return Ok(code);
    }
    let code = with_encoded(ins, |r| {
        let bytes = r.map_err(EncodeError::Encoder)?;
        MachineCode::new(bytes)
            .ok_or_else(|| EncodeError::Encoder(format!("{} bytes", bytes.len())))
    })?;
    ENCODED.with(|m| m.borrow_mut().insert(key, code));
    Ok(code)
}

#[cfg(test)]
mod tests;
