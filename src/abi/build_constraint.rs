//! Go build constraints: `//go:build` (and legacy `// +build`) lines and `_GOOS_GOARCH` file
//! name suffixes, as `go/build` reads them.
//!
//! The output `.s` must be compiled exactly when its declarations are: on the declaration
//! file's constraint, and only on the architecture its machine code is for. goat's and
//! gocc's layouts (`add_neon.go` + `add_neon.s`, `floats_avx2.s`) name no GOARCH, so the
//! constraint decides; this module answers whether a constraint pins a GOARCH or excludes it.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

/// Every GOARCH Go knows (`go tool dist list` plus the reserved ones `go/build` honours in
/// file names: cmd/dist and go/build/syslist.go).
pub const GOARCHES: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

/// Every GOOS (go/build/syslist.go), for reading file names.
pub const GOOSES: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];

/// A build constraint expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Tag(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// The constraint of a file's header, and the line it is on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub expr: Expr,
    pub line: u32,
}

/// A constraint line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read the build constraint `{text}`: {reason}")]
pub struct ConstraintError {
    pub text: String,
    pub reason: &'static str,
    pub line: u32,
}

/// Deeper nesting than any real constraint: a limit, so no input controls recursion depth.
const MAX_DEPTH: usize = 64;

/// Most tags one file's constraint may name (Go's own reader stops at 1000 too): the
/// expression tree is as deep as its `&&`/`||` chains are long, and is walked recursively.
const MAX_TAGS: usize = 1000;

/// Most tags that are not a GOARCH for which [`Expr::allows_arch`] tries every
/// assignment (2^N evaluations of an expression of up to [`MAX_TAGS`] tags).
const MAX_FREE_TAGS: usize = 10;

/// The build constraint in the header of a Go (or assembly) file: `//go:build` wins; else
/// the `// +build` lines, ANDed, as Go before 1.17 read them. Only comments and blank lines
/// may precede it (go/build stops at the first other line, normally `package`).
pub fn file_constraint(text: &str) -> Result<Option<Constraint>, ConstraintError> {
    let mut plus_build: Option<Constraint> = None;
    let mut plus_build_tags = 0usize;
    let mut in_block = false;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n as u32 + 1;
        let line = raw.trim();
        if in_block {
            in_block = !line.contains("*/");
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("//go:build") {
            if rest.starts_with([' ', '\t']) {
                let expr = parse_expr(rest.trim(), line_no)?;
                return Ok(Some(Constraint {
                    expr,
                    line: line_no,
                }));
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("// +build") {
            if rest.is_empty() || rest.starts_with([' ', '\t']) {
                let expr = parse_plus_build(rest, line_no, &mut plus_build_tags)?;
                plus_build = Some(match plus_build {
                    None => Constraint {
                        expr,
                        line: line_no,
                    },
                    Some(prev) => Constraint {
                        expr: Expr::And(Box::new(prev.expr), Box::new(expr)),
                        line: prev.line,
                    },
                });
            }
            continue;
        }
        if line.starts_with("//") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("/*") {
            in_block = !rest.contains("*/");
            continue;
        }
        break;
    }
    Ok(plus_build)
}

/// The GOARCH a file name pins (`x_amd64.go`, `x_linux_arm64.s`; not `x_test.go`'s
/// suffixes), as go/build's `goodOSArchFile` reads it.
pub fn file_name_arch(path: &Path) -> Option<&'static str> {
    let stem = path.file_stem()?.to_str()?;
    let stem = stem.strip_suffix("_test").unwrap_or(stem);
    let parts: Vec<&str> = stem.split('_').collect();
    // The first element is the base name, never a suffix (`amd64.s` pins nothing).
    if parts.len() < 2 {
        return None;
    }
    let last = parts[parts.len() - 1];
    GOARCHES.iter().copied().find(|a| *a == last)
}

/// The GOOS a file name pins (`x_linux.go`, `x_linux_amd64.go`).
pub fn file_name_os(path: &Path) -> Option<&'static str> {
    let stem = path.file_stem()?.to_str()?;
    let stem = stem.strip_suffix("_test").unwrap_or(stem);
    let parts: Vec<&str> = stem.split('_').collect();
    let n = parts.len();
    let candidate = if n >= 3 && GOARCHES.contains(&parts[n - 1]) {
        parts[n - 2]
    } else if n >= 2 {
        parts[n - 1]
    } else {
        return None;
    };
    GOOSES.iter().copied().find(|o| *o == candidate)
}

