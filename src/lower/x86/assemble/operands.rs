//! Does a parsed operand fit an encoding's operand kind, and how is it set on the
//! iced-x86 instruction.

use iced_x86::{Instruction, OpCodeOperandKind as K, OpKind, Register};

use super::table::Candidate;
use crate::parse::x86::{MemOperand, MemSize};

/// An operand normalised for matching.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op<'a> {
    Reg(Register),
    Mem(&'a MemOperand),
    /// A constant immediate (or numeric branch target).
    Imm(i128),
    /// A symbolic immediate or branch target: a placeholder the lowering rewrites.
    Symbolic,
}

fn in_range(v: i128, lo: i128, hi: i128) -> bool {
    (lo..=hi).contains(&v)
}

/// Sign-extended imm8 forms accept values whose operand-size representation is a
/// sign-extended byte (`and eax, 0xfffffff0` as well as `and eax, -16`).
fn fits_sext8(v: i128, operand_bits: u32) -> bool {
    if in_range(v, -128, 127) {
        return true;
    }
    let max = (1i128 << operand_bits) - 1;
    in_range(v, max - 127, max)
}

fn vector_index(m: &MemOperand) -> Option<Register> {
    m.index.filter(|r| r.is_vector_register())
}

fn plain_memory(m: &MemOperand) -> bool {
    vector_index(m).is_none()
}

/// Does `op` fit operand kind `kind` of `cand`? `broadcast` is the `{1toN}` of the
/// instruction's memory operand.
pub fn fits(kind: K, op: &Op<'_>, cand: &Candidate, movabs: bool) -> bool {
    match *op {
        Op::Reg(r) => reg_fits(kind, r) || selector_register(kind, r, cand),
        Op::Mem(m) => mem_fits(kind, m, cand, movabs),
        Op::Imm(v) => imm_fits(kind, v),
        Op::Symbolic => matches!(
            kind,
            K::imm32 | K::imm32sex64 | K::imm64 | K::br64_4 | K::br32_4 | K::xbegin_4
        ),
    }
}

fn reg_fits(kind: K, r: Register) -> bool {
    match kind {
        K::r8_or_mem | K::r8_reg | K::r8_opcode => r.is_gpr8(),
        K::r16_or_mem | K::r16_reg | K::r16_reg_mem | K::r16_rm | K::r16_opcode => r.is_gpr16(),
        K::r32_or_mem
        | K::r32_or_mem_mpx
        | K::r32_reg
        | K::r32_reg_mem
        | K::r32_rm
        | K::r32_opcode
        | K::r32_vvvv => r.is_gpr32(),
        K::r64_or_mem
        | K::r64_or_mem_mpx
        | K::r64_reg
        | K::r64_reg_mem
        | K::r64_rm
        | K::r64_opcode
        | K::r64_vvvv => r.is_gpr64(),
        K::seg_reg => r.is_segment_register(),
        K::k_reg | K::kp1_reg | K::k_rm | K::k_vvvv | K::k_or_mem => r.is_k(),
        K::mm_reg | K::mm_rm | K::mm_or_mem => r.is_mm(),
        K::xmm_reg
        | K::xmm_rm
        | K::xmm_vvvv
        | K::xmmp3_vvvv
        | K::xmm_is4
        | K::xmm_is5
        | K::xmm_or_mem => r.is_xmm(),
        K::ymm_reg | K::ymm_rm | K::ymm_vvvv | K::ymm_is4 | K::ymm_is5 | K::ymm_or_mem => {
            r.is_ymm()
        }
        K::zmm_reg | K::zmm_rm | K::zmm_vvvv | K::zmmp3_vvvv | K::zmm_or_mem => r.is_zmm(),
        K::tmm_reg | K::tmm_rm | K::tmm_vvvv => r.is_tmm(),
        K::cr_reg => r.is_cr(),
        K::dr_reg => r.is_dr(),
        K::tr_reg => r.is_tr(),
        K::bnd_reg | K::bnd_or_mem_mpx => r.is_bnd(),
        K::al => r == Register::AL,
        K::cl => r == Register::CL,
        K::ax => r == Register::AX,
        K::dx => r == Register::DX,
        K::eax => r == Register::EAX,
        K::rax => r == Register::RAX,
        K::st0 => r == Register::ST0,
        K::sti_opcode => r.is_st(),
        K::es => r == Register::ES,
        K::cs => r == Register::CS,
        K::ss => r == Register::SS,
        K::ds => r == Register::DS,
        K::fs => r == Register::FS,
        K::gs => r == Register::GS,
        _ => false,
    }
}

