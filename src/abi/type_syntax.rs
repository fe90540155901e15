//! One Go type expression, as tokens: the [`GoType`] it denotes, its spelling as gofmt
//! writes it (`chan int`, `map[string]int`, `func(int) error`), and where it is.
//!
//! Reading a type never fails: whatever an assembly function cannot take (`map[…]…`,
//! `error`, `...T`, `struct{…}`) becomes [`GoType::Unsupported`] with its spelling, so a
//! declaration that some other hand-written `.s` implements is read past, and the error
//! appears only if the function is bound to C code (`abi::check_types`).

use super::gotype::GoType;
use super::lexer::{Tok, Token};
use crate::source::Span;

/// The type `toks` denotes. Names are left as [`GoType::Named`] for
/// [`crate::abi::named_types::resolve`]; pointer and slice elements are kept as written.
pub fn denote(toks: &[Token<'_>]) -> GoType {
    let all: Vec<Token<'_>> = toks
        .iter()
        .copied()
        .filter(|t| t.tok != Tok::Newline)
        .collect();
    let toks = without_parentheses(&all);
    match toks {
        [t] => match t.tok {
            Tok::Ident(name) => predeclared(name),
            _ => GoType::Unsupported(spell(toks)),
        },
        [a, dot, b] if dot.tok == Tok::Punct(".") => match (a.tok, b.tok) {
            (Tok::Ident("unsafe"), Tok::Ident("Pointer")) => GoType::UnsafePointer,
            (Tok::Ident(p), Tok::Ident(n)) => GoType::Named(format!("{p}.{n}")),
            _ => GoType::Unsupported(spell(toks)),
        },
        [star, rest @ ..] if star.tok == Tok::Punct("*") && !rest.is_empty() => {
            GoType::Pointer(spell(rest))
        }
        [open, close, rest @ ..]
            if open.tok == Tok::Punct("[") && close.tok == Tok::Punct("]") && !rest.is_empty() =>
        {
            GoType::Slice(spell(rest))
        }
        _ => GoType::Unsupported(spell(toks)),
    }
}

/// `toks` without the parentheses around all of it (`((T))` is T), in one pass over the
/// tokens however deep they nest.
fn without_parentheses<'t, 'a>(toks: &'t [Token<'a>]) -> &'t [Token<'a>] {
    // Leading `(`s, and for each the index of its matching `)` (if it has one).
    let leading = toks.iter().take_while(|t| t.tok == Tok::Punct("(")).count();
    let mut closer = vec![None; leading];
    let mut open: Vec<usize> = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        match t.tok {
            Tok::Punct("(" | "[" | "{") => open.push(k),
            Tok::Punct(")" | "]" | "}") => match open.pop() {
                Some(o) if o < leading => closer[o] = Some(k),
                Some(_) => {}
                None => break,
            },
            _ => {}
        }
    }
    let (mut start, mut end) = (0, toks.len());
    // `(T)`: a parenthesized type is T, while the `(` at `start` closes at `end - 1`.
    while start < leading && end - start > 2 && closer[start] == Some(end - 1) {
        start += 1;
        end -= 1;
    }
    &toks[start..end]
}

/// A predeclared type, or a name to resolve.
fn predeclared(name: &str) -> GoType {
    match name {
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
        "complex64" | "complex128" | "any" | "error" | "comparable" => {
            GoType::Unsupported(name.to_string())
        }
        // A keyword alone is not a type (`func`, `chan` without the rest).
        "func" | "chan" | "map" | "struct" | "interface" => GoType::Unsupported(name.to_string()),
        other => GoType::Named(other.to_string()),
    }
}

