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
