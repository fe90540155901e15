//! Data sections referenced by the code, as Go `DATA`/`GLOBL` symbols.

use super::object_file::{ObjectFile, SectionClass};
use crate::emit::model::{DataEntry, DataPlacement, DataSymbol};
use crate::lower::LowerError;

/// One data section as a Go symbol, byte for byte, with `patches` (offset, bytes) applied
/// (rewritten jump-table entries, see `table_dispatch`).
pub fn data_symbol(
    object: &ObjectFile,
    section: usize,
    name: &str,
    patches: &[(u64, Vec<u8>)],
) -> Result<DataSymbol, LowerError> {
    let sec = &object.sections[&section];
    if let Some(r) = sec.relocs.values().next() {
        return Err(LowerError::CodeAddressInData(format!(
            "{} (relocation type {})",
            sec.name, r.r_type
        )));
    }
    // Go aligns a data symbol to min(32, largest power of two ≤ size): a size of at least
    // the section's alignment gets that alignment (up to 32; arm64 loads do not need more).
    let size = sec.size.max(sec.align.min(32)).max(1);
    let mut data = sec.data.clone();
    for (offset, bytes) in patches {
        let at = *offset as usize;
        if let Some(dst) = data.get_mut(at..at + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
    }
    let mut entries = Vec::new();
    let mut off = 0usize;
    while off < data.len() {
        let width = [8usize, 4, 2, 1]
            .into_iter()
            .find(|w| off.is_multiple_of(*w) && off + w <= data.len())
            .unwrap_or(1);
        let mut value = 0u64;
        for (k, b) in data[off..off + width].iter().enumerate() {
            value |= (*b as u64) << (8 * k);
        }
        entries.push(DataEntry::Value {
            offset: off as u64,
            width: width as u8,
            value,
        });
        off += width;
    }
    Ok(DataSymbol {
        name: name.to_string(),
        size,
        placement: DataPlacement::Data {
            read_only: sec.class != SectionClass::Writable && sec.class != SectionClass::Zeroed,
        },
        entries,
        labels: vec![(sec.name.clone(), 0)],
    })
}
