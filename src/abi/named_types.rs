//! Named types of the package (`type Len int`, `type F32s = []float32`, grouped
//! `type ( … )` and chains `type A B; type B int32`) resolved to the underlying type an
//! assembly function receives. Declarations come from the declarations file first, then
//! from the package's other Go files ([`super::package_files`]).
//!
//! What does not resolve stays as it is and is an error only when the function is bound
//! (`abi::check_types`): a name declared nowhere in the package, a cycle, a type from
//! another package (`pkg.T`, except `unsafe.Pointer`), and named structs, arrays, maps,
//! interfaces or generic types ([`GoType::Unsupported`]). Pointers are fine whatever
//! they point to, and slices whatever their element.

use std::collections::HashMap;

use super::decl::GoFunc;
use super::gotype::GoType;
use super::lexer::{Tok, Token, tokenize};
use super::toplevel::{matching, package_name, statements};
use super::type_syntax::denote;
use crate::source::SourceFile;

/// Replaces every parameter and result type of `decls` that names a type declared in the
/// package by its underlying type. `own` is the declarations file (its types win); files
/// of `package_files` with another package clause (a `//go:build ignore` generator's
/// `package main`) and `own` itself, if listed, are skipped.
pub fn resolve(decls: &mut [GoFunc], own: &SourceFile, package_files: &[SourceFile]) {
    let uses_names = decls
        .iter()
        .flat_map(|f| f.params.iter().chain(&f.results))
        .any(|p| matches!(p.ty, GoType::Named(_)));
    if !uses_names {
        return;
    }
    let own_toks = tokenize(&own.text);
    let package = package_name(&own_toks);
    let mut table = TypeTable::default();
    table.collect(&own_toks);
    for file in package_files {
        if file.path == own.path {
            continue;
        }
        let toks = tokenize(&file.text);
        if package.is_some() && package_name(&toks) != package {
            continue;
        }
        table.collect(&toks);
    }
    for p in decls
        .iter_mut()
        .flat_map(|f| f.params.iter_mut().chain(f.results.iter_mut()))
    {
        if let GoType::Named(n) = &p.ty {
            p.ty = table.underlying(n);
        }
    }
}

/// Type names declared at top level, with the type each is declared as (not yet
/// followed through other names). The first declaration of a name wins.
#[derive(Default)]
struct TypeTable {
    declared: HashMap<String, GoType>,
}