/// A 16-bit register where the operand is a 32/64-bit register or 16-bit memory
/// (`lar ecx, dx`, `verr r9w`, `mov bp, ds`): LLVM writes the register of the memory's
/// width and encodes it without an operand-size prefix. [`apply`] widens it.
fn selector_register(kind: K, r: Register, cand: &Candidate) -> bool {
    use iced_x86::Code as C;
    // Only these: LLVM keeps the prefix for `sldt`, `str`, `smsw` and `mov sreg, r16`.
    let reads_selector = matches!(
        cand.code,
        C::Lar_r32_r32m16
            | C::Lar_r64_r64m16
            | C::Lsl_r32_r32m16
            | C::Lsl_r64_r64m16
            | C::Verr_r32m16
            | C::Verw_r32m16
            | C::Mov_r32m16_Sreg
            | C::Mov_r64m16_Sreg
    );
    reads_selector && matches!(kind, K::r32_or_mem | K::r64_or_mem) && r.is_gpr16()
}

fn size_fits(m: &MemOperand, cand: &Candidate) -> bool {
    let Some(size) = m.size else { return true };
    let want = size.bytes() as usize;
    if m.broadcast.is_some() {
        return cand.bcst_bytes == want;
    }
    // Some encodings carry no memory size (lea, nop, prefetch…): any keyword is fine.
    cand.mem_bytes == 0
        || cand.mem_bytes == want
        || (size == MemSize::Tbyte && cand.mem_bytes == 10)
}

fn mem_fits(kind: K, m: &MemOperand, cand: &Candidate, movabs: bool) -> bool {
    if let Some(n) = m.broadcast
        && (cand.bcst_bytes == 0 || cand.bcst_bytes * n as usize != cand.mem_bytes)
    {
        return false;
    }
    // VSIB operands are written with the whole vector's size (`ymmword ptr [rdi + 4*ymm1]`)
    // while iced-x86 records the element size: their register operands decide the form.
    if vector_index(m).is_none() && !size_fits(m, cand) {
        return false;
    }
    let string_op = |base: Register| {
        m.base == Some(base) && m.index.is_none() && m.disp.eval_const() == Some(0)
    };
    match kind {
        K::mem
        | K::mem_mpx
        | K::mem_mib
        | K::sibmem
        | K::r8_or_mem
        | K::r16_or_mem
        | K::r32_or_mem
        | K::r32_or_mem_mpx
        | K::r64_or_mem
        | K::r64_or_mem_mpx
        | K::mm_or_mem
        | K::xmm_or_mem
        | K::ymm_or_mem
        | K::zmm_or_mem
        | K::bnd_or_mem_mpx
        | K::k_or_mem => plain_memory(m) && !movabs,
        K::mem_offs => movabs && m.base.is_none() && m.index.is_none(),
        K::mem_vsib32x | K::mem_vsib64x => vector_index(m).is_some_and(|r| r.is_xmm()),
        K::mem_vsib32y | K::mem_vsib64y => vector_index(m).is_some_and(|r| r.is_ymm()),
        K::mem_vsib32z | K::mem_vsib64z => vector_index(m).is_some_and(|r| r.is_zmm()),
        K::seg_rSI => string_op(Register::RSI),
        K::es_rDI | K::seg_rDI => string_op(Register::RDI),
        K::seg_rBX_al => m.base == Some(Register::RBX),
        _ => false,
    }
}

fn imm_fits(kind: K, v: i128) -> bool {
    match kind {
        K::imm8 => in_range(v, -128, 255),
        K::imm8_const_1 => v == 1,
        K::imm8sex16 => fits_sext8(v, 16),
        K::imm8sex32 => fits_sext8(v, 32),
        K::imm8sex64 => in_range(v, -128, 127),
        K::imm16 => in_range(v, -32768, 65535),
        K::imm32 => in_range(v, -(1 << 31), (1 << 32) - 1),
        K::imm32sex64 => in_range(v, -(1 << 31), (1 << 31) - 1),
        K::imm64 => in_range(v, i64::MIN as i128, u64::MAX as i128),
        K::imm4_m2z => in_range(v, 0, 15),
        K::br64_1 | K::br64_4 => true,
        _ => false,
    }
}

/// Sets operand `i` of `ins` (already given its code) to `op` as kind `kind`.
/// `second_imm` says an 8-bit immediate was already placed (enter/extrq take two).
pub fn apply(ins: &mut Instruction, i: u32, kind: K, op: &Op<'_>, second_imm: bool) {
    match *op {
        Op::Reg(r) => {
            // A selector register (see `selector_register`) in its full width.
            let r = match kind {
                K::r32_or_mem if r.is_gpr16() => r.full_register32(),
                K::r64_or_mem if r.is_gpr16() => r.full_register(),
                _ => r,
            };
            ins.set_op_kind(i, OpKind::Register);
            ins.set_op_register(i, r);
        }
        Op::Mem(m) => apply_mem(ins, i, kind, m),
        Op::Imm(v) => apply_imm(ins, i, kind, v, second_imm),
        Op::Symbolic => match kind {
            K::br64_4 | K::br32_4 | K::xbegin_4 | K::br64_1 => {
                ins.set_op_kind(i, OpKind::NearBranch64);
                ins.set_near_branch64(0);
            }
            _ => apply_imm(ins, i, kind, 0, second_imm),
        },
    }
}

