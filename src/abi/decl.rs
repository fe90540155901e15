//! Reading body-less function declarations from a Go source file.

use super::DeclError;
use super::gotype::GoType;
use super::lexer::{Tok, Token, tokenize};
use crate::error::Diagnostic;
use crate::source::{SourceFile, Span};

/// One parameter or result. `name` is `None` when the declaration leaves it unnamed.
#[derive(Debug, Clone, PartialEq)]
pub struct GoParam {
    pub name: Option<String>,
    pub ty: GoType,
    pub span: Span,
}

/// A Go function declared without a body (implemented in assembly).
#[derive(Debug, Clone, PartialEq)]
pub struct GoFunc {
    pub name: String,
    pub params: Vec<GoParam>,
    pub results: Vec<GoParam>,
    /// Position of the function name.
    pub span: Span,
    /// The C symbol, when it is not derived from the Go name (the package flow binds
    /// `SampleSumAVX2` to `sample_sum`).
    pub c_name: Option<String>,
}

impl GoFunc {
    /// The C symbol this function binds to: an explicit `c_name`, else c2goasm's
    /// `_name` → `name`, else `name`.
    /// The declaration as Go source (`func f(p *int64, n int) int64`), for comments.
    pub fn signature(&self) -> String {
        use std::fmt::Write;
        // Built in one buffer: this runs for every declared function.
        let list = |out: &mut String, ps: &[crate::abi::GoParam]| {
            for (i, p) in ps.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if let Some(n) = &p.name {
                    out.push_str(n);
                    out.push(' ');
                }
                let _ = write!(out, "{}", p.ty);
            }
        };
        let mut out = String::with_capacity(64);
        out.push_str("func ");
        out.push_str(&self.name);
        out.push('(');
        list(&mut out, &self.params);
        out.push(')');
        match self.results.as_slice() {
            [] => {}
            [r] if r.name.is_none() => {
                let _ = write!(out, " {}", r.ty);
            }
            rs => {
                out.push_str(" (");
                list(&mut out, rs);
                out.push(')');
            }
        }
        out
    }

    pub fn c_symbol(&self) -> &str {
        if let Some(c) = &self.c_name {
            return c;
        }
        self.name.strip_prefix('_').unwrap_or(&self.name)
    }
}

type Failure = (Span, DeclError);

