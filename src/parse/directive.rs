//! Directives (`.section`, `.p2align`, `.quad`, `.asciz`, …) → typed [`Directive`]s.

use super::Dialect;
use super::ParseError;
use super::ast::{AlignKind, Directive, SymbolAttr};
use super::expr::Expr;
use super::expr_parser::{ExprError, try_parse_expr};

/// Splits directive arguments on commas outside string literals and parentheses.
/// Empty arguments are kept (`.p2align 4,,10`).
pub fn split_args(args: &str) -> Vec<&str> {
    let mut out = Vec::new();
    if args.trim().is_empty() {
        return out;
    }
    let bytes = args.as_bytes();
    let (mut depth, mut in_str, mut start, mut i) = (0i32, false, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'(' if !in_str => depth += 1,
            b')' if !in_str => depth -= 1,
            b',' if !in_str && depth == 0 => {
                out.push(args[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(args.get(start..).unwrap_or("").trim());
    out
}

fn bad(directive: &str, detail: impl Into<String>) -> ParseError {
    ParseError::BadDirective {
        directive: directive.to_string(),
        detail: detail.into(),
    }
}

fn int_arg(name: &str, a: &str) -> Result<u64, ParseError> {
    let e = match try_parse_expr(a) {
        Err(ExprError::TooDeep) => return Err(ParseError::TooDeep),
        parsed => parsed.ok(),
    };
    e.and_then(|e| e.eval_const())
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(|| bad(name, format!("expected a non-negative number, found `{a}`")))
}

fn expr_arg(name: &str, a: &str) -> Result<Expr, ParseError> {
    try_parse_expr(a).map_err(|e| match e {
        ExprError::TooDeep => ParseError::TooDeep,
        ExprError::Syntax => bad(name, format!("cannot parse expression `{a}`")),
    })
}

/// Decodes a GAS string literal (with its quotes) into bytes.
pub fn string_literal(s: &str) -> Option<Vec<u8>> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = Vec::with_capacity(inner.len());
    let b = inner.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        let c = *b.get(i)?;
        i += 1;
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'a' => out.push(7),
            b'e' => out.push(27),
            b'0'..=b'7' => {
                let mut v = (c - b'0') as u32;
                let mut n = 1;
                while n < 3 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    v = v * 8 + (b[i] - b'0') as u32;
                    i += 1;
                    n += 1;
                }
                out.push(v as u8);
            }
            b'x' | b'X' => {
                let mut v = 0u32;
                let mut n = 0;
                while i < b.len() && (b[i] as char).is_ascii_hexdigit() {
                    v = v * 16 + (b[i] as char).to_digit(16)?;
                    i += 1;
                    n += 1;
                }
                if n == 0 {
                    return None;
                }
                out.push(v as u8);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// Parses `name` (with its leading dot, any case) and the text after it, as GAS for x86
/// reads it.
pub fn parse_directive(name: &str, args: &str) -> Result<Directive, ParseError> {
    parse_directive_in(name, args, Dialect::X86)
}

/// [`parse_directive`] for a given dialect: GAS gives `.align` and `.word` different
/// meanings per target (AArch64: `.align n` is 2^n bytes, `.word` is 4 bytes).
pub fn parse_directive_in(
    name: &str,
    args: &str,
    dialect: Dialect,
) -> Result<Directive, ParseError> {
    // Directive names are written in lower case: fold only when they are not.
    let lower: std::borrow::Cow<'_, str> = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        name.to_ascii_lowercase().into()
    } else {
        name.into()
    };
    let arm = dialect == Dialect::Arm64;
    let a = split_args(args);
    let section = |n: &str| Directive::Section {
        name: n.to_string(),
        flags: None,
        kind: None,
        entsize: None,
    };
    let sym_names = |attr| Directive::Symbol {
        attr,
        names: a.iter().map(|s| s.trim_matches('"').to_string()).collect(),
    };
    let data = |width: u8| -> Result<Directive, ParseError> {
        let values = a
            .iter()
            .map(|v| expr_arg(name, v))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Directive::Data { width, values })
    };
    Ok(match &*lower {
        ".text" => section(".text"),
        ".data" => section(".data"),
        ".bss" => section(".bss"),
        ".section" | ".pushsection" => {
            let sec_name = a
                .first()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| bad(name, "missing section name"))?
                .trim_matches('"')
                .to_string();
            if sec_name.starts_with("__TEXT") || sec_name.starts_with("__DATA") {
                return Err(ParseError::MachO);
            }
            let flags = a.get(1).map(|f| f.trim_matches('"').to_string());
            let kind = a
                .get(2)
                .map(|k| k.trim_start_matches(['@', '%']).to_string());
            if lower == ".pushsection" {
                Directive::PushSection {
                    name: sec_name,
                    flags,
                    kind,
                }
            } else {
                let entsize = a.get(3).and_then(|e| int_arg(name, e).ok());
                Directive::Section {
                    name: sec_name,
                    flags,
                    kind,
                    entsize,
                }
            }
        }
        ".popsection" => Directive::PopSection,
        ".previous" => Directive::Previous,
        ".globl" | ".global" => sym_names(SymbolAttr::Globl),
        ".local" => sym_names(SymbolAttr::Local),
        ".weak" => sym_names(SymbolAttr::Weak),
        ".hidden" => sym_names(SymbolAttr::Hidden),
        ".protected" => sym_names(SymbolAttr::Protected),
        ".internal" => sym_names(SymbolAttr::Internal),
        ".type" => {
            let symbol = a
                .first()
                .ok_or_else(|| bad(name, "missing symbol"))?
                .to_string();
            let kind = a
                .get(1)
                .map(|k| {
                    k.trim_start_matches(['@', '%'])
                        .trim_matches('"')
                        .to_string()
                })
                .unwrap_or_default();
            Directive::Type { symbol, kind }
        }
        ".size" => {
            if a.len() != 2 {
                return Err(bad(name, "expected `symbol, size`"));
            }
            Directive::Size {
                symbol: a[0].to_string(),
                size: expr_arg(name, a[1])?,
            }
        }
        ".p2align" | ".p2alignw" | ".p2alignl" | ".balign" | ".balignw" | ".balignl" | ".align" => {
            let first = a.first().ok_or_else(|| bad(name, "missing alignment"))?;
            let n = int_arg(name, first)?;
            let kind = if lower.starts_with(".p2align") || (arm && lower == ".align") {
                AlignKind::P2Align
            } else {
                AlignKind::Bytes
            };
            let bytes = match kind {
                AlignKind::P2Align => {
                    if n >= 63 {
                        return Err(bad(name, format!("alignment 2^{n} is too large")));
                    }
                    1u64 << n
                }
                AlignKind::Bytes => n.max(1),
            };
            let opt_int = |s: Option<&&str>| -> Result<Option<u64>, ParseError> {
                match s {
                    Some(v) if !v.is_empty() => Ok(Some(int_arg(name, v)?)),
                    _ => Ok(None),
                }
            };
            Directive::Align {
                kind,
                bytes,
                fill: opt_int(a.get(1))?.map(|f| f as u8),
                max_skip: opt_int(a.get(2))?,
            }
        }
        ".byte" => data(1)?,
        ".word" if arm => data(4)?,
        ".xword" | ".dword" if arm => data(8)?,
        ".short" | ".value" | ".2byte" | ".word" | ".hword" => data(2)?,
        ".long" | ".int" | ".4byte" => data(4)?,
        ".quad" | ".8byte" => data(8)?,
        ".float" | ".single" | ".double" => {
            let width = if lower == ".double" { 8 } else { 4 };
            let mut bits = Vec::new();
            for v in &a {
                let f: f64 = v
                    .trim()
                    .trim_start_matches("0f")
                    .trim_start_matches("0d")
                    .parse()
                    .map_err(|_| bad(name, format!("bad number `{v}`")))?;
                bits.push(if width == 8 {
                    f.to_bits()
                } else {
                    (f as f32).to_bits() as u64
                });
            }
            Directive::Float { width, bits }
        }
        ".zero" | ".space" | ".skip" => {
            let size = int_arg(name, a.first().ok_or_else(|| bad(name, "missing size"))?)?;
            let fill = match a.get(1) {
                Some(f) => int_arg(name, f)? as u8,
                None => 0,
            };
            Directive::Zero { size, fill }
        }
        ".ascii" | ".asciz" | ".string" => {
            let mut bytes = Vec::new();
            let zero_terminated = lower != ".ascii";
            // Several strings per directive: each gets its own terminator.
            let mut parts = Vec::new();
            for s in &a {
                parts.push(string_literal(s).ok_or_else(|| bad(name, "bad string literal"))?);
            }
            if parts.len() == 1 {
                bytes = parts.pop().unwrap_or_default();
            } else {
                for p in parts {
                    bytes.extend(p);
                    if zero_terminated {
                        bytes.push(0);
                    }
                }
                return Ok(Directive::Ascii {
                    bytes,
                    zero_terminated: false,
                });
            }
            Directive::Ascii {
                bytes,
                zero_terminated,
            }
        }
        ".comm" | ".lcomm" => {
            if a.len() < 2 {
                return Err(bad(name, "expected `symbol, size[, align]`"));
            }
            Directive::Common {
                symbol: a[0].to_string(),
                size: int_arg(name, a[1])?,
                align: match a.get(2) {
                    Some(v) => Some(int_arg(name, v)?),
                    None => None,
                },
                local: lower == ".lcomm",
            }
        }
        ".set" | ".equ" | ".equiv" => {
            if a.len() != 2 {
                return Err(bad(name, "expected `symbol, value`"));
            }
            Directive::Set {
                symbol: a[0].to_string(),
                value: expr_arg(name, a[1])?,
            }
        }
        ".intel_syntax" => Directive::IntelSyntax {
            prefix: a.first().is_some_and(|s| s.eq_ignore_ascii_case("prefix")),
        },
        ".att_syntax" => Directive::AttSyntax,
        ".file"
        | ".ident"
        | ".addrsig"
        | ".addrsig_sym"
        | ".loc"
        | ".file_directive"
        | ".build_version"
        | ".macosx_version_min"
        | ".subsections_via_symbols"
        | ".end" => Directive::Ignored(lower.into_owned()),
        // AArch64 target selection: the system assembler reads them from the same text.
        ".arch" | ".arch_extension" | ".cpu" if arm => Directive::Ignored(lower.into_owned()),
        _ if lower.starts_with(".cfi_") => Directive::Ignored(lower.into_owned()),
        _ => Directive::Unknown {
            name: name.to_string(),
            args: args.trim().to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(line: &str) -> Directive {
        let (n, a) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        parse_directive(n, a).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    #[test]
    fn sections() {
        assert_eq!(
            d(".section .rodata.cst32,\"aM\",@progbits,32"),
            Directive::Section {
                name: ".rodata.cst32".into(),
                flags: Some("aM".into()),
                kind: Some("progbits".into()),
                entsize: Some(32),
            }
        );
        assert!(matches!(d(".text"), Directive::Section { name, .. } if name == ".text"));
        assert!(
            matches!(d(".section \".note.GNU-stack\",\"\",@progbits"), Directive::Section { name, .. } if name == ".note.GNU-stack")
        );
    }

    #[test]
    fn alignment_units() {
        assert!(matches!(
            d(".p2align 4, 0x90"),
            Directive::Align {
                bytes: 16,
                fill: Some(0x90),
                ..
            }
        ));
        assert!(matches!(
            d(".p2align 4,,10"),
            Directive::Align {
                bytes: 16,
                fill: None,
                max_skip: Some(10),
                ..
            }
        ));
        // On ELF x86, `.align` counts bytes: the seed's `.align 32` is 32, not 2^32.
        assert!(matches!(d(".align 32"), Directive::Align { bytes: 32, .. }));
        assert!(matches!(d(".balign 8"), Directive::Align { bytes: 8, .. }));
    }

    #[test]
    fn data_and_strings() {
        assert_eq!(
            d(".quad -9223372036854775808"),
            Directive::Data {
                width: 8,
                values: vec![Expr::Num(i64::MIN as i128)]
            }
        );
        assert!(
            matches!(d(".value 1,2,3"), Directive::Data { width: 2, values } if values.len() == 3)
        );
        assert_eq!(
            d(".asciz \"a\\tb\\377\\x41\\\"\""),
            Directive::Ascii {
                bytes: vec![b'a', 9, b'b', 255, 0x41, b'"'],
                zero_terminated: true
            }
        );
        assert!(matches!(d(".zero 4"), Directive::Zero { size: 4, fill: 0 }));
        assert!(
            matches!(d(".float 1.5"), Directive::Float { width: 4, bits } if bits == vec![0x3fc00000])
        );
    }

    #[test]
    fn symbols_and_ignored() {
        assert!(
            matches!(d(".globl sample_sum"), Directive::Symbol { attr: SymbolAttr::Globl, names } if names == vec!["sample_sum"])
        );
        assert!(
            matches!(d(".type sample_sum,@function"), Directive::Type { kind, .. } if kind == "function")
        );
        assert!(matches!(
            d(".file 0 \"/tmp\" \"s.c\" md5 0x12"),
            Directive::Ignored(_)
        ));
        assert!(matches!(d(".addrsig"), Directive::Ignored(_)));
        assert!(matches!(
            d(".bundle_align_mode 5"),
            Directive::Unknown { .. }
        ));
    }

    #[test]
    fn malformed_are_errors() {
        assert!(parse_directive(".p2align", "x").is_err());
        assert!(parse_directive(".p2align", "70").is_err());
        assert!(parse_directive(".ascii", "\"unterminated").is_err());
        assert!(parse_directive(".size", "a").is_err());
    }
}
