//! The comment written directly above a C function: its Go documentation, and the
//! `c2goasm:` annotation line that may say which length goes with which pointer.
//!
//! Why from the source text and not clang's AST: clang keeps only Doxygen-style comments
//! (`/** */`, `///`) unless told `-fparse-all-comments`, and even then returns them parsed
//! into paragraphs and commands; a plain `/* … */` or `// …` block written above a kernel
//! is what its author wrote for readers, so it is taken verbatim.
//!
//! What counts as "directly above": the block comment ending on the line before the
//! declaration, or the run of `//` lines ending there; `#pragma` lines in between are
//! skipped (`#pragma STDC FP_CONTRACT OFF` is often written right above a kernel). A blank
//! line, or code on the comment's first line (`x = 1; /* … */`), means no documentation.

/// A function's documentation comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocComment {
    /// The text, one entry per line, decorations (`/*`, `*`, `//`) and common indentation
    /// removed, without the annotation line; no leading or trailing blank lines.
    pub lines: Vec<String>,
    /// The `c2goasm:` annotation, if any.
    pub annotation: Option<Annotation>,
}

/// The text after `c2goasm:` and where it is in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub text: String,
    /// 1-based line and column of `c2goasm:`.
    pub line: u32,
    pub col: u32,
}

const TAG: &str = "c2goasm:";

/// The comment above the declaration that starts on 1-based line `decl_line` of `source`.
pub fn above(source: &str, decl_line: u32) -> DocComment {
    let lines: Vec<&str> = source.lines().collect();
    // Index of the line before the declaration, skipping pragmas.
    let mut end = decl_line as usize;
    loop {
        if end < 2 {
            return DocComment::default();
        }
        end -= 1;
        if !lines
            .get(end - 1)
            .is_some_and(|l| l.trim_start().starts_with("#pragma"))
        {
            break;
        }
    }
    let last = end - 1; // 0-based index of the comment's last line
    let Some(text) = lines.get(last).map(|l| l.trim()) else {
        return DocComment::default();
    };
    let raw: Vec<(usize, String)> = if text.ends_with("*/") {
        match block(&lines, last) {
            Some(b) => b,
            None => return DocComment::default(),
        }
    } else if text.starts_with("//") {
        line_comments(&lines, last)
    } else {
        return DocComment::default();
    };
    let mut doc = finish(raw);
    if let Some(a) = &mut doc.annotation {
        let line = lines.get(a.line as usize - 1).copied().unwrap_or("");
        a.col = line.find(TAG).map_or(1, |c| c as u32 + 1);
    }
    doc
}

/// The `/* … */` comment ending on line `last`: (0-based line, text) pairs.
fn block(lines: &[&str], last: usize) -> Option<Vec<(usize, String)>> {
    let mut first = last;
    loop {
        if let Some(pos) = lines[first].find("/*") {
            // Code before the comment: a trailing comment of that code.
            if !lines[first][..pos].trim().is_empty() {
                return None;
            }
            break;
        }
        if first == 0 {
            return None;
        }
        first -= 1;
    }
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate().take(last + 1).skip(first) {
        let mut l: &str = line;
        if i == first {
            let pos = l.find("/*").unwrap_or(0);
            l = &l[pos + 2..];
            l = l.trim_start_matches(['*', '!']);
        }
        if i == last {
            l = l.trim_end();
            l = l.strip_suffix("*/").unwrap_or(l);
            l = l.trim_end_matches('*');
        }
        if i != first {
            // ` * text` decorations.
            let t = l.trim_start();
            if let Some(rest) = t.strip_prefix('*') {
                l = rest;
            }
        }
        out.push((i, l.trim_end().to_string()));
    }
    Some(out)
}

/// The run of `//` lines ending on line `last`.
fn line_comments(lines: &[&str], last: usize) -> Vec<(usize, String)> {
    let mut first = last;
    while first > 0 && lines[first - 1].trim_start().starts_with("//") {
        first -= 1;
    }
    (first..=last)
        .map(|i| {
            let t = lines[i].trim_start();
            let t = t.trim_start_matches('/');
            let t = t.strip_prefix('!').unwrap_or(t);
            (i, t.trim_end().to_string())
        })
        .collect()
}

/// Takes the annotation out, removes the common indentation and blank edges.
fn finish(raw: Vec<(usize, String)>) -> DocComment {
    let mut annotation = None;
    let mut kept = Vec::new();
    for (i, l) in raw {
        let t = l.trim_start();
        if let Some(rest) = t.strip_prefix(TAG) {
            if annotation.is_none() {
                annotation = Some(Annotation {
                    text: rest.trim().to_string(),
                    line: i as u32 + 1,
                    col: 1, // set by the caller, which has the source line
                });
            }
            continue;
        }
        kept.push(l);
    }
    // The first line of `/* text` starts right after the opener, wherever the others are
    // aligned: it does not count for their common indentation.
    let indent = kept
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut lines: Vec<String> = kept
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if l.trim().is_empty() {
                String::new()
            } else if i == 0 {
                l.trim_start().replace('\t', "    ")
            } else {
                let cut = indent.min(l.len() - l.trim_start().len());
                l[cut..].replace('\t', "    ")
            }
        })
        .collect();
    while lines.first().is_some_and(String::is_empty) {
        lines.remove(0);
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    DocComment { lines, annotation }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_comments_lose_their_decorations() {
        let src = "#include <x.h>\n\n/* Dot product of a and b.\n *\n *   Summed in any order.\n */\nfloat dot(const float *a);\n";
        let d = above(src, 7);
        assert_eq!(
            d.lines,
            ["Dot product of a and b.", "", "Summed in any order."]
        );
        let aligned = above(
            "/* dst[i] = a[i],\n   rounded once.\n     (indented) */\nvoid f(void);\n",
            4,
        );
        assert_eq!(
            aligned.lines,
            ["dst[i] = a[i],", "rounded once.", "  (indented)"]
        );
        assert_eq!(d.annotation, None);
        let one = above("/* sum of a[i]*b[i] */\nfloat f(void);\n", 2);
        assert_eq!(one.lines, ["sum of a[i]*b[i]"]);
        let doxygen = above("/**\n * Scales x.\n */\nvoid s(void);\n", 4);
        assert_eq!(doxygen.lines, ["Scales x."]);
    }

    #[test]
    fn line_comments_pragmas_and_annotations() {
        let src = "int x;\n// The sum.\n//   c2goasm: p[n], out total\n// More.\n#pragma STDC FP_CONTRACT OFF\nvoid f(void);\n";
        let d = above(src, 6);
        assert_eq!(d.lines, ["The sum.", "More."]);
        assert_eq!(
            d.annotation,
            Some(Annotation {
                text: "p[n], out total".into(),
                line: 3,
                col: 6
            })
        );
    }

    #[test]
    fn no_comment_directly_above() {
        assert_eq!(
            above("/* far */\n\nvoid f(void);\n", 3),
            DocComment::default()
        );
        assert_eq!(
            above("x = 1; /* trailing */\nvoid f(void);\n", 2),
            DocComment::default()
        );
        assert_eq!(above("void f(void);\n", 1), DocComment::default());
        assert_eq!(above("}\nvoid f(void);\n", 2), DocComment::default());
    }
}
