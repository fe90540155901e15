//! Data sections (`.rodata.cst32`, `.rodata`, `.data`, `.bss`, …) assembled into bytes,
//! labels and symbolic values, as an ELF assembler would, before they become Go
//! `DATA`/`GLOBL` symbols.

use crate::parse::Expr;
use crate::source::Span;

/// The strongest alignment the output can guarantee and any instruction needs (AVX-512
/// aligned loads). Larger requests (`.p2align 12`) only matter for performance and are
/// capped, so a huge alignment never turns into a huge table (c2goasm's AVX2 bug).
pub const MAX_ALIGN: u64 = 64;

/// Largest `.bss` section: Go's linker rejects bigger symbols ("symbol too large").
pub const MAX_BSS_BYTES: u64 = 2_000_000_000;

/// Largest initialised section. Its bytes are held in memory and become `DATA` lines
/// (tens of millions at this size); a kernel's constant tables are kilobytes, and
/// `.zero 4000000000` in `.rodata` took 8 GB and half a minute.
pub const MAX_INITIALISED_BYTES: u64 = 256 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    Code,
    ReadOnly,
    Writable,
    Bss,
    /// Thread-local data: rejected where referenced.
    Tls,
    /// `.note*`, `.comment`, debug info…: contents ignored.
    Metadata,
}

/// A value in data that names a symbol (`.quad .L.str`, `.long .LBB0_3-.LJTI0_0`).
#[derive(Debug, Clone, PartialEq)]
pub struct DataValue {
    pub offset: u64,
    pub width: u8,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct DataSection {
    pub name: String,
    pub kind: SectionKind,
    /// Initialised bytes (empty for `.bss`, whose size is `bss_len`).
    pub bytes: Vec<u8>,
    bss_len: u64,
    /// Largest alignment requested, capped at [`MAX_ALIGN`].
    pub align: u64,
    pub labels: Vec<(String, u64)>,
    pub values: Vec<DataValue>,
}

impl DataSection {
    pub fn new(name: &str, kind: SectionKind) -> DataSection {
        DataSection {
            name: name.to_string(),
            kind,
            bytes: Vec::new(),
            bss_len: 0,
            align: 1,
            labels: Vec::new(),
            values: Vec::new(),
        }
    }

    pub fn len(&self) -> u64 {
        if self.kind == SectionKind::Bss {
            self.bss_len
        } else {
            self.bytes.len() as u64
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn add_label(&mut self, name: &str, offset: u64) {
        self.labels.push((name.to_string(), offset));
    }

    /// Pads to a multiple of `bytes` (capped at [`MAX_ALIGN`]) with `fill`.
    pub fn align(&mut self, bytes: u64, fill: u8) {
        let a = bytes.clamp(1, MAX_ALIGN);
        self.align = self.align.max(a);
        let pad = (a - self.len() % a) % a;
        self.zero(pad, fill);
    }

    /// Whether `size` more bytes stay within the section kind's limit
    /// ([`MAX_BSS_BYTES`], [`MAX_INITIALISED_BYTES`]); else the limit.
    pub fn room_for(&self, size: u64) -> Result<(), u64> {
        let limit = if self.kind == SectionKind::Bss {
            MAX_BSS_BYTES
        } else {
            MAX_INITIALISED_BYTES
        };
        if u128::from(self.len()) + u128::from(size) > u128::from(limit) {
            Err(limit)
        } else {
            Ok(())
        }
    }

    pub fn zero(&mut self, size: u64, fill: u8) {
        if self.kind == SectionKind::Bss {
            self.bss_len += size;
        } else {
            self.bytes.extend(std::iter::repeat_n(fill, size as usize));
        }
    }

    pub fn bytes(&mut self, data: &[u8]) {
        if self.kind == SectionKind::Bss {
            self.bss_len += data.len() as u64;
        } else {
            self.bytes.extend_from_slice(data);
        }
    }

    /// Appends a `width`-byte value: constants are stored little-endian now; symbolic values
    /// get a zero placeholder and are resolved once every label is known.
    pub fn value(&mut self, width: u8, value: Expr, span: Span) {
        let offset = self.len();
        match value.eval_const() {
            Some(v) => {
                let le = (v as u128).to_le_bytes();
                self.bytes(&le[..width as usize]);
            }
            None => {
                self.values.push(DataValue {
                    offset,
                    width,
                    value,
                    span,
                });
                self.zero(width as u64, 0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_pads_relative_to_section_start_and_is_capped() {
        let mut s = DataSection::new(".rodata", SectionKind::ReadOnly);
        s.bytes(&[1, 2, 3]);
        s.align(32, 0);
        assert_eq!(s.len(), 32);
        s.align(1 << 32, 0); // `.align 4294967296`-style request: capped, no blow-up
        assert_eq!(s.len(), 64);
        assert_eq!(s.align, MAX_ALIGN);
    }

    #[test]
    fn constants_are_little_endian_and_symbols_deferred() {
        let mut s = DataSection::new(".rodata.cst8", SectionKind::ReadOnly);
        s.value(8, Expr::Num(-9223372036854775808), Span::default());
        assert_eq!(s.bytes, vec![0, 0, 0, 0, 0, 0, 0, 0x80]);
        s.value(8, Expr::Sym(".L.str".into()), Span::default());
        assert_eq!(s.len(), 16);
        assert_eq!(s.values.len(), 1);
        assert_eq!(s.values[0].offset, 8);
    }

    #[test]
    fn bss_tracks_size_without_bytes() {
        let mut s = DataSection::new(".bss", SectionKind::Bss);
        s.zero(1 << 20, 0);
        assert_eq!(s.len(), 1 << 20);
        assert!(s.bytes.is_empty());
    }
}
