//! Reading the body-less function declarations of an ordinary Go file.
//!
//! The declarations file is a real Go file: package clause, imports, wrappers with bodies,
//! methods, generic functions, types, vars. Only a top-level `func` without a body is an
//! assembly declaration, so body-ness is decided first (on the declaration's tokens) and
//! only body-less declarations have their parameter types read; those types never fail
//! to read (see [`super::type_syntax`]).

use super::DeclError;
use super::gotype::GoType;
use super::lexer::{Tok, Token, tokenize};
use super::toplevel::{matching, statements, trim_newlines};
use super::type_syntax::{denote, span_of, spell};
use crate::error::Diagnostic;
use crate::source::{SourceFile, Span};

/// One parameter or result. `name` is `None` when the declaration leaves it unnamed.
#[derive(Debug, Clone, PartialEq)]
pub struct GoParam {
    pub name: Option<String>,
    /// What the ABI sees: the underlying type once named types are resolved (`n Len` with
    /// `type Len int` is [`GoType::Int`]).
    pub ty: GoType,
    /// The type as written, in gofmt spelling (`Len`, `[]byte`, `map[string]int`).
    pub written: String,
    /// Position of the parameter's name (of its type when unnamed).
    pub span: Span,
    /// Position of the parameter's type (where errors about the type point).
    pub ty_span: Span,
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
    /// The declaration as written (`func f(p *int64, n Len) int64`), for comments.
    pub fn signature(&self) -> String {
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
                out.push_str(&p.written);
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
                out.push(' ');
                out.push_str(&r.written);
            }
            rs => {
                out.push_str(" (");
                list(&mut out, rs);
                out.push(')');
            }
        }
        out
    }

    /// The C symbol this function binds to: an explicit `c_name`, else c2goasm's
    /// `_name` → `name`, else `name`.
    pub fn c_symbol(&self) -> &str {
        if let Some(c) = &self.c_name {
            return c;
        }
        self.name.strip_prefix('_').unwrap_or(&self.name)
    }
}

type Failure = (Span, DeclError);

