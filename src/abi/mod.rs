//! Go side of the boundary: Go declarations (`func _f(p *int64, n int) int64`), their ABI0
//! frame layout, and how each argument maps onto the C calling convention.
//!
//! Reading declarations, in order: `lexer` (tokens) → `toplevel` (a file's declarations,
//! split where Go inserts semicolons) → `decl` (the body-less `func`s, whose types
//! `type_syntax` reads without ever failing) → `named_types` (names declared in the
//! package, from `package_files`, replaced by their underlying types) → `layout`
//! (`check_types`, for bound functions only, then ABI0 offsets).

pub mod aapcs;
pub mod build_constraint;
pub mod decl;
pub mod gotype;
pub mod layout;
pub mod lexer;
pub mod named_types;
pub mod package_files;
pub mod sysv;
pub mod toplevel;
pub mod type_syntax;

pub use aapcs::classify_aapcs_args;
pub use decl::{GoFunc, GoParam, parse_go_decls};
pub use gotype::GoType;
pub use layout::{FrameLayout, ScalarKind, Slot, check_types, layout};
pub use package_files::read_package_files;
pub use sysv::{ArgLocation, ResultLocation, classify_sysv_args, classify_sysv_result};

/// Problems in the Go declarations or in how they fit the C function.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeclError {
    #[error("cannot parse Go declaration: {0}")]
    Syntax(String),
    #[error("unsupported Go type `{0}` in an assembly function declaration")]
    UnsupportedType(String),
    /// A named type whose underlying type an assembly function cannot take.
    #[error(
        "unsupported Go type `{name}` (underlying type `{underlying}`) in an assembly \
         function declaration"
    )]
    UnsupportedNamedType { name: String, underlying: String },
    /// A name that is not a type declared in the package (`missing` is where the chain of
    /// declarations from `name` stopped).
    #[error("cannot resolve Go type `{name}`{}: no such type is declared in this package", via(.name, .missing))]
    UnresolvedType { name: String, missing: String },
    /// A type from another package (`pkg.T`), directly or through a declaration.
    #[error("Go type `{name}`{} is declared in another package", via(.name, .foreign))]
    ForeignType { name: String, foreign: String },
    #[error("variadic parameter `{0}` in an assembly function declaration")]
    Variadic(String),
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
            DeclError::UnsupportedNamedType { .. } => Some(
                "pass a pointer to it (`*T`) or a slice, or declare the parameter with a \
                 scalar type"
                    .into(),
            ),
            DeclError::UnresolvedType { missing, .. } => Some(format!(
                "declare it in a .go file of the package (e.g. `type {missing} int64`), or \
                 write the type it stands for"
            )),
            DeclError::ForeignType { .. } => Some(
                "only types declared in this package (and unsafe.Pointer) are read; write \
                 the underlying type (e.g. `int64`, `[]float32`, `unsafe.Pointer`)"
                    .into(),
            ),
            DeclError::Variadic(_) => Some(
                "an assembly function takes a fixed argument list: pass a slice `[]T` instead"
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

/// ` (through `B`)` when a named type's declaration led to another name.
fn via(name: &str, reached: &str) -> String {
    if name == reached {
        String::new()
    } else {
        format!(" (through `{reached}`)")
    }
}
