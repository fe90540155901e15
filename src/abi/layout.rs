//! Go ABI0 frame layout of a declaration: every C-visible scalar with its `name+off(FP)`.

use super::DeclError;
use super::decl::{GoFunc, GoParam};
use super::gotype::GoType;
use crate::source::Span;

/// How a scalar is passed; decides the load/store instruction and C register class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    Int { signed: bool },
    Bool,
    Float32,
    Float64,
    Pointer,
}

/// One scalar in the Go argument frame, in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The name `go vet` expects: `x`, `x_base`/`x_len`/`x_cap`, `s_base`/`s_len`,
    /// unnamed params `arg`, `arg1`…, unnamed results `ret`, `ret1`….
    pub name: String,
    /// For the first scalar of a slice or string, the parameter's own name (`x` for
    /// `x_base`): `go vet` defines that name too, at this offset, so it can hide an earlier
    /// slot of the same name (see `lower::arg_operands`).
    pub whole: Option<String>,
    /// Byte offset from FP.
    pub offset: u32,
    /// 1, 2, 4 or 8.
    pub size: u8,
    pub kind: ScalarKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameLayout {
    /// Argument scalars, flattened (a slice contributes three), in order.
    pub args: Vec<Slot>,
    /// Result scalars (results start 8-aligned after the arguments).
    pub results: Vec<Slot>,
    /// The `N` of `$frame-N`: end of the last result (or argument), not rounded.
    pub args_size: u32,
}

/// The scalars a Go type is made of: (name suffix, offset within the value, size, kind).
/// One scalar of a Go value: (name suffix, offset within the value, size, kind).
type Part = (&'static str, u32, u8, ScalarKind);

const fn scalar<const SIZE: u8>(kind: ScalarKind) -> [Part; 1] {
    [("", 0, SIZE, kind)]
}

const SIGNED: ScalarKind = ScalarKind::Int { signed: true };
const UNSIGNED: ScalarKind = ScalarKind::Int { signed: false };
const INT8: [Part; 1] = scalar::<1>(SIGNED);
const UINT8: [Part; 1] = scalar::<1>(UNSIGNED);
const INT16: [Part; 1] = scalar::<2>(SIGNED);
const UINT16: [Part; 1] = scalar::<2>(UNSIGNED);
const INT32: [Part; 1] = scalar::<4>(SIGNED);
const UINT32: [Part; 1] = scalar::<4>(UNSIGNED);
const INT64: [Part; 1] = scalar::<8>(SIGNED);
const UINT64: [Part; 1] = scalar::<8>(UNSIGNED);
const BOOL: [Part; 1] = scalar::<1>(ScalarKind::Bool);
const FLOAT32: [Part; 1] = scalar::<4>(ScalarKind::Float32);
const FLOAT64: [Part; 1] = scalar::<8>(ScalarKind::Float64);
const POINTER: [Part; 1] = scalar::<8>(ScalarKind::Pointer);
const SLICE: [Part; 3] = [
    ("_base", 0, 8, ScalarKind::Pointer),
    ("_len", 8, 8, SIGNED),
    ("_cap", 16, 8, SIGNED),
];
const STRING: [Part; 2] = [("_base", 0, 8, ScalarKind::Pointer), ("_len", 8, 8, SIGNED)];

fn components(ty: &GoType) -> Option<&'static [Part]> {
    Some(match ty {
        GoType::Int8 => &INT8,
        GoType::Uint8 => &UINT8,
        GoType::Int16 => &INT16,
        GoType::Uint16 => &UINT16,
        GoType::Int32 => &INT32,
        GoType::Uint32 => &UINT32,
        GoType::Int64 | GoType::Int => &INT64,
        GoType::Uint64 | GoType::Uint | GoType::Uintptr => &UINT64,
        GoType::Bool => &BOOL,
        GoType::Float32 => &FLOAT32,
        GoType::Float64 => &FLOAT64,
        GoType::Pointer(_) | GoType::UnsafePointer => &POINTER,
        GoType::Slice(_) => &SLICE,
        GoType::String => &STRING,
        GoType::Named(_) | GoType::Unsupported(_) => return None,
    })
}

fn align_of(ty: &GoType) -> u32 {
    match components(ty) {
        Some(c) if c.len() == 1 => c[0].2 as u32,
        _ => 8,
    }
}