/// Every body-less `func` declaration in `file` (functions with bodies, methods, types,
/// imports and everything else are skipped).
pub fn parse_go_decls(file: &SourceFile) -> Result<Vec<GoFunc>, Vec<Diagnostic>> {
    let toks = tokenize(&file.text);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut depth = 0i32;
    let mut i = 0usize;
    while i < toks.len() {
        match toks[i].tok {
            Tok::Punct("{") | Tok::Punct("(") | Tok::Punct("[") => depth += 1,
            Tok::Punct("}") | Tok::Punct(")") | Tok::Punct("]") => depth -= 1,
            Tok::Ident("func") if depth == 0 => match declaration(&toks, i + 1) {
                Ok((next, Some(f))) => {
                    out.push(f);
                    i = next;
                    continue;
                }
                Ok((next, None)) => {
                    i = next;
                    continue;
                }
                Err((span, e)) => {
                    errors.push(Diagnostic::new(file, span, e));
                    i = skip_line(&toks, i + 1);
                    continue;
                }
            },
            _ => {}
        }
        i += 1;
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn skip_line(toks: &[Token<'_>], mut i: usize) -> usize {
    while i < toks.len() && toks[i].tok != Tok::Newline {
        i += 1;
    }
    i
}

/// Index just past the bracket matching the opener at `open`.
fn matching(toks: &[Token<'_>], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Punct("(") | Tok::Punct("[") | Tok::Punct("{") => depth += 1,
            Tok::Punct(")") | Tok::Punct("]") | Tok::Punct("}") => {
                depth -= 1;
                if depth == 0 {
                    return Some(k + 1);
                }
            }
            _ => {}
        }
    }
    None
}

fn syntax(span: Span, msg: &str) -> Failure {
    (span, DeclError::Syntax(msg.to_string()))
}

/// Parses after `func`. Returns the index to continue at and the declaration if it has no
/// body; methods and functions with bodies give `None`.
fn declaration(toks: &[Token<'_>], mut i: usize) -> Result<(usize, Option<GoFunc>), Failure> {
    let Some(name_tok) = toks.get(i) else {
        return Ok((i, None));
    };
    let Tok::Ident(name) = name_tok.tok else {
        // A method (`func (r T) m()`) or a function literal: skip.
        return Ok((i, None));
    };
    i += 1;
    if toks.get(i).map(|t| t.tok) == Some(Tok::Punct("[")) {
        // Generic functions cannot be implemented in assembly; they have bodies.
        return Ok((i, None));
    }
    if toks.get(i).map(|t| t.tok) != Some(Tok::Punct("(")) {
        return Err(syntax(
            name_tok.span,
            "expected `(` after the function name",
        ));
    }
    let close = matching(toks, i).ok_or_else(|| syntax(name_tok.span, "unbalanced `(`"))?;
    let params = param_list(&toks[i + 1..close - 1])?;
    i = close;
    let mut results = Vec::new();
    match toks.get(i).map(|t| t.tok) {
        Some(Tok::Punct("(")) => {
            let close = matching(toks, i).ok_or_else(|| syntax(toks[i].span, "unbalanced `(`"))?;
            results = param_list(&toks[i + 1..close - 1])?;
            i = close;
        }
        Some(Tok::Punct("{")) | Some(Tok::Newline) | Some(Tok::Punct(";")) | None => {}
        Some(_) => {
            let start = i;
            let mut depth = 0i32;
            while let Some(t) = toks.get(i) {
                match t.tok {
                    Tok::Punct("(") | Tok::Punct("[") => depth += 1,
                    Tok::Punct(")") | Tok::Punct("]") => depth -= 1,
                    Tok::Punct("{") if depth == 0 => break,
                    Tok::Newline | Tok::Punct(";") if depth == 0 => break,
                    _ => {}
                }
                i += 1;
            }
            results.push(GoParam {
                name: None,
                ty: parse_type(&toks[start..i])?,
                span: toks[start].span,
            });
        }
    }
    if toks.get(i).map(|t| t.tok) == Some(Tok::Punct("{")) {
        let end = matching(toks, i).unwrap_or(toks.len());
        return Ok((end, None));
    }
    Ok((
        i,
        Some(GoFunc {
            name: name.to_string(),
            params,
            results,
            span: name_tok.span,
            c_name: None,
        }),
    ))
}

/// Splits a parameter list on top-level commas.
fn entries<'t, 'a>(toks: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (k, t) in toks.iter().enumerate() {
        match t.tok {
            Tok::Punct("(") | Tok::Punct("[") | Tok::Punct("{") => depth += 1,
            Tok::Punct(")") | Tok::Punct("]") | Tok::Punct("}") => depth -= 1,
            Tok::Punct(",") if depth == 0 => {
                out.push(&toks[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    out.push(&toks[start..]);
    out.into_iter()
        .map(trim_newlines)
        .filter(|e| !e.is_empty())
        .collect()
}

fn trim_newlines<'t, 'a>(mut e: &'t [Token<'a>]) -> &'t [Token<'a>] {
    while let Some(first) = e.first() {
        if first.tok == Tok::Newline {
            e = &e[1..];
        } else {
            break;
        }
    }
    while let Some(last) = e.last() {
        if last.tok == Tok::Newline {
            e = &e[..e.len() - 1];
        } else {
            break;
        }
    }
    e
}

/// `a, b int64, p *T` (named) or `int64, *T` (unnamed), as Go's grammar allows.
fn param_list(toks: &[Token<'_>]) -> Result<Vec<GoParam>, Failure> {
    let list: Vec<Vec<Token<'_>>> = entries(toks)
        .into_iter()
        .map(|e| {
            e.iter()
                .copied()
                .filter(|t| t.tok != Tok::Newline)
                .collect()
        })
        .collect();
    let is_named = |e: &[Token<'_>]| {
        e.len() >= 2 && matches!(e[0].tok, Tok::Ident(_)) && e[1].tok != Tok::Punct(".")
    };
    let named = list.iter().any(|e| is_named(e));
    let mut out = Vec::new();
    if !named {
        for e in &list {
            out.push(GoParam {
                name: None,
                ty: parse_type(e)?,
                span: e[0].span,
            });
        }
        return Ok(out);
    }
    let mut pending: Vec<(String, Span)> = Vec::new();
    for e in &list {
        if is_named(e) {
            let Tok::Ident(n) = e[0].tok else { continue };
            let ty = parse_type(&e[1..])?;
            for (p, span) in pending.drain(..) {
                out.push(GoParam {
                    name: Some(p),
                    ty: ty.clone(),
                    span,
                });
            }
            out.push(GoParam {
                name: Some(n.to_string()),
                ty,
                span: e[0].span,
            });
        } else if let [t] = e.as_slice() {
            match t.tok {
                Tok::Ident(n) => pending.push((n.to_string(), t.span)),
                _ => return Err(syntax(t.span, "mixed named and unnamed parameters")),
            }
        } else {
            return Err(syntax(e[0].span, "mixed named and unnamed parameters"));
        }
    }
    if let Some((_, span)) = pending.first() {
        return Err(syntax(*span, "parameter without a type"));
    }
    Ok(out)
}

fn text_of(toks: &[Token<'_>]) -> String {
    toks.iter()
        .map(|t| match t.tok {
            Tok::Ident(s) | Tok::Punct(s) | Tok::Literal(s) => s,
            Tok::Newline => "",
        })
        .collect::<Vec<_>>()
        .join("")
}

fn parse_type(toks: &[Token<'_>]) -> Result<GoType, Failure> {
    let Some(first) = toks.first() else {
        return Err(syntax(Span::default(), "missing type"));
    };
    let unsupported = || {
        (
            Span::new(
                first.span.line,
                first.span.col,
                text_of(toks).chars().count() as u32,
            ),
            DeclError::UnsupportedType(text_of(toks)),
        )
    };
    Ok(match toks {
        [t] => match t.tok {
            Tok::Ident(name) => match name {
                "int8" => GoType::Int8,
                "int16" => GoType::Int16,
                "int32" | "rune" => GoType::Int32,
                "int64" => GoType::Int64,
                "uint8" | "byte" => GoType::Uint8,
                "uint16" => GoType::Uint16,
                "uint32" => GoType::Uint32,
                "uint64" => GoType::Uint64,
                "int" => GoType::Int,
                "uint" => GoType::Uint,
                "uintptr" => GoType::Uintptr,
                "bool" => GoType::Bool,
                "float32" => GoType::Float32,
                "float64" => GoType::Float64,
                "string" => GoType::String,
                "complex64" | "complex128" | "any" | "error" => return Err(unsupported()),
                other => GoType::Named(other.to_string()),
            },
            _ => return Err(unsupported()),
        },
        [a, dot, b] if dot.tok == Tok::Punct(".") => match (a.tok, b.tok) {
            (Tok::Ident("unsafe"), Tok::Ident("Pointer")) => GoType::UnsafePointer,
            (Tok::Ident(p), Tok::Ident(n)) => GoType::Named(format!("{p}.{n}")),
            _ => return Err(unsupported()),
        },
        [star, rest @ ..] if star.tok == Tok::Punct("*") && !rest.is_empty() => {
            GoType::Pointer(text_of(rest))
        }
        [open, close, rest @ ..]
            if open.tok == Tok::Punct("[") && close.tok == Tok::Punct("]") && !rest.is_empty() =>
        {
            GoType::Slice(Box::new(
                parse_type(rest).unwrap_or(GoType::Named(text_of(rest))),
            ))
        }
        _ => return Err(unsupported()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls(src: &str) -> Vec<GoFunc> {
        parse_go_decls(&SourceFile::new("x.go", src))
            .unwrap_or_else(|d| panic!("{}", d.iter().map(|d| d.to_string()).collect::<String>()))
    }

    #[test]
    fn signatures_as_go_writes_them() {
        let fs = decls(
            "package p\nimport \"unsafe\"\nfunc f(a, b int64, p *uint8) (r int64, ok bool)\n\
             func g(x []float32) float64\nfunc h()\nfunc k(unsafe.Pointer) (n int)\n",
        );
        let sigs: Vec<String> = fs.iter().map(GoFunc::signature).collect();
        assert_eq!(
            sigs,
            [
                "func f(a int64, b int64, p *uint8) (r int64, ok bool)",
                "func g(x []float32) float64",
                "func h()",
                "func k(unsafe.Pointer) (n int)",
            ]
        );
    }

    #[test]
    fn finds_only_bodyless_functions() {
        let src = r#"package p

import (
	"unsafe"
)

// func fake(x int)
var s = "func nope()"

func withBody(x int) int {
	f := func() {}
	_ = f
	return x
}

func (r T) method(x int)

//go:noescape
func _sample_sum(addr unsafe.Pointer, len int64) (x int64)

func mix(a, b int64, f float32,
	p *[4]float32, s []byte, str string) bool
func unnamed(unsafe.Pointer, int64) int64
func noResult(p *int64)
"#;
        let d = decls(src);
        let names: Vec<&str> = d.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec!["_sample_sum", "mix", "unnamed", "noResult"]);
        assert_eq!(d[0].c_symbol(), "sample_sum");
        assert_eq!(d[0].params[0].ty, GoType::UnsafePointer);
        assert_eq!(d[0].results[0].name.as_deref(), Some("x"));
        let mix = &d[1];
        assert_eq!(mix.params.len(), 6);
        assert_eq!(mix.params[1].name.as_deref(), Some("b"));
        assert_eq!(mix.params[1].ty, GoType::Int64);
        assert_eq!(mix.params[3].ty, GoType::Pointer("[4]float32".into()));
        assert_eq!(mix.params[4].ty, GoType::Slice(Box::new(GoType::Uint8)));
        assert_eq!(
            mix.results[0],
            GoParam {
                name: None,
                ty: GoType::Bool,
                span: mix.results[0].span
            }
        );
        assert!(d[2].params.iter().all(|p| p.name.is_none()));
        assert!(d[3].results.is_empty());
        assert_eq!((d[0].span.line, d[0].span.col), (19, 6));
    }

    #[test]
    fn unsupported_types_are_located_errors() {
        let e = parse_go_decls(&SourceFile::new(
            "x.go",
            "package p\nfunc f(m map[string]int)\n",
        ))
        .expect_err("map is unsupported");
        assert!(e[0].to_string().contains("x.go:2:10"), "{}", e[0]);
        assert!(e[0].to_string().contains("map[string]int"));
        assert!(parse_go_decls(&SourceFile::new("x.go", "package p\nfunc f(x ...int)\n")).is_err());
    }

    #[test]
    fn garbage_does_not_panic() {
        for s in [
            "func",
            "func f(",
            "func f(a",
            "func f() (",
            "func (",
            "func f(a,)",
            "func f() [",
            "}}}func f(x int)",
        ] {
            let _ = parse_go_decls(&SourceFile::new("x.go", s));
        }
    }
}
