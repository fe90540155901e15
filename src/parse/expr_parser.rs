//! nom parser for assembler expressions (GAS syntax, C-like precedence).

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::char;
use nom::combinator::{opt, recognize};
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
    let (rest, (escaped, c)) = delimited(
        char('\''),
        alt((
            preceded(char('\\'), nom::character::complete::anychar).map(|c| (true, c)),
            nom::character::complete::anychar.map(|c| (false, c)),
        )),
        opt(char('\'')),
    )
    .parse(i)?;
    // GAS escapes, as in strings (`'\n` is 10, not `n`).
    let value = match (escaped, c) {
        (true, 'n') => 10,
        (true, 't') => 9,
        (true, 'r') => 13,
        (true, 'b') => 8,
        (true, 'f') => 12,
        (true, 'v') => 11,
        (true, 'a') => 7,
        (true, 'e') => 27,
        (true, '0') => 0,
        (_, c) => c as i128,
    };
    Ok((rest, value))
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

/// How deep an expression may be: both the tree the parser builds (`a+b+c` is three levels:
/// `(a+b)+c`) and the nesting of parentheses and unary operators it reads. Compilers
/// write a level or two; the limit keeps every recursive walk of an [`Expr`] (and the
/// parser itself) far inside a thread's stack whatever the input.
pub const MAX_DEPTH: usize = 100;

/// Why the text at hand is no expression: a syntax error may be backtracked (the caller
/// tries something else), a too deep expression may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    Syntax,
    TooDeep,
}

/// The text after an expression, the expression, and the depth of its tree. Kept small:
/// the recursive functions' stack frames hold a few of these.
type Step<'a> = Result<(&'a str, Expr, usize), Miss>;

/// `multispace0`.
fn skip_space(s: &str) -> &str {
    s.trim_start_matches([' ', '\t', '\r', '\n'])
}

/// An operand with the whitespace around it; `nesting` counts the parentheses and unary
/// operators around it.
fn atom(i: &str, nesting: usize) -> Step<'_> {
    if nesting > MAX_DEPTH {
        return Err(Miss::TooDeep);
    }
    let i = skip_space(i);
    let (rest, e, depth) = match leaf(i) {
        Some((r, e)) => (r, e, 1),
        None => prefixed(i, nesting)?,
    };
    Ok((skip_space(rest), e, depth))
}

/// A number, character or symbol. Apart from the recursive part of the grammar, so the
/// recursion's stack frames stay small.
#[inline(never)]
fn leaf(i: &str) -> Option<(&str, Expr)> {
    if let Ok((r, s)) = numeric_label(i) {
        return Some((r, Expr::Sym(s.to_string())));
    }
    if let Ok((r, v)) = number(i) {
        return Some((r, Expr::Num(v)));
    }
    if let Ok((r, v)) = char_literal(i) {
        return Some((r, Expr::Num(v)));
    }
    if let Ok((r, s)) = symbol(i) {
        return Some((r, Expr::Sym(s.to_string())));
    }
    None
}

/// `( expr )`, or a unary `-`, `+`, `~` applied to an operand.
fn prefixed(i: &str, nesting: usize) -> Step<'_> {
    let first = match i.as_bytes().first() {
        Some(&b @ (b'(' | b'-' | b'+' | b'~')) => b,
        _ => return Err(Miss::Syntax),
    };
    let after = &i[1..];
    if first == b'(' {
        let (r, e, depth) = binary(after, 0, nesting + 1)?;
        return match r.strip_prefix(')') {
            Some(r) => Ok((r, e, depth)),
            None => Err(Miss::Syntax),
        };
    }
    let (r, e, depth) = atom(after, nesting + 1)?;
    let (e, depth) = match (first, e) {
        (b'-', Expr::Num(v)) => (Expr::Num(-v), depth),
        (b'-', e) => (Expr::Neg(Box::new(e)), depth + 1),
        (b'~', e) => (Expr::Not(Box::new(e)), depth + 1),
        (_, e) => (e, depth),
    };
    if depth > MAX_DEPTH {
        return Err(Miss::TooDeep);
    }
    Ok((r, e, depth))
}

type BinOp = fn(Box<Expr>, Box<Expr>) -> Expr;

/// Binary operators and their precedence level (GAS: `|` < `^` < `&` < `+ -` <
/// `* / << >>`); all are left-associative.
const OPERATORS: [(&str, usize, BinOp); 9] = [
    ("|", 0, Expr::Or as BinOp),
    ("^", 1, Expr::Xor as BinOp),
    ("&", 2, Expr::And as BinOp),
    ("+", 3, Expr::Add as BinOp),
    ("-", 3, Expr::Sub as BinOp),
    ("*", 4, Expr::Mul as BinOp),
    ("/", 4, Expr::Div as BinOp),
    ("<<", 4, Expr::Shl as BinOp),
    (">>", 4, Expr::Shr as BinOp),
];