fn apply_mem(ins: &mut Instruction, i: u32, kind: K, m: &MemOperand) {
    let string_kind = match kind {
        K::seg_rSI => Some(OpKind::MemorySegRSI),
        K::es_rDI => Some(OpKind::MemoryESRDI),
        K::seg_rDI => Some(OpKind::MemorySegRDI),
        _ => None,
    };
    if let Some(k) = string_kind {
        ins.set_op_kind(i, k);
        if let Some(seg) = m
            .segment
            .filter(|s| *s != Register::ES && kind != K::es_rDI)
            && seg != Register::DS
        {
            ins.set_segment_prefix(seg);
        }
        return;
    }
    // `xlat byte ptr [rbx + al]`.
    if kind == K::seg_rBX_al {
        ins.set_op_kind(i, OpKind::Memory);
        ins.set_memory_base(Register::RBX);
        ins.set_memory_index(Register::AL);
        if let Some(seg) = m.segment {
            ins.set_segment_prefix(seg);
        }
        return;
    }
    if kind == K::mem_offs {
        ins.set_op_kind(i, OpKind::Memory);
        ins.set_memory_base(Register::None);
        ins.set_memory_index(Register::None);
        ins.set_memory_displacement64(m.disp.eval_const().unwrap_or(0) as u64);
        ins.set_memory_displ_size(8);
        if let Some(seg) = m.segment {
            ins.set_segment_prefix(seg);
        }
        return;
    }
    ins.set_op_kind(i, OpKind::Memory);
    let base = m.base.unwrap_or(Register::None);
    ins.set_memory_base(base);
    ins.set_memory_index(m.index.unwrap_or(Register::None));
    ins.set_memory_index_scale(m.scale as u32);
    // A symbolic displacement is a placeholder: 0 now, rewritten by the lowering.
    let disp = m.disp.eval_const().unwrap_or(0) as i64;
    ins.set_memory_displacement64(disp as u64);
    // No base (`fs:40`, `[rax*8 + 16]`): a sign-extended disp32 with 64-bit addressing, as
    // LLVM encodes it (displacement size 4 would make iced add an 0x67 prefix).
    let displ_size = if base == Register::RIP || base == Register::None {
        8
    } else if disp == 0 {
        0
    } else {
        1
    };
    ins.set_memory_displ_size(displ_size);
    if let Some(seg) = m.segment {
        ins.set_segment_prefix(seg);
    }
    if m.broadcast.is_some() {
        ins.set_is_broadcast(true);
    }
}

fn apply_imm(ins: &mut Instruction, i: u32, kind: K, v: i128, second_imm: bool) {
    let (op_kind, _) = match kind {
        K::imm8 | K::imm8_const_1 | K::imm4_m2z if second_imm => (OpKind::Immediate8_2nd, 0),
        K::imm8 | K::imm8_const_1 | K::imm4_m2z => (OpKind::Immediate8, 0),
        K::imm8sex16 => (OpKind::Immediate8to16, 0),
        K::imm8sex32 => (OpKind::Immediate8to32, 0),
        K::imm8sex64 => (OpKind::Immediate8to64, 0),
        K::imm16 => (OpKind::Immediate16, 0),
        K::imm32 => (OpKind::Immediate32, 0),
        K::imm32sex64 => (OpKind::Immediate32to64, 0),
        _ => (OpKind::Immediate64, 0),
    };
    ins.set_op_kind(i, op_kind);
    match op_kind {
        OpKind::Immediate8 => ins.set_immediate8(v as u8),
        OpKind::Immediate8_2nd => ins.set_immediate8_2nd(v as u8),
        OpKind::Immediate8to16 => ins.set_immediate8to16(v as i8 as i16),
        OpKind::Immediate8to32 => ins.set_immediate8to32(v as i8 as i32),
        OpKind::Immediate8to64 => ins.set_immediate8to64(v as i8 as i64),
        OpKind::Immediate16 => ins.set_immediate16(v as u16),
        OpKind::Immediate32 => ins.set_immediate32(v as u32),
        OpKind::Immediate32to64 => ins.set_immediate32to64(v as i64),
        _ => ins.set_immediate64(v as u64),
    }
}
