//! Resolving symbol references (`.LCPI0_0+16`, `helper@PLT`, `x@GOTPCREL`) to what they
//! name in this file, and naming the Go symbols that replace them.

use rustc_hash::FxHashSet as HashSet;

use super::LowerError;
use super::program::{Program, SymbolDef};
use crate::parse::{Expr, SymbolRef};

/// What a symbol reference resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// `offset` bytes into the Go data symbol `go_name` (`rodata_cst32<>`).
    Data { go_name: String, offset: i64 },
    /// The entry of function `i` (+ addend, which must be 0 to be useful).
    Function(usize),
    /// A label inside function `func`.
    CodeLabel { func: usize, name: String },
}

/// How a symbol is used; decides which `@modifiers` are acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Target of a call or jump: `@PLT` is fine when the function is in this file.
    Branch,
    /// A memory operand, `offset sym`, or data.
    Address,
}

/// Go names for data sections and C functions: valid identifiers, unique in the file.
#[derive(Debug, Clone)]
pub struct GoNames {
    pub data: Vec<String>,
    pub functions: Vec<String>,
}

impl GoNames {
    pub fn new<I>(program: &Program<I>) -> GoNames {
        let mut taken = HashSet::default();
        let functions = program
            .functions
            .iter()
            .map(|f| unique(&mut taken, &sanitize(&f.name)) + "<>")
            .collect();
        let data = program
            .data
            .iter()
            .map(|d| unique(&mut taken, &sanitize(&d.name)) + "<>")
            .collect();
        GoNames { data, functions }
    }
}

/// A Go assembler identifier for `name`: leading dots dropped, other characters that are
/// not letters, digits or `_` replaced by `_`.
pub fn sanitize(name: &str) -> String {
    let trimmed = name.trim_start_matches('.');
    let mut s: String = trimmed
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'L');
    }
    s
}

/// The symbols the stack protector's canary code uses.
pub fn is_stack_protector_symbol(name: &str) -> bool {
    let base = name.split('@').next().unwrap_or(name);
    matches!(
        base,
        "__stack_chk_fail" | "__stack_chk_guard" | "__stack_chk_fail_local"
    )
}

pub fn unique(taken: &mut HashSet<String>, base: &str) -> String {
    let mut name = base.to_string();
    let mut n = 1;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

const GOT_MODIFIERS: &[&str] = &[
    "GOTPCREL",
    "GOTPCRELX",
    "REX_GOTPCRELX",
    "GOT",
    "GOTOFF",
    "GOTPLT",
];
const TLS_MODIFIERS: &[&str] = &[
    "TPOFF",
    "NTPOFF",
    "DTPOFF",
    "GOTTPOFF",
    "TLSGD",
    "TLSLD",
    "TLSDESC",
    "TLSCALL",
    "INDNTPOFF",
];

pub struct Resolver<'a, I> {
    pub program: &'a Program<I>,
    pub names: &'a GoNames,
}