impl Expr {
    /// The value under an assignment of tags.
    pub fn eval(&self, tag: &dyn Fn(&str) -> bool) -> bool {
        match self {
            Expr::Tag(t) => tag(t),
            Expr::Not(e) => !e.eval(tag),
            Expr::And(a, b) => a.eval(tag) && b.eval(tag),
            Expr::Or(a, b) => a.eval(tag) || b.eval(tag),
        }
    }

    fn tags<'a>(&'a self, out: &mut BTreeSet<&'a str>) {
        match self {
            Expr::Tag(t) => {
                out.insert(t);
            }
            Expr::Not(e) => e.tags(out),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.tags(out);
                b.tags(out);
            }
        }
    }

    /// Whether the expression can hold when building for `goarch` (every tag that is not
    /// a GOARCH is free). Undecidable sizes (more than `MAX_FREE_TAGS` free tags) count as
    /// possible.
    pub fn allows_arch(&self, goarch: &str) -> bool {
        let mut tags = BTreeSet::new();
        self.tags(&mut tags);
        let free: Vec<&str> = tags
            .iter()
            .copied()
            .filter(|t| arch_of_tag(t).is_none())
            .collect();
        if free.len() > MAX_FREE_TAGS {
            return true;
        }
        (0u32..1 << free.len()).any(|bits| {
            self.eval(&|t: &str| match arch_of_tag(t) {
                // `amd64.v3` may hold on amd64 (GOAMD64 decides), never elsewhere.
                Some(a) => a == goarch,
                None => free
                    .iter()
                    .position(|f| *f == t)
                    .is_some_and(|i| bits & (1 << i) != 0),
            })
        })
    }

    /// Whether the expression holds for no GOARCH but `goarch`.
    pub fn pins_arch(&self, goarch: &str) -> bool {
        GOARCHES
            .iter()
            .filter(|a| **a != goarch)
            .all(|a| !self.allows_arch(a))
    }

    /// `self && goarch`.
    pub fn and_arch(self, goarch: &str) -> Expr {
        Expr::And(Box::new(self), Box::new(Expr::Tag(goarch.to_string())))
    }
}

/// The GOARCH a tag names: `amd64`, or a feature level such as `amd64.v3`, `arm64.v8.2`.
fn arch_of_tag(tag: &str) -> Option<&'static str> {
    let base = tag.split('.').next().unwrap_or(tag);
    GOARCHES.iter().copied().find(|a| *a == base)
}

impl fmt::Display for Expr {
    /// gofmt's spelling: `!`, `&&`, `||`, parentheses only where precedence needs them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn prec(e: &Expr) -> u8 {
            match e {
                Expr::Or(..) => 1,
                Expr::And(..) => 2,
                Expr::Not(_) | Expr::Tag(_) => 3,
            }
        }
        fn side(f: &mut fmt::Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
            if prec(e) < min {
                write!(f, "({e})")
            } else {
                write!(f, "{e}")
            }
        }
        match self {
            Expr::Tag(t) => f.write_str(t),
            Expr::Not(e) => {
                f.write_str("!")?;
                side(f, e, 3)
            }
            Expr::And(a, b) => {
                side(f, a, 2)?;
                f.write_str(" && ")?;
                side(f, b, 2)
            }
            Expr::Or(a, b) => {
                side(f, a, 1)?;
                f.write_str(" || ")?;
                side(f, b, 1)
            }
        }
    }
}

/// `//go:build` syntax: `||` < `&&` < `!`, parentheses, tags of letters, digits, `_`, `.`.
/// A `//go:build` expression on its own (no `//go:build` prefix).
pub fn parse(text: &str) -> Result<Expr, ConstraintError> {
    parse_expr(text, 0)
}