impl TypeTable {
    fn collect(&mut self, toks: &[Token<'_>]) {
        for decl in statements(toks) {
            let [kw, rest @ ..] = decl else { continue };
            if kw.tok != Tok::Ident("type") {
                continue;
            }
            match rest.first().map(|t| t.tok) {
                // `type ( A int; B = uint8 )`
                Some(Tok::Punct("(")) if matching(rest, 0) == Some(rest.len()) => {
                    for spec in statements(&rest[1..rest.len() - 1]) {
                        self.spec(spec);
                    }
                }
                _ => self.spec(rest),
            }
        }
    }

    /// One `Name Type`, `Name = Type` or `Name[T any] Type`.
    fn spec(&mut self, spec: &[Token<'_>]) {
        let [name, rest @ ..] = spec else { return };
        let Tok::Ident(name) = name.tok else { return };
        if is_type_parameters(rest) {
            // A generic type is used only instantiated (`List[int]`), which a declaration
            // reads as an unsupported type anyway.
            return;
        }
        let ty = match rest {
            [eq, ty @ ..] if eq.tok == Tok::Punct("=") => ty,
            ty => ty,
        };
        if ty.is_empty() {
            return;
        }
        self.declared
            .entry(name.to_string())
            .or_insert_with(|| denote(ty));
    }

    /// The underlying type of the name `name`, following `type A B` chains. A name that is
    /// not declared (or is part of a cycle) stays [`GoType::Named`]: the name where the
    /// chain stopped, or `name` itself for a cycle.
    fn underlying(&self, name: &str) -> GoType {
        let mut seen = vec![name];
        let mut current = name;
        loop {
            match self.declared.get(current) {
                None => return GoType::Named(current.to_string()),
                Some(GoType::Named(next)) if !next.contains('.') => {
                    if seen.contains(&next.as_str()) {
                        return GoType::Named(name.to_string());
                    }
                    seen.push(next);
                    current = next;
                }
                Some(ty) => return ty.clone(),
            }
        }
    }
}

/// Whether the tokens after a type's name open a type parameter list (`[T any]`,
/// `[K comparable, V any]`, `[T ~int]`) rather than an array or slice type (`[4]int`,
/// `[N]int`, `[]int`).
fn is_type_parameters(rest: &[Token<'_>]) -> bool {
    matches!(
        rest,
        [open, Token { tok: Tok::Ident(_), .. }, next, ..]
            if open.tok == Tok::Punct("[")
                && matches!(next.tok, Tok::Ident(_) | Tok::Punct("," | "~"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::decl::parse_go_decls;

    /// The types of `decls`'s only function after resolution against `others`.
    fn resolved(decls: &str, others: &[&str]) -> Vec<GoType> {
        let own = SourceFile::new("k_amd64.go", format!("package k\n{decls}\n"));
        let files: Vec<SourceFile> = others
            .iter()
            .enumerate()
            .map(|(i, t)| SourceFile::new(format!("f{i}.go"), *t))
            .collect();
        let mut fs = parse_go_decls(&own).expect("parse");
        resolve(&mut fs, &own, &files);
        fs.remove(0)
            .params
            .into_iter()
            .map(|p| p.ty)
            .collect::<Vec<_>>()
    }

    #[test]
    fn every_form_of_type_declaration_resolves() {
        let types = "package k\n\nimport \"unsafe\"\n\n\
                     type Len int\ntype Mask uint64\ntype P unsafe.Pointer\n\
                     type Vec []float32\ntype F32s = []float32\n\
                     type (\n\tA int\n\tB = uint8; C *[4]float32\n)\n\
                     type Chain1 Chain2\ntype Chain2 = Chain3\ntype Chain3 int32\n\
                     type Arr [4]int\ntype Flag bool\n";
        let got = resolved(
            "func _f(a Len, b Mask, c P, d Vec, e F32s, f A, g B, h C, i Chain1, j Flag, \
             k *Point, l []Point)",
            &[types],
        );
        assert_eq!(
            got,
            [
                GoType::Int,
                GoType::Uint64,
                GoType::UnsafePointer,
                GoType::Slice("float32".into()),
                GoType::Slice("float32".into()),
                GoType::Int,
                GoType::Uint8,
                GoType::Pointer("[4]float32".into()),
                GoType::Int32,
                GoType::Bool,
                // Pointers and slices are fine whatever the element.
                GoType::Pointer("Point".into()),
                GoType::Slice("Point".into()),
            ]
        );
    }

    #[test]
    fn the_declarations_file_wins_and_other_packages_are_ignored() {
        let own = "type Len int16\nfunc _f(a Len, b Other, c Gen)";
        let got = resolved(
            own,
            &[
                "package k\ntype Len int64\ntype Other uint32\n",
                "//go:build ignore\n\npackage main\ntype Gen uint8\n",
            ],
        );
        assert_eq!(
            got,
            [GoType::Int16, GoType::Uint32, GoType::Named("Gen".into())]
        );
    }

    #[test]
    fn unresolvable_names_stay_named_or_unsupported() {
        let types = "package k\ntype Cyc1 Cyc2\ntype Cyc2 Cyc1\ntype Self Self\n\
                     type Gap Missing\ntype Far pkg.T\n\
                     type Point struct {\n\tx, y float64\n}\ntype Arr [4]int\n\
                     type List[T any] []T\ntype M map[string]int\n";
        let got = resolved(
            "func _f(a Cyc1, b Self, c Gap, d Far, e pkg.T, f Point, g Arr, h List, i M, j Nope)",
            &[types],
        );
        assert_eq!(
            got,
            [
                GoType::Named("Cyc1".into()),
                GoType::Named("Self".into()),
                GoType::Named("Missing".into()),
                GoType::Named("pkg.T".into()),
                GoType::Named("pkg.T".into()),
                GoType::Unsupported("struct{ x, y float64 }".into()),
                GoType::Unsupported("[4]int".into()),
                GoType::Named("List".into()),
                GoType::Unsupported("map[string]int".into()),
                GoType::Named("Nope".into()),
            ]
        );
    }

    #[test]
    fn function_local_types_do_not_count() {
        let got = resolved("func _f(a Local)\nfunc g() {\n\ttype Local int\n}", &[]);
        assert_eq!(got, [GoType::Named("Local".into())]);
    }

    #[test]
    fn array_types_are_not_type_parameters() {
        let t = |s: &str| is_type_parameters(&tokenize(s));
        assert!(t("[T any] struct{}"));
        assert!(t("[K comparable, V any] map[K]V"));
        assert!(t("[T ~int] T"));
        assert!(!t("[4]int"));
        assert!(!t("[N]int"));
        assert!(!t("[]int"));
        assert!(!t("int"));
    }
}
