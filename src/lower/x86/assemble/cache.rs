//! Memo of encoding decisions by instruction shape. The choice of encoding depends only on
//! the mnemonic, decorations, exact registers, the memory operand's form and displacement,
//! and which immediate ranges a value falls in — so the same shape always picks the same
//! `Code`, and the search (which encodes every fitting candidate) runs once per shape.

use std::cell::RefCell;

use iced_x86::Register;

use super::super::memo::Memo;
use super::Decorations;
use super::operands::Op;
use super::table::Candidate;
use crate::parse::x86::{Instruction as AsmInstruction, Mnemonic, Prefix};

/// One operand's shape packed into three words, so hashing and comparing a shape is a few
/// word operations (this runs for every instruction): word 0 = kind, memory size, scale,
/// broadcast and displacement kind; word 1 = registers; word 2 = constant displacement.
type OpShape = [u64; 3];

const ABSENT: u64 = 0;
const REG: u64 = 1;
const IMM: u64 = 2;
const SYMBOLIC: u64 = 3;
const MEM: u64 = 4;

fn reg_code(r: Option<Register>) -> u64 {
    r.map_or(0, |r| r as u64 + 1)
}

/// `None` when the displacement is a constant outside the 64-bit range (not memoised).
fn mem_shape(m: &crate::parse::x86::MemOperand) -> Option<OpShape> {
    let (disp_kind, disp) = match m.disp.eval_const() {
        // A symbol: a placeholder the lowering rewrites.
        None => (0u64, 0u64),
        Some(v) if i64::try_from(v).is_ok() => (1, v as i64 as u64),
        Some(v) if u64::try_from(v).is_ok() => (2, v as u64),
        Some(_) => return None,
    };
    let size = m.size.map_or(0, |s| s as u64 + 1);
    let broadcast = m.broadcast.map_or(0, |b| u64::from(b) + 1);
    Some([
        MEM | size << 8 | u64::from(m.scale) << 16 | broadcast << 24 | disp_kind << 48,
        reg_code(m.segment) | reg_code(m.base) << 16 | reg_code(m.index) << 32,
        disp,
    ])
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

/// The memo key: one header word (mnemonic, prefixes, masking, decorations) and three words
/// per operand, unused operands zero. Only the words in use are hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    words: [u64; 1 + 3 * MAX_OPERANDS],
    used: u8,
}

impl std::hash::Hash for Shape {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for w in &self.words[..usize::from(self.used)] {
            state.write_u64(*w);
        }
    }
}

/// x86 instructions have at most 5 operands, plus the immediate a pseudo-mnemonic implies.
/// More never fit a candidate.
const MAX_OPERANDS: usize = 6;

fn header(ins: &AsmInstruction, deco: Decorations) -> u64 {
    let prefixes = ins.prefixes.iter().fold(0u64, |m, p| {
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
    let Mnemonic {
        base,
        implied_imm,
        movabs,
    } = ins.mnemonic;
    // Bits: 0..16 mnemonic, 16..25 implied immediate + 1, 25 movabs, 26..38 prefixes,
    // 38..48 opmask register + 1, 48 zeroing, 49 sae, 50..54 rounding control.
    base as u64
        | implied_imm.map_or(0, |v| u64::from(v) + 1) << 16
        | u64::from(movabs) << 25
        | prefixes << 26
        | reg_code(ins.opmask) << 38
        | u64::from(ins.zeroing) << 48
        | u64::from(deco.sae) << 49
        | deco.rounding.map_or(0, |r| r as u64 + 1) << 50
}

impl Shape {
    /// `None` when there are more operands than a shape holds (no encoding takes that
    /// many) or a displacement beyond 64 bits: nothing to memoise, the search decides.
    pub fn of(ins: &AsmInstruction, ops: &[Op<'_>], deco: Decorations) -> Option<Shape> {
        if ops.len() > MAX_OPERANDS {
            return None;
        }
        let mut words = [ABSENT; 1 + 3 * MAX_OPERANDS];
        words[0] = header(ins, deco);
        for (slot, o) in words[1..].chunks_exact_mut(3).zip(ops) {
            let shape = match o {
                Op::Reg(r) => [REG, *r as u64, 0],
                Op::Mem(m) => mem_shape(m)?,
                Op::Imm(v) => [IMM, u64::from(imm_class(*v)), 0],
                Op::Symbolic => [SYMBOLIC, 0, 0],
            };
            slot.copy_from_slice(&shape);
        }
        Some(Shape {
            words,
            used: (1 + 3 * ops.len()) as u8,
        })
    }
}

type Decision = Option<&'static Candidate>;

thread_local! {
    static MEMO: RefCell<Memo<Shape, Decision>> = RefCell::new(Memo::new());
}

/// The cached decision: `Some(None)` = known not to assemble, `None` = not cached.
pub fn get(shape: &Shape) -> Option<Decision> {
    MEMO.with(|m| m.borrow().get(shape))
}

pub fn put(shape: Shape, decision: Decision) {
    MEMO.with(|m| m.borrow_mut().insert(shape, decision));
}
