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
    #[error("Go function `{go}` has no C function {c} in the assembly")]
    NoCFunction {
        go: String,
        c: String,
        /// The C functions nearest in name, nearest first, as people read them (at most
        /// [`SUGGESTED`]).
        candidates: Vec<String>,
        /// How many other C functions the assembly defines.
        others: usize,
    },
    #[error("Go function `{go}` matches {} C++ functions: {}", .candidates.len(), .candidates.join(", "))]
    Overloaded { go: String, candidates: Vec<String> },
    #[error("no Go declaration in this file binds to a C function of the assembly")]
    NothingBound {
        candidates: Vec<String>,
        others: usize,
    },
    #[error("this file declares no Go function without a body (nothing to implement in assembly)")]
    NoDeclarations,
}

impl BindError {
    pub fn hint(&self) -> Option<String> {
        let listed = |c: &[String], others: usize| match (c.is_empty(), others) {
            (true, 0) => "the assembly defines no function".to_string(),
            (true, n) => format!("the assembly defines {n} C functions"),
            (false, n) => {
                let more = if n > 0 {
                    format!(" and {n} more")
                } else {
                    String::new()
                };
                format!(
                    "C functions in the assembly, nearest first: {}{more}",
                    c.join(", ")
                )
            }
        };
        Some(match self {
            BindError::NoCFunction {
                candidates, others, ..
            } => format!(
                "{}; a Go function `_name` or `name` binds to the C function `name` (C++: its \
                 unqualified name)",
                listed(candidates, *others)
            ),
            BindError::NothingBound { candidates, others } => format!(
                "{}; a Go function `_name` or `name` binds to the C function `name` — is this \
                 the declaration file that goes with this assembly?",
                listed(candidates, *others)
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
    let total = names.functions().len();
    // The nearest names and how many others: ranking is an edit distance against every
    // function, so only the first SUGGESTING unbound declarations get suggestions (a file
    // of thousands of declarations against thousands of functions took seconds).
    let suggest = |go_name: &str, k: usize| {
        if k >= SUGGESTING {
            return (Vec::new(), total);
        }
        let near: Vec<String> = names
            .nearest(go_name, SUGGESTED)
            .iter()
            .map(|c| c.describe())
            .collect();
        let others = total - near.len();
        (near, others)
    };
    if out.bindings.is_empty() && out.errors.is_empty() {
        let first = unbound.first().map(|g| g.span).unwrap_or_default();
        let (candidates, others) =
            suggest(unbound.first().map(|g| g.name.as_str()).unwrap_or(""), 0);
        out.errors
            .push((first, BindError::NothingBound { candidates, others }.into()));
        return out;
    }
    for (k, go) in unbound.into_iter().enumerate() {
        let (candidates, others) = suggest(&go.name, k);
        out.warnings.push((
            go.span,
            BindError::NoCFunction {
                go: go.name.clone(),
                c: looked_for(go),
                candidates,
                others,
            }
            .into(),
        ));
    }
    out
}

/// The C names a declaration was looked up by, quoted: `` `name` `` for a Go `name`, and
/// `` `_name` or `name` `` for a Go `_name` (C symbols may start with `_` themselves:
/// `_mm256_dot`).
fn looked_for(go: &GoFunc) -> String {
    let c = go.c_symbol();
    if go.c_name.is_none() && go.name != c {
        format!("`{}` or `{c}`", go.name)
    } else {
        format!("`{c}`")
    }
}

/// Nearest C function names a message suggests.
pub const SUGGESTED: usize = 8;

/// Unbound declarations that get suggestions.
const SUGGESTING: usize = 50;

/// What a bound declaration must satisfy regardless of the C code.
fn check(go: &GoFunc) -> Result<(), (Span, DeclError)> {
    abi::check_types(go)?;
    if go.results.len() > 1 {
        return Err((go.span, DeclError::MultipleResults(go.name.clone())));
    }
    Ok(())
}
