//! A small Go tokenizer: enough to find top-level `func` declarations in a real Go file
//! (comments, strings, raw strings and runes are skipped correctly).

use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok<'a> {
    Ident(&'a str),
    /// Any single punctuation character, or `...`.
    Punct(&'a str),
    /// String, raw string, rune or number literal, as written.
    Literal(&'a str),
    /// A line break (Go inserts semicolons at some of them).
    Newline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub tok: Tok<'a>,
    pub span: Span,
}

/// Tokenizes `text`. Unterminated comments/strings end the token stream (the parser then
/// reports what is missing).
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut i, mut line, mut line_start) = (0usize, 1u32, 0usize);
    // Columns count characters from the line start; counted on from the previous token,
    // so a long line costs linear time.
    let (mut counted_line, mut counted_to, mut counted) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if counted_line != line_start || counted_to > start {
            (counted_line, counted_to, counted) = (line_start, line_start, 0);
        }
        counted += text.get(counted_to..start).map_or(0, |s| s.chars().count());
        counted_to = start;
        let column = counted as u32 + 1;
        let span = |len: usize| Span::new(line, column, len as u32);
        match b {
            b'\n' => {
                out.push(Token {
                    tok: Tok::Newline,
                    span: span(0),
                });
                i += 1;
                line += 1;
                line_start = i;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                let mut had_newline = false;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    if bytes[i] == b'\n' {
                        line += 1;
                        line_start = i + 1;
                        had_newline = true;
                    }
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
                if had_newline {
                    out.push(Token {
                        tok: Tok::Newline,
                        span: Span::new(line, 1, 0),
                    });
                }
            }
            b'"' | b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
                out.push(Token {
                    tok: Tok::Literal(&text[start..i]),
                    span: span(i - start),
                });
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    if bytes[i] == b'\n' {
                        line += 1;
                        line_start = i + 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
                out.push(Token {
                    tok: Tok::Literal(&text[start..i]),
                    span: Span::new(line, 1, 0),
                });
            }
            b'.' if text[i..].starts_with("...") => {
                out.push(Token {
                    tok: Tok::Punct("..."),
                    span: span(3),
                });
                i += 3;
            }
            _ if b.is_ascii_digit() => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.' || bytes[i] == b'_')
                {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Literal(&text[start..i]),
                    span: span(i - start),
                });
            }
            _ if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                let word = &text[start..i];
                out.push(Token {
                    tok: Tok::Ident(word),
                    span: Span::new(line, column, word.chars().count() as u32),
                });
            }
            _ => {
                let ch_len = text[i..].chars().next().map(|c| c.len_utf8()).unwrap_or(1);
                out.push(Token {
                    tok: Tok::Punct(&text[i..i + ch_len]),
                    span: span(1),
                });
                i += ch_len;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_literals() {
        let toks = tokenize("// func x()\nfunc f(s string) /* func */ int { return \"func\" }\n");
        let idents: Vec<&str> = toks
            .iter()
            .filter_map(|t| match t.tok {
                Tok::Ident(s) => Some(s),
                _ => None,
            })
            .collect();
        assert_eq!(idents, vec!["func", "f", "s", "string", "int", "return"]);
        let f = toks.iter().find(|t| t.tok == Tok::Ident("f")).expect("f");
        assert_eq!((f.span.line, f.span.col), (2, 6));
    }

    #[test]
    fn never_panics_on_truncated_input() {
        for s in ["\"abc", "/* x", "`raw", "'", "é", "...", "a.b"] {
            let _ = tokenize(s);
        }
    }
}
