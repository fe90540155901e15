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
fn components(ty: &GoType) -> Option<Vec<(&'static str, u32, u8, ScalarKind)>> {
    use ScalarKind::*;
    let one = |size: u8, kind| Some(vec![("", 0, size, kind)]);
    match ty {
        GoType::Int8 => one(1, Int { signed: true }),
        GoType::Uint8 => one(1, Int { signed: false }),
        GoType::Int16 => one(2, Int { signed: true }),
        GoType::Uint16 => one(2, Int { signed: false }),
        GoType::Int32 => one(4, Int { signed: true }),
        GoType::Uint32 => one(4, Int { signed: false }),
        GoType::Int64 | GoType::Int => one(8, Int { signed: true }),
        GoType::Uint64 | GoType::Uint | GoType::Uintptr => one(8, Int { signed: false }),
        GoType::Bool => one(1, Bool),
        GoType::Float32 => one(4, Float32),
        GoType::Float64 => one(8, Float64),
        GoType::Pointer(_) | GoType::UnsafePointer => one(8, Pointer),
        GoType::Slice(_) => Some(vec![
            ("_base", 0, 8, Pointer),
            ("_len", 8, 8, Int { signed: true }),
            ("_cap", 16, 8, Int { signed: true }),
        ]),
        GoType::String => Some(vec![
            ("_base", 0, 8, Pointer),
            ("_len", 8, 8, Int { signed: true }),
        ]),
        GoType::Named(_) => None,
    }
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

/// Checks every parameter and result type can be laid out (named struct types cannot).
pub fn check_types(func: &GoFunc) -> Result<(), (Span, DeclError)> {
    for p in func.params.iter().chain(&func.results) {
        if components(&p.ty).is_none() {
            return Err((p.span, DeclError::UnsupportedType(p.ty.to_string())));
        }
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
        for (suffix, off, size, kind) in parts {
            out.push(Slot {
                name: format!("{name}{suffix}"),
                offset: *offset + off,
                size,
                kind,
            });
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