impl<I> Resolver<'_, I> {
    /// Resolves `r` used as `usage`; errors name the symbol as written.
    pub fn resolve(&self, r: &SymbolRef, usage: Use) -> Result<Resolved, LowerError> {
        self.resolve_depth(&r.symbol, r.addend, usage, 0)
    }

    fn resolve_depth(
        &self,
        written: &str,
        addend: i64,
        usage: Use,
        depth: u32,
    ) -> Result<Resolved, LowerError> {
        let (name, modifier) = match written.split_once('@') {
            Some((n, m)) => (n, Some(m)),
            None => (written, None),
        };
        if is_stack_protector_symbol(name) {
            return Err(LowerError::StackProtector(written.to_string()));
        }
        if let Some(m) = modifier {
            let upper = m.to_ascii_uppercase();
            if TLS_MODIFIERS.contains(&upper.as_str()) {
                return Err(LowerError::Tls(written.to_string()));
            }
            if GOT_MODIFIERS.contains(&upper.as_str()) {
                return Err(LowerError::Got(written.to_string()));
            }
            let plt_ok = upper == "PLT" && usage == Use::Branch;
            if !plt_ok {
                return Err(LowerError::UnsupportedDataValue(written.to_string()));
            }
        }
        let Some(def) = self.program.symbols.get(name) else {
            if let Some(alias) = self.program.aliases.get(name)
                && depth < 16
                && let Some(r) = alias.as_symbol_ref()
            {
                return self.resolve_depth(&r.symbol, r.addend + addend, usage, depth + 1);
            }
            return Err(match (usage, modifier) {
                (Use::Branch, Some(_)) => LowerError::Plt(written.to_string()),
                (Use::Branch, None) => LowerError::ExternalCall(name.to_string()),
                (Use::Address, _) if name.starts_with(".LJTI") => {
                    LowerError::JumpTable(name.to_string())
                }
                (Use::Address, _) => LowerError::ExternalSymbol(name.to_string()),
            });
        };
        Ok(match *def {
            SymbolDef::Function(i) => Resolved::Function(i),
            SymbolDef::CodeLabel(func) => Resolved::CodeLabel {
                func,
                name: name.to_string(),
            },
            SymbolDef::Data { section, offset } => {
                if self.program.data[section].kind == super::data::SectionKind::Tls {
                    return Err(LowerError::Tls(written.to_string()));
                }
                if name.starts_with(".LJTI") {
                    return Err(LowerError::JumpTable(name.to_string()));
                }
                Resolved::Data {
                    go_name: self.names.data[section].clone(),
                    offset: offset as i64 + addend,
                }
            }
        })
    }

    /// A data value: a symbol address (`.quad .L.str+3`) or a constant difference of two
    /// labels in the same data section (`.long .LA-.LB`).
    pub fn data_value(&self, e: &Expr) -> Result<DataValue, LowerError> {
        if let Some(r) = e.as_symbol_ref() {
            return match self.resolve(&r, Use::Address)? {
                Resolved::Data { go_name, offset } => Ok(DataValue::Address { go_name, offset }),
                Resolved::Function(_) | Resolved::CodeLabel { .. } => {
                    Err(LowerError::CodeAddressInData(r.symbol))
                }
            };
        }
        let lookup = |s: &str| -> Option<i128> {
            match self.program.symbols.get(s)? {
                SymbolDef::Data { section, offset } => {
                    Some(((*section as i128) << 64) + *offset as i128)
                }
                _ => None,
            }
        };
        // Section indices sit in the high bits: a difference within one section leaves a
        // small number; anything else is rejected.
        if let Some(v) = e.eval(&lookup)
            && v.abs() < (1i128 << 63)
        {
            return Ok(DataValue::Constant(v));
        }
        let code = e.symbols().into_iter().find(|s| {
            matches!(
                self.program.symbols.get(*s),
                Some(SymbolDef::CodeLabel(_)) | Some(SymbolDef::Function(_))
            )
        });
        Err(match code {
            Some(s) => LowerError::CodeAddressInData(s.to_string()),
            None => LowerError::UnsupportedDataValue(e.to_string()),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataValue {
    Address { go_name: String, offset: i64 },
    Constant(i128),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_labels_and_section_names() {
        assert_eq!(sanitize(".LBB0_3"), "LBB0_3");
        assert_eq!(sanitize(".rodata.cst32"), "rodata_cst32");
        assert_eq!(sanitize(".L3"), "L3");
        assert_eq!(sanitize("foo.cold"), "foo_cold");
        assert_eq!(sanitize(".3"), "L3");
    }

    #[test]
    fn unique_names_get_suffixes() {
        let mut t = HashSet::default();
        assert_eq!(unique(&mut t, "a"), "a");
        assert_eq!(unique(&mut t, "a"), "a_1");
    }
}