fn size_of(ty: &GoType) -> u32 {
    components(ty)
        .map(|c| {
            c.iter()
                .map(|(_, o, s, _)| o + *s as u32)
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

/// Checks every parameter and result type can be laid out: the error for a function bound
/// to C code whose declaration uses a type it cannot take, located on that type.
pub fn check_types(func: &GoFunc) -> Result<(), (Span, DeclError)> {
    for p in func.params.iter().chain(&func.results) {
        if components(&p.ty).is_some() {
            continue;
        }
        let name = p.written.clone();
        let e = match &p.ty {
            _ if name.starts_with("...") => DeclError::Variadic(name),
            GoType::Named(n) if n.contains('.') => DeclError::ForeignType {
                name,
                foreign: n.clone(),
            },
            GoType::Named(n) => DeclError::UnresolvedType {
                name,
                missing: n.clone(),
            },
            GoType::Unsupported(u) if *u != name => DeclError::UnsupportedNamedType {
                name,
                underlying: u.clone(),
            },
            _ => DeclError::UnsupportedType(name),
        };
        return Err((p.ty_span, e));
    }
    Ok(())
}

/// Lays out `func` per Go ABI0 (go-abi-rules.md §1), naming slots as `go vet` does.
/// Types [`check_types`] rejects contribute nothing.
pub fn layout(func: &GoFunc) -> FrameLayout {
    let mut offset = 0u32;
    let args = place(&func.params, "arg", &mut offset);
    if !func.results.is_empty() {
        offset = offset.div_ceil(8) * 8;
    }
    let results = place(&func.results, "ret", &mut offset);
    FrameLayout {
        args,
        results,
        args_size: offset,
    }
}

fn place(list: &[GoParam], unnamed: &str, offset: &mut u32) -> Vec<Slot> {
    let mut out = Vec::new();
    for (n, p) in list.iter().enumerate() {
        let Some(parts) = components(&p.ty) else {
            continue;
        };
        let align = align_of(&p.ty);
        *offset = offset.div_ceil(align) * align;
        let name = match &p.name {
            Some(n) => n.clone(),
            None if n == 0 => unnamed.to_string(),
            None => format!("{unnamed}{n}"),
        };
        if let &[("", off, size, kind)] = parts {
            // A plain scalar keeps the parameter's own name.
            out.push(Slot {
                name,
                whole: None,
                offset: *offset + off,
                size,
                kind,
            });
        } else {
            for (k, &(suffix, off, size, kind)) in parts.iter().enumerate() {
                out.push(Slot {
                    name: format!("{name}{suffix}"),
                    whole: (k == 0).then(|| name.clone()),
                    offset: *offset + off,
                    size,
                    kind,
                });
            }
        }
        *offset += size_of(&p.ty);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::decl::parse_go_decls;
    use crate::source::SourceFile;

    fn lay(sig: &str) -> FrameLayout {
        let f = parse_go_decls(&SourceFile::new("x.go", format!("package p\n{sig}\n")))
            .expect("parse")
            .remove(0);
        layout(&f)
    }

    fn summary(l: &FrameLayout) -> Vec<(String, u32, u8)> {
        l.args
            .iter()
            .chain(&l.results)
            .map(|s| (s.name.clone(), s.offset, s.size))
            .collect()
    }

    #[test]
    fn go_abi_rules_example() {
        // go-abi-rules.md §1.1.
        let l = lay("func f(a bool, b int32, c float32, p *byte) (r float32, ok bool)");
        assert_eq!(
            summary(&l),
            vec![
                ("a".into(), 0, 1),
                ("b".into(), 4, 4),
                ("c".into(), 8, 4),
                ("p".into(), 16, 8),
                ("r".into(), 24, 4),
                ("ok".into(), 28, 1)
            ]
        );
        assert_eq!(l.args_size, 29);
    }

    #[test]
    fn slices_strings_and_unnamed() {
        let l = lay("func g(int8, []float32, string) int16");
        assert_eq!(
            summary(&l),
            vec![
                ("arg".into(), 0, 1),
                ("arg1_base".into(), 8, 8),
                ("arg1_len".into(), 16, 8),
                ("arg1_cap".into(), 24, 8),
                ("arg2_base".into(), 32, 8),
                ("arg2_len".into(), 40, 8),
                ("ret".into(), 48, 2)
            ]
        );
        assert_eq!(l.args_size, 50);
        let l = lay("func h() (int64, bool)");
        assert_eq!(
            summary(&l),
            vec![("ret".into(), 0, 8), ("ret1".into(), 8, 1)]
        );
        assert_eq!(lay("func v(x int8)").args_size, 1);
    }
}
