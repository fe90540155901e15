//! What a translation targets, decided from everything that speaks of it.
//!
//! The input's content says what the machine code is (`parse::detect`); `--arch`, the
//! output's file name and the declaration file (its name and build constraint) only confirm
//! it. When they disagree the user paired the wrong files or flags, and one located error
//! says so — instead of feeding AArch64 text to the x86 parser and printing an error per
//! line. The output then carries a build constraint so that it is compiled exactly when its
//! declarations are, and only for its own GOARCH.

use std::path::Path;

use crate::Arch;
use crate::abi::build_constraint::{self, ConstraintError, Expr};
use crate::error::{Diagnostic, Error};
use crate::parse::ParseError;
use crate::parse::detect::{Syntax, detect};
use crate::source::{SourceFile, Span};

/// Something that names an architecture for this translation, and where it came from.
#[derive(Debug, Clone)]
pub struct Claim {
    pub arch: Arch,
    /// As the user knows it: "--arch arm64", "the output name `sum_amd64.s`".
    pub source: String,
}

impl Claim {
    /// What `--arch` (the library's `Options::arch`) says.
    pub fn option(arch: Arch) -> Claim {
        Claim {
            arch,
            source: format!("--arch {}", arch.go_name()),
        }
    }
}

/// Disagreements about the target.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetError {
    #[error("this is {content}, but {claimant} says {claimed}")]
    ContentConflict {
        content: &'static str,
        claimant: String,
        claimed: &'static str,
    },
    #[error("{first} says {first_arch}, but {second} says {second_arch}")]
    ClaimConflict {
        first: String,
        first_arch: &'static str,
        second: String,
        second_arch: &'static str,
    },
    #[error(
        "this declaration file is never built for {arch} (its build constraint excludes it), \
         but the assembly is for {arch}"
    )]
    ConstraintExcludes { arch: &'static str },
    #[error(transparent)]
    Constraint(#[from] ConstraintError),
}

impl TargetError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            TargetError::ContentConflict { content, .. } => format!(
                "translate {content} into a file for its own GOARCH (`name_{}.s`, or a name \
                 without a GOARCH suffix), or compile the C for the architecture you meant",
                if content.starts_with("AArch64") {
                    "arm64"
                } else {
                    "amd64"
                }
            ),
            TargetError::ClaimConflict { .. } => {
                "make the output name, --arch and the declaration file agree".to_string()
            }
            TargetError::ConstraintExcludes { .. } => {
                "pair the assembly with the declaration file of its architecture, or fix the \
                 file's //go:build line"
                    .to_string()
            }
            TargetError::Constraint(_) => {
                "write the constraint as Go does, e.g. `//go:build !noasm && amd64`".to_string()
            }
        })
    }
}

impl Arch {
    fn from_syntax(s: Syntax) -> Arch {
        match s {
            Syntax::X86Intel | Syntax::X86Att => Arch::Amd64,
            Syntax::Arm64 => Arch::Arm64,
        }
    }

    fn from_go_name(name: &str) -> Option<Arch> {
        match name {
            "amd64" => Some(Arch::Amd64),
            "arm64" => Some(Arch::Arm64),
            _ => None,
        }
    }
}

/// The architecture of `asm`: its content, confirmed by every claim. AT&T syntax is an
/// error here (one, at its first line) rather than one per line in the Intel parser.
pub fn decide(asm: &SourceFile, claims: &[Claim]) -> Result<Arch, Error> {
    let line_span = |line: u32| {
        let text = asm.line_text(line);
        let indent = text.len() - text.trim_start().len();
        Span::new(line, indent as u32 + 1, text.trim().chars().count() as u32)
    };
    let detected = detect(&asm.text);
    if let Some(d) = detected
        && d.syntax == Syntax::X86Att
    {
        return Err(Diagnostic::new(asm, line_span(d.line), ParseError::AttSyntax).into());
    }
    match detected {
        Some(d) => {
            let arch = Arch::from_syntax(d.syntax);
            if let Some(c) = claims.iter().find(|c| c.arch != arch) {
                return Err(Diagnostic::new(
                    asm,
                    line_span(d.line),
                    TargetError::ContentConflict {
                        content: d.syntax.describe(),
                        claimant: c.source.clone(),
                        claimed: c.arch.go_name(),
                    },
                )
                .into());
            }
            Ok(arch)
        }
        None => {
            let Some(first) = claims.first() else {
                return Ok(Arch::default());
            };
            if let Some(c) = claims.iter().find(|c| c.arch != first.arch) {
                return Err(Diagnostic::new(
                    asm,
                    Span::new(1, 1, 0),
                    TargetError::ClaimConflict {
                        first: first.source.clone(),
                        first_arch: first.arch.go_name(),
                        second: c.source.clone(),
                        second_arch: c.arch.go_name(),
                    },
                )
                .into());
            }
            Ok(first.arch)
        }
    }
}

