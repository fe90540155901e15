//! The AArch64 instruction as the parser sees it.

use super::register::{Gpr, VReg};
use crate::parse::Expr;
use crate::source::Span;

/// A relocation modifier applied to an expression: `:lo12:sym`, `:got:sym`,
/// `:tprel_lo12_nc:sym`… (`name` lower-case, without colons).
#[derive(Debug, Clone, PartialEq)]
pub struct Reloc {
    pub name: String,
    pub expr: Expr,
}

/// Shift and extend operators (`lsl #3`, `uxtw`, `sxtw #2`, `msl #8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftKind {
    Lsl,
    Lsr,
    Asr,
    Ror,
    Msl,
    Uxtb,
    Uxth,
    Uxtw,
    Uxtx,
    Sxtb,
    Sxth,
    Sxtw,
    Sxtx,
}

/// The offset part of a memory operand.
#[derive(Debug, Clone, PartialEq)]
pub enum MemOffset {
    None,
    /// `#imm` or an expression.
    Imm(Expr),
    /// `:lo12:sym` and other relocated offsets.
    Reloc(Reloc),
    /// `xM` / `wM` with an optional shift or extend.
    Reg {
        index: Gpr,
        shift: Option<(ShiftKind, Option<Expr>)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Gpr(Gpr),
    Vec(VReg),
    /// `{ v0.16b, v1.16b }` or `{ v0.s, v1.s }[1]`.
    List {
        regs: Vec<VReg>,
        lane: Option<u8>,
    },
    /// `#expr` or a bare number.
    Imm(Expr),
    /// `#1.5`, `#-0.25` (FP immediates of `fmov`).
    FloatImm(f64),
    /// `[base{, offset}]{!}`.
    Mem {
        base: Gpr,
        offset: MemOffset,
        pre_index: bool,
    },
    /// A shift or extend operand following a register or immediate.
    Shift {
        kind: ShiftKind,
        amount: Option<Expr>,
    },
    /// A relocated expression outside brackets (`add x0, x0, :lo12:sym`).
    Reloc(Reloc),
    /// A symbol or label expression (`b .LBB0_3`, `bl f`, `adrp x0, .LCPI0_0`).
    Target(Expr),
    /// A bare word that is not a register: condition codes (`eq`), prefetch operations
    /// (`pldl1keep`), barrier options (`ish`), system registers (`fpcr`).
    Word(String),
    /// `=expr`: the assembler's literal-pool pseudo-load (`ldr x0, =0x1234`).
    LiteralPool(Expr),
}

/// One operand and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedOperand {
    pub operand: Operand,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// Lower-case mnemonic, conditions included (`b.ne`, `ldp`, `fmla`).
    pub mnemonic: String,
    pub operands: Vec<LocatedOperand>,
    /// The statement as written (for comments in the output).
    pub text: String,
}

impl Instruction {
    /// Every general-purpose register the text names, with the operand's position.
    pub fn gprs(&self) -> impl Iterator<Item = (Gpr, Span)> + '_ {
        self.operands.iter().flat_map(|o| {
            let regs: Vec<Gpr> = match &o.operand {
                Operand::Gpr(r) => vec![*r],
                Operand::Mem { base, offset, .. } => match offset {
                    MemOffset::Reg { index, .. } => vec![*base, *index],
                    _ => vec![*base],
                },
                _ => Vec::new(),
            };
            regs.into_iter().map(move |r| (r, o.span))
        })
    }
}
