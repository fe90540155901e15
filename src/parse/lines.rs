//! Line structure shared by the GAS dialects: comments, `;` statement separators, labels.

use super::Dialect;

/// One statement of a line: its text (trimmed) and 1-based column where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement<'a> {
    pub text: &'a str,
    pub col: u32,
}

/// The lines of `text` split at `\n` (as `str::split('\n')` does: a final empty piece after
/// a trailing newline), found with one vectorised scan of the whole text instead of a
/// search per line.
pub fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0usize;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .map(Some)
        .chain(std::iter::once(None))
        .map(move |nl| {
            let end = nl.unwrap_or(text.len());
            let line = &text[start..end];
            start = end + 1;
            line
        })
}

/// Column (1-based, in characters) of byte offset `byte` in `line`.
pub fn column(line: &str, byte: usize) -> u32 {
    line.get(..byte).map(|s| s.chars().count()).unwrap_or(0) as u32 + 1
}

/// Splits a source line into statements, dropping `#` comments (outside string literals)
/// and splitting on `;`.
pub fn statements(line: &str) -> Vec<Statement<'_>> {
    let mut out = Vec::new();
    statements_into(line, &mut out);
    out
}

/// [`statements`] into a caller's buffer (cleared first), to avoid an allocation per line.
pub fn statements_into<'a>(line: &'a str, out: &mut Vec<Statement<'a>>) {
    statements_in(line, Dialect::X86, out)
}

/// [`statements_into`] for a dialect: x86 comments start with `#`; AArch64 comments start
/// with `//` (there `#` marks immediates), and a line whose first character is `#` is a
/// preprocessor-style comment.
pub fn statements_in<'a>(line: &'a str, dialect: Dialect, out: &mut Vec<Statement<'a>>) {
    out.clear();
    let arm = dialect == Dialect::Arm64;
    if arm && line.trim_start().starts_with('#') {
        return;
    }
    let bytes = line.as_bytes();
    let comment_char = if arm { b'/' } else { b'#' };
    // Most lines have no separator or string, and at most a trailing comment: one
    // statement, found with a vectorised search for the first special byte.
    match memchr::memchr3(b';', b'"', comment_char, bytes) {
        None => {
            push_statement(line, 0, line.len(), out);
            return;
        }
        Some(at) if bytes[at] == b'#' => {
            push_statement(line, 0, at, out);
            return;
        }
        Some(at) if bytes[at] == b'/' && bytes.get(at + 1) == Some(&b'/') => {
            push_statement(line, 0, at, out);
            return;
        }
        Some(_) => {}
    }
    let mut start = 0usize;
    let mut in_string = false;
    let mut i = 0usize;
    let mut end = bytes.len();
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if (b == b'#' && !arm) || (arm && b == b'/' && bytes.get(i + 1) == Some(&b'/')) {
            end = i;
            break;
        } else if b == b';' {
            push_statement(line, start, i, out);
            start = i + 1;
        }
        i += 1;
    }
    push_statement(line, start, end.min(line.len()), out);
}

fn push_statement<'a>(line: &'a str, start: usize, end: usize, out: &mut Vec<Statement<'a>>) {
    let Some(seg) = line.get(start..end) else {
        return;
    };
    // GAS separates tokens by ASCII whitespace only.
    let trimmed_start = seg.len() - seg.trim_ascii_start().len();
    let text = seg.trim_ascii();
    if !text.is_empty() {
        out.push(Statement {
            text,
            col: column(line, start + trimmed_start),
        });
    }
}

/// The distinct lines of `text` (without their line break) that contain any of `needles`,
/// in file order. One substring search over the whole text per needle, instead of a search
/// per line: pre-scans that look for a few directives or names stay cheap on large files.
pub fn lines_containing<'a>(text: &'a str, needles: &[&str]) -> Vec<&'a str> {
    let bytes = text.as_bytes();
    let mut starts: Vec<usize> = Vec::new();
    for needle in needles {
        for at in memchr::memmem::find_iter(bytes, needle.as_bytes()) {
            starts.push(memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |nl| nl + 1));
        }
    }
    starts.sort_unstable();
    starts.dedup();
    starts
        .into_iter()
        .map(|start| {
            let rest = &text[start..];
            let line = rest.find('\n').map_or(rest, |end| &rest[..end]);
            line.strip_suffix('\r').unwrap_or(line)
        })
        .collect()
}

