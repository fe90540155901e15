//! The Go types of an assembly function declaration: the ones whose ABI0 layout we know,
//! plus the names still to resolve and the types an assembly function cannot take (kept
//! as written, so the error appears only if the function is bound to C code).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoType {
    Int8,
    Int16,
    Int32,
    Int64,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    /// `int`, `uint`, `uintptr`: 8 bytes on amd64 and arm64.
    Int,
    Uint,
    Uintptr,
    Bool,
    Float32,
    Float64,
    /// `*T`; the element type as written (`int64`, `[4]float32`, `MyStruct`).
    Pointer(String),
    UnsafePointer,
    /// `[]T`: three C arguments (base, len, cap); the element type as written (`byte`,
    /// `float32`, `MyStruct`).
    Slice(String),
    /// `string`: two C arguments (base, len).
    String,
    /// A type name not (yet) resolved to its underlying type: `Len`, `pkg.T`
    /// (`named_types::resolve` replaces the ones declared in the package).
    Named(String),
    /// A type an assembly function cannot take (`map[string]int`, `error`, `...int`,
    /// `struct{ x int }`, `[8]float32`), spelled as gofmt writes it.
    Unsupported(String),
}

impl fmt::Display for GoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoType::Int8 => f.write_str("int8"),
            GoType::Int16 => f.write_str("int16"),
            GoType::Int32 => f.write_str("int32"),
            GoType::Int64 => f.write_str("int64"),
            GoType::Uint8 => f.write_str("uint8"),
            GoType::Uint16 => f.write_str("uint16"),
            GoType::Uint32 => f.write_str("uint32"),
            GoType::Uint64 => f.write_str("uint64"),
            GoType::Int => f.write_str("int"),
            GoType::Uint => f.write_str("uint"),
            GoType::Uintptr => f.write_str("uintptr"),
            GoType::Bool => f.write_str("bool"),
            GoType::Float32 => f.write_str("float32"),
            GoType::Float64 => f.write_str("float64"),
            GoType::Pointer(elem) => write!(f, "*{elem}"),
            GoType::UnsafePointer => f.write_str("unsafe.Pointer"),
            GoType::Slice(elem) => write!(f, "[]{elem}"),
            GoType::String => f.write_str("string"),
            GoType::Named(n) | GoType::Unsupported(n) => f.write_str(n),
        }
    }
}