/// Where the type is: its first token, as long as the part of it on that line.
pub fn span_of(toks: &[Token<'_>]) -> Span {
    let mut on_line = toks.iter().filter(|t| t.tok != Tok::Newline);
    let Some(first) = on_line.next() else {
        return Span::default();
    };
    let last = on_line
        .take_while(|t| t.span.line == first.span.line)
        .last()
        .unwrap_or(first);
    let end = last.span.col + last.span.len.max(1);
    let len = end.saturating_sub(first.span.col).max(1);
    Span::new(first.span.line, first.span.col, len)
}

/// The type as gofmt prints it: `chan int`, `<-chan T`, `func(a, b int) (int, error)`,
/// `map[string]*T`, `struct{ x int; y int }`.
pub fn spell(toks: &[Token<'_>]) -> String {
    let mut out = String::new();
    let mut prev: Vec<&str> = Vec::new();
    let mut newline = false;
    for (k, t) in toks.iter().enumerate() {
        let text = match t.tok {
            Tok::Ident(s) | Tok::Punct(s) | Tok::Literal(s) => s,
            Tok::Newline => {
                newline = true;
                continue;
            }
        };
        // A newline separating fields of a struct or interface becomes `;`.
        if std::mem::take(&mut newline)
            && !matches!(prev.last(), None | Some(&("{" | "(" | "," | ";")))
            && !matches!(text, "}" | ")")
        {
            out.push(';');
            prev.push(";");
        }
        if !prev.is_empty() && space_between(&prev, text, &toks[k..]) {
            out.push(' ');
        }
        out.push_str(text);
        prev.push(text);
    }
    out
}

fn is_word(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '"' || c == '`' || c == '\'')
}

/// Whether gofmt puts a space between the tokens `before` (so far) and `next` (the first
/// of `rest`).
fn space_between(before: &[&str], next: &str, rest: &[Token<'_>]) -> bool {
    let prev = before[before.len() - 1];
    let prev2 = before.len().checked_sub(2).map(|i| before[i]);
    let prev3 = before.len().checked_sub(3).map(|i| before[i]);
    match (prev, next) {
        ("," | ";", _) => true,
        ("{", n) => n != "}",
        (_, "}") => true,
        // `chan<- int` but `<-chan int`.
        ("-", n) if prev2 == Some("<") => is_word(n) && prev3 == Some("chan"),
        ("<", "-") => false,
        // After a parameter list: its result (`func(int) error`, `func() (int, bool)`).
        (")", n) => !matches!(n, ")" | "," | "]" | ";" | "."),
        ("chan", _) => next != "<",
        // `x []int`, `x [4]int`, `chan []int` (then a slice or array type), but `map[K]V`
        // and `List[int]`.
        (p, "[") if is_word(p) && p != "map" => matches!(
            (rest.get(1).map(|t| t.tok), rest.get(2).map(|t| t.tok)),
            (Some(Tok::Punct("]")), _)
                | (
                    Some(Tok::Literal(_) | Tok::Punct("...")),
                    Some(Tok::Punct("]"))
                )
        ),
        (p, "*" | "..." | "<") if is_word(p) => true,
        (p, n) => is_word(p) && is_word(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::lexer::tokenize;

    fn spelled(src: &str) -> String {
        spell(&tokenize(src))
    }

    #[test]
    fn spells_types_as_gofmt() {
        for (src, want) in [
            ("chan  int", "chan int"),
            ("[]byte", "[]byte"),
            ("map[string]int", "map[string]int"),
            ("map[string] *T", "map[string]*T"),
            ("func(int)error", "func(int) error"),
            ("func(a,b int)(int,error)", "func(a, b int) (int, error)"),
            (
                "func(x *T, y []int, z ...int)",
                "func(x *T, y []int, z ...int)",
            ),
            ("func()[]int", "func() []int"),
            ("*[4]float32", "*[4]float32"),
            ("[8]float32", "[8]float32"),
            ("<-chan T", "<-chan T"),
            ("chan<- T", "chan<- T"),
            ("chan []int", "chan []int"),
            ("struct{}", "struct{}"),
            ("interface{}", "interface{}"),
            (
                "struct {\n\tx int\n\ty [2]int `json:\"y\"`\n}",
                "struct{ x int; y [2]int `json:\"y\"` }",
            ),
            ("interface{ M() error }", "interface{ M() error }"),
            ("...int", "...int"),
            ("pkg.T", "pkg.T"),
            ("List[int]", "List[int]"),
        ] {
            assert_eq!(spelled(src), want, "{src}");
        }
    }

    #[test]
    fn denotes_predeclared_named_and_unsupported() {
        let d = |s: &str| denote(&tokenize(s));
        assert_eq!(d("byte"), GoType::Uint8);
        assert_eq!(d("rune"), GoType::Int32);
        assert_eq!(d("unsafe.Pointer"), GoType::UnsafePointer);
        assert_eq!(d("(int64)"), GoType::Int64);
        assert_eq!(d("[]byte"), GoType::Slice("byte".into()));
        assert_eq!(
            d("[]map[string]int"),
            GoType::Slice("map[string]int".into())
        );
        assert_eq!(d("*[4]float32"), GoType::Pointer("[4]float32".into()));
        assert_eq!(d("Len"), GoType::Named("Len".into()));
        assert_eq!(d("pkg.T"), GoType::Named("pkg.T".into()));
        for s in [
            "error",
            "any",
            "chan int",
            "map[string]int",
            "[8]float32",
            "...int",
        ] {
            assert_eq!(d(s), GoType::Unsupported(spelled(s)), "{s}");
        }
        assert_eq!(
            d("func(int) error"),
            GoType::Unsupported("func(int) error".into())
        );
        assert_eq!(d(""), GoType::Unsupported(String::new()));
    }

    /// Parentheses are peeled in one pass: deep nesting is neither recursion nor
    /// quadratic.
    #[test]
    fn deeply_parenthesized_types() {
        let d = |s: &str| denote(&tokenize(s));
        let n = 200_000;
        assert_eq!(
            d(&format!("{}int8{}", "(".repeat(n), ")".repeat(n))),
            GoType::Int8
        );
        assert_eq!(
            d(&format!("{}int8{}", "(".repeat(n), ")".repeat(n - 1))),
            GoType::Unsupported(format!("{}int8{}", "(".repeat(n), ")".repeat(n - 1)))
        );
        assert_eq!(d("((*int8))"), GoType::Pointer("int8".into()));
        assert_eq!(d("(a)(b)"), GoType::Unsupported("(a) (b)".into()));
        assert_eq!(d("()"), GoType::Unsupported("()".into()));
    }

    #[test]
    fn span_covers_the_type_on_its_line() {
        let toks = tokenize("x map[string]int");
        let s = span_of(&toks[1..]);
        assert_eq!((s.line, s.col, s.len), (1, 3, 14));
        let toks = tokenize("struct {\n x int\n}");
        let s = span_of(&toks);
        assert_eq!((s.line, s.col, s.len), (1, 1, 8));
        assert_eq!(span_of(&[]), Span::default());
    }
}
