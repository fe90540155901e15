//! One Intel-syntax operand: register, memory (clang's `qword ptr [rdi + 8*rax + 32]` and
//! GCC's `QWORD PTR .LC0[rip]` / `DWORD PTR table[0+rax*4]`), immediate or symbol, with
//! AVX-512 decorations (`{k1}`, `{z}`, `{1to8}`, `{sae}`, `{rn-sae}`).

use iced_x86::Register;

use super::ast::{MemOperand, MemSize, Operand, Rounding};
use super::register;
use crate::parse::ParseError;
use crate::parse::expr::Expr;
use crate::parse::expr_parser::{ExprError, MAX_DEPTH, try_parse_expr};

/// An operand with the decorations written after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub operand: Operand,
    pub opmask: Option<Register>,
    pub zeroing: bool,
}

fn bad(text: &str) -> ParseError {
    ParseError::BadOperand(text.to_string())
}

/// `e` parsed as an expression; a syntax error is the operand `text`'s.
fn expression(e: &str, text: &str) -> Result<Expr, ParseError> {
    try_parse_expr(e).map_err(|err| match err {
        ExprError::TooDeep => ParseError::TooDeep,
        ExprError::Syntax => bad(text),
    })
}

fn mem_size(word: &str) -> Option<MemSize> {
    const SIZES: [(&str, MemSize); 12] = [
        ("qword", MemSize::Qword),
        ("dword", MemSize::Dword),
        ("xmmword", MemSize::Xmmword),
        ("ymmword", MemSize::Ymmword),
        ("zmmword", MemSize::Zmmword),
        ("byte", MemSize::Byte),
        ("word", MemSize::Word),
        ("fword", MemSize::Fword),
        ("mmword", MemSize::Qword),
        ("tbyte", MemSize::Tbyte),
        ("xword", MemSize::Tbyte),
        ("oword", MemSize::Xmmword),
    ];
    SIZES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, s)| *s)
}

/// Splits off a leading case-insensitive keyword followed by whitespace or `:`.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let head = text.get(..word.len())?;
    if !head.eq_ignore_ascii_case(word) {
        return None;
    }
    let rest = &text[word.len()..];
    if rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || c == ':') {
        Some(rest.trim_start())
    } else {
        None
    }
}

pub fn parse_operand(text: &str) -> Result<Parsed, ParseError> {
    let mut body = text.trim_ascii();
    // Most operands are a bare register: none of the forms below can spell one.
    if let Some(r) = register::lookup(body) {
        return Ok(Parsed {
            operand: Operand::Reg(r),
            opmask: None,
            zeroing: false,
        });
    }
    let mut opmask = None;
    let mut zeroing = false;
    let mut broadcast = None;
    // Trailing decorations, right to left.
    while body.ends_with('}') {
        let open = body.rfind('{').ok_or_else(|| bad(text))?;
        let deco = body[open + 1..body.len() - 1].trim().to_ascii_lowercase();
        body = body[..open].trim_end();
        let standalone = body.is_empty();
        match deco.as_str() {
            "z" => zeroing = true,
            "sae" if standalone => {
                return Ok(Parsed {
                    operand: Operand::Sae,
                    opmask,
                    zeroing,
                });
            }
            "rn-sae" | "rd-sae" | "ru-sae" | "rz-sae" if standalone => {
                let r = match &deco[..2] {
                    "rn" => Rounding::Nearest,
                    "rd" => Rounding::Down,
                    "ru" => Rounding::Up,
                    _ => Rounding::TowardZero,
                };
                return Ok(Parsed {
                    operand: Operand::Rounding(r),
                    opmask,
                    zeroing,
                });
            }
            d if d.starts_with("1to") => {
                broadcast = Some(d[3..].parse::<u8>().map_err(|_| bad(text))?);
            }
            d => match register::lookup(d) {
                Some(k) if k.is_k() => opmask = Some(k),
                _ => return Err(bad(text)),
            },
        }
    }
    if body.is_empty() {
        return Err(bad(text));
    }

    // Size keyword: `qword ptr`.
    let mut size = None;
    if let Some((word, rest)) = body.split_once(char::is_whitespace)
        && let Some(s) = mem_size(word)
        && let Some(after) = strip_word(rest.trim_start(), "ptr")
    {
        size = Some(s);
        body = after;
    }

    // `offset sym`, `OFFSET FLAT:sym`.
    if let Some(rest) = strip_word(body, "offset") {
        let rest = strip_word(rest, "flat")
            .map(|r| r.trim_start_matches(':').trim_start())
            .unwrap_or(rest);
        let e = expression(rest, text)?;
        return Ok(Parsed {
            operand: Operand::Offset(e),
            opmask,
            zeroing,
        });
    }

    // Segment override `fs:…`.
    let mut segment = None;
    if body.as_bytes().contains(&b':')
        && let Some((seg, rest)) = body.split_once(':')
        && let Some(r) = register::lookup(seg.trim())
        && r.is_segment_register()
    {
        segment = Some(r);
        body = rest.trim_start();
    }

    if let Some(open) = body.bytes().position(|b| b == b'[') {
        let close = body
            .bytes()
            .rposition(|b| b == b']')
            .ok_or_else(|| bad(text))?;
        if close < open || !body[close + 1..].trim().is_empty() {
            return Err(bad(text));
        }
        let prefix = body[..open].trim();
        let mut mem = parse_brackets(&body[open + 1..close], text)?;
        if !prefix.is_empty() {
            let p = expression(prefix, text)?;
            mem.disp = add(p, mem.disp);
            if mem.disp.depth() > MAX_DEPTH {
                return Err(ParseError::TooDeep);
            }
        }
        mem.size = size;
        mem.segment = segment;
        mem.broadcast = broadcast;
        return Ok(Parsed {
            operand: Operand::Mem(mem),
            opmask,
            zeroing,
        });
    }

    if segment.is_some() || size.is_some() {
        // `fs:0`, `dword ptr fs:x@tpoff`, `qword ptr sym`: absolute memory.
        let disp = expression(body, text)?;
        return Ok(Parsed {
            operand: Operand::Mem(MemOperand {
                size,
                segment,
                base: None,
                index: None,
                scale: 1,
                disp,
                broadcast,
            }),
            opmask,
            zeroing,
        });
    }

    if let Some(r) = register::lookup(body) {
        return Ok(Parsed {
            operand: Operand::Reg(r),
            opmask,
            zeroing,
        });
    }
    let e = expression(body, text)?;
    Ok(Parsed {
        operand: Operand::Expr(e),
        opmask,
        zeroing,
    })
}

