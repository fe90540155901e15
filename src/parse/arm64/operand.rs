//! AArch64 operands, parsed with nom: registers and arrangements, lanes, register lists,
//! `#` immediates (integer and floating point), memory forms with pre-index writeback,
//! shifts and extends, relocation modifiers and symbol targets.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::{char, digit1, multispace0};
use nom::combinator::{all_consuming, map, map_res, opt};
use nom::multi::separated_list1;
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

use super::ast::{MemOffset, Operand, Reloc, ShiftKind};
use super::register::{Gpr, VReg, gpr, vreg};
use crate::parse::Expr;
use crate::parse::expr_parser::{expr, parse_expr};

fn word(i: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.').parse(i)
}

fn sp<'a, O>(
    inner: impl Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>>,
) -> impl Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>> {
    delimited(multispace0, inner, multispace0)
}

fn general(i: &str) -> IResult<&str, Gpr> {
    map_res(word, |w| gpr(w).ok_or(())).parse(i)
}

fn lane(i: &str) -> IResult<&str, u8> {
    delimited(
        sp(char('[')),
        map_res(digit1, |d: &str| d.parse::<u8>()),
        sp(char(']')),
    )
    .parse(i)
}

fn simd(i: &str) -> IResult<&str, VReg> {
    let (i, mut r) = map_res(word, |w| vreg(w).ok_or(())).parse(i)?;
    let (i, l) = opt(lane).parse(i)?;
    r.lane = l;
    Ok((i, r))
}

fn shift_kind(w: &str) -> Option<ShiftKind> {
    Some(match w.to_ascii_lowercase().as_str() {
        "lsl" => ShiftKind::Lsl,
        "lsr" => ShiftKind::Lsr,
        "asr" => ShiftKind::Asr,
        "ror" => ShiftKind::Ror,
        "msl" => ShiftKind::Msl,
        "uxtb" => ShiftKind::Uxtb,
        "uxth" => ShiftKind::Uxth,
        "uxtw" => ShiftKind::Uxtw,
        "uxtx" => ShiftKind::Uxtx,
        "sxtb" => ShiftKind::Sxtb,
        "sxth" => ShiftKind::Sxth,
        "sxtw" => ShiftKind::Sxtw,
        "sxtx" => ShiftKind::Sxtx,
        _ => return None,
    })
}

/// `#expr` or a bare expression as an integer.
fn immediate(i: &str) -> IResult<&str, Expr> {
    preceded(opt(char('#')), expr).parse(i)
}

fn shift(i: &str) -> IResult<&str, (ShiftKind, Option<Expr>)> {
    let (i, kind) = map_res(word, |w| shift_kind(w).ok_or(())).parse(i)?;
    // GCC writes `lsl 2`, clang `lsl #2`.
    let (i, amount) = opt(preceded(multispace0, preceded(opt(char('#')), expr))).parse(i)?;
    Ok((i, (kind, amount)))
}

/// `:lo12:sym+8`.
fn reloc(i: &str) -> IResult<&str, Reloc> {
    // GCC writes `#:lo12:sym`, clang `:lo12:sym`.
    let (i, _) = opt(char('#')).parse(i)?;
    let (i, name) = delimited(char(':'), word, char(':')).parse(i)?;
    let (i, e) = expr(i)?;
    Ok((
        i,
        Reloc {
            name: name.to_ascii_lowercase(),
            expr: e,
        },
    ))
}

fn mem_offset(i: &str) -> IResult<&str, MemOffset> {
    alt((
        map(reloc, MemOffset::Reloc),
        map(
            (general, opt(preceded(sp(char(',')), shift))),
            |(index, shift)| MemOffset::Reg { index, shift },
        ),
        map(preceded(opt(char('#')), expr), MemOffset::Imm),
    ))
    .parse(i)
}

fn memory(i: &str) -> IResult<&str, Operand> {
    let (i, _) = sp(char('[')).parse(i)?;
    let (i, base) = sp(general).parse(i)?;
    let (i, offset) = opt(preceded(sp(char(',')), sp(mem_offset))).parse(i)?;
    let (i, _) = sp(char(']')).parse(i)?;
    let (i, bang) = opt(sp(char('!'))).parse(i)?;
    Ok((
        i,
        Operand::Mem {
            base,
            offset: offset.unwrap_or(MemOffset::None),
            pre_index: bang.is_some(),
        },
    ))
}

fn list(i: &str) -> IResult<&str, Operand> {
    let (i, regs) = delimited(
        sp(char('{')),
        alt((
            // `{ v0.4s - v3.4s }` range form.
            map(
                (sp(simd), sp(char('-')), sp(simd)),
                |(a, _, b): (VReg, char, VReg)| {
                    let n = (b.num + 32 - a.num) % 32 + 1;
                    (0..n)
                        .map(|k| VReg {
                            num: (a.num + k) % 32,
                            ..a
                        })
                        .collect()
                },
            ),
            separated_list1(sp(char(',')), sp(simd)),
        )),
        sp(char('}')),
    )
    .parse(i)?;
    let (i, lane) = opt(lane).parse(i)?;
    Ok((i, Operand::List { regs, lane }))
}

fn float_immediate(text: &str) -> Option<f64> {
    // clang writes `#1.50000000`, GCC `1.5e+0`.
    let t = text.strip_prefix('#').unwrap_or(text).trim();
    let looks_float = t.contains('.') || t.contains(['e', 'E']) && !t.starts_with("0x");
    if !looks_float {
        return None;
    }
    t.parse::<f64>().ok()
}

