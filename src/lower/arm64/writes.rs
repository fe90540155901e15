//! Which general-purpose registers an instruction writes: what the stack model must forget
//! about constants and the frame pointer. Classified by decoded opcode: stores write none
//! (exclusive stores write their status register), pair loads and atomics write two,
//! everything else writes its first operand; writeback bases and calls' caller-saved
//! registers are included. Reads never count, so a register used as a source keeps its facts.

use yaxpeax_arm::armv8::a64::{Instruction, Opcode, Operand};

/// A set of x0–x30 as a bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Written(u32);

impl Written {
    pub fn contains(self, r: usize) -> bool {
        r < 31 && self.0 & (1 << r) != 0
    }

    pub fn registers(self) -> impl Iterator<Item = usize> {
        (0..31).filter(move |r| self.contains(*r))
    }

    /// x0–x30.
    pub const ALL: Written = Written((1 << 31) - 1);

    pub fn union(self, o: Written) -> Written {
        Written(self.0 | o.0)
    }

    /// What a call instruction writes itself: the link register (the callee's writes are
    /// the callee's).
    pub const LINK: Written = Written(1 << 30);

    fn add(&mut self, o: &Operand) {
        if let Operand::Register(_, n) | Operand::RegisterOrSP(_, n) = o
            && *n < 31
        {
            self.0 |= 1 << n;
        }
    }
}

pub(super) fn writes_nothing(op: Opcode) -> bool {
    use Opcode::*;
    matches!(
        op,
        STR | STRB | STRH | STRW | STUR | STURB | STURH | STP | STNP | STTR | STTRB | STTRH
            | STLR | STLLR | STLRB | STLLRB | STLRH | STLLRH | STLUR | STLURB | STLURH | ST1
            | ST2 | ST3 | ST4 | STG | STZG | ST2G | STZ2G | STGM | STZGM
            // Compares, tests and branches only read.
            | CBZ | CBNZ | TBZ | TBNZ | B | Bcc(_) | BR | RET
    )
}

pub(super) fn writes_two(op: Opcode) -> bool {
    use Opcode::*;
    matches!(op, LDP | LDNP | LDPSW | LDXP | LDAXP)
}

/// Atomics write registers beyond their first operand (`ldadd ws, wt, [xn]` writes wt,
/// `cas ws, wt` writes ws, `casp` a pair).
pub(super) fn writes_all_named(op: Opcode) -> bool {
    use Opcode::*;
    matches!(
        op,
        CAS(_)
            | CASH(_)
            | CASB(_)
            | CASP(_)
            | SWP(_)
            | SWPB(_)
            | SWPH(_)
            | LDADD(_)
            | LDADDB(_)
            | LDADDH(_)
            | LDCLR(_)
            | LDCLRB(_)
            | LDCLRH(_)
            | LDEOR(_)
            | LDEORB(_)
            | LDEORH(_)
            | LDSET(_)
            | LDSETB(_)
            | LDSETH(_)
            | LDSMAX(_)
            | LDSMAXB(_)
            | LDSMAXH(_)
            | LDSMIN(_)
            | LDSMINB(_)
            | LDSMINH(_)
            | LDUMAX(_)
            | LDUMAXB(_)
            | LDUMAXH(_)
            | LDUMIN(_)
            | LDUMINB(_)
            | LDUMINH(_)
    )
}

pub fn written_gprs(d: &Instruction) -> Written {
    use Opcode::*;
    let mut w = Written::default();
    match d.opcode {
        // Exclusive stores write their status register (the first operand).
        STXR | STXRB | STXRH | STXP | STLXR | STLXRB | STLXRH | STLXP => w.add(&d.operands[0]),
        BL | BLR => {
            // Calls clobber the caller-saved registers and the link register.
            w.0 |= (1 << 19) - 1;
            w.0 |= 1 << 30;
        }
        op if writes_nothing(op) => {}
        op if writes_all_named(op) => d.operands.iter().for_each(|o| w.add(o)),
        op if writes_two(op) => {
            w.add(&d.operands[0]);
            w.add(&d.operands[1]);
        }
        _ => w.add(&d.operands[0]),
    }
    for o in &d.operands {
        if let Operand::RegPreIndex(b, _, true)
        | Operand::RegPostIndex(b, _)
        | Operand::RegPostIndexReg(b, _) = o
            && *b < 31
        {
            w.0 |= 1 << b;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaxpeax_arch::{Decoder, U8Reader};
    use yaxpeax_arm::armv8::a64::InstDecoder;

    fn decode(word: u32) -> Instruction {
        let bytes = word.to_le_bytes();
        InstDecoder::default()
            .decode(&mut U8Reader::new(&bytes))
            .expect("decodes")
    }

    fn regs(word: u32) -> Vec<usize> {
        written_gprs(&decode(word)).registers().collect()
    }

    #[test]
    fn stores_loads_pairs_atomics_calls() {
        assert_eq!(regs(0xf9000fe0), Vec::<usize>::new()); // str x0, [sp, #24]
        assert_eq!(regs(0xf8008420), vec![1]); // str x0, [x1], #8 (writeback)
        assert_eq!(regs(0xa8c27bfd), vec![29, 30]); // ldp x29, x30, [sp], #32
        assert_eq!(regs(0xb9400bec), vec![12]); // ldr w12, [sp, #8]
        assert_eq!(regs(0xf8e00041), vec![0, 1]); // ldaddal x0, x1, [x2]
        assert_eq!(regs(0xd2800000 | 12), vec![12]); // movz x12, #0
        assert_eq!(regs(0xf100041f), Vec::<usize>::new()); // cmp x0, #1 (writes xzr)
        assert!(written_gprs(&decode(0x94000000)).contains(0)); // bl
        assert!(!written_gprs(&decode(0x94000000)).contains(19));
    }
}
