//! Go side of the boundary: Go declarations (`func _f(p *int64, n int) int64`), their ABI0
//! frame layout, and how each argument maps onto the C calling convention.

pub mod aapcs;
pub mod build_constraint;
pub mod decl;
pub mod gotype;
pub mod layout;
pub mod lexer;
pub mod sysv;

pub use aapcs::classify_aapcs_args;
pub use decl::{GoFunc, GoParam, parse_go_decls};
pub use gotype::GoType;
pub use layout::{FrameLayout, ScalarKind, Slot, check_types, layout};
pub use sysv::{ArgLocation, ResultLocation, classify_sysv_args, classify_sysv_result};

/// Problems in the Go declarations or in how they fit the C function.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeclError {
    #[error("cannot parse Go declaration: {0}")]
    Syntax(String),
    #[error("unsupported Go type `{0}` in an assembly function declaration")]
    UnsupportedType(String),
    #[error("function `{0}` returns more than one value; C functions return at most one")]
    MultipleResults(String),
    #[error("Go function `{go}` has no matching C function `{c}` in the assembly")]
    MissingCFunction { go: String, c: String },
    #[error("`{func}`: {detail}")]
    Mismatch { func: String, detail: String },
}

impl DeclError {
    pub fn hint(&self) -> Option<String> {
        match self {
            DeclError::UnsupportedType(_) => Some(
                "use int8…int64, uint8…uint64, int, uint, uintptr, bool, float32, float64, \
                 pointers, unsafe.Pointer, slices or strings"
                    .into(),
            ),
            DeclError::MissingCFunction { .. } => {
                Some("a Go function `_name` or `name` binds to the C symbol `name`".into())
            }
            DeclError::Mismatch { .. } => {
                Some("make the Go declaration match the C prototype".into())
            }
            _ => None,
        }
    }
}
