//! Memo of encoding decisions by instruction shape. The choice of encoding depends only on
//! the mnemonic, decorations, exact registers, the memory operand's form and displacement,
//! and which immediate ranges a value falls in — so the same shape always picks the same
//! `Code`, and the search (which encodes every fitting candidate) runs once per shape.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;

use iced_x86::Register;

use super::Decorations;
use super::operands::Op;
use super::table::Candidate;
use crate::parse::x86::{Instruction as AsmInstruction, MemSize, Mnemonic, Prefix};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum OpShape {
    /// Padding after the last operand.
    Absent,
    Reg(Register),
    Mem {
        size: Option<MemSize>,
        segment: Option<Register>,
        base: Option<Register>,
        index: Option<Register>,
        scale: u8,
        /// `None` for a symbolic displacement (a placeholder).
        disp: Option<i128>,
        broadcast: Option<u8>,
    },
    /// Bit mask of the immediate ranges the value falls in.
    Imm(u16),
    Symbolic,
}

fn imm_class(v: i128) -> u16 {
    let ranges: [(i128, i128); 10] = [
        (1, 1),
        (-128, 127),
        (0, 255),
        (0xff80, 0xffff),
        (0xffff_ff80, 0xffff_ffff),
        (-32768, 65535),
        (-(1 << 31), (1 << 31) - 1),
        (-(1 << 31), (1 << 32) - 1),
        (0, 15),
        (i64::MIN as i128, u64::MAX as i128),
    ];
    ranges
        .iter()
        .enumerate()
        .filter(|(_, (lo, hi))| (*lo..=*hi).contains(&v))
        .fold(0, |m, (i, _)| m | (1 << i))
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shape {
    mnemonic: Mnemonic,
    prefixes: u16,
    opmask: Option<Register>,
    zeroing: bool,
    deco: Decorations,
    /// Inline (no allocation per lookup): x86 instructions have at most 5 operands, plus
    /// the immediate a pseudo-mnemonic implies. More never fit a candidate.
    ops: [OpShape; MAX_OPERANDS],
}

const MAX_OPERANDS: usize = 6;

impl Shape {
    /// `None` when there are more operands than a shape holds (nothing to memoise: no
    /// encoding takes that many).
    pub fn of(ins: &AsmInstruction, ops: &[Op<'_>], deco: Decorations) -> Option<Shape> {
        if ops.len() > MAX_OPERANDS {
            return None;
        }
        let prefixes = ins.prefixes.iter().fold(0u16, |m, p| {
            m | 1
                << match p {
                    Prefix::Lock => 0,
                    Prefix::Rep => 1,
                    Prefix::Repe => 2,
                    Prefix::Repne => 3,
                    Prefix::Notrack => 4,
                    Prefix::Vex => 5,
                    Prefix::Evex => 6,
                    Prefix::Data16 => 7,
                    Prefix::Addr32 => 8,
                    Prefix::Rex64 => 9,
                    Prefix::Cs => 10,
                    Prefix::Ds => 11,
                }
        });
        let mut shapes = [OpShape::Absent; MAX_OPERANDS];
        for (slot, o) in shapes.iter_mut().zip(ops) {
            *slot = match o {
                Op::Reg(r) => OpShape::Reg(*r),
                Op::Mem(m) => OpShape::Mem {
                    size: m.size,
                    segment: m.segment,
                    base: m.base,
                    index: m.index,
                    scale: m.scale,
                    disp: m.disp.eval_const(),
                    broadcast: m.broadcast,
                },
                Op::Imm(v) => OpShape::Imm(imm_class(*v)),
                Op::Symbolic => OpShape::Symbolic,
            };
        }
        Some(Shape {
            mnemonic: ins.mnemonic,
            prefixes,
            opmask: ins.opmask,
            zeroing: ins.zeroing,
            deco,
            ops: shapes,
        })
    }
}

/// Entries kept before the memo is reset (bounds memory on pathological inputs).
const CAPACITY: usize = 1 << 16;

type Decision = Option<&'static Candidate>;

thread_local! {
    static MEMO: RefCell<HashMap<Shape, Decision>> = RefCell::new(HashMap::default());
}

/// The cached decision: `Some(None)` = known not to assemble, `None` = not cached.
pub fn get(shape: &Shape) -> Option<Decision> {
    MEMO.with(|m| m.borrow().get(shape).copied())
}

pub fn put(shape: Shape, decision: Decision) {
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= CAPACITY {
            m.clear();
        }
        m.insert(shape, decision);
    });
}
