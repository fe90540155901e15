//! C types (as clang spells them, typedefs resolved) → the Go types of a declaration.

use crate::abi::GoType;

/// Why a C type has no Go counterpart for an assembly function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsupported {
    /// A struct or union passed by value.
    Aggregate(String),
    Other(String),
}

/// Drops qualifiers that do not change the ABI.
fn strip_qualifiers(t: &str) -> String {
    t.replace('*', " * ")
        .split_whitespace()
        .filter(|w| {
            !matches!(
                *w,
                "const" | "volatile" | "restrict" | "__restrict" | "__restrict__" | "register"
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A scalar C type by its real width on the x86-64 / AArch64 Linux (LP64) targets.
/// `char_signed` is true on x86-64 and false on AArch64.
fn scalar(t: &str, char_signed: bool) -> Option<GoType> {
    Some(match t {
        "signed char" => GoType::Int8,
        "unsigned char" => GoType::Uint8,
        "char" if char_signed => GoType::Int8,
        "char" => GoType::Uint8,
        "short" | "short int" | "signed short" | "signed short int" => GoType::Int16,
        "unsigned short" | "unsigned short int" | "short unsigned int" => GoType::Uint16,
        "int" | "signed" | "signed int" => GoType::Int32,
        "unsigned" | "unsigned int" => GoType::Uint32,
        "long" | "long int" | "signed long" | "long long" | "long long int"
        | "signed long long" => GoType::Int64,
        "unsigned long"
        | "unsigned long int"
        | "long unsigned int"
        | "unsigned long long"
        | "unsigned long long int"
        | "long long unsigned int" => GoType::Uint64,
        "_Bool" | "bool" => GoType::Bool,
        "float" => GoType::Float32,
        "double" => GoType::Float64,
        _ => return None,
    })
}

/// Maps a C type (typedefs already resolved by the caller) to a Go type: scalars by width,
/// pointers to scalars as `*T`, every other pointer as `unsafe.Pointer`. A C++ reference
/// (`T &`, `T &&`) is an address in the ABI, so it maps like a pointer.
pub fn go_type(c: &str, char_signed: bool) -> Result<GoType, Unsupported> {
    let t = strip_qualifiers(c);
    let address = t
        .strip_suffix('*')
        .or_else(|| t.strip_suffix("&&"))
        .or_else(|| t.strip_suffix('&'));
    if let Some(pointee) = address {
        let pointee = strip_qualifiers(pointee.trim());
        return Ok(match scalar(&pointee, char_signed) {
            Some(GoType::Bool) => GoType::Pointer("bool".into()),
            Some(s) => GoType::Pointer(s.to_string()),
            None => GoType::UnsafePointer,
        });
    }
    if t.contains("( * )") || t.contains("(*)") || t.contains("(&)") || t.contains('[') {
        // Function pointers, references to arrays and (already decayed) arrays are
        // addresses.
        return Ok(GoType::UnsafePointer);
    }
    if let Some(s) = scalar(&t, char_signed) {
        return Ok(s);
    }
    if t.starts_with("struct ") || t.starts_with("union ") {
        return Err(Unsupported::Aggregate(t));
    }
    Err(Unsupported::Other(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_by_width() {
        assert_eq!(go_type("long", true), Ok(GoType::Int64));
        assert_eq!(go_type("unsigned long", true), Ok(GoType::Uint64));
        assert_eq!(go_type("const unsigned short", true), Ok(GoType::Uint16));
        assert_eq!(go_type("char", true), Ok(GoType::Int8));
        assert_eq!(go_type("char", false), Ok(GoType::Uint8));
        assert_eq!(go_type("_Bool", true), Ok(GoType::Bool));
        assert_eq!(go_type("double", true), Ok(GoType::Float64));
    }

    #[test]
    fn pointers() {
        assert_eq!(
            go_type("const long *", true),
            Ok(GoType::Pointer("int64".into()))
        );
        assert_eq!(
            go_type("float *restrict", true),
            Ok(GoType::Pointer("float32".into()))
        );
        assert_eq!(go_type("void *", true), Ok(GoType::UnsafePointer));
        assert_eq!(go_type("struct point *", true), Ok(GoType::UnsafePointer));
        assert_eq!(go_type("long **", true), Ok(GoType::UnsafePointer));
        assert_eq!(go_type("int (*)(int)", true), Ok(GoType::UnsafePointer));
        assert_eq!(
            go_type("const double &", true),
            Ok(GoType::Pointer("float64".into()))
        );
        assert_eq!(
            go_type("long &&", true),
            Ok(GoType::Pointer("int64".into()))
        );
        assert_eq!(go_type("int (&)[4]", true), Ok(GoType::UnsafePointer));
    }

    #[test]
    fn aggregates_and_others_are_errors() {
        assert!(matches!(
            go_type("struct point", true),
            Err(Unsupported::Aggregate(_))
        ));
        assert!(matches!(
            go_type("long double", true),
            Err(Unsupported::Other(_))
        ));
        assert!(matches!(
            go_type("__int128", true),
            Err(Unsupported::Other(_))
        ));
    }
}
