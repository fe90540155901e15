//! What the parser produces: one [`Located`] item per label, directive or instruction,
//! with its position. Instructions are architecture-specific (`I`).

use super::expr::Expr;
use crate::source::Span;

/// A parsed item and where it starts in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub item: T,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item<I> {
    /// `name:` — a symbol or local label definition.
    Label(String),
    Directive(Directive),
    Instruction(I),
}

/// Alignment directive flavours; all are normalised to a byte count in [`Directive::Align`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlignKind {
    /// `.p2align n` (2^n bytes).
    P2Align,
    /// `.balign n` and, on ELF x86 / AArch64 GAS, `.align n` (n bytes).
    Bytes,
}

/// Symbol binding or visibility directives that only annotate a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolAttr {
    Globl,
    Local,
    Weak,
    Hidden,
    Protected,
    Internal,
}

/// A directive, typed. Anything the parser does not know becomes [`Directive::Unknown`] so
/// the lowering stage can reject it with a position (never silently dropped).
#[derive(Debug, Clone, PartialEq)]
pub enum Directive {
    /// `.text`, `.data`, `.bss`, `.section name[,"flags"[,@type[,entsize]]]`.
    /// The short forms are normalised to `name` = ".text" / ".data" / ".bss".
    Section {
        name: String,
        flags: Option<String>,
        kind: Option<String>,
        entsize: Option<u64>,
    },
    /// `.pushsection` / `.popsection` / `.previous`.
    PushSection {
        name: String,
        flags: Option<String>,
        kind: Option<String>,
    },
    PopSection,
    Previous,
    Symbol {
        attr: SymbolAttr,
        names: Vec<String>,
    },
    /// `.type sym,@function` (`kind` without the `@`/`%`: "function", "object", …).
    Type {
        symbol: String,
        kind: String,
    },
    /// `.size sym, expr`.
    Size {
        symbol: String,
        size: Expr,
    },
    /// Alignment; `bytes` already converted (e.g. `.p2align 5` → 32).
    Align {
        kind: AlignKind,
        bytes: u64,
        fill: Option<u8>,
        max_skip: Option<u64>,
    },
    /// `.byte`, `.short`/`.value`/`.2byte`/`.word`, `.long`/`.int`/`.4byte`, `.quad`/`.8byte`:
    /// `width` in bytes (1, 2, 4, 8). GAS x86 `.word` is 2 bytes.
    Data {
        width: u8,
        values: Vec<Expr>,
    },
    /// `.float`/`.single` (4) and `.double` (8), already as IEEE bits.
    Float {
        width: u8,
        bits: Vec<u64>,
    },
    /// `.zero n`, `.space n[, fill]`, `.skip n[, fill]`.
    Zero {
        size: u64,
        fill: u8,
    },
    /// `.ascii`, `.asciz`/`.string` (with `zero_terminated`), escapes decoded.
    Ascii {
        bytes: Vec<u8>,
        zero_terminated: bool,
    },
    /// `.comm sym, size[, align]` / `.lcomm sym, size[, align]`.
    Common {
        symbol: String,
        size: u64,
        align: Option<u64>,
        local: bool,
    },
    /// `.set sym, expr` / `.equ sym, expr` / `sym = expr`.
    Set {
        symbol: String,
        value: Expr,
    },
    /// `.intel_syntax noprefix`; `prefix` is true for the (unsupported) `prefix` form.
    IntelSyntax {
        prefix: bool,
    },
    /// `.att_syntax` — the file switches to AT&T syntax (unsupported).
    AttSyntax,
    /// Directives with no effect on the generated code: `.file`, `.ident`, `.addrsig`,
    /// `.addrsig_sym`, `.loc`, `.cfi_*`, `.note.GNU-stack` markers… The name is kept for tests.
    Ignored(String),
    /// Anything else: rejected by lowering with its position.
    Unknown {
        name: String,
        args: String,
    },
}