fn add(a: Expr, b: Expr) -> Expr {
    match (&a, &b) {
        (_, Expr::Num(0)) => a,
        (Expr::Num(0), _) => b,
        _ => Expr::Add(Box::new(a), Box::new(b)),
    }
}

/// The inside of `[...]` (of the operand `text`): `base + index*scale + disp` in any order,
/// GCC's `0+rax*4` too.
fn parse_brackets(inner: &str, text: &str) -> Result<MemOperand, ParseError> {
    let mut mem = MemOperand {
        size: None,
        segment: None,
        base: None,
        index: None,
        scale: 1,
        disp: Expr::Num(0),
        broadcast: None,
    };
    // Terms are handled as they are split (no intermediate lists): registers fill base and
    // index, everything else adds to the displacement in source order — a chain as deep
    // as it has terms, so its depth is kept within MAX_DEPTH as it grows.
    let mut disp: Option<(Expr, usize)> = None;
    let mut term = |neg: bool, t: &str| -> Result<(), ParseError> {
        if let Some(r) = register::lookup(t) {
            if neg {
                return Err(bad(text));
            }
            if mem.base.is_none() && !r.is_vector_register() {
                mem.base = Some(r);
            } else if mem.index.is_none() {
                mem.index = Some(r);
            } else {
                return Err(bad(text));
            }
            return Ok(());
        }
        if let Some((l, r)) = t.split_once('*') {
            let (l, r) = (l.trim(), r.trim());
            let scaled = match (register::lookup(l), register::lookup(r)) {
                (Some(reg), None) => Some((reg, r)),
                (None, Some(reg)) => Some((reg, l)),
                _ => None,
            };
            if let Some((reg, scale)) = scaled {
                let scale: u8 = scale.parse().map_err(|_| bad(text))?;
                if neg || mem.index.is_some() || !matches!(scale, 1 | 2 | 4 | 8) {
                    return Err(bad(text));
                }
                mem.index = Some(reg);
                mem.scale = scale;
                return Ok(());
            }
        }
        let e = expression(t, text)?;
        let depth = e.depth();
        let grown = match &disp {
            None if neg && !matches!(e, Expr::Num(_)) => depth + 1,
            None => depth,
            Some((_, d)) => d.max(&depth) + 1,
        };
        if grown > MAX_DEPTH {
            return Err(ParseError::TooDeep);
        }
        let e = match (disp.take(), neg) {
            (None, false) => e,
            (None, true) => match e {
                Expr::Num(v) => Expr::Num(-v),
                e => Expr::Neg(Box::new(e)),
            },
            (Some((d, _)), false) => Expr::Add(Box::new(d), Box::new(e)),
            (Some((d, _)), true) => Expr::Sub(Box::new(d), Box::new(e)),
        };
        disp = Some((e, grown));
        Ok(())
    };
    let bytes = inner.as_bytes();
    let (mut depth, mut start, mut negative) = (0i32, 0usize, false);
    let mut terms = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b'+' | b'-' if depth == 0 => {
                let t = inner[start..i].trim();
                if !t.is_empty() {
                    term(negative, t)?;
                    terms += 1;
                } else if b == b'-' {
                    // unary minus right after another sign: `[rbp + -8]`
                    negative = !negative;
                    start = i + 1;
                    continue;
                }
                negative = b == b'-';
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = inner[start..].trim();
    if !last.is_empty() {
        term(negative, last)?;
    } else if terms == 0 {
        return Err(bad(text));
    }
    if let Some((d, _)) = disp {
        mem.disp = d;
    }
    Ok(mem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem(text: &str) -> MemOperand {
        match parse_operand(text).map(|p| p.operand) {
            Ok(Operand::Mem(m)) => m,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn clang_memory_forms() {
        let m = mem("qword ptr [rdi + 8*rax + 32]");
        assert_eq!(m.size, Some(MemSize::Qword));
        assert_eq!(
            (m.base, m.index, m.scale),
            (Some(Register::RDI), Some(Register::RAX), 8)
        );
        assert_eq!(m.disp, Expr::Num(32));
        let m = mem("ymmword ptr [rip + .LCPI0_0+16]");
        assert_eq!(m.base, Some(Register::RIP));
        assert_eq!(
            m.disp.as_symbol_ref().map(|r| (r.symbol, r.addend)),
            Some((".LCPI0_0".into(), 16))
        );
        let m = mem("[rsp - 8]");
        assert_eq!(m.disp.eval_const(), Some(-8));
        let m = mem("[rax*8 + .LJTI0_0]");
        assert_eq!((m.base, m.index, m.scale), (None, Some(Register::RAX), 8));
    }

    #[test]
    fn gcc_memory_forms() {
        let m = mem("QWORD PTR 120[rsp]");
        assert_eq!(
            (m.base, m.disp.eval_const()),
            (Some(Register::RSP), Some(120))
        );
        let m = mem("QWORD PTR .LC0[rip]");
        assert_eq!(m.base, Some(Register::RIP));
        assert_eq!(m.disp, Expr::Sym(".LC0".into()));
        let m = mem("DWORD PTR table[0+rax*4]");
        assert_eq!((m.base, m.index, m.scale), (None, Some(Register::RAX), 4));
        assert_eq!(
            m.disp.as_symbol_ref().map(|r| r.symbol),
            Some("table".into())
        );
        let m = mem("BYTE PTR es:[rdi]");
        assert_eq!(m.segment, Some(Register::ES));
        let m = mem("DWORD PTR fs:x@tpoff");
        assert_eq!((m.segment, m.base), (Some(Register::FS), None));
        let m = mem("qword ptr fs:[counter@TPOFF]");
        assert_eq!(m.disp, Expr::Sym("counter@TPOFF".into()));
    }

    #[test]
    fn decorations() {
        let p = parse_operand("zmm0 {k1} {z}").expect("parse");
        assert_eq!(
            (p.operand, p.opmask, p.zeroing),
            (Operand::Reg(Register::ZMM0), Some(Register::K1), true)
        );
        let p = parse_operand("zmm2{k7}").expect("parse");
        assert_eq!(p.opmask, Some(Register::K7));
        let m = mem("qword ptr [rax]{1to8}");
        assert_eq!(m.broadcast, Some(8));
        assert_eq!(parse_operand("{sae}").expect("parse").operand, Operand::Sae);
        assert_eq!(
            parse_operand("{rz-sae}").expect("parse").operand,
            Operand::Rounding(Rounding::TowardZero)
        );
        let m = mem("zmmword ptr [rdi + 64] {k2}");
        assert_eq!(m.disp, Expr::Num(64));
        assert!(matches!(
            parse_operand("ymm5 {k9}"),
            Err(ParseError::BadOperand(_))
        ));
    }

    #[test]
    fn immediates_symbols_offsets() {
        assert_eq!(
            parse_operand("238").expect("p").operand,
            Operand::Expr(Expr::Num(238))
        );
        assert_eq!(
            parse_operand("-1").expect("p").operand,
            Operand::Expr(Expr::Num(-1))
        );
        assert_eq!(
            parse_operand(".LBB0_3").expect("p").operand,
            Operand::Expr(Expr::Sym(".LBB0_3".into()))
        );
        assert_eq!(
            parse_operand("OFFSET FLAT:.LC0").expect("p").operand,
            Operand::Offset(Expr::Sym(".LC0".into()))
        );
        assert_eq!(
            parse_operand("offset .L.str").expect("p").operand,
            Operand::Offset(Expr::Sym(".L.str".into()))
        );
        assert_eq!(
            parse_operand("st(1)").expect("p").operand,
            Operand::Reg(Register::ST1)
        );
    }

    #[test]
    fn garbage_never_panics() {
        for s in [
            "[",
            "]",
            "[]",
            "qword ptr",
            "{",
            "}",
            "{k1",
            "[rax*3]",
            "[rax+rbx+rcx]",
            "é[",
            "fs:",
            ":",
        ] {
            let _ = parse_operand(s);
        }
        assert!(parse_operand("[rax*3]").is_err());
    }
}