fn parse_expr(text: &str, line: u32) -> Result<Expr, ConstraintError> {
    let fail = |reason| ConstraintError {
        text: text.to_string(),
        reason,
        line,
    };
    let tokens = tokenize(text).ok_or_else(|| fail("unexpected character"))?;
    if tokens.len() > 2 * MAX_TAGS {
        return Err(fail("too complex"));
    }
    let mut p = Parser { tokens, pos: 0 };
    let e = p.or(0).map_err(fail)?;
    if p.pos != p.tokens.len() {
        return Err(fail("unexpected text after the expression"));
    }
    Ok(e)
}

fn tokenize(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            ' ' | '\t' => {}
            '(' | ')' | '!' => out.push(c.to_string()),
            '&' | '|' => {
                if chars.next().map(|(_, d)| d) != Some(c) {
                    return None;
                }
                out.push(format!("{c}{c}"));
            }
            _ if is_tag_char(c) => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !is_tag_char(d) {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                out.push(text[i..end].to_string());
            }
            _ => return None,
        }
    }
    Some(out)
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

struct Parser {
    tokens: Vec<String>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }

    fn or(&mut self, depth: usize) -> Result<Expr, &'static str> {
        let mut e = self.and(depth)?;
        while self.peek() == Some("||") {
            self.pos += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and(depth)?));
        }
        Ok(e)
    }

    fn and(&mut self, depth: usize) -> Result<Expr, &'static str> {
        let mut e = self.not(depth)?;
        while self.peek() == Some("&&") {
            self.pos += 1;
            e = Expr::And(Box::new(e), Box::new(self.not(depth)?));
        }
        Ok(e)
    }

    fn not(&mut self, depth: usize) -> Result<Expr, &'static str> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply");
        }
        match self.peek() {
            Some("!") => {
                self.pos += 1;
                Ok(Expr::Not(Box::new(self.not(depth + 1)?)))
            }
            Some("(") => {
                self.pos += 1;
                let e = self.or(depth + 1)?;
                if self.peek() != Some(")") {
                    return Err("missing `)`");
                }
                self.pos += 1;
                Ok(e)
            }
            Some(t) if t.chars().all(is_tag_char) => {
                let e = Expr::Tag(t.to_string());
                self.pos += 1;
                Ok(e)
            }
            Some(_) => Err("expected a tag, `!` or `(`"),
            None => Err("unexpected end of the expression"),
        }
    }
}

