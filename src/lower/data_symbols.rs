//! Data sections → Go data symbols, with the alignment they ask for honoured.
//!
//! Go aligns a `DATA`/`GLOBL` symbol to min(32, largest power of two ≤ size): sizes are
//! padded to the requested alignment so up to 32 bytes is guaranteed. 64-byte alignment
//! (AVX-512 aligned loads of `.p2align 6` pools) is impossible for Go data symbols, so such
//! read-only sections go into a TEXT symbol that starts with `PCALIGN $64`, which raises
//! the symbol's alignment.

use super::LowerError;
use super::data::{DataSection, SectionKind};
use super::symbols::{DataValue, Resolver};
use crate::emit::model::{DataEntry, DataPlacement, DataSymbol};
use crate::source::Span;

/// Largest alignment Go guarantees for data symbols.
const GO_DATA_MAX_ALIGN: u64 = 32;

/// `in_jump_table(offset)` tells which values belong to jump tables: those are translated
/// into the code that dispatches through them (`jump_tables`), and left zero here.
pub fn data_symbol<I>(
    section: &DataSection,
    go_name: &str,
    resolver: &Resolver<'_, I>,
    in_jump_table: &dyn Fn(u64) -> bool,
) -> Result<Option<DataSymbol>, (Span, LowerError)> {
    if section.is_empty() {
        return Ok(None);
    }
    let align = section.align.max(1);
    let size = section.len().div_ceil(align) * align;
    let placement = match section.kind {
        SectionKind::ReadOnly if align > GO_DATA_MAX_ALIGN => DataPlacement::Text { align },
        SectionKind::ReadOnly => DataPlacement::Data { read_only: true },
        SectionKind::Writable | SectionKind::Bss if align <= GO_DATA_MAX_ALIGN => {
            DataPlacement::Data { read_only: false }
        }
        _ => {
            return Err((
                section.values.first().map(|v| v.span).unwrap_or_default(),
                LowerError::UnsupportedDirective(format!(
                    "writable section `{}` aligned to {align} bytes",
                    section.name
                )),
            ));
        }
    };
    // `.bss` has no bytes to write (and may be gigabytes), unless values were put in it.
    let mut bytes = if section.kind == SectionKind::Bss && section.values.is_empty() {
        Vec::new()
    } else {
        let mut b = section.bytes.clone();
        b.resize(size as usize, 0);
        b
    };
    let mut entries = Vec::new();
    let mut addresses = Vec::new();
    for v in section.values.iter().filter(|v| !in_jump_table(v.offset)) {
        match resolver.data_value(&v.value).map_err(|e| (v.span, e))? {
            DataValue::Constant(c) => {
                let le = (c as u128).to_le_bytes();
                let o = v.offset as usize;
                bytes[o..o + v.width as usize].copy_from_slice(&le[..v.width as usize]);
            }
            DataValue::Address { go_name, offset } => {
                if v.width != 8 || matches!(placement, DataPlacement::Text { .. }) {
                    return Err((
                        v.span,
                        LowerError::UnsupportedDataValue(format!(
                            "{}-byte address of `{}`",
                            v.width, v.value
                        )),
                    ));
                }
                addresses.push((v.offset, go_name, offset));
            }
        }
    }
    if section.kind != SectionKind::Bss {
        let mut offset = 0usize;
        while offset < bytes.len() {
            let rest = bytes.len() - offset;
            let width = [8usize, 4, 2, 1]
                .into_iter()
                .find(|w| *w <= rest && offset.is_multiple_of(*w))
                .unwrap_or(1);
            let mut value = 0u64;
            for (i, b) in bytes[offset..offset + width].iter().enumerate() {
                value |= (*b as u64) << (8 * i);
            }
            let is_address = addresses.iter().any(|(o, _, _)| *o as usize == offset);
            if value != 0 && !is_address {
                entries.push(DataEntry::Value {
                    offset: offset as u64,
                    width: width as u8,
                    value,
                });
            }
            offset += width;
        }
    }
    for (offset, target, addend) in addresses {
        entries.push(DataEntry::Address {
            offset,
            target,
            addend,
        });
    }
    entries.sort_by_key(|e| match e {
        DataEntry::Value { offset, .. } | DataEntry::Address { offset, .. } => *offset,
    });
    Ok(Some(DataSymbol {
        name: go_name.to_string(),
        size: size.max(align),
        placement,
        entries,
        labels: section.labels.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::program::Program;
    use crate::lower::symbols::GoNames;
    use rustc_hash::FxHashMap as HashMap;

    fn placed(section: &DataSection) -> DataSymbol {
        let program: Program<()> = Program {
            functions: Vec::new(),
            data: vec![section.clone()],
            symbols: HashMap::default(),
            aliases: HashMap::default(),
        };
        let names = GoNames::new(&program);
        let resolver = Resolver {
            program: &program,
            names: &names,
        };
        data_symbol(section, "pool<>", &resolver, &|_| false)
            .expect("placed")
            .expect("non-empty")
    }

    #[test]
    fn sixty_four_byte_pools_go_into_an_aligned_text_symbol() {
        let mut s = DataSection::new(".rodata.cst64", SectionKind::ReadOnly);
        s.align(64, 0);
        s.bytes(&[7u8; 64]);
        let d = placed(&s);
        assert_eq!(d.placement, DataPlacement::Text { align: 64 });
        assert_eq!(d.size, 64);
    }

    #[test]
    fn smaller_alignments_pad_the_size_so_go_aligns_the_symbol() {
        // Go aligns a data symbol to min(32, largest power of two <= size).
        let mut s = DataSection::new(".rodata.cst32", SectionKind::ReadOnly);
        s.align(32, 0);
        s.bytes(&[1u8; 8]);
        let d = placed(&s);
        assert_eq!(d.placement, DataPlacement::Data { read_only: true });
        assert_eq!(d.size, 32);
        assert_eq!(
            d.entries,
            vec![DataEntry::Value {
                offset: 0,
                width: 8,
                value: 0x0101010101010101
            }]
        );
    }

    #[test]
    fn bss_is_writable_and_has_no_data() {
        let mut s = DataSection::new(".bss", SectionKind::Bss);
        s.align(16, 0);
        s.zero(100, 0);
        let d = placed(&s);
        assert_eq!(d.placement, DataPlacement::Data { read_only: false });
        assert!(d.entries.is_empty());
        assert_eq!(d.size, 112);
    }
}
