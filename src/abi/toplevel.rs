//! A Go file's top-level declarations as token slices. Go ends a declaration at `;` or at a
//! newline where it would insert a semicolon (after a name, a literal, `)`, `]` or `}`), and
//! never inside brackets: a multi-line signature, a struct type or a function body stays
//! one declaration, and `var f = func() {…}` never looks like a `func` declaration.

use super::lexer::{Tok, Token};

/// The statements of `toks` at bracket depth 0 (for a whole file: the package clause,
/// imports and every `func`, `type`, `var` and `const` declaration; for the inside of
/// `type ( … )`: its specs), each without leading or trailing newlines. Stray closing
/// brackets are ignored, an unclosed one runs to the end.
pub fn statements<'t, 'a>(toks: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut out = Vec::new();
    let mut depth = 0u32;
    let mut start = 0usize;
    // Whether a newline here would end the statement (Go's semicolon insertion rule).
    let mut terminable = false;
    let mut push = |from: usize, to: usize| {
        let s = trim_newlines(&toks[from..to]);
        if !s.is_empty() {
            out.push(s);
        }
    };
    for (k, t) in toks.iter().enumerate() {
        match t.tok {
            Tok::Punct("(" | "[" | "{") => {
                depth += 1;
                terminable = false;
            }
            Tok::Punct(")" | "]" | "}") => {
                depth = depth.saturating_sub(1);
                terminable = true;
            }
            Tok::Punct(";") if depth == 0 => {
                push(start, k);
                start = k + 1;
                terminable = false;
            }
            Tok::Newline if depth == 0 && terminable => {
                push(start, k);
                start = k + 1;
                terminable = false;
            }
            Tok::Newline => {}
            Tok::Ident(_) | Tok::Literal(_) => terminable = true,
            Tok::Punct(_) => terminable = false,
        }
    }
    push(start, toks.len());
    out
}

/// Index just past the bracket matching the opener at `open`.
pub fn matching(toks: &[Token<'_>], open: usize) -> Option<usize> {
    let mut depth = 0u32;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Punct("(" | "[" | "{") => depth += 1,
            Tok::Punct(")" | "]" | "}") => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// `toks` without newlines at either end.
pub fn trim_newlines<'t, 'a>(toks: &'t [Token<'a>]) -> &'t [Token<'a>] {
    let start = toks
        .iter()
        .position(|t| t.tok != Tok::Newline)
        .unwrap_or(toks.len());
    let end = toks
        .iter()
        .rposition(|t| t.tok != Tok::Newline)
        .map_or(start, |e| e + 1);
    &toks[start..end.max(start)]
}

/// The package name of a Go file (`package p`), if it has a package clause.
pub fn package_name<'a>(toks: &[Token<'a>]) -> Option<&'a str> {
    statements(toks).into_iter().find_map(|s| match s {
        [
            Token {
                tok: Tok::Ident("package"),
                ..
            },
            Token {
                tok: Tok::Ident(name),
                ..
            },
            ..,
        ] => Some(*name),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::lexer::tokenize;

    fn firsts(src: &str) -> Vec<String> {
        let toks = tokenize(src);
        statements(&toks)
            .iter()
            .map(|s| {
                s.iter()
                    .take(2)
                    .map(|t| match t.tok {
                        Tok::Ident(x) | Tok::Punct(x) | Tok::Literal(x) => x,
                        Tok::Newline => "\\n",
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn splits_where_go_inserts_semicolons() {
        let src = "package p\n\nimport (\n\t\"fmt\"\n)\n\nvar x = 1 +\n\t2\n\
                   func f(a int,\n\tb int) int {\n\treturn a\n}\ntype T struct {\n\tx int\n}; \
                   const c = 3\nvar g = func() {\n}\n";
        assert_eq!(
            firsts(src),
            [
                "package p",
                "import (",
                "var x",
                "func f",
                "type T",
                "const c",
                "var g"
            ]
        );
    }

    #[test]
    fn package_clause_and_brackets() {
        let toks = tokenize("// c\n//go:build amd64\n\npackage kern\nfunc f()\n");
        assert_eq!(package_name(&toks), Some("kern"));
        assert_eq!(package_name(&tokenize("func f()")), None);
        let toks = tokenize("(a [b] {c})x");
        assert_eq!(matching(&toks, 0), Some(toks.len() - 1));
        assert_eq!(matching(&tokenize("(a"), 0), None);
        assert_eq!(matching(&tokenize(")"), 0), None);
        // Stray closers do not underflow.
        assert_eq!(firsts("}}}\nfunc f(x int)\n"), ["} }", "func f"]);
    }
}
