//! Reading body-less function declarations from a Go source file.

use super::gotype::GoType;
use crate::error::Diagnostic;
use crate::source::{SourceFile, Span};

/// One parameter or result. `name` is `None` when the declaration leaves it unnamed.
#[derive(Debug, Clone, PartialEq)]
pub struct GoParam {
    pub name: Option<String>,
    pub ty: GoType,
    pub span: Span,
}

/// A Go function declared without a body (implemented in assembly).
#[derive(Debug, Clone, PartialEq)]
pub struct GoFunc {
    pub name: String,
    pub params: Vec<GoParam>,
    pub results: Vec<GoParam>,
    /// Position of the function name.
    pub span: Span,
}

impl GoFunc {
    /// The C symbol this function binds to: c2goasm's `_name` → `name`, else `name`.
    pub fn c_symbol(&self) -> &str {
        self.name.strip_prefix('_').unwrap_or(&self.name)
    }
}

/// Every body-less `func` declaration in `file` (functions with bodies, types, imports and
/// everything else are skipped).
pub fn parse_go_decls(file: &SourceFile) -> Result<Vec<GoFunc>, Vec<Diagnostic>> {
    let _ = file;
    todo!("implemented by the Go declaration parser")
}
