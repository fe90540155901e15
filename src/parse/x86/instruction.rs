//! An instruction statement: prefixes, mnemonic, comma-separated operands.

use super::ast::{Instruction, Prefix};
use super::mnemonic::Mnemonic;
use super::operand::parse_operand;
use crate::parse::ParseError;
use crate::parse::lines::{column, split_operands};
use crate::source::{SharedText, Span};
use std::sync::Arc;

fn prefix(word: &str) -> Option<Prefix> {
    // Lower-cased on the stack: this runs for every instruction's first word.
    let mut buf = [0u8; 8];
    let lower = buf.get_mut(..word.len())?;
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    Some(match &*lower {
        b"lock" => Prefix::Lock,
        b"rep" => Prefix::Rep,
        b"repe" | b"repz" => Prefix::Repe,
        b"repne" | b"repnz" => Prefix::Repne,
        b"notrack" => Prefix::Notrack,
        b"{vex}" | b"{vex2}" | b"{vex3}" => Prefix::Vex,
        b"{evex}" => Prefix::Evex,
        b"data16" => Prefix::Data16,
        b"addr32" => Prefix::Addr32,
        b"rex64" => Prefix::Rex64,
        b"cs" => Prefix::Cs,
        b"ds" => Prefix::Ds,
        _ => return None,
    })
}

/// Parses an instruction statement. `line` is the whole source line and `offset` the byte
/// offset of `text` in it (for operand columns).
pub fn parse_instruction(
    file: &Arc<str>,
    text: &str,
    line_no: u32,
    line: &str,
    offset: usize,
) -> Result<Instruction, (Span, ParseError)> {
    let span_at =
        |byte: usize, len: usize| Span::new(line_no, column(line, offset + byte), len as u32);
    let mut rest = text;
    let mut consumed = 0usize;
    let mut prefixes = Vec::new();
    let mnemonic = loop {
        let word_end = rest
            .bytes()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let word = &rest[..word_end];
        let after = &rest[word_end..];
        let skip = word_end + (after.len() - after.trim_ascii_start().len());
        // A mnemonic is far more common than a prefix (no prefix spells a mnemonic).
        if let Some(m) = Mnemonic::lookup(word) {
            rest = after.trim_ascii_start();
            consumed += skip;
            break m;
        }
        if let Some(p) = prefix(word) {
            // `rep` alone / `lock` alone is an instruction-less prefix we cannot place.
            if after.trim().is_empty() {
                return Err((
                    span_at(consumed, word.len()),
                    ParseError::UnknownMnemonic(word.into()),
                ));
            }
            prefixes.push(p);
            rest = after.trim_ascii_start();
            consumed += skip;
            continue;
        }
        return Err((
            span_at(consumed, word.len()),
            ParseError::UnknownMnemonic(word.to_string()),
        ));
    };
    let mut opmask = None;
    let mut zeroing = false;
    let has_operands = !rest.trim_ascii().is_empty();
    // Exact capacity (one Vec per instruction, kept for the whole translation): commas
    // bound the operand count; the rare comma inside braces only over-reserves.
    let count = if has_operands {
        1 + rest.bytes().filter(|&b| b == b',').count()
    } else {
        0
    };
    let mut operands = Vec::with_capacity(count);
    if has_operands {
        for (start, op_text) in split_operands(rest) {
            let lead = op_text.len() - op_text.trim_ascii_start().len();
            let trimmed = op_text.trim_ascii();
            // The span (a column count over the line) only when there is an error to place.
            let p = parse_operand(trimmed)
                .map_err(|e| (span_at(consumed + start + lead, trimmed.len()), e))?;
            if p.opmask.is_some() {
                opmask = p.opmask;
            }
            zeroing |= p.zeroing;
            operands.push(p.operand);
        }
    }
    Ok(Instruction {
        prefixes,
        mnemonic,
        operands,
        opmask,
        zeroing,
        text: SharedText::within(file, text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::x86::ast::{MemSize, Operand};
    use iced_x86::Register;

    fn ins(text: &str) -> Instruction {
        parse_instruction(&Arc::from(text), text, 1, text, 0)
            .unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    #[test]
    fn operands_and_spans() {
        let i = ins("vpaddq\tymm0, ymm0, ymmword ptr [rdi + 8*rax]");
        assert_eq!(i.mnemonic.base, iced_x86::Mnemonic::Vpaddq);
        assert_eq!(i.operands.len(), 3);
        assert!(matches!(&i.operands[2], Operand::Mem(m) if m.size == Some(MemSize::Ymmword)));
        assert_eq!(&*i.text, "vpaddq\tymm0, ymm0, ymmword ptr [rdi + 8*rax]");
    }

    #[test]
    fn no_prefix_spells_a_mnemonic() {
        // The parser tries mnemonics first.
        for p in [
            "lock", "rep", "repe", "repz", "repne", "repnz", "notrack", "{vex}", "{vex2}",
            "{vex3}", "{evex}", "data16", "addr32", "rex64", "cs", "ds",
        ] {
            assert!(prefix(p).is_some(), "{p}");
            assert!(Mnemonic::lookup(p).is_none(), "{p}");
        }
    }

    #[test]
    fn prefixes_and_masks() {
        let i = ins("rep stosq qword ptr es:[rdi], rax");
        assert_eq!(i.prefixes, vec![Prefix::Rep]);
        let i = ins("vmovdqu64 zmmword ptr [rdi] {k1}, zmm0");
        assert_eq!(i.opmask, Some(Register::K1));
        let i = ins("vaddps zmm0 {k1} {z}, zmm1, zmm2, {rn-sae}");
        assert!(i.zeroing);
        assert_eq!(i.operands.len(), 4);
        let i = ins("{vex} vpdpbusd ymm0, ymm1, ymm2");
        assert_eq!(i.prefixes, vec![Prefix::Vex]);
        assert!(ins("ret").operands.is_empty());
    }

    #[test]
    fn errors_point_at_the_culprit() {
        let e =
            parse_instruction(&Arc::from(""), "frob rax", 3, "\tfrob rax", 1).expect_err("unknown");
        assert_eq!(e.0, Span::new(3, 2, 4));
        let e = parse_instruction(&Arc::from(""), "mov rax, [rbx*3]", 1, "mov rax, [rbx*3]", 0)
            .expect_err("bad");
        assert_eq!(e.0.col, 10);
    }
}
