//! Which memory operands fault when misaligned, and how aligned they must be.
//!
//! The stack model uses this to decide whether a C function still runs correctly when its
//! entry stack pointer is only 8-byte aligned (Go's guarantee) instead of ≡ 8 (mod 16)
//! (System V's): see `stack::depth_at_go_sp`. A function whose stack slots are only ever
//! accessed by instructions that tolerate any alignment, or through a stack pointer it
//! realigned itself (`and rsp, -A`, what `-mstackrealign` emits), does not depend on it.
//!
//! Rules (Intel SDM vol. 1 §14.9 and §15.7, vol. 2 per instruction):
//! - the explicitly aligned moves (`movaps`, `vmovdqa64`, the non-temporal stores …) need
//!   their full operand size (16, 32 or 64) in every encoding;
//! - any other legacy-encoded (SSE) instruction with a 16-byte memory operand needs 16,
//!   except the unaligned moves (`movups`, `movupd`, `movdqu`, `lddqu`) and the SSE4.2
//!   string compares;
//! - VEX and EVEX encodings tolerate any alignment otherwise;
//! - `fxsave`/`fxrstor` and `cmpxchg16b` need 16, the `xsave` family 64.
//!
//! Operands smaller than 16 bytes never fault (alignment checking, `AC`, is off in user
//! mode on every OS Go supports).

use iced_x86::{EncodingKind, Instruction, Mnemonic};

/// The alignment the memory operand of `ins` must have, or `None` if any will do.
pub fn required_alignment(ins: &Instruction) -> Option<u64> {
    use Mnemonic::*;
    let size = ins.memory_size().size() as u64;
    match ins.mnemonic() {
        Xsave | Xsave64 | Xsavec | Xsavec64 | Xsaveopt | Xsaveopt64 | Xsaves | Xsaves64
        | Xrstor | Xrstor64 | Xrstors | Xrstors64 => return Some(64),
        Fxsave | Fxsave64 | Fxrstor | Fxrstor64 | Cmpxchg16b => return Some(16),
        _ => {}
    }
    if size < 16 {
        return None;
    }
    match ins.mnemonic() {
        Movaps | Movapd | Movdqa | Movntps | Movntpd | Movntdq | Movntdqa | Vmovaps | Vmovapd
        | Vmovdqa | Vmovdqa32 | Vmovdqa64 | Vmovntps | Vmovntpd | Vmovntdq | Vmovntdqa => {
            Some(size.min(64))
        }
        Movups | Movupd | Movdqu | Lddqu | Pcmpestri | Pcmpestri64 | Pcmpestrm | Pcmpestrm64
        | Pcmpistri | Pcmpistrm => None,
        _ if ins.encoding() == EncodingKind::Legacy => Some(16),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_x86::{Code, MemoryOperand, Register};

    fn mem(code: Code, reg: Register) -> Instruction {
        let m = MemoryOperand::with_base_displ(Register::RSP, 16);
        Instruction::with2(code, m, reg)
            .or_else(|_| Instruction::with2(code, reg, m))
            .expect("instruction")
    }

    #[test]
    fn aligned_moves_need_their_size() {
        assert_eq!(
            required_alignment(&mem(Code::Movaps_xmmm128_xmm, Register::XMM0)),
            Some(16)
        );
        assert_eq!(
            required_alignment(&mem(Code::VEX_Vmovaps_ymmm256_ymm, Register::YMM1)),
            Some(32)
        );
        assert_eq!(
            required_alignment(&mem(Code::EVEX_Vmovdqa64_zmmm512_k1z_zmm, Register::ZMM2)),
            Some(64)
        );
    }

    #[test]
    fn legacy_sse_operands_need_16_unless_unaligned_forms() {
        assert_eq!(
            required_alignment(&mem(Code::Addps_xmm_xmmm128, Register::XMM0)),
            Some(16)
        );
        assert_eq!(
            required_alignment(&mem(Code::Movups_xmm_xmmm128, Register::XMM0)),
            None
        );
        assert_eq!(
            required_alignment(&mem(Code::Movdqu_xmmm128_xmm, Register::XMM3)),
            None
        );
        // Scalar and 8-byte operands never fault.
        assert_eq!(
            required_alignment(&mem(Code::Addss_xmm_xmmm32, Register::XMM0)),
            None
        );
        assert_eq!(
            required_alignment(&mem(Code::Mov_rm64_r64, Register::RAX)),
            None
        );
    }

    #[test]
    fn vex_and_evex_arithmetic_tolerates_misalignment() {
        let m = MemoryOperand::with_base_displ(Register::RSP, 8);
        let i = Instruction::with3(
            Code::VEX_Vaddps_ymm_ymm_ymmm256,
            Register::YMM0,
            Register::YMM1,
            m,
        )
        .expect("vaddps");
        assert_eq!(required_alignment(&i), None);
        assert_eq!(
            required_alignment(&mem(Code::VEX_Vmovups_ymmm256_ymm, Register::YMM1)),
            None
        );
    }
}
