//! c2goasm-rs: clang/GCC assembly for C kernels → Go Plan 9 assembly.
//!
//! Pipeline: [`parse`] (text → located items) → [`lower`] (machine code, analysis,
//! ABI mapping, stack and constant-pool rewriting) → [`emit`] (Go assembly text).

pub mod abi;
pub mod emit;
pub mod error;
pub mod lower;
pub mod parse;
pub mod source;

pub use error::{Diagnostic, Error, ErrorKind};
pub use source::{SourceFile, Span};

use std::path::Path;

/// Knobs of a translation.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Drop the original-instruction comments (c2goasm `-s`).
    pub strip_comments: bool,
    /// Pack instruction bytes densely instead of one line per instruction (c2goasm `-c`).
    pub compact: bool,
    /// The command line recorded in the `Code generated` header (defaults to the tool name
    /// and input file).
    pub command_line: Option<String>,
}

/// Translates assembly text `asm` (clang/GCC `-S -masm=intel` output) into Go assembly for
/// the body-less functions declared in the Go source `decls`.
pub fn translate(asm: &SourceFile, decls: &SourceFile, options: &Options) -> Result<String, Error> {
    let _ = (asm, decls, options);
    todo!("the x86-64 pipeline")
}

/// c2goasm-compatible file mode: reads `input`, the Go declarations next to `output`
/// (`out_amd64.s` → `out_amd64.go`), and writes `output` atomically (nothing is written on
/// error).
pub fn translate_file(input: &Path, output: &Path, options: &Options) -> Result<(), Error> {
    let _ = (input, output, options);
    todo!("the x86-64 pipeline")
}