fn structured(t: &str) -> IResult<&str, Operand> {
    all_consuming(sp(alt((
        memory,
        list,
        map(reloc, Operand::Reloc),
        map(general, Operand::Gpr),
        map(simd, Operand::Vec),
        map(shift, |(kind, amount)| Operand::Shift { kind, amount }),
        map(preceded(tag("#"), expr), Operand::Imm),
    ))))
    .parse(t)
}

/// Whether `text` failed to parse as an operand because an expression in it nests deeper
/// than [`crate::parse::expr_parser::MAX_DEPTH`] (for the error message).
pub fn is_too_deep(text: &str) -> bool {
    matches!(
        structured(text.trim()),
        Err(nom::Err::Failure(e)) if e.code == nom::error::ErrorKind::TooLarge
    ) || crate::parse::expr_parser::try_parse_expr(text.trim().trim_start_matches('#'))
        == Err(crate::parse::expr_parser::ExprError::TooDeep)
}

/// Parses one operand (already split at top-level commas, trimmed).
pub fn parse_operand(text: &str) -> Option<Operand> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(rest) = t.strip_prefix('=') {
        return parse_expr(rest).map(Operand::LiteralPool);
    }
    if let Some(f) = float_immediate(t) {
        return Some(Operand::FloatImm(f));
    }
    if let Ok((_, op)) = structured(t) {
        return Some(op);
    }
    // A bare word: a condition, prefetch or barrier name — or a symbol; the instruction
    // decides (see `instruction.rs`).
    if let Ok((_, e)) = all_consuming(sp(immediate)).parse(t) {
        return Some(match e {
            Expr::Num(_) => Operand::Imm(e),
            other => Operand::Target(other),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::arm64::VecShape;

    fn op(s: &str) -> Operand {
        parse_operand(s).unwrap_or_else(|| panic!("parse {s}"))
    }

    #[test]
    fn registers_lanes_and_lists() {
        assert!(matches!(
            op("x0"),
            Operand::Gpr(Gpr {
                num: 0,
                wide: true,
                ..
            })
        ));
        assert!(matches!(
            op("v1.s[2]"),
            Operand::Vec(VReg {
                num: 1,
                lane: Some(2),
                ..
            })
        ));
        match op("{ v0.16b, v1.16b }") {
            Operand::List { regs, lane: None } => {
                assert_eq!(regs.len(), 2);
                assert_eq!(
                    regs[1].shape,
                    VecShape::Arrangement {
                        count: 16,
                        elem: 'b'
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            op("{v4.s, v5.s}[3]"),
            Operand::List { lane: Some(3), .. }
        ));
        assert!(matches!(op("{ v0.4s - v3.4s }"), Operand::List { regs, .. } if regs.len() == 4));
    }

    #[test]
    fn memory_forms() {
        assert!(matches!(
            op("[sp, #-32]!"),
            Operand::Mem {
                base: Gpr { is_sp: true, .. },
                offset: MemOffset::Imm(Expr::Num(-32)),
                pre_index: true
            }
        ));
        assert!(matches!(
            op("[x9]"),
            Operand::Mem {
                offset: MemOffset::None,
                pre_index: false,
                ..
            }
        ));
        assert!(matches!(
            op("[x8, x9, lsl #2]"),
            Operand::Mem {
                offset: MemOffset::Reg {
                    shift: Some((ShiftKind::Lsl, Some(_))),
                    ..
                },
                ..
            }
        ));
        assert!(matches!(
            op("[x0, w1, sxtw]"),
            Operand::Mem {
                offset: MemOffset::Reg {
                    shift: Some((ShiftKind::Sxtw, None)),
                    ..
                },
                ..
            }
        ));
        match op("[x9, :lo12:.LCPI15_0+16]") {
            Operand::Mem {
                offset: MemOffset::Reloc(r),
                ..
            } => {
                assert_eq!(r.name, "lo12");
                assert_eq!(r.expr.as_symbol_ref().map(|s| s.addend), Some(16));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn immediates_shifts_targets() {
        assert_eq!(op("#12"), Operand::Imm(Expr::Num(12)));
        assert_eq!(
            op("#0x7ffffffffffffff8"),
            Operand::Imm(Expr::Num(0x7ffffffffffffff8))
        );
        assert_eq!(op("#-0.25000000"), Operand::FloatImm(-0.25));
        assert_eq!(op("#1.5e2"), Operand::FloatImm(150.0));
        assert!(matches!(
            op("lsl #16"),
            Operand::Shift {
                kind: ShiftKind::Lsl,
                ..
            }
        ));
        assert!(matches!(
            op("uxtw"),
            Operand::Shift {
                kind: ShiftKind::Uxtw,
                amount: None
            }
        ));
        assert!(matches!(op(".LBB0_3"), Operand::Target(Expr::Sym(s)) if s == ".LBB0_3"));
        assert!(matches!(op(":lo12:crc_low"), Operand::Reloc(r) if r.name == "lo12"));
        assert!(matches!(op("=0x1234"), Operand::LiteralPool(_)));
        assert!(parse_operand("[x0").is_none());
        // GCC's spellings.
        assert!(matches!(
            op("[x2, 16]"),
            Operand::Mem {
                offset: MemOffset::Imm(Expr::Num(16)),
                ..
            }
        ));
        assert!(matches!(
            op("[x4, #:lo12:.LC3]"),
            Operand::Mem {
                offset: MemOffset::Reloc(_),
                ..
            }
        ));
        assert!(matches!(
            op("lsl 2"),
            Operand::Shift {
                amount: Some(Expr::Num(2)),
                ..
            }
        ));
        assert_eq!(op("16"), Operand::Imm(Expr::Num(16)));
        assert_eq!(op("-2.5e-1"), Operand::FloatImm(-0.25));
    }
}