/// What file names say about the architecture: `(what the file is, its path)` pairs, e.g.
/// `("output", "sum_amd64.s")`. (The declaration file's build constraint is checked by
/// [`output_constraint`], which can point at its line.)
pub fn name_claims(files: &[(&str, &Path)]) -> Vec<Claim> {
    files
        .iter()
        .filter_map(|(what, path)| {
            let arch = build_constraint::file_name_arch(path).and_then(Arch::from_go_name)?;
            Some(Claim {
                arch,
                source: format!("the {what} name `{}`", display_name(path)),
            })
        })
        .collect()
}

/// The `//go:build` expression for an output of `arch` declared by `decls`: the declaration
/// file's constraint, with the GOARCH added unless it or the output's name already pins it
/// — so `add_neon.s` beside an unconstrained `add_neon.go` does not break other GOARCHes.
/// `None` when nothing needs saying (`x_amd64.s` beside an unconstrained `x_amd64.go`).
pub fn output_constraint(
    decls: &SourceFile,
    output: Option<&Path>,
    arch: Arch,
) -> Result<Option<Expr>, Error> {
    let goarch = arch.go_name();
    let constraint = read_constraint(decls)?;
    if let Some(c) = &constraint
        && !c.expr.allows_arch(goarch)
    {
        return Err(Diagnostic::new(
            decls,
            Span::new(
                c.line,
                1,
                decls.line_text(c.line).trim_end().chars().count() as u32,
            ),
            TargetError::ConstraintExcludes { arch: goarch },
        )
        .into());
    }
    let name_pins = output.and_then(build_constraint::file_name_arch) == Some(goarch);
    Ok(match constraint {
        Some(c) if name_pins || c.expr.pins_arch(goarch) => Some(c.expr),
        Some(c) => Some(c.expr.and_arch(goarch)),
        None if name_pins => None,
        None => Some(Expr::Tag(goarch.to_string())),
    })
}

/// The build constraint `constraint && code`, where `code` is what the translated code
/// itself requires (arm64 code using x18: `linux && !android`), spelled as gofmt would.
pub fn with_code_constraint(constraint: Option<&str>, code: Option<&str>) -> Option<String> {
    let Some(code) = code else {
        return constraint.map(str::to_string);
    };
    let Some(c) = constraint else {
        return Some(code.to_string());
    };
    match (build_constraint::parse(c), build_constraint::parse(code)) {
        (Ok(c), Ok(code)) => Some(Expr::And(Box::new(c), Box::new(code)).to_string()),
        _ => Some(format!("({c}) && ({code})")),
    }
}

fn read_constraint(decls: &SourceFile) -> Result<Option<build_constraint::Constraint>, Error> {
    build_constraint::file_constraint(&decls.text).map_err(|e| {
        let line = e.line;
        Error::from(Diagnostic::new(
            decls,
            Span::new(
                line,
                1,
                decls.line_text(line).trim_end().chars().count() as u32,
            ),
            TargetError::Constraint(e),
        ))
    })
}