/// The binary operator at the start of `text`, and the text after it. `<<` is not read
/// as `<`, nor `||` as `|` (a one-character operator doubled is no operator).
fn operator(text: &str) -> Option<(usize, BinOp, &str)> {
    OPERATORS.iter().find_map(|(op, level, make)| {
        let after = text.strip_prefix(op)?;
        (op.len() > 1 || !after.starts_with(op)).then_some((*level, *make, after))
    })
}

/// Operands joined by operators of precedence `min_level` or higher (precedence
/// climbing): an operand, then while an operator of such a level follows, its right side
/// (operators binding tighter only) joined on the left. An operator whose right side
/// does not parse is left unread. Recursion follows the five precedence levels and the
/// nesting of parentheses, which [`atom`] limits.
fn binary(i: &str, min_level: usize, nesting: usize) -> Step<'_> {
    climb(i, min_level, nesting).map(|(rest, e, depth, _)| (rest, e, depth))
}

/// [`binary`], also saying whether it stopped at an operator whose right side does not
/// parse. Every enclosing level would try that same operator with the same right side
/// again, which fails again: they stop too. (Retrying made nested parentheses cost
/// 5^depth — 351 bytes ran for minutes, found by the `expr` fuzz target.)
fn climb(i: &str, min_level: usize, nesting: usize) -> Result<(&str, Expr, usize, bool), Miss> {
    let (mut rest, mut acc, mut depth) = atom(i, nesting)?;
    while let Some((level, make, after)) = operator(rest.trim_start()) {
        if level < min_level {
            return Ok((rest, acc, depth, false));
        }
        let (r, rhs, d, stuck) = match climb(after, level + 1, nesting) {
            Ok(parsed) => parsed,
            Err(Miss::Syntax) => return Ok((rest, acc, depth, true)),
            Err(Miss::TooDeep) => return Err(Miss::TooDeep),
        };
        depth = depth.max(d) + 1;
        if depth > MAX_DEPTH {
            return Err(Miss::TooDeep);
        }
        acc = make(Box::new(acc), Box::new(rhs));
        rest = r;
        if stuck {
            return Ok((rest, acc, depth, true));
        }
    }
    Ok((rest, acc, depth, false))
}

/// A full expression (lowest precedence: `|`), as a nom parser: the longest prefix of `i`
/// that is one. Too deep an expression is a `Failure` (nothing else is tried).
pub fn expr(i: &str) -> IResult<&str, Expr> {
    match binary(i, 0, 0) {
        Ok((rest, e, _)) => Ok((rest, e)),
        Err(miss) => {
            let kind = match miss {
                Miss::Syntax => nom::error::ErrorKind::Alt,
                Miss::TooDeep => nom::error::ErrorKind::TooLarge,
            };
            let e = nom::error::Error::new(i, kind);
            Err(if miss == Miss::TooDeep {
                nom::Err::Failure(e)
            } else {
                nom::Err::Error(e)
            })
        }
    }
}

/// Why text is not an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprError {
    Syntax,
    /// Deeper than [`MAX_DEPTH`].
    TooDeep,
}

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

/// Whether `name` reads as a symbol without quotes.
pub fn is_plain_symbol(name: &str) -> bool {
    plain_symbol(name).is_some()
}

/// A symbol name as a plain (unquoted) token, else `None`.
fn plain_symbol(t: &str) -> Option<&str> {
    let first = t.chars().next()?;
    (is_symbol_start(first) && t.chars().all(is_symbol_char)).then_some(t)
}

/// Parses all of `text` as one expression (`None` if it is not one, or nested deeper
/// than [`MAX_DEPTH`]).
pub fn parse_expr(text: &str) -> Option<Expr> {
    try_parse_expr(text).ok()
}

