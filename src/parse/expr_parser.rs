//! nom parser for assembler expressions (GAS syntax, C-like precedence).

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{char, multispace0};
use nom::combinator::{map, opt, recognize};
use nom::sequence::{delimited, pair, preceded};
use nom::{IResult, Parser};

use super::expr::Expr;

/// Characters that may start a symbol name.
pub fn is_symbol_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '.' || c == '$'
}

/// Characters that may continue a symbol name (`@` for `memset@PLT`).
pub fn is_symbol_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$' | '@')
}

fn ws<'a, O>(
    inner: impl Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>>,
) -> impl Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>> {
    delimited(multispace0, inner, multispace0)
}

/// A symbol name: `.LCPI0_0`, `sample_sum`, `memset@PLT`, or a quoted `"name"`.
pub fn symbol(i: &str) -> IResult<&str, &str> {
    alt((
        recognize(pair(
            take_while1(|c: char| is_symbol_start(c)).map(|s: &str| s),
            take_while(is_symbol_char),
        ))
        .map(|s: &str| s),
        delimited(char('"'), take_while1(|c| c != '"'), char('"')),
    ))
    .parse(i)
}

/// An integer literal: decimal, `0x` hex, `0b` binary, GAS octal (leading `0`), or a
/// character `'a'`.
pub fn number(i: &str) -> IResult<&str, i128> {
    let (rest, digits) = take_while1(|c: char| c.is_ascii_alphanumeric())(i)?;
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Digit,
        )));
    }
    // from_str_radix accepts either case, so only the radix prefix needs folding.
    let radix_letter = match digits.as_bytes() {
        [b'0', letter, ..] => Some(letter.to_ascii_lowercase()),
        _ => None,
    };
    let parsed = match radix_letter {
        Some(b'x') => u128::from_str_radix(&digits[2..], 16).ok(),
        Some(b'b') => u128::from_str_radix(&digits[2..], 2).ok(),
        Some(_) => u128::from_str_radix(&digits[1..], 8).ok(),
        None => digits.parse::<u128>().ok(),
    };
    match parsed {
        Some(v) if v <= u64::MAX as u128 => Ok((rest, v as i128)),
        _ => Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Digit,
        ))),
    }
}

fn char_literal(i: &str) -> IResult<&str, i128> {
    let (rest, c) = delimited(
        char('\''),
        alt((
            preceded(char('\\'), nom::character::complete::anychar),
            nom::character::complete::anychar,
        )),
        opt(char('\'')),
    )
    .parse(i)?;
    Ok((rest, c as i128))
}

/// A GAS numeric local label reference: `1f` (next `1:`), `0b` (previous `0:`). Kept as a
/// symbol named as written; GCC writes them in `.note.gnu.property` (`-fcf-protection`).
fn numeric_label(i: &str) -> IResult<&str, &str> {
    let digits = i.bytes().take_while(u8::is_ascii_digit).count();
    let bytes = i.as_bytes();
    let is_ref = digits > 0
        && matches!(bytes.get(digits), Some(b'f' | b'b'))
        && !bytes
            .get(digits + 1)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    if is_ref {
        Ok((&i[digits + 1..], &i[..digits + 1]))
    } else {
        Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Digit,
        )))
    }
}

fn atom(i: &str) -> IResult<&str, Expr> {
    ws(alt((
        map(numeric_label, |s: &str| Expr::Sym(s.to_string())),
        map(number, Expr::Num),
        map(char_literal, Expr::Num),
        map(symbol, |s: &str| Expr::Sym(s.to_string())),
        delimited(char('('), expr, char(')')),
        map(preceded(char('-'), atom), |e| match e {
            Expr::Num(v) => Expr::Num(-v),
            other => Expr::Neg(Box::new(other)),
        }),
        map(preceded(char('+'), atom), |e| e),
        map(preceded(char('~'), atom), |e| Expr::Not(Box::new(e))),
    )))
    .parse(i)
}

type BinOp = fn(Box<Expr>, Box<Expr>) -> Expr;

fn level<'a>(
    i: &'a str,
    next: fn(&'a str) -> IResult<&'a str, Expr>,
    ops: &[(&'static str, BinOp)],
) -> IResult<&'a str, Expr> {
    let (mut rest, mut acc) = next(i)?;
    'outer: loop {
        let trimmed = rest.trim_start();
        for (op, make) in ops {
            if let Some(after) = trimmed.strip_prefix(op) {
                // `<<` must not be read as `<`, nor `||` as `|`.
                if op.len() == 1 && after.starts_with(*op) {
                    continue;
                }
                if let Ok((r, rhs)) = next(after) {
                    acc = make(Box::new(acc), Box::new(rhs));
                    rest = r;
                    continue 'outer;
                }
            }
        }
        return Ok((rest, acc));
    }
}

fn product(i: &str) -> IResult<&str, Expr> {
    level(
        i,
        atom,
        &[
            ("*", Expr::Mul as BinOp),
            ("/", Expr::Div as BinOp),
            ("<<", Expr::Shl as BinOp),
            (">>", Expr::Shr as BinOp),
        ],
    )
}

fn sum(i: &str) -> IResult<&str, Expr> {
    level(
        i,
        product,
        &[("+", Expr::Add as BinOp), ("-", Expr::Sub as BinOp)],
    )
}

fn bit_and(i: &str) -> IResult<&str, Expr> {
    level(i, sum, &[("&", Expr::And as BinOp)])
}