fn display_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARM: &str = "\t.text\nf:\n\tadd\tx0, x0, x1\n\tret\n";
    const X86: &str = ".intel_syntax noprefix\nf:\n\tlea\trax, [rdi + rsi]\n\tret\n";

    fn claim(arch: Arch, source: &str) -> Claim {
        Claim {
            arch,
            source: source.to_string(),
        }
    }

    #[test]
    fn content_decides_and_claims_confirm() {
        let arm = SourceFile::new("k.s", ARM);
        assert_eq!(decide(&arm, &[]).expect("ok"), Arch::Arm64);
        let e = decide(&arm, &[claim(Arch::Amd64, "the output name `k_amd64.s`")])
            .expect_err("conflict")
            .to_string();
        assert!(e.starts_with("k.s:3:2: error: this is AArch64 assembly, but the output name `k_amd64.s` says amd64"), "{e}");
        let x86 = SourceFile::new("k.s", X86);
        assert_eq!(
            decide(&x86, &[claim(Arch::Amd64, "--arch amd64")]).expect("ok"),
            Arch::Amd64
        );
        let att = SourceFile::new("k.s", "f:\n\tmovq\t%rsi, %rax\n\tretq\n");
        let e = decide(&att, &[]).expect_err("AT&T").to_string();
        assert!(e.contains("k.s:2:2: error: AT&T syntax"), "{e}");
        assert!(e.contains("-masm=intel"), "{e}");
        let data = SourceFile::new("k.s", "\t.quad 1\n");
        assert_eq!(
            decide(&data, &[claim(Arch::Arm64, "x")]).expect("ok"),
            Arch::Arm64
        );
    }

    #[test]
    fn output_constraints_follow_the_declarations() {
        let go = |name: &str, text: &str| SourceFile::new(name, text.to_string());
        let out = |d: &SourceFile, o: &str, a: Arch| {
            output_constraint(d, Some(Path::new(o)), a)
                .expect("ok")
                .map(|e| e.to_string())
        };
        // goat: add_neon.go without constraint, add_neon.s → arm64 only.
        let plain = go("add_neon.go", "package add\n");
        assert_eq!(
            out(&plain, "add_neon.s", Arch::Arm64).as_deref(),
            Some("arm64")
        );
        // c2goasm: x_amd64.go + x_amd64.s.
        let c2 = go(
            "x_amd64.go",
            "//go:build !noasm && !appengine\n\npackage x\n",
        );
        assert_eq!(
            out(&c2, "x_amd64.s", Arch::Amd64).as_deref(),
            Some("!noasm && !appengine")
        );
        // gocc: floats_avx2.go with `!noasm && amd64`.
        let gocc = go(
            "floats_avx2.go",
            "//go:build !noasm && amd64\n\npackage f\n",
        );
        assert_eq!(
            out(&gocc, "floats_avx2.s", Arch::Amd64).as_deref(),
            Some("!noasm && amd64")
        );
        let noasm = go("k.go", "// +build !noasm\n\npackage k\n");
        assert_eq!(
            out(&noasm, "k_avx2.s", Arch::Amd64).as_deref(),
            Some("!noasm && amd64")
        );
        let unconstrained = go("x_amd64.go", "package x\n");
        assert_eq!(out(&unconstrained, "x_amd64.s", Arch::Amd64), None);
        let arm_only = go("k.go", "//go:build arm64\n\npackage k\n");
        let e = output_constraint(&arm_only, Some(Path::new("k.s")), Arch::Amd64)
            .expect_err("excluded")
            .to_string();
        assert!(
            e.contains("k.go:1:1: error: this declaration file is never built for amd64"),
            "{e}"
        );
    }

    #[test]
    fn claims_from_names() {
        let c = name_claims(&[
            ("output", Path::new("k_amd64.s")),
            ("declaration file", Path::new("k_arm64.go")),
        ]);
        let archs: Vec<Arch> = c.iter().map(|c| c.arch).collect();
        assert_eq!(archs, [Arch::Amd64, Arch::Arm64]);
        assert_eq!(c[1].source, "the declaration file name `k_arm64.go`");
    }

    #[test]
    fn code_constraints_are_anded_as_gofmt_writes_them() {
        let code = Some("linux && !android");
        assert_eq!(with_code_constraint(None, None), None);
        assert_eq!(
            with_code_constraint(Some("arm64"), None).as_deref(),
            Some("arm64")
        );
        assert_eq!(with_code_constraint(None, code).as_deref(), code);
        assert_eq!(
            with_code_constraint(Some("!noasm && (arm64 || amd64) && arm64"), code).as_deref(),
            Some("!noasm && (arm64 || amd64) && arm64 && linux && !android")
        );
        assert_eq!(
            with_code_constraint(Some("arm64 || riscv64"), code).as_deref(),
            Some("(arm64 || riscv64) && linux && !android")
        );
    }
}
