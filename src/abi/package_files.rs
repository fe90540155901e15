//! Which Go files of a directory belong to the package when it is built for one GOARCH
//! (the files whose `type` declarations [`super::named_types`] reads), decided the way
//! `go build` decides it without knowing GOOS or `-tags`: never `_test.go` files or names
//! starting with `_` or `.`; not a file whose name pins another architecture
//! (`x_arm64.go`, `x_linux_arm64.go`); not a file whose `//go:build` line is false for
//! this architecture whatever the OS and tags are (`//go:build arm64 && !purego`,
//! `//go:build ignore`).

use std::path::Path;

use crate::source::SourceFile;

/// Go's known GOOS values (internal/syslist).
pub const KNOWN_GOOS: &[&str] = &[
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

/// Go's known GOARCH values (internal/syslist).
pub const KNOWN_GOARCH: &[&str] = &[
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

/// The other `.go` files of `dir` that build for `goarch` (see the module doc), sorted by
/// name, without `skip` (the declarations file, read on its own). Files that cannot be
/// read as UTF-8 text are left out (they cannot be valid Go); only an unreadable
/// directory is an error.
pub fn read_package_files(
    dir: &Path,
    goarch: &str,
    skip: &Path,
) -> Result<Vec<SourceFile>, crate::Error> {
    let io = |source| crate::Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name() != skip.file_name())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| name_builds_for(n, goarch))
        })
        .collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .filter_map(|p| SourceFile::read(&p).ok())
        .filter(|f| !constraint_excludes(&f.text, goarch))
        .collect())
}

/// Whether a file named `name` is a non-test Go source that `go build` compiles for
/// `goarch` (on some OS): go/build's `goodOSArchFile`.
pub fn name_builds_for(name: &str, goarch: &str) -> bool {
    let Some(stem) = name.strip_suffix(".go") else {
        return false;
    };
    if stem.ends_with("_test") || name.starts_with(['_', '.']) {
        return false;
    }
    // The part before the first `_` never constrains (`arm64.go` builds everywhere).
    let Some((_, tail)) = stem.split_once('_') else {
        return true;
    };
    let last = tail.rsplit('_').next().unwrap_or(tail);
    !KNOWN_GOARCH.contains(&last) || last == goarch
}

/// Whether the file's `//go:build` line is false for `goarch` whatever GOOS and the
/// build tags are (unknown tags may be set with `-tags`, so they decide nothing).
pub fn constraint_excludes(text: &str, goarch: &str) -> bool {
    for line in text.lines().map(str::trim) {
        if let Some(expr) = line.strip_prefix("//go:build") {
            let mut p = Expr {
                toks: tokens(expr),
                pos: 0,
                goarch,
            };
            return match p.or() {
                Some(v) if p.pos == p.toks.len() => v == Some(false),
                _ => false,
            };
        }
        if !(line.is_empty() || line.starts_with("//")) {
            // The constraint must come before the package clause.
            return false;
        }
    }
    false
}

fn tokens(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = expr.trim();
    while let Some(c) = rest.chars().next() {
        let len = if c.is_whitespace() {
            rest = rest.trim_start();
            continue;
        } else if rest.starts_with("&&") || rest.starts_with("||") {
            2
        } else if matches!(c, '!' | '(' | ')') {
            1
        } else {
            rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len())
                .max(c.len_utf8())
        };
        out.push(&rest[..len]);
        rest = &rest[len..];
    }
    out
}

/// A `//go:build` expression evaluated in three values: `Some(Some(b))` is known, and
/// `Some(None)` depends on GOOS or tags; the outer `None` is a malformed expression.
struct Expr<'t> {
    toks: Vec<&'t str>,
    pos: usize,
    goarch: &'t str,
}

type Value = Option<Option<bool>>;

impl Expr<'_> {
    fn eat(&mut self, tok: &str) -> bool {
        let hit = self.toks.get(self.pos) == Some(&tok);
        self.pos += usize::from(hit);
        hit
    }

    fn or(&mut self) -> Value {
        let mut v = self.and()?;
        while self.eat("||") {
            let r = self.and()?;
            v = match (v, r) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
        }
        Some(v)
    }

    fn and(&mut self) -> Value {
        let mut v = self.not()?;
        while self.eat("&&") {
            let r = self.not()?;
            v = match (v, r) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
        }
        Some(v)
    }

    fn not(&mut self) -> Value {
        if self.eat("!") {
            return Some(self.not()?.map(|b| !b));
        }
        if self.eat("(") {
            let v = self.or()?;
            return self.eat(")").then_some(v);
        }
        let tag = *self.toks.get(self.pos)?;
        if matches!(tag, "&&" | "||" | ")") {
            return None;
        }
        self.pos += 1;
        Some(self.tag(tag))
    }

    fn tag(&self, tag: &str) -> Option<bool> {
        if tag == self.goarch || tag.starts_with("go1.") {
            Some(true)
        } else if KNOWN_GOARCH.contains(&tag) || tag == "ignore" {
            Some(false)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_as_go_build_reads_them() {
        for (name, amd64, arm64) in [
            ("types.go", true, true),
            ("x_amd64.go", true, false),
            ("x_arm64.go", false, true),
            ("x_linux_arm64.go", false, true),
            ("x_windows.go", true, true),
            ("arm64.go", true, true),
            ("x_riscv64.go", false, false),
            ("x_test.go", false, false),
            ("x_amd64_test.go", false, false),
            ("_x.go", false, false),
            (".x.go", false, false),
            ("x.s", false, false),
            ("x_noasm.go", true, true),
        ] {
            assert_eq!(name_builds_for(name, "amd64"), amd64, "{name} amd64");
            assert_eq!(name_builds_for(name, "arm64"), arm64, "{name} arm64");
        }
    }

    #[test]
    fn build_lines_exclude_only_when_false_for_every_os_and_tag() {
        for (header, excluded) in [
            ("//go:build arm64\n\npackage p", true),
            ("//go:build amd64\n\npackage p", false),
            ("// Copyright\n\n//go:build ignore\n\npackage main", true),
            ("//go:build !amd64\npackage p", true),
            ("//go:build arm64 || noasm\npackage p", false),
            ("//go:build !noasm && !appengine\npackage p", false),
            ("//go:build (arm64 || 386) && linux\npackage p", true),
            ("//go:build linux && !(amd64 || arm64)\npackage p", true),
            ("//go:build go1.21 && amd64\npackage p", false),
            ("package p\n//go:build arm64\n", false),
            ("//go:build (arm64\npackage p", false),
            ("//go:build arm64 &&\npackage p", false),
            ("//go:build\npackage p", false),
        ] {
            assert_eq!(constraint_excludes(header, "amd64"), excluded, "{header}");
        }
    }

    #[test]
    fn reads_the_package_directory() {
        let dir = std::env::temp_dir().join(format!("c2goasm-rs-pkgfiles-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        for (name, text) in [
            ("k_amd64.go", "package k\n"),
            ("types.go", "package k\ntype A int\n"),
            ("b_arm64.go", "package k\ntype A int8\n"),
            ("c.go", "//go:build arm64\n\npackage k\ntype A int8\n"),
            ("k_test.go", "package k\n"),
            ("notes.txt", "x"),
        ] {
            std::fs::write(dir.join(name), text).expect("write");
        }
        std::fs::write(dir.join("bad.go"), [0xffu8, 0xfe]).expect("write");
        let files = read_package_files(&dir, "amd64", &dir.join("k_amd64.go")).expect("read");
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                f.path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["types.go"]);
        assert!(read_package_files(&dir.join("none"), "amd64", &dir).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