/// Splits operands on commas outside brackets, braces and parentheses; yields each with
/// its byte offset in `text` (lazily: no allocation per statement).
pub fn split_operands(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut depth = 0i32;
        for (k, &b) in bytes[start..].iter().enumerate() {
            // Most bytes are none of the four kinds: one table load decides.
            match OPERAND_BYTE[usize::from(b)] {
                0 => {}
                OPEN => depth += 1,
                CLOSE => depth -= 1,
                _ if depth == 0 => {
                    let i = start + k;
                    let piece = (start, &text[start..i]);
                    start = i + 1;
                    return Some(piece);
                }
                _ => {}
            }
        }
        done = true;
        Some((start, &text[start..]))
    })
}

const OPEN: u8 = 1;
const CLOSE: u8 = 2;
const COMMA: u8 = 3;

/// What each byte means to operand splitting: 0 (nothing), OPEN, CLOSE or COMMA.
static OPERAND_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'[' as usize] = OPEN;
    t[b'{' as usize] = OPEN;
    t[b'(' as usize] = OPEN;
    t[b']' as usize] = CLOSE;
    t[b'}' as usize] = CLOSE;
    t[b')' as usize] = CLOSE;
    t[b',' as usize] = COMMA;
    t
};

/// If `text` starts with a label definition (`name:`), returns the name and the rest.
/// `fs:[rax]` style segment prefixes are not labels: a label must be followed by end of
/// statement or whitespace.
pub fn split_label(text: &str) -> Option<(&str, &str)> {
    if let Some(rest) = text.strip_prefix('"') {
        let close = rest.find('"')?;
        let after = rest[close + 1..].strip_prefix(':')?;
        return Some((&rest[..close], after.trim_start()));
    }
    // Symbol characters are ASCII, so a byte scan finds the same end.
    let end = text
        .bytes()
        .position(|b| !super::expr_parser::is_symbol_char(char::from(b)))
        .unwrap_or(text.len());
    if end == 0 {
        return None;
    }
    let name = &text[..end];
    let after = text[end..].strip_prefix(':')?;
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    if !name.starts_with(super::expr_parser::is_symbol_start)
        && !name.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    Some((name, after.trim_start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_separators() {
        let s = statements("\tmov\trax, 1 # set ; not a separator");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].text, "mov\trax, 1");
        assert_eq!(s[0].col, 2);
        let s = statements("a: ; nop ; .ascii \"x#y;z\" # c");
        assert_eq!(
            s.iter().map(|s| s.text).collect::<Vec<_>>(),
            vec!["a:", "nop", ".ascii \"x#y;z\""]
        );
        assert_eq!(s[1].col, 6);
        assert!(statements("   # only a comment").is_empty());
    }

    #[test]
    fn labels_but_not_segment_prefixes() {
        assert_eq!(split_label(".LBB0_3:"), Some((".LBB0_3", "")));
        assert_eq!(
            split_label("sample_sum:    ret"),
            Some(("sample_sum", "ret"))
        );
        assert_eq!(split_label("fs:[rax]"), None);
        assert_eq!(split_label("mov rax, 1"), None);
        assert_eq!(split_label("\"odd name\": nop"), Some(("odd name", "nop")));
    }

    #[test]
    fn lines_containing_any_needle_once_in_order() {
        let text = "a .type x\r\nb\n.globl y .type z\nc .glob\n.type";
        assert_eq!(
            lines_containing(text, &[".type", ".glob"]),
            vec!["a .type x", ".globl y .type z", "c .glob", ".type"]
        );
        assert!(lines_containing(text, &["nothing"]).is_empty());
    }

    #[test]
    fn split_lines_matches_str_split() {
        for text in ["", "a", "a\n", "a\nb", "\n\n", "x\r\ny\n\nz"] {
            assert_eq!(
                split_lines(text).collect::<Vec<_>>(),
                text.split('\n').collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(column("é ab", 3), 3);
    }
}
