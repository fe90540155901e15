//! Go ABI0 frame layout of a declaration: every C-visible scalar with its `name+off(FP)`.

use super::decl::GoFunc;

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

/// Lays out `func` per Go ABI0 (go-abi-rules.md §1).
pub fn layout(func: &GoFunc) -> FrameLayout {
    let _ = func;
    todo!("implemented by the ABI layout")
}
