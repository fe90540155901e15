//! What every architecture's lowering starts from, and where its diagnostics go.

use crate::abi::GoFunc;
use crate::error::{Diagnostic, ErrorKind};
use crate::lower::program::Program;
use crate::source::{SourceFile, Span};

/// An assembly file laid out as a [`Program`] (instructions of type `I`) and the Go
/// declarations to bind.
pub struct Inputs<'a, I> {
    pub asm: &'a SourceFile,
    pub program: Program<I>,
    pub decl_file: &'a SourceFile,
    pub decls: &'a [GoFunc],
    pub strip_comments: bool,
}

/// Diagnostics collected during lowering, located in the assembly or the declarations.
pub(crate) struct Diags<'a> {
    pub asm: &'a SourceFile,
    pub decl: &'a SourceFile,
    pub out: Vec<Diagnostic>,
}

impl Diags<'_> {
    pub fn asm(&mut self, span: Span, e: impl Into<ErrorKind>) {
        self.out.push(Diagnostic::new(self.asm, span, e));
    }
    pub fn decl(&mut self, span: Span, e: impl Into<ErrorKind>) {
        self.out.push(Diagnostic::new(self.decl, span, e));
    }
}
