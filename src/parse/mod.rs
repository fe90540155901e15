//! Stage 1: assembly text → [`Located`] items (labels, typed directives, instructions).
//!
//! The line structure (labels, directives, comments, statement separators) is shared by
//! every architecture; instruction syntax is per architecture (`x86`).

pub mod ast;
pub mod expr;
pub mod x86;

pub use ast::{AlignKind, Directive, Item, Located, SymbolAttr};
pub use expr::{Expr, SymbolRef};

/// Why a line could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown instruction mnemonic `{0}`")]
    UnknownMnemonic(String),
    #[error("unknown register `{0}`")]
    UnknownRegister(String),
    #[error("cannot parse operand `{0}`")]
    BadOperand(String),
    #[error("cannot parse expression `{0}`")]
    BadExpression(String),
    #[error("malformed `{directive}` directive: {detail}")]
    BadDirective { directive: String, detail: String },
    #[error("cannot parse line")]
    BadLine,
    #[error("AT&T syntax is not supported")]
    AttSyntax,
}

impl ParseError {
    pub fn hint(&self) -> Option<String> {
        match self {
            ParseError::AttSyntax => Some("compile with -masm=intel".into()),
            ParseError::UnknownMnemonic(_) => Some(
                "c2goasm-rs reads the GAS Intel syntax written by `clang -S -masm=intel` and \
                 `gcc -S -masm=intel`"
                    .into(),
            ),
            _ => None,
        }
    }
}
