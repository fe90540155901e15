//! Errors: every user-facing failure is a [`Diagnostic`] that names file:line:col, quotes the
//! source line and, where we know one, gives a fix hint — rendered like rustc / LLVM MC.

use std::fmt;
use std::path::PathBuf;

use crate::source::{SourceFile, Span};

pub use crate::abi::DeclError;
pub use crate::lower::LowerError;
pub use crate::parse::ParseError;

/// What went wrong, by pipeline stage.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Lower(#[from] LowerError),
    #[error(transparent)]
    Decl(#[from] DeclError),
    #[error(transparent)]
    Bind(#[from] crate::lower::binding::BindError),
    #[error(transparent)]
    Target(#[from] crate::target::TargetError),
}

impl ErrorKind {
    /// A one-line suggestion for the user, when one is known.
    pub fn hint(&self) -> Option<String> {
        match self {
            ErrorKind::Parse(e) => e.hint(),
            ErrorKind::Lower(e) => e.hint(),
            ErrorKind::Decl(e) => e.hint(),
            ErrorKind::Bind(e) => e.hint(),
            ErrorKind::Target(e) => e.hint(),
        }
    }
}

/// Whether a diagnostic stops the translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Nothing is written.
    Error,
    /// The output is still written; the user should look (e.g. a declaration that binds to
    /// no C function, which may be implemented elsewhere).
    Warning,
}

/// A located problem: `file:line:col: error: message`, the source line, a caret and a hint.
#[derive(Debug)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub span: Span,
    pub kind: ErrorKind,
    /// The offending source line, quoted under the message.
    pub source_line: String,
    pub severity: Severity,
}

impl Diagnostic {
    pub fn new(file: &SourceFile, span: Span, kind: impl Into<ErrorKind>) -> Diagnostic {
        Diagnostic {
            file: file.path.clone(),
            span,
            kind: kind.into(),
            source_line: file.line_text(span.line).to_string(),
            severity: Severity::Error,
        }
    }

    /// The same, as a warning.
    pub fn warning(file: &SourceFile, span: Span, kind: impl Into<ErrorKind>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::new(file, span, kind)
        }
    }
}

impl std::error::Error for Diagnostic {}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Span { line, col, len } = self.span;
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(
            f,
            "{}:{}:{}: {severity}: {}",
            self.file.display(),
            line,
            col,
            self.kind
        )?;
        if !self.source_line.is_empty() {
            let gutter = line.to_string();
            let pad = " ".repeat(gutter.len());
            // Tabs in the quoted line are shown as single spaces so the caret lines up.
            let shown = self.source_line.replace('\t', " ");
            writeln!(f, "{gutter} | {shown}")?;
            let caret_col = col.max(1) as usize - 1;
            let carets = "^".repeat(len.max(1) as usize);
            writeln!(f, "{pad} | {}{carets}", " ".repeat(caret_col))?;
        }
        if let Some(hint) = self.kind.hint() {
            writeln!(f, "help: {hint}")?;
        }
        Ok(())
    }
}

/// Everything the library API can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more located problems in the inputs (nothing was written).
    #[error("{}", render_all(.0))]
    Diagnostics(Vec<Diagnostic>),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A problem with how the tool was invoked (not located in an input file).
    #[error("{0}")]
    Usage(String),
    /// The package flow (compiler runs, prototypes, output directory).
    #[error(transparent)]
    Package(#[from] crate::package::PackageError),
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error::Diagnostics(vec![d])
    }
}

/// Most diagnostics rendered: the parser stops at this many anyway, and a file with
/// thousands of errors (one per instruction) needs its first ones fixed, not pages more.
const MAX_RENDERED: usize = 50;

fn render_all(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags.iter().take(MAX_RENDERED) {
        out.push_str(&d.to_string());
    }
    if diags.len() > MAX_RENDERED {
        out.push_str(&format!(
            "{} errors (the first {MAX_RENDERED} shown)\n",
            diags.len()
        ));
    } else if diags.len() > 1 {
        out.push_str(&format!("{} errors\n", diags.len()));
    }
    out.trim_end().to_string()
}
