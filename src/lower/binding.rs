//! Binding Go declarations to C functions (shared by every architecture): a Go function
//! `_name` or `name` binds to C symbol `name` (or the declaration's explicit C name).

use crate::abi::{self, DeclError, GoFunc};
use crate::lower::program::{Program, SymbolDef};
use crate::source::Span;

/// A declared function bound to its C function (index into `program.functions`).
pub struct Binding<'a> {
    pub go: &'a GoFunc,
    pub c: usize,
}

/// Binds every declaration; problems are located in the Go declarations file.
pub fn bind<'a, I>(
    program: &Program<I>,
    decls: &'a [GoFunc],
) -> (Vec<Binding<'a>>, Vec<(Span, DeclError)>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for go in decls {
        let c_name = go.c_symbol();
        let found =
            [c_name, go.name.as_str()]
                .into_iter()
                .find_map(|n| match program.symbols.get(n) {
                    Some(SymbolDef::Function(i)) => Some(*i),
                    _ => None,
                });
        if let Err(e) = abi::check_types(go) {
            errors.push(e);
            continue;
        }
        if go.results.len() > 1 {
            errors.push((go.span, DeclError::MultipleResults(go.name.clone())));
            continue;
        }
        match found {
            Some(c) => out.push(Binding { go, c }),
            None => errors.push((
                go.span,
                DeclError::MissingCFunction {
                    go: go.name.clone(),
                    c: c_name.to_string(),
                },
            )),
        }
    }
    (out, errors)
}
