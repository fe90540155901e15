//! x86-64 instructions as written in GAS Intel syntax (`-masm=intel`).

use iced_x86::Register;

use super::mnemonic::Mnemonic;
use crate::parse::expr::Expr;

/// The `xxx ptr` keyword of a memory operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemSize {
    Byte,
    Word,
    Dword,
    /// 6/10-byte far pointer (`fword ptr`).
    Fword,
    Qword,
    /// 80-bit x87 (`tbyte ptr`, `xword ptr`).
    Tbyte,
    /// 16 bytes (`xmmword ptr`, `oword ptr`).
    Xmmword,
    Ymmword,
    Zmmword,
}

impl MemSize {
    /// Size in bytes.
    pub fn bytes(self) -> u32 {
        match self {
            MemSize::Byte => 1,
            MemSize::Word => 2,
            MemSize::Dword => 4,
            MemSize::Fword => 6,
            MemSize::Qword => 8,
            MemSize::Tbyte => 10,
            MemSize::Xmmword => 16,
            MemSize::Ymmword => 32,
            MemSize::Zmmword => 64,
        }
    }
}

/// A memory operand `size ptr seg:[base + scale*index + disp] {1toN}`.
#[derive(Debug, Clone, PartialEq)]
pub struct MemOperand {
    pub size: Option<MemSize>,
    pub segment: Option<Register>,
    /// `Register::RIP` for RIP-relative operands.
    pub base: Option<Register>,
    pub index: Option<Register>,
    /// 1, 2, 4 or 8 (1 when there is no index).
    pub scale: u8,
    /// Displacement; may name a symbol (`[rip + .LCPI0_0+16]`, GCC's `.LC0[rip]`).
    pub disp: Expr,
    /// Embedded broadcast `{1toN}`: N.
    pub broadcast: Option<u8>,
}

/// EVEX static rounding modes (`{rn-sae}`, `{rd-sae}`, `{ru-sae}`, `{rz-sae}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    Nearest,
    Down,
    Up,
    TowardZero,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Reg(Register),
    Mem(MemOperand),
    /// A bare expression: an immediate when constant, the target of jumps and calls.
    Expr(Expr),
    /// `offset sym` / GCC's `OFFSET FLAT:sym`: the address of a symbol as an immediate.
    Offset(Expr),
    /// `{rn-sae}` … as an operand of its own (LLVM prints it between the sources).
    Rounding(Rounding),
    /// `{sae}`.
    Sae,
}

/// Instruction prefixes written before the mnemonic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    Lock,
    Rep,
    Repe,
    Repne,
    /// `notrack` (CET indirect-branch tracking).
    Notrack,
    /// `{vex}` / `{vex3}` pseudo prefix: force a VEX encoding.
    Vex,
    /// `{evex}`: force an EVEX encoding.
    Evex,
    /// `data16` / `addr32` style size overrides as written (rare; GCC padding idioms).
    Data16,
    Addr32,
    Rex64,
    /// `cs`/`ds` segment prefixes written as prefixes (branch hints, padding).
    Cs,
    Ds,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    pub prefixes: Vec<Prefix>,
    pub mnemonic: Mnemonic,
    pub operands: Vec<Operand>,
    /// AVX-512 write mask `{k1}` on the destination.
    pub opmask: Option<Register>,
    /// `{z}` zeroing-masking.
    pub zeroing: bool,
    /// The instruction as written (trimmed, comment removed), kept for the output comment.
    pub text: crate::source::SharedText,
}