/// Every body-less top-level `func` declaration in `file`. Functions with bodies, methods,
/// generic functions and all other declarations are read past whatever types they use;
/// a body-less declaration's unsupported types are kept (an error only once bound).
/// Errors are malformed parameter lists of body-less declarations.
pub fn parse_go_decls(file: &SourceFile) -> Result<Vec<GoFunc>, Vec<Diagnostic>> {
    let toks = tokenize(&file.text);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for decl in statements(&toks) {
        if decl[0].tok != Tok::Ident("func") {
            continue;
        }
        match body_less(decl) {
            Ok(Some(f)) => out.push(f),
            Ok(None) => {}
            Err((span, e)) => errors.push(Diagnostic::new(file, span, e)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn syntax(span: Span, msg: &str) -> Failure {
    (span, DeclError::Syntax(msg.to_string()))
}

/// The function `decl` (`func …` up to its end) declares, if it is a plain function
/// without a body; methods, generic functions and functions with bodies give `None`.
fn body_less(decl: &[Token<'_>]) -> Result<Option<GoFunc>, Failure> {
    let Some(name_tok) = decl.get(1) else {
        return Err(syntax(
            decl[0].span,
            "expected a function name after `func`",
        ));
    };
    let name = match name_tok.tok {
        Tok::Ident(name) => name,
        // A method: `func (r T) m()`, with or without a body.
        Tok::Punct("(") => return Ok(None),
        _ => {
            return Err(syntax(
                name_tok.span,
                "expected a function name after `func`",
            ));
        }
    };
    match decl.get(2).map(|t| t.tok) {
        Some(Tok::Punct("(")) => {}
        // A generic function (`func f[T any](…)`): it cannot be implemented in assembly.
        Some(Tok::Punct("[")) => return Ok(None),
        _ => {
            return Err(syntax(
                name_tok.span,
                "expected `(` after the function name",
            ));
        }
    }
    let close = matching(decl, 2).ok_or_else(|| syntax(decl[2].span, "unbalanced `(`"))?;
    let rest = &decl[close..];
    if has_body(rest) {
        return Ok(None);
    }
    let params = param_list(&decl[3..close - 1])?;
    let rest = trim_newlines(rest);
    let results = match rest.first().map(|t| t.tok) {
        None => Vec::new(),
        Some(Tok::Punct("(")) if matching(rest, 0) == Some(rest.len()) => {
            param_list(&rest[1..rest.len() - 1])?
        }
        Some(_) => vec![unnamed(rest)],
    };
    Ok(Some(GoFunc {
        name: name.to_string(),
        params,
        results,
        span: name_tok.span,
        c_name: None,
    }))
}

/// Whether what follows a function's parameter list contains its body: a `{` at depth 0
/// that does not open a `struct{…}` or `interface{…}` result type.
fn has_body(rest: &[Token<'_>]) -> bool {
    let mut depth = 0u32;
    let mut prev = None;
    for t in rest {
        match t.tok {
            Tok::Punct("{")
                if depth == 0 && !matches!(prev, Some(Tok::Ident("struct" | "interface"))) =>
            {
                return true;
            }
            Tok::Punct("(" | "[" | "{") => depth += 1,
            Tok::Punct(")" | "]" | "}") => depth = depth.saturating_sub(1),
            Tok::Newline => continue,
            _ => {}
        }
        prev = Some(t.tok);
    }
    false
}

/// Splits a parameter list on top-level commas; each entry without newlines.
fn entries<'a>(toks: &[Token<'a>]) -> Vec<Vec<Token<'a>>> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0u32, 0usize);
    let mut push = |e: &[Token<'a>]| {
        let e: Vec<Token<'a>> = e
            .iter()
            .copied()
            .filter(|t| t.tok != Tok::Newline)
            .collect();
        if !e.is_empty() {
            out.push(e);
        }
    };
    for (k, t) in toks.iter().enumerate() {
        match t.tok {
            Tok::Punct("(" | "[" | "{") => depth += 1,
            Tok::Punct(")" | "]" | "}") => depth = depth.saturating_sub(1),
            Tok::Punct(",") if depth == 0 => {
                push(&toks[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    push(&toks[start..]);
    out
}

/// Whether a parameter-list entry is `name Type` rather than a type alone. Type keywords
/// start a type (`func(int)`, `chan T`, `map[K]V`); `List[int]` (a name and brackets
/// that end the entry) is an instantiated type, while `x [4]int` is a name and a type.
fn is_named(e: &[Token<'_>]) -> bool {
    let [first, second, ..] = e else {
        return false;
    };
    match first.tok {
        Tok::Ident("func" | "chan" | "map" | "struct" | "interface") => false,
        Tok::Ident(_) => match second.tok {
            Tok::Punct(".") => false,
            Tok::Punct("[") => matching(e, 1) != Some(e.len()),
            _ => true,
        },
        _ => false,
    }
}

fn unnamed(ty: &[Token<'_>]) -> GoParam {
    GoParam {
        name: None,
        ty: denote(ty),
        written: spell(ty),
        span: span_of(ty),
        ty_span: span_of(ty),
    }
}

/// `a, b int64, p *T` (named) or `int64, *T` (unnamed), as Go's grammar allows.
fn param_list(toks: &[Token<'_>]) -> Result<Vec<GoParam>, Failure> {
    let list = entries(toks);
    if !list.iter().any(|e| is_named(e)) {
        return Ok(list.iter().map(|e| unnamed(e)).collect());
    }
    let mut out = Vec::new();
    let mut pending: Vec<(String, Span)> = Vec::new();
    for e in &list {
        if is_named(e) {
            let Tok::Ident(n) = e[0].tok else { continue };
            let ty_toks = &e[1..];
            let (ty, written, ty_span) = (denote(ty_toks), spell(ty_toks), span_of(ty_toks));
            for (p, span) in pending.drain(..).chain([(n.to_string(), e[0].span)]) {
                out.push(GoParam {
                    name: Some(p),
                    ty: ty.clone(),
                    written: written.clone(),
                    span,
                    ty_span,
                });
            }
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
#[cfg(test)]
mod tests {
    use super::*;

    fn decls(src: &str) -> Vec<GoFunc> {
        parse_go_decls(&SourceFile::new("x.go", src))
            .unwrap_or_else(|d| panic!("{}", d.iter().map(|d| d.to_string()).collect::<String>()))
    }

    fn names(fs: &[GoFunc]) -> Vec<&str> {
        fs.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn signatures_as_go_writes_them() {
        let fs = decls(
            "package p\nimport \"unsafe\"\nfunc f(a, b int64, p *uint8) (r int64, ok bool)\n\
             func g(x []float32) float64\nfunc h()\nfunc k(unsafe.Pointer) (n int)\n\
             func b(s []byte, c byte, n Len, m map[string]int, ch <-chan int, \
             f func(int) error, a *[4]float32) (chan  int)\n",
        );
        let sigs: Vec<String> = fs.iter().map(GoFunc::signature).collect();
        assert_eq!(
            sigs,
            [
                "func f(a int64, b int64, p *uint8) (r int64, ok bool)",
                "func g(x []float32) float64",
                "func h()",
                "func k(unsafe.Pointer) (n int)",
                "func b(s []byte, c byte, n Len, m map[string]int, ch <-chan int, \
                 f func(int) error, a *[4]float32) chan int",
            ]
        );
        // `byte` is still uint8 for the layout.
        assert_eq!(fs[4].params[0].ty, GoType::Slice("byte".into()));
        assert_eq!(fs[4].params[1].ty, GoType::Uint8);
        assert_eq!(fs[4].params[1].ty.to_string(), "uint8");
        assert_eq!(fs[4].params[5].ty.to_string(), "func(int) error");
        assert_eq!(fs[4].params[6].ty.to_string(), "*[4]float32");
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
        assert_eq!(names(&d), ["_sample_sum", "mix", "unnamed", "noResult"]);
        assert_eq!(d[0].c_symbol(), "sample_sum");
        assert_eq!(d[0].params[0].ty, GoType::UnsafePointer);
        assert_eq!(d[0].results[0].name.as_deref(), Some("x"));
        let mix = &d[1];
        assert_eq!(mix.params.len(), 6);
        assert_eq!(mix.params[1].name.as_deref(), Some("b"));
        assert_eq!(mix.params[1].ty, GoType::Int64);
        assert_eq!(mix.params[3].ty, GoType::Pointer("[4]float32".into()));
        assert_eq!(mix.params[4].ty, GoType::Slice("byte".into()));
        let r = &mix.results[0];
        assert_eq!(
            (r.name.as_deref(), &r.ty, r.written.as_str()),
            (None, &GoType::Bool, "bool")
        );
        assert_eq!((r.ty_span.line, r.ty_span.col, r.ty_span.len), (22, 39, 4));
        assert!(d[2].params.iter().all(|p| p.name.is_none()));
        assert!(d[3].results.is_empty());
        assert_eq!((d[0].span.line, d[0].span.col), (19, 6));
    }

    /// A declarations file as users of c2goasm, goat and gocc write them.
    const REAL_FILE: &str = r#"// Copyright 2024 The Authors.

//go:build !noasm && amd64
// +build !noasm,amd64

//go:generate c2goasm-rs -s add.s add_amd64.s

// Package kern adds.
package kern

import (
	"errors"
	"fmt"
	"unsafe"
)

const (
	minLen = 16
	name   = "func fake(x int)"
)

var (
	ErrShort = errors.New("short")
	table    = map[string]int{"a": 1}
	hook     func(int) error
	done     = make(chan struct{})
	apply    = func(xs []int64) error { return nil }
)

type Adder interface {
	Add(a, b []int64) error
}

type impl struct {
	n    int
	next *impl
	fn   func(ctx any) (int, error)
}

type Pair[K comparable, V any] struct {
	k K
	v V
}

//go:noescape
func _add(a, b, out unsafe.Pointer, n int64)

// Add adds a and b into a.
func Add(a, b []int64) error {
	if len(a) != len(b) {
		return fmt.Errorf("lengths %d != %d", len(a), len(b))
	}
	if len(a) == 0 {
		return nil
	}
	_add(unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0]), unsafe.Pointer(&a[0]), int64(len(a)))
	return nil
}

func (i *impl) Add(a, b []int64) error { return Add(a, b) }

func (i impl) Declared(m map[string]int) error

func Map[T any, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func init() {
	s := struct{ a, b int }{1, 2}
	go func(c chan<- int) { c <- s.a }(make(chan int, 1))
	_ = Pair[string, int]{k: "x", v: 1}
}

func handlers() map[string]func(int) error { return nil }

func shape() struct{ w, h int } { return struct{ w, h int }{} }

func Sum(xs ...int64) (total int64) {
	for _, x := range xs {
		total += x
	}
	return
}

// Implemented by a hand-written .s elsewhere in the package.
func _dispatch(m map[string]int, c <-chan int, f func(int) error, v ...int) (error, any)

func _scale(dst []float32, k float32, tmp [8]float32, s struct{ x int }, i interface{ M() })

func _max(p unsafe.Pointer, n int64) (r int64)
"#;

    #[test]
    fn a_real_declarations_file_yields_exactly_its_bodyless_functions() {
        let d = decls(REAL_FILE);
        assert_eq!(names(&d), ["_add", "_dispatch", "_scale", "_max"]);
        assert_eq!(d[0].params.len(), 4);
        assert_eq!(
            d[3].signature(),
            "func _max(p unsafe.Pointer, n int64) (r int64)"
        );
        let dispatch = &d[1];
        assert_eq!(
            dispatch.signature(),
            "func _dispatch(m map[string]int, c <-chan int, f func(int) error, v ...int) \
             (error, any)"
        );
        assert_eq!(
            dispatch.params.iter().map(|p| &p.ty).collect::<Vec<_>>(),
            [
                &GoType::Unsupported("map[string]int".into()),
                &GoType::Unsupported("<-chan int".into()),
                &GoType::Unsupported("func(int) error".into()),
                &GoType::Unsupported("...int".into()),
            ]
        );
        // Each parameter's type is located (the caret of a binding error goes there).
        let line = REAL_FILE
            .lines()
            .position(|l| l.starts_with("func _dispatch"))
            .expect("line") as u32
            + 1;
        let spans: Vec<(u32, u32, u32)> = dispatch
            .params
            .iter()
            .map(|p| (p.ty_span.line, p.ty_span.col, p.ty_span.len))
            .collect();
        assert_eq!(
            spans,
            [
                (line, 18, 14),
                (line, 36, 10),
                (line, 50, 15),
                (line, 69, 6)
            ]
        );
        assert_eq!(dispatch.params[0].span.col, 16);
        let scale = &d[2];
        assert_eq!(scale.params[0].ty, GoType::Slice("float32".into()));
        assert_eq!(scale.params[2].ty, GoType::Unsupported("[8]float32".into()));
        assert_eq!(scale.params[3].written, "struct{ x int }");
        assert_eq!(scale.params[4].written, "interface{ M() }");
    }

    #[test]
    fn unsupported_types_are_errors_only_when_checked() {
        let d = decls("package p\nfunc f(n int, m map[string]int)\nfunc g(x ...int)\n");
        let (span, e) = crate::abi::check_types(&d[0]).expect_err("map is unsupported");
        assert_eq!((span.line, span.col, span.len), (2, 17, 14));
        assert_eq!(e, DeclError::UnsupportedType("map[string]int".into()));
        let (span, e) = crate::abi::check_types(&d[1]).expect_err("variadic");
        assert_eq!((span.line, span.col), (2 + 1, 10));
        assert_eq!(e, DeclError::Variadic("...int".into()));
    }

    #[test]
    fn result_types_that_look_like_bodies() {
        let d = decls(
            "package p\nfunc a() struct{ x int }\nfunc b() interface{}\n\
             func c() struct{} { return struct{}{} }\nfunc d() (x int, e error)\n",
        );
        assert_eq!(names(&d), ["a", "b", "d"]);
        assert_eq!(d[0].results[0].written, "struct{ x int }");
        assert_eq!(d[2].results[1].ty, GoType::Unsupported("error".into()));
    }

    #[test]
    fn unnamed_generic_instances_are_types() {
        let d = decls("package p\nfunc f(l List[int], x [4]int)\nfunc g(List[int], Map[K, V])\n");
        assert_eq!(d[0].params[0].name.as_deref(), Some("l"));
        assert_eq!(d[0].params[0].written, "List[int]");
        assert_eq!(d[0].params[1].name.as_deref(), Some("x"));
        assert_eq!(d[1].params[0].name, None);
        assert_eq!(d[1].params[1].written, "Map[K, V]");
    }

    #[test]
    fn malformed_bodyless_lists_are_located_errors() {
        // `(a, b)` alone is two unnamed parameters of types `a` and `b`.
        assert_eq!(decls("package p\nfunc f(a, b)\n")[0].params[1].written, "b");
        let e = parse_go_decls(&SourceFile::new("x.go", "package p\nfunc f(a, b int, c)\n"))
            .expect_err("no type");
        assert!(e[0].to_string().contains("x.go:2:18"), "{}", e[0]);
        assert!(e[0].to_string().contains("without a type"), "{}", e[0]);
        let e = parse_go_decls(&SourceFile::new(
            "x.go",
            "package p\nfunc f(a int, []int)\n",
        ))
        .expect_err("mixed");
        assert!(e[0].to_string().contains("mixed"), "{}", e[0]);
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
            "func f[",
            "func 1",
            "}}}func f(x int)",
            "}}}\nfunc f(x int)",
            "func f(x struct{",
            "func f() struct{",
            "func f(a ...)",
            "func f(,,)",
            "type (",
            "func f() (a,",
            "func f(x <-)",
        ] {
            let _ = parse_go_decls(&SourceFile::new("x.go", s));
        }
    }
}