/// [`parse_expr`], telling a syntax error from an expression nested too deeply.
pub fn try_parse_expr(text: &str) -> Result<Expr, ExprError> {
    // Fast paths for the overwhelmingly common plain number and plain symbol, and the
    // symbol difference every `.size` and jump table writes (`.Lfunc_end0-f`).
    let t = text.trim_ascii();
    if let Some(v) = plain_decimal(t) {
        return Ok(Expr::Num(v));
    }
    if let Some(sym) = plain_symbol(t) {
        return Ok(Expr::Sym(sym.to_string()));
    }
    if let Some((a, b)) = t.split_once('-')
        && let (Some(a), Some(b)) = (plain_symbol(a.trim_ascii()), plain_symbol(b.trim_ascii()))
    {
        return Ok(Expr::Sub(
            Box::new(Expr::Sym(a.to_string())),
            Box::new(Expr::Sym(b.to_string())),
        ));
    }
    if t.starts_with(|c: char| c.is_ascii_digit())
        && t.bytes().all(|b| b.is_ascii_alphanumeric())
        && let Ok(("", v)) = number(t)
    {
        return Ok(Expr::Num(v));
    }
    match binary(text, 0, 0) {
        Ok((rest, e, _)) if rest.trim().is_empty() => Ok(e),
        Err(Miss::TooDeep) => Err(ExprError::TooDeep),
        _ => Err(ExprError::Syntax),
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
        assert_eq!(e("'\\n'"), Expr::Num(10));
        assert_eq!(e("'\\\\'"), Expr::Num(92));
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

    /// The issue-14 input (an operand of 200 K terms aborted the process) and every other
    /// way to nest: errors, in time linear in the input.
    #[test]
    fn deep_expressions_are_errors_not_stack_overflows() {
        let n = 200_000;
        for text in [
            "1+".repeat(n) + "1",
            "x - ".repeat(n) + "y",
            "(".repeat(n) + "1" + &")".repeat(n),
            "-".repeat(n) + "x",
            "~".repeat(n) + "1",
            "-(".repeat(n) + "x" + &")".repeat(n),
        ] {
            assert_eq!(
                try_parse_expr(&text),
                Err(ExprError::TooDeep),
                "{}",
                &text[..20]
            );
        }
    }

    /// An unclosed parenthesis after operators of every level, nested: each enclosing
    /// level retried the failing operator (5^depth parses; the `expr` fuzz target's
    /// 351-byte inputs ran for minutes). Now linear.
    #[test]
    fn unclosed_parentheses_fail_in_linear_time() {
        let start = std::time::Instant::now();
        for unit in [
            "8* (",
            "a | b ^ c & d + e * (",
            "1 + (2 * (",
            "x+ 8* (y ^ (",
        ] {
            let text = unit.repeat(45) + "z";
            assert_eq!(try_parse_expr(&text), Err(ExprError::Syntax), "{unit}");
            let text = unit.repeat(45) + "z +";
            assert_eq!(try_parse_expr(&text), Err(ExprError::Syntax), "{unit}");
        }
        // Still read as far as it goes: `1 + 2 +` is `1 + 2` before the dangling `+`.
        assert_eq!(
            expr("1 + 2 + ").map(|(r, e)| (r, e.eval_const())),
            Ok(("+ ", Some(3)))
        );
        assert_eq!(
            expr("1 * 2 + 3 * (").map(|(r, e)| (r, e.eval_const())),
            Ok(("* (", Some(5)))
        );
        assert!(
            start.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }

    /// The deepest expressions accepted parse, print and evaluate in half the stack of a
    /// thread (2 MiB unless told otherwise), even in a debug build (measured: 512 KiB
    /// debug, 64 KiB release).
    #[test]
    fn the_deepest_accepted_expressions_fit_a_small_stack() {
        let run = || {
            let chain = "1+".repeat(MAX_DEPTH - 1) + "1";
            let parens = "(".repeat(MAX_DEPTH) + "1" + &")".repeat(MAX_DEPTH);
            let unary = "~".repeat(MAX_DEPTH - 1) + "x";
            for (text, depth) in [(chain, MAX_DEPTH), (parens, 1), (unary, MAX_DEPTH)] {
                let e = try_parse_expr(&text).expect("within the limit");
                assert_eq!(e.depth(), depth);
                let printed = e.to_string();
                assert_eq!(parse_expr(&printed).map(|p| p.depth()), Some(depth));
                let _ = (
                    e.eval_const(),
                    e.symbols(),
                    e.as_symbol_ref(),
                    e.clone() == e,
                );
            }
            let over = "1+".repeat(MAX_DEPTH) + "1";
            assert_eq!(try_parse_expr(&over), Err(ExprError::TooDeep));
            let over = "(".repeat(MAX_DEPTH + 1) + "1" + &")".repeat(MAX_DEPTH + 1);
            assert_eq!(try_parse_expr(&over), Err(ExprError::TooDeep));
        };
        std::thread::Builder::new()
            .stack_size(1024 * 1024)
            .spawn(run)
            .expect("spawn")
            .join()
            .expect("no overflow");
    }

    /// What an expression prints as reads back as the same expression (the `expr` fuzz
    /// target checks this on every input).
    #[test]
    fn printed_expressions_read_back() {
        for s in [
            "\"quoted name\"+4",
            "a - -5",
            "a - -b",
            "--5",
            "-(-x)",
            "~-5",
            "1f - 0b",
            "x << -1",
            "(a | b) ^ c & d",
        ] {
            let e = e(s);
            let printed = e.to_string();
            let back = parse_expr(&printed).unwrap_or_else(|| panic!("{s} printed as {printed}"));
            assert_eq!(back.symbols(), e.symbols(), "{s} printed as {printed}");
            assert_eq!(
                back.eval_const(),
                e.eval_const(),
                "{s} printed as {printed}"
            );
        }
    }

    #[test]
    fn garbage_is_rejected_not_panicking() {
        for s in ["", "+", "(", "1 +", "0xZZ", ")", "1 2", "'", "\u{e9}"] {
            let _ = parse_expr(s);
        }
        assert!(parse_expr("1 2").is_none());
    }
}
