//! Stage 2: parsed items → per-function machine code, analysed and rewritten for Go.

pub mod x86;

pub use x86::EncodeError;

/// Why a construct cannot be translated safely.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LowerError {
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

impl LowerError {
    pub fn hint(&self) -> Option<String> {
        None
    }
}
