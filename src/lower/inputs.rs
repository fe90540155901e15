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

/// What a lowering produces: the Go assembly model, and warnings that did not stop it.
pub struct LoweredFile {
    pub file: crate::emit::model::AsmFile,
    pub warnings: Vec<Diagnostic>,
}

/// Diagnostics collected during lowering, located in the assembly or the declarations.
pub(crate) struct Diags<'a> {
    pub asm: &'a SourceFile,
    pub decl: &'a SourceFile,
    /// Errors: any one stops the translation.
    pub out: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl<'a> Diags<'a> {
    pub fn new(asm: &'a SourceFile, decl: &'a SourceFile) -> Diags<'a> {
        Diags {
            asm,
            decl,
            out: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Ends a lowering: the file when no error was recorded.
    pub fn finish(self, file: crate::emit::model::AsmFile) -> Result<LoweredFile, Vec<Diagnostic>> {
        if self.out.is_empty() {
            Ok(LoweredFile {
                file,
                warnings: self.warnings,
            })
        } else {
            Err(self.out)
        }
    }

    pub fn warn_decl(&mut self, span: Span, e: impl Into<ErrorKind>) {
        self.warnings.push(Diagnostic::warning(self.decl, span, e));
    }

    pub fn warn_asm(&mut self, span: Span, e: impl Into<ErrorKind>) {
        self.warnings.push(Diagnostic::warning(self.asm, span, e));
    }

    pub fn asm(&mut self, span: Span, e: impl Into<ErrorKind>) {
        self.out.push(Diagnostic::new(self.asm, span, e));
    }
    pub fn decl(&mut self, span: Span, e: impl Into<ErrorKind>) {
        self.out.push(Diagnostic::new(self.decl, span, e));
    }
}
