//! What lowering needs from the assembler's ELF object, read with the `object` crate:
//! section bytes and alignment, symbol addresses and sizes, and relocations with their
//! targets resolved to (section, offset) where the file defines them.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use object::{
    Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget, SectionKind, SymbolKind,
};

/// Where a relocation (or symbol) points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `offset` bytes into the section with ELF index `section` (may be negative or past the
    /// end with odd addends; users check).
    Local { section: usize, offset: i64 },
    /// A symbol this file does not define.
    Undefined(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloc {
    /// `R_AARCH64_*` number.
    pub r_type: u32,
    pub target: Target,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionClass {
    Code,
    ReadOnly,
    Writable,
    Zeroed,
    Other,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    pub class: SectionClass,
    pub align: u64,
    pub size: u64,
    /// Empty for zero-initialised sections.
    pub data: Vec<u8>,
    /// By offset in the section.
    pub relocs: BTreeMap<u64, Reloc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymbolPlace {
    pub section: usize,
    pub value: u64,
    pub size: u64,
}

#[derive(Debug, Clone, Default)]
pub struct ObjectFile {
    /// By ELF section index.
    pub sections: HashMap<usize, Section>,
    /// Defined, named symbols (functions, objects) by name.
    pub symbols: HashMap<String, SymbolPlace>,
}

pub mod r_type {
    pub const ABS64: u32 = 257;
    pub const ABS32: u32 = 258;
    pub const LD_PREL_LO19: u32 = 273;
    pub const ADR_PREL_LO21: u32 = 274;
    pub const ADR_PREL_PG_HI21: u32 = 275;
    pub const ADR_PREL_PG_HI21_NC: u32 = 276;
    pub const ADD_ABS_LO12_NC: u32 = 277;
    pub const LDST8_ABS_LO12_NC: u32 = 278;
    pub const TSTBR14: u32 = 279;
    pub const CONDBR19: u32 = 280;
    pub const JUMP26: u32 = 282;
    pub const CALL26: u32 = 283;
    pub const LDST16_ABS_LO12_NC: u32 = 284;
    pub const LDST32_ABS_LO12_NC: u32 = 285;
    pub const LDST64_ABS_LO12_NC: u32 = 286;
    pub const LDST128_ABS_LO12_NC: u32 = 299;
    pub const ADR_GOT_PAGE: u32 = 311;
    pub const LD64_GOT_LO12_NC: u32 = 312;
    /// TLS relocations start here (TLSGD, TLSLD, TLSIE, TLSLE, TLSDESC).
    pub const TLS_FIRST: u32 = 512;
}

fn classify(kind: SectionKind) -> SectionClass {
    match kind {
        SectionKind::Text => SectionClass::Code,
        SectionKind::ReadOnlyData
        | SectionKind::ReadOnlyString
        | SectionKind::ReadOnlyDataWithRel => SectionClass::ReadOnly,
        SectionKind::Data => SectionClass::Writable,
        SectionKind::UninitializedData => SectionClass::Zeroed,
        _ => SectionClass::Other,
    }
}

/// Reads an ELF relocatable object.
pub fn read_object(bytes: &[u8]) -> Result<ObjectFile, String> {
    let file = object::File::parse(bytes).map_err(|e| e.to_string())?;
    let mut out = ObjectFile::default();
    for sym in file.symbols() {
        if sym.kind() == SymbolKind::Section || sym.is_undefined() {
            continue;
        }
        let (Ok(name), Some(section)) = (sym.name(), sym.section_index()) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        out.symbols.insert(
            name.to_string(),
            SymbolPlace {
                section: section.0,
                value: sym.address(),
                size: sym.size(),
            },
        );
    }
    for sec in file.sections() {
        let class = classify(sec.kind());
        let mut relocs = BTreeMap::new();
        for (offset, rel) in sec.relocations() {
            let RelocationFlags::Elf { r_type } = rel.flags() else {
                return Err("not an ELF relocation".into());
            };
            let target = match rel.target() {
                RelocationTarget::Symbol(idx) => {
                    let sym = file.symbol_by_index(idx).map_err(|e| e.to_string())?;
                    match sym.section_index() {
                        Some(s) if !sym.is_undefined() => Target::Local {
                            section: s.0,
                            offset: sym.address() as i64 + rel.addend(),
                        },
                        _ => Target::Undefined(sym.name().unwrap_or("?").to_string()),
                    }
                }
                _ => Target::Undefined("?".into()),
            };
            relocs.insert(offset, Reloc { r_type, target });
        }
        let data = if class == SectionClass::Zeroed {
            Vec::new()
        } else {
            sec.data().map_err(|e| e.to_string())?.to_vec()
        };
        out.sections.insert(
            sec.index().0,
            Section {
                name: sec.name().unwrap_or("").to_string(),
                class,
                align: sec.align(),
                size: sec.size(),
                data,
                relocs,
            },
        );
    }
    Ok(out)
}