/// One `// +build` line: space-separated alternatives of comma-separated `[!]tag` terms.
/// `tags` counts the tags of the file's `+build` lines so far (at most `MAX_TAGS`).
fn parse_plus_build(text: &str, line: u32, tags: &mut usize) -> Result<Expr, ConstraintError> {
    let fail = |reason| ConstraintError {
        text: text.trim().to_string(),
        reason,
        line,
    };
    let mut alternatives: Option<Expr> = None;
    for option in text.split_whitespace() {
        let mut conjunction: Option<Expr> = None;
        for term in option.split(',') {
            let (negated, tag) = match term.strip_prefix('!') {
                Some(t) => (true, t),
                None => (false, term),
            };
            if tag.is_empty() || !tag.chars().all(is_tag_char) {
                return Err(fail("malformed `+build` term"));
            }
            *tags += 1;
            if *tags > MAX_TAGS {
                return Err(fail("too complex"));
            }
            let mut e = Expr::Tag(tag.to_string());
            if negated {
                e = Expr::Not(Box::new(e));
            }
            conjunction = Some(match conjunction {
                None => e,
                Some(c) => Expr::And(Box::new(c), Box::new(e)),
            });
        }
        if let Some(c) = conjunction {
            alternatives = Some(match alternatives {
                None => c,
                Some(a) => Expr::Or(Box::new(a), Box::new(c)),
            });
        }
    }
    alternatives.ok_or_else(|| fail("empty `+build` line"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constraint(text: &str) -> Expr {
        file_constraint(text)
            .expect("readable")
            .expect("has a constraint")
            .expr
    }

    /// Go's own limit: a constraint naming more than 1000 tags is an error, not a
    /// chain deep enough to overflow the recursive walks (or 2^N evaluations).
    #[test]
    fn huge_constraints_are_errors() {
        let chain = vec!["a"; 5000].join(" && ");
        let e = file_constraint(&format!("//go:build {chain}\n")).expect_err("too complex");
        assert_eq!(e.reason, "too complex");
        let plus = format!("// +build {}\n", vec!["a"; 1001].join(","));
        assert!(file_constraint(&plus).is_err());
        let lines = "// +build a\n".repeat(1001);
        assert!(file_constraint(&lines).is_err());
        let many = (0..900)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(" || ");
        let e = constraint(&format!("//go:build ({many}) && amd64\n"));
        // Too many free tags to try every assignment: possible everywhere, decided at once.
        assert!(e.allows_arch("amd64") && e.allows_arch("arm64"));
        let few = (0..10)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(" && ");
        let e = constraint(&format!("//go:build {few} && amd64 && {few}\n"));
        assert!(e.allows_arch("amd64") && !e.allows_arch("arm64"));
    }

    #[test]
    fn reads_go_build_and_plus_build_headers() {
        let e = constraint("// Copyright\n\n//go:build !noasm && amd64\n\npackage x\n");
        assert_eq!(e.to_string(), "!noasm && amd64");
        let e = constraint("// +build !noasm\n// +build amd64 arm64\n\npackage x\n");
        assert_eq!(e.to_string(), "!noasm && (amd64 || arm64)");
        let e = constraint("/* block\n comment */\n//go:build (a || b) && !c\npackage x\n");
        assert_eq!(e.to_string(), "(a || b) && !c");
        // After the package clause it is just a comment.
        assert_eq!(
            file_constraint("package x\n//go:build amd64\n").expect("ok"),
            None
        );
        // `//go:build` wins over `+build`.
        let e = constraint("//go:build arm64\n// +build amd64\npackage x\n");
        assert_eq!(e.to_string(), "arm64");
        assert!(file_constraint("//go:build a &&\npackage x\n").is_err());
        assert!(file_constraint("//go:build a & b\npackage x\n").is_err());
        let deep = format!("//go:build {}a{}\n", "(".repeat(100), ")".repeat(100));
        assert!(file_constraint(&deep).is_err());
    }

    #[test]
    fn arch_questions() {
        let e = |s: &str| parse_expr(s, 1).expect("parse");
        assert!(e("!noasm && amd64").pins_arch("amd64"));
        assert!(!e("!noasm").pins_arch("amd64"));
        assert!(e("!noasm").allows_arch("arm64"));
        assert!(!e("arm64 && !noasm").allows_arch("amd64"));
        assert!(e("amd64 || arm64").allows_arch("arm64"));
        assert!(!e("amd64 || arm64").pins_arch("amd64"));
        assert!(e("linux && amd64.v3").pins_arch("amd64"));
        assert!(e("!arm64 && amd64").pins_arch("amd64"));
        assert!(!e("!arm64").pins_arch("amd64"));
        assert_eq!(e("!noasm").and_arch("amd64").to_string(), "!noasm && amd64");
        assert_eq!(
            e("a || b").and_arch("arm64").to_string(),
            "(a || b) && arm64"
        );
    }

    #[test]
    fn file_names() {
        let arch = |s: &str| file_name_arch(Path::new(s));
        assert_eq!(arch("sum_amd64.s"), Some("amd64"));
        assert_eq!(arch("sum_linux_arm64.go"), Some("arm64"));
        assert_eq!(arch("sum_amd64_test.go"), Some("amd64"));
        assert_eq!(arch("amd64.s"), None);
        assert_eq!(arch("add_neon.s"), None);
        assert_eq!(arch("floats_avx2.s"), None);
        let os = |s: &str| file_name_os(Path::new(s));
        assert_eq!(os("sum_linux_arm64.go"), Some("linux"));
        assert_eq!(os("sum_windows.go"), Some("windows"));
        assert_eq!(os("sum_amd64.go"), None);
    }
}
