//! The frame every generated Go file shares: the generated-code header, the command that
//! regenerates it, a build constraint, the package clause and the imports the body uses.

use std::collections::BTreeSet;
use std::fmt::Write;

/// A Go source file under construction.
#[derive(Debug, Default)]
pub struct GoFile {
    /// `//go:build` expression, if any.
    pub constraint: Option<String>,
    /// Lines written between the build constraint and the package clause (the package
    /// comment, `//go:generate`).
    pub preamble: String,
    /// Import paths (`unsafe`, `golang.org/x/sys/cpu`).
    pub imports: BTreeSet<String>,
    /// A cgo preamble: written as the comment of `import "C"`.
    pub cgo: Option<String>,
    pub body: String,
}

impl GoFile {
    pub fn import(&mut self, path: &str) {
        self.imports.insert(path.to_string());
    }

    /// The file's text, for package `package`.
    pub fn render(&self, generated_by: &str, command: &str, package: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{generated_by}\n// Command: {command}\n");
        if let Some(c) = &self.constraint {
            let _ = writeln!(out, "//go:build {c}\n");
        }
        out.push_str(&self.preamble);
        let _ = writeln!(out, "package {package}\n");
        if let Some(pre) = &self.cgo {
            out.push_str("/*\n");
            out.push_str(pre);
            out.push_str("*/\nimport \"C\"\n\n");
        }
        let (std, other): (Vec<&String>, Vec<&String>) =
            self.imports.iter().partition(|p| !p.contains('.'));
        match (std.len(), other.len()) {
            (0, 0) => {}
            (1, 0) => {
                let _ = writeln!(out, "import \"{}\"\n", std[0]);
            }
            (0, 1) => {
                let _ = writeln!(out, "import \"{}\"\n", other[0]);
            }
            _ => {
                out.push_str("import (\n");
                for p in &std {
                    let _ = writeln!(out, "\t\"{p}\"");
                }
                if !std.is_empty() && !other.is_empty() {
                    out.push('\n');
                }
                for p in &other {
                    let _ = writeln!(out, "\t\"{p}\"");
                }
                out.push_str(")\n\n");
            }
        }
        out.push_str(self.body.trim_end());
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_grouped_as_gofmt_and_goimports_leave_them() {
        let mut f = GoFile {
            constraint: Some("!noasm".into()),
            body: "var x = 1\n\n".into(),
            ..GoFile::default()
        };
        f.import("unsafe");
        f.import("golang.org/x/sys/cpu");
        f.import("strconv");
        let text = f.render("// gen", "cmd", "k");
        assert_eq!(
            text,
            "// gen\n// Command: cmd\n\n//go:build !noasm\n\npackage k\n\nimport (\n\t\"strconv\"\n\t\"unsafe\"\n\n\t\"golang.org/x/sys/cpu\"\n)\n\nvar x = 1\n"
        );
        let one = GoFile {
            imports: ["unsafe".to_string()].into(),
            body: "var _ unsafe.Pointer\n".into(),
            ..GoFile::default()
        };
        assert!(
            one.render("// gen", "cmd", "k")
                .contains("package k\n\nimport \"unsafe\"\n\nvar _")
        );
    }
}
