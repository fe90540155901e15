//! Finding clang and running it: assembly per variant, the JSON AST for prototypes, both
//! with the same flags (language, target, variant, headers, the user's).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::PackageError;
use super::ast;
use super::headers::Headers;
use super::variant::Variant;

/// Flags real projects pass when compiling kernels for Go (design/pipeline.md), for every
/// architecture. `-mstackrealign` is deliberately absent: the translated code always runs
/// with a 16-byte aligned stack (the wrapper aligns it), so forcing a realignment prologue
/// into every function — which makes even an empty function use the stack — only costs time.
/// Jump tables are left on (switches stay table dispatches, as in the C build users ship);
/// `-fPIE` makes sure they hold offsets, which are translated, whatever the compiler's
/// default (non-PIC tables of absolute addresses are not).
const COMMON_FLAGS: &[&str] = &[
    "-O3",
    "-mllvm",
    "-inline-threshold=1000",
    "-fPIE",
    "-fno-asynchronous-unwind-tables",
    "-fno-exceptions",
    "-fno-builtin",
    // Some distributions turn these on by default; Go checks its own stack bounds.
    "-fno-stack-protector",
    "-fno-stack-clash-protection",
];

/// x86-64: Intel syntax, no red zone (Go may use the space below SP).
const AMD64_FLAGS: &[&str] = &[
    "-masm=intel",
    "--target=x86_64-unknown-linux-gnu",
    "-mno-red-zone",
];

/// AArch64: x18, x27 and x28 belong to Go.
const ARM64_FLAGS: &[&str] = &[
    "--target=aarch64-linux-gnu",
    "-ffixed-x18",
    "-ffixed-x27",
    "-ffixed-x28",
];

/// Every flag the package flow passes for `arch` before the variant's own.
pub fn base_flags(arch: crate::Arch) -> Vec<&'static str> {
    let specific = match arch {
        crate::Arch::Amd64 => AMD64_FLAGS,
        crate::Arch::Arm64 => ARM64_FLAGS,
    };
    COMMON_FLAGS.iter().chain(specific).copied().collect()
}

fn is_clang(cmd: &Path) -> bool {
    Command::new(cmd)
        .arg("--version")
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("clang"))
        .unwrap_or(false)
}

/// `explicit` (--cc), else `$CC` when it is clang, else the first of `clang`, `clang-19` …
/// `clang-14` that runs.
pub fn find_clang(explicit: Option<&Path>) -> Result<PathBuf, PackageError> {
    if let Some(cc) = explicit {
        return if is_clang(cc) {
            Ok(cc.to_path_buf())
        } else {
            Err(PackageError::CompilerNotFound(format!(
                "`{}` does not run as clang",
                cc.display()
            )))
        };
    }
    if let Some(cc) = std::env::var_os("CC").map(PathBuf::from)
        && is_clang(&cc)
    {
        return Ok(cc);
    }
    let mut tried = Vec::new();
    for name in [
        "clang", "clang-19", "clang-18", "clang-17", "clang-16", "clang-15", "clang-14",
    ] {
        let p = PathBuf::from(name);
        if is_clang(&p) {
            return Ok(p);
        }
        tried.push(name);
    }
    Err(PackageError::CompilerNotFound(format!(
        "none of $CC, {} runs (install clang, e.g. `apt-get install clang-19`, or pass --cc)",
        tried.join(", ")
    )))
}

fn run(mut cmd: Command) -> Result<Vec<u8>, PackageError> {
    let line = format!(
        "{} {}",
        cmd.get_program().to_string_lossy(),
        cmd.get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let out = cmd.output().map_err(|e| PackageError::CompilerFailed {
        command: line.clone(),
        output: e.to_string(),
    })?;
    if !out.status.success() {
        return Err(PackageError::CompilerFailed {
            command: line,
            output: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(out.stdout)
}

/// The language a source file is compiled as, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    C,
    /// `.cpp`, `.cc`, `.cxx`, `.c++`, `.C`: compiled as C++ without exceptions or RTTI
    /// (neither has a meaning inside a Go assembly function).
    Cxx,
}

impl Language {
    pub fn of(file: &Path) -> Language {
        match file.extension().and_then(|e| e.to_str()) {
            Some("cpp" | "cc" | "cxx" | "c++" | "cp" | "CPP" | "C") => Language::Cxx,
            _ => Language::C,
        }
    }

    fn flags(self) -> &'static [&'static str] {
        match self {
            Language::C => &["-x", "c"],
            Language::Cxx => &["-x", "c++", "-fno-rtti"],
        }
    }
}

/// One source file and how every compile of it is run.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub cc: &'a Path,
    pub file: &'a Path,
    pub language: Language,
    /// The user's extra flags.
    pub extra: &'a [String],
}

impl<'a> Source<'a> {
    pub fn new(cc: &'a Path, file: &'a Path, extra: &'a [String]) -> Source<'a> {
        Source {
            cc,
            file,
            language: Language::of(file),
            extra,
        }
    }

    /// clang for `variant` with `headers`, before the mode flag (`-S`, `-fsyntax-only`).
    fn command(&self, variant: Variant, headers: &Headers) -> Command {
        let mut cmd = Command::new(self.cc);
        cmd.args(self.language.flags())
            .args(base_flags(variant.arch()))
            .args(variant.clang_flags())
            .args(headers.flags())
            .args(self.extra);
        cmd
    }

    /// Assembly for `variant` (`-S -o -`).
    pub fn assembly(&self, variant: Variant, headers: &Headers) -> Result<String, PackageError> {
        let mut cmd = self.command(variant, headers);
        cmd.arg("-S").arg(self.file).args(["-o", "-"]);
        Ok(String::from_utf8_lossy(&run(cmd)?).into_owned())
    }

    /// The declarations of clang's JSON AST that prototypes need (see [`super::ast`]), with
    /// exactly the flags of `variant`'s compile: what the AST declares is what the
    /// assembly defines. K&R definitions and unprototyped declarations are errors here (we
    /// need real prototypes).
    pub fn ast(&self, variant: Variant, headers: &Headers) -> Result<Vec<Value>, PackageError> {
        let mut cmd = self.command(variant, headers);
        cmd.args(["-fsyntax-only", "-Xclang", "-ast-dump=json"]);
        if self.language == Language::C {
            cmd.args([
                "-Werror=deprecated-non-prototype",
                "-Werror=strict-prototypes",
            ]);
        }
        cmd.arg(self.file);
        let bytes = run(cmd)?;
        ast::read(&bytes, &self.file.to_string_lossy()).map_err(|e| PackageError::CompilerFailed {
            command: format!(
                "{} -Xclang -ast-dump=json {}",
                self.cc.display(),
                self.file.display()
            ),
            output: format!("unreadable AST: {e}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_from_the_extension() {
        for (f, l) in [
            ("k.c", Language::C),
            ("k.cpp", Language::Cxx),
            ("k.cc", Language::Cxx),
            ("dir.v2/k.cxx", Language::Cxx),
            ("k.C", Language::Cxx),
            ("k", Language::C),
        ] {
            assert_eq!(Language::of(Path::new(f)), l, "{f}");
        }
    }
}
