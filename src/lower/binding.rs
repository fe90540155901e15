//! Binding Go declarations to C functions (shared by every architecture).
//!
//! A Go function `_name` or `name` binds to the C function `name` — or to its Mach-O or
//! C++ spelling (`c_names`), or to the declaration's explicit C name. A declaration that
//! binds to nothing is only a warning while others bind: a package's declaration file may
//! declare functions implemented in other assembly files. When none binds, the user almost
//! certainly paired the wrong files, and writing an empty `.s` would hide it.

use crate::abi::{self, DeclError, GoFunc};
use crate::error::ErrorKind;
use crate::lower::c_names::{CFunction, CNames, Lookup};
use crate::lower::program::Program;
use crate::source::Span;

/// A declared function bound to its C function (index into `program.functions`).
pub struct Binding<'a> {
    pub go: &'a GoFunc,
    pub c: usize,
}

/// Why a declaration did not bind.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BindError {
    #[error("Go function `{go}` has no C function `{c}` in the assembly")]
    NoCFunction {
        go: String,
        c: String,
        /// The C functions that exist, nearest name first, as people read them.
        candidates: Vec<String>,
    },
    #[error("Go function `{go}` matches {} C++ functions: {}", .candidates.len(), .candidates.join(", "))]
    Overloaded { go: String, candidates: Vec<String> },
    #[error("no Go declaration in this file binds to a C function of the assembly")]
    NothingBound { candidates: Vec<String> },
    #[error("this file declares no Go function without a body (nothing to implement in assembly)")]
    NoDeclarations,
}

impl BindError {
    pub fn hint(&self) -> Option<String> {
        let listed = |c: &[String]| {
            if c.is_empty() {
                "the assembly defines no function".to_string()
            } else {
                let shown: Vec<&str> = c.iter().take(8).map(String::as_str).collect();
                let more = if c.len() > 8 {
                    format!(" and {} more", c.len() - 8)
                } else {
                    String::new()
                };
                format!(
                    "C functions in the assembly, nearest first: {}{more}",
                    shown.join(", ")
                )
            }
        };
        Some(match self {
            BindError::NoCFunction { candidates, .. } => format!(
                "{}; a Go function `_name` or `name` binds to the C function `name` (C++: its \
                 unqualified name)",
                listed(candidates)
            ),
            BindError::NothingBound { candidates } => format!(
                "{}; a Go function `_name` or `name` binds to the C function `name` — is this \
                 the declaration file that goes with this assembly?",
                listed(candidates)
            ),
            BindError::Overloaded { .. } => {
                "give the C++ functions distinct names, or declare the one to call `extern \"C\"`"
                    .to_string()
            }
            BindError::NoDeclarations => "declare the C functions in Go without a body, e.g. \
                 `func _name(p unsafe.Pointer, n int64) int64`"
                .to_string(),
        })
    }
}

/// What binding found: bindings, errors (nothing is written) and warnings, all located in
/// the Go declarations file.
#[derive(Default)]
pub struct Bound<'a> {
    pub bindings: Vec<Binding<'a>>,
    pub errors: Vec<(Span, ErrorKind)>,
    pub warnings: Vec<(Span, ErrorKind)>,
}

/// Binds every declaration of `decls` to the functions of `program`.
pub fn bind<'a, I>(program: &Program<I>, decls: &'a [GoFunc]) -> Bound<'a> {
    let names = CNames::new(
        program
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| CFunction::new(&f.name, i)),
    );
    let mut out = Bound::default();
    if decls.is_empty() {
        out.errors
            .push((Span::new(1, 1, 0), BindError::NoDeclarations.into()));
        return out;
    }
    let mut unbound = Vec::new();
    for go in decls {
        match names.lookup(&go.name, go.c_name.as_deref()) {
            Lookup::Found(c) => {
                if let Err((span, e)) = check(go) {
                    out.errors.push((span, e.into()));
                } else {
                    out.bindings.push(Binding { go, c: c.index });
                }
            }
            Lookup::Ambiguous(candidates) => out.errors.push((
                go.span,
                BindError::Overloaded {
                    go: go.name.clone(),
                    candidates: candidates.iter().map(|c| c.describe()).collect(),
                }
                .into(),
            )),
            Lookup::NotFound => unbound.push(go),
        }
    }
    let describe = |fs: Vec<&CFunction>| fs.iter().map(|c| c.describe()).collect::<Vec<_>>();
    if out.bindings.is_empty() && out.errors.is_empty() {
        let first = unbound.first().map(|g| g.span).unwrap_or_default();
        let near = names.nearest(unbound.first().map(|g| g.name.as_str()).unwrap_or(""));
        out.errors.push((
            first,
            BindError::NothingBound {
                candidates: describe(near),
            }
            .into(),
        ));
        return out;
    }
    for go in unbound {
        out.warnings.push((
            go.span,
            BindError::NoCFunction {
                go: go.name.clone(),
                c: go.c_symbol().to_string(),
                candidates: describe(names.nearest(&go.name)),
            }
            .into(),
        ));
    }
    out
}

/// What a bound declaration must satisfy regardless of the C code.
fn check(go: &GoFunc) -> Result<(), (Span, DeclError)> {
    abi::check_types(go)?;
    if go.results.len() > 1 {
        return Err((go.span, DeclError::MultipleResults(go.name.clone())));
    }
    Ok(())
}