fn bit_xor(i: &str) -> IResult<&str, Expr> {
    level(i, bit_and, &[("^", Expr::Xor as BinOp)])
}

/// A full expression (lowest precedence: `|`).
pub fn expr(i: &str) -> IResult<&str, Expr> {
    level(i, bit_xor, &[("|", Expr::Or as BinOp)])
}

/// Parses all of `text` as one expression.
/// `-`? and 1 to 18 decimal digits without a leading zero (GAS reads `0…` as octal), as a
/// number: the form of nearly every displacement and immediate, read without nom.
fn plain_decimal(t: &str) -> Option<i128> {
    let (negative, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t),
    };
    let bytes = digits.as_bytes();
    if bytes.is_empty()
        || bytes.len() > 18
        || (bytes[0] == b'0' && bytes.len() > 1)
        || !bytes.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let v = bytes
        .iter()
        .fold(0i128, |v, &b| v * 10 + i128::from(b - b'0'));
    Some(if negative { -v } else { v })
}

/// A symbol name as a plain (unquoted) token, else `None`.
fn plain_symbol(t: &str) -> Option<&str> {
    let first = t.chars().next()?;
    (is_symbol_start(first) && t.chars().all(is_symbol_char)).then_some(t)
}

pub fn parse_expr(text: &str) -> Option<Expr> {
    // Fast paths for the overwhelmingly common plain number and plain symbol, and the
    // symbol difference every `.size` and jump table writes (`.Lfunc_end0-f`).
    let t = text.trim_ascii();
    if let Some(v) = plain_decimal(t) {
        return Some(Expr::Num(v));
    }
    if let Some(sym) = plain_symbol(t) {
        return Some(Expr::Sym(sym.to_string()));
    }
    if let Some((a, b)) = t.split_once('-')
        && let (Some(a), Some(b)) = (plain_symbol(a.trim_ascii()), plain_symbol(b.trim_ascii()))
    {
        return Some(Expr::Sub(
            Box::new(Expr::Sym(a.to_string())),
            Box::new(Expr::Sym(b.to_string())),
        ));
    }
    if t.starts_with(|c: char| c.is_ascii_digit())
        && t.bytes().all(|b| b.is_ascii_alphanumeric())
        && let Ok(("", v)) = number(t)
    {
        return Some(Expr::Num(v));
    }
    match expr(text) {
        Ok((rest, e)) if rest.trim().is_empty() => Some(e),
        _ => None,
    }
}

/// `tag` re-exported for sibling parsers.
pub fn keyword<'a>(
    k: &'static str,
) -> impl Parser<&'a str, Output = &'a str, Error = nom::error::Error<&'a str>> {
    tag(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Expr {
        parse_expr(s).unwrap_or_else(|| panic!("parse {s}"))
    }

    /// The fast paths give exactly what the full grammar gives.
    #[test]
    fn fast_paths_agree_with_the_grammar() {
        for s in [
            "42",
            "-8",
            "0",
            "sym",
            ".Lfunc_end0-sample_sum",
            " .LBB0_3 - .LJTI0_0 ",
            "a-b-c",
            "a - 1",
            "memset@PLT",
        ] {
            let full = match expr(s) {
                Ok((rest, e)) if rest.trim().is_empty() => Some(e),
                _ => None,
            };
            assert_eq!(parse_expr(s), full, "{s}");
        }
    }

    #[test]
    fn numbers_in_every_base_and_extremes() {
        for (text, value) in [
            ("238", 238),
            ("0x1F", 31),
            ("0b101", 5),
            ("0X1f", 31),
            ("0B11", 3),
            ("017", 15),
            ("010", 8),
            ("0", 0),
            ("-8", -8),
            (" 123456789012345678 ", 123456789012345678),
            ("-9223372036854775808", i64::MIN as i128),
            ("18446744073709551615", u64::MAX as i128),
        ] {
            assert_eq!(e(text), Expr::Num(value), "{text:?}");
        }
        assert_eq!(e("'a'"), Expr::Num(97));
        assert!(parse_expr("18446744073709551616").is_none());
        // GAS numeric local labels, as GCC writes them in .note.gnu.property.
        assert_eq!(e("1f - 0f").symbols(), vec!["1f", "0f"]);
        assert_eq!(e("2b"), Expr::Sym("2b".into()));
        assert_eq!(e("0b101"), Expr::Num(5));
    }

    #[test]
    fn symbols_and_precedence() {
        assert_eq!(e(".LCPI0_0+16").as_symbol_ref().map(|r| r.addend), Some(16));
        assert_eq!(e("1 + 2 * 3").eval_const(), Some(7));
        assert_eq!(e("(1 + 2) * 3").eval_const(), Some(9));
        assert_eq!(e("1 << 4 | 1").eval_const(), Some(17));
        assert_eq!(e("~0 & 0xff").eval_const(), Some(255));
        assert_eq!(e("memset@PLT"), Expr::Sym("memset@PLT".into()));
        assert_eq!(
            e(".Lfunc_end0-sample_sum").symbols(),
            vec![".Lfunc_end0", "sample_sum"]
        );
    }

    #[test]
    fn garbage_is_rejected_not_panicking() {
        for s in ["", "+", "(", "1 +", "0xZZ", ")", "1 2", "'", "\u{e9}"] {
            let _ = parse_expr(s);
        }
        assert!(parse_expr("1 2").is_none());
    }
}
