//! An AArch64 instruction statement: mnemonic (with `.cond`), comma-separated operands.

use super::ast::{Instruction, LocatedOperand, Operand};
use super::operand::parse_operand;
use crate::parse::ParseError;
use crate::parse::lines::{column, split_operands};
use crate::source::Span;

/// Mnemonics whose bare-word operands are code or data addresses; elsewhere a bare word
/// is a condition, prefetch, barrier or system-register name.
fn takes_targets(mnemonic: &str) -> bool {
    mnemonic.starts_with("b.")
        || matches!(
            mnemonic,
            "b" | "bl"
                | "cbz"
                | "cbnz"
                | "tbz"
                | "tbnz"
                | "adr"
                | "adrp"
                | "ldr"
                | "ldrsw"
                | "prfm"
        )
}

/// Condition codes, for GCC's `bne` spelling of `b.ne`.
const CONDITIONS: [&str; 18] = [
    "eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le",
    "al", "nv",
];

/// `bne` → `b.ne` (both spellings are GAS; the dotted one is canonical).
fn canonical_mnemonic(m: String) -> String {
    match m.strip_prefix('b') {
        Some(cond) if CONDITIONS.contains(&cond) => format!("b.{cond}"),
        _ => m,
    }
}

/// Whether an operand names an SVE vector (`z3.s`) or predicate (`p0/z`) register.
fn names_sve_register(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric()).any(|tok| {
        let mut chars = tok.chars();
        matches!(chars.next(), Some('z' | 'Z' | 'p' | 'P'))
            && !tok[1..].is_empty()
            && tok[1..].bytes().all(|b| b.is_ascii_digit())
            && tok[1..].parse::<u8>().is_ok_and(|n| n < 32)
    })
}

/// Parses an instruction statement. `line` is the whole source line and `offset` the byte
/// offset of `text` in it (for operand columns).
pub fn parse_instruction(
    _file: &std::sync::Arc<str>,
    text: &str,
    line_no: u32,
    line: &str,
    offset: usize,
) -> Result<Instruction, (Span, ParseError)> {
    let span_at =
        |byte: usize, len: usize| Span::new(line_no, column(line, offset + byte), len as u32);
    let mnemonic_end = text.find(char::is_whitespace).unwrap_or(text.len());
    let mnemonic = text[..mnemonic_end].to_ascii_lowercase();
    let valid = mnemonic
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        && mnemonic.starts_with(|c: char| c.is_ascii_alphabetic());
    if !valid {
        return Err((
            span_at(0, mnemonic_end),
            ParseError::UnknownMnemonic(mnemonic),
        ));
    }
    let mnemonic = canonical_mnemonic(mnemonic);
    let rest = &text[mnemonic_end..];
    let mut operands = Vec::new();
    if !rest.trim().is_empty() {
        for (start, piece) in split_operands(rest) {
            let lead = piece.len() - piece.trim_start().len();
            let trimmed = piece.trim();
            let span = span_at(mnemonic_end + start + lead, trimmed.len());
            let mut operand = parse_operand(trimmed).ok_or_else(|| {
                let e = if names_sve_register(trimmed) {
                    ParseError::Sve(trimmed.to_string())
                } else if super::operand::is_too_deep(trimmed) {
                    ParseError::TooDeep
                } else {
                    ParseError::BadOperand(trimmed.to_string())
                };
                (span, e)
            })?;
            if !takes_targets(&mnemonic)
                && let Operand::Target(crate::parse::Expr::Sym(w)) = &operand
            {
                operand = Operand::Word(w.to_ascii_lowercase());
            }
            operands.push(LocatedOperand { operand, span });
        }
    }
    Ok(Instruction {
        mnemonic,
        operands,
        text: text.split_whitespace().collect::<Vec<_>>().join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operands_with_columns() {
        let line = "\tstp\tx29, x30, [sp, #-32]!  ";
        let ins = parse_instruction(&Default::default(), line.trim(), 7, line, 1).unwrap();
        assert_eq!(ins.mnemonic, "stp");
        assert_eq!(ins.operands.len(), 3);
        assert_eq!(ins.operands[2].span, Span::new(7, 16, 11));
        assert_eq!(ins.text, "stp x29, x30, [sp, #-32]!");
    }

    #[test]
    fn conditions_are_words_targets_are_symbols() {
        let ins =
            parse_instruction(&Default::default(), "cset w0, lt", 1, "cset w0, lt", 0).unwrap();
        assert_eq!(ins.operands[1].operand, Operand::Word("lt".into()));
        let ins =
            parse_instruction(&Default::default(), "b.ne .LBB0_4", 1, "b.ne .LBB0_4", 0).unwrap();
        assert!(matches!(ins.operands[0].operand, Operand::Target(_)));
        let ins = parse_instruction(
            &Default::default(),
            "prfm pldl1keep, [x0]",
            1,
            "prfm pldl1keep, [x0]",
            0,
        );
        assert!(ins.is_ok());
        assert!(
            parse_instruction(&Default::default(), "ldr x0, [x1", 1, "ldr x0, [x1", 0).is_err()
        );
        let ins = parse_instruction(&Default::default(), "bne .L97", 1, "bne .L97", 0).unwrap();
        assert_eq!(ins.mnemonic, "b.ne");
        assert!(matches!(ins.operands[0].operand, Operand::Target(_)));
        assert_eq!(
            parse_instruction(&Default::default(), "bl f", 1, "bl f", 0)
                .unwrap()
                .mnemonic,
            "bl"
        );
    }
}
