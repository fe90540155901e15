//! Jump tables: the runs of data values by which compilers dispatch a dense `switch`, found
//! in the parsed data sections of a file (shared by both architectures).
//!
//! A jump table is a label in a data section followed by consecutive values of one width,
//! each naming a code label of one and the same function, all in one of the forms compilers
//! write:
//! - `.long .LBB0_3-.LJTI0_0` — the target minus the table itself (x86-64 PIC code: clang's
//!   `.LJTI`, GCC's `.L4: .long .L10-.L4`);
//! - `.quad .LBB0_3` — the target's absolute address (x86-64 non-PIC code);
//! - `.byte (.LBB0_3-.LBB0_2)>>2`, `.hword (.L3 - .Lrtx4) / 4` — the distance in
//!   instructions from an anchor label in the code (AArch64: clang's compressed tables,
//!   GCC's `casesi`); `.word .LBB1_5-.Ltmp0` — the distance in bytes (clang's AArch64
//!   tables when compression is off or does not fit).
//!
//! Finding a table says nothing about how the code uses it: each architecture proves that an
//! indirect jump goes through a table (`x86::table_dispatch`, `arm64::table_dispatch`) before
//! it trusts the table's targets as the jump's successors.

use rustc_hash::FxHashMap as HashMap;

use super::program::{Program, SymbolDef};
use crate::parse::Expr;
use crate::source::Span;

/// How an entry encodes its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryForm {
    /// `target - table`: the table's own address plus the entry is the target.
    TableRelative,
    /// `target`: an absolute address (needs a relocation per entry; non-PIC code).
    Absolute,
    /// `(target - anchor) >> 2` or `(target - anchor) / 4` (`unit` 4: instructions) or
    /// `target - anchor` (`unit` 1: bytes), `anchor` a label in the code.
    FromAnchor { anchor: String, unit: u8 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JumpTable {
    /// The table's label as written (`.LJTI0_0`, `.L4`).
    pub label: String,
    /// Index of its data section in [`Program::data`].
    pub section: usize,
    /// Offset of the first entry in that section.
    pub offset: u64,
    /// Bytes per entry.
    pub width: u8,
    pub form: EntryForm,
    /// The function every target lies in.
    pub function: usize,
    /// The target label of each entry, in order.
    pub targets: Vec<String>,
    /// Where the first entry is written.
    pub span: Span,
}

impl JumpTable {
    /// Bytes the table occupies.
    pub fn size(&self) -> u64 {
        self.targets.len() as u64 * u64::from(self.width)
    }

    /// Distinct targets in order of first appearance.
    pub fn distinct_targets(&self) -> Vec<&str> {
        let mut seen = rustc_hash::FxHashSet::default();
        self.targets
            .iter()
            .map(String::as_str)
            .filter(|t| seen.insert(*t))
            .collect()
    }
}

/// Every jump table of a file.
#[derive(Debug, Clone, Default)]
pub struct JumpTables {
    pub tables: Vec<JumpTable>,
    by_label: HashMap<String, usize>,
}

impl JumpTables {
    /// The jump tables in `program`'s data sections.
    pub fn find<I>(program: &Program<I>) -> JumpTables {
        let mut out = JumpTables::default();
        for (section, data) in program.data.iter().enumerate() {
            if data.values.is_empty() {
                continue;
            }
            // Labels by offset: those at one offset name the same place; the next offset
            // ends a table.
            let mut labels: Vec<(u64, &str)> =
                data.labels.iter().map(|(l, o)| (*o, l.as_str())).collect();
            labels.sort_by_key(|(o, _)| *o);
            let value_at: HashMap<u64, usize> = data
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| (v.offset, i))
                .collect();
            let mut k = 0;
            while k < labels.len() {
                let offset = labels[k].0;
                let same = labels[k..].iter().take_while(|(o, _)| *o == offset).count();
                let aliases: Vec<&str> = labels[k..k + same].iter().map(|(_, l)| *l).collect();
                let ends = labels.get(k + same).map_or(u64::MAX, |(o, _)| *o);
                k += same;
                let Some(&first) = value_at.get(&offset) else {
                    continue;
                };
                if let Some(table) = table_at(program, section, first, ends, &aliases) {
                    let index = out.tables.len();
                    for a in aliases {
                        out.by_label.insert(a.to_string(), index);
                    }
                    out.tables.push(table);
                }
            }
        }
        out
    }

    /// The table a data label names, if it is one.
    pub fn get(&self, label: &str) -> Option<&JumpTable> {
        self.by_label.get(label).map(|&i| &self.tables[i])
    }

    /// The index in [`JumpTables::tables`] of the table `label` names.
    pub fn index_of(&self, label: &str) -> Option<usize> {
        self.by_label.get(label).copied()
    }

    /// Whether the byte at `offset` of data section `section` belongs to one of the tables
    /// `which` (indices into [`JumpTables::tables`]).
    pub fn covers(&self, section: usize, offset: u64, which: &[usize]) -> bool {
        which.iter().any(|&i| {
            let t = &self.tables[i];
            t.section == section && (t.offset..t.offset + t.size()).contains(&offset)
        })
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }
}

/// `target` when `e` is `target - base` with `base` one of `bases`.
fn minus<'e>(e: &'e Expr, bases: &[&str]) -> Option<&'e str> {
    match e {
        Expr::Sub(a, b) => match (&**a, &**b) {
            (Expr::Sym(t), Expr::Sym(base)) if bases.contains(&base.as_str()) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// (target, form) of one entry.
fn entry(e: &Expr, table_labels: &[&str]) -> Option<(String, EntryForm)> {
    if let Some(t) = minus(e, table_labels) {
        return Some((t.to_string(), EntryForm::TableRelative));
    }
    if let Expr::Sym(t) = e {
        return Some((t.clone(), EntryForm::Absolute));
    }
    let (diff, unit) = match e {
        Expr::Shr(d, k) if **k == Expr::Num(2) => (&**d, 4),
        Expr::Div(d, k) if **k == Expr::Num(4) => (&**d, 4),
        Expr::Sub(..) => (e, 1),
        _ => return None,
    };
    match diff {
        Expr::Sub(a, b) => match (&**a, &**b) {
            (Expr::Sym(t), Expr::Sym(anchor)) => Some((
                t.clone(),
                EntryForm::FromAnchor {
                    anchor: anchor.clone(),
                    unit,
                },
            )),
            _ => None,
        },
        _ => None,
    }
}

/// The table whose first entry is `data.values[first]`, named `aliases[0]`; it ends before
/// offset `ends` (the next label).
fn table_at<I>(
    program: &Program<I>,
    section: usize,
    first: usize,
    ends: u64,
    aliases: &[&str],
) -> Option<JumpTable> {
    let data = &program.data[section];
    let offset = data.values[first].offset;
    let width = data.values[first].width;
    let mut form: Option<EntryForm> = None;
    let mut function: Option<usize> = None;
    let mut targets = Vec::new();
    let mut next = offset;
    for v in &data.values[first..] {
        if v.offset != next || v.width != width || v.offset >= ends {
            break;
        }
        let Some((target, f)) = entry(&v.value, aliases) else {
            break;
        };
        let Some(SymbolDef::CodeLabel(func)) = program.symbols.get(&target) else {
            break;
        };
        if form.as_ref().is_some_and(|known| *known != f) || function.is_some_and(|g| g != *func) {
            break;
        }
        if let EntryForm::FromAnchor { anchor, .. } = &f
            && program.symbols.get(anchor) != Some(&SymbolDef::CodeLabel(*func))
        {
            break;
        }
        form = Some(f);
        function = Some(*func);
        targets.push(target);
        next += u64::from(width);
    }
    Some(JumpTable {
        label: aliases.first()?.to_string(),
        section,
        offset,
        width,
        form: form?,
        function: function?,
        targets,
        span: data.values[first].span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::program::build_program;
    use crate::source::SourceFile;

    fn tables(asm: &str) -> JumpTables {
        let file = SourceFile::new("t.s", asm.to_string());
        let items = crate::parse::parse_x86(&file).expect("parses");
        let program = build_program(items).expect("lays out");
        JumpTables::find(&program)
    }

    #[test]
    fn clang_and_gcc_pic_tables_are_relative_to_themselves() {
        let t = tables(
            "\t.text\n\t.intel_syntax noprefix\n\t.globl f\n\t.type f,@function\nf:\n\
             \tlea rcx, [rip + .LJTI0_0]\n.LBB0_2:\n\tret\n.LBB0_3:\n\tret\n\
             \t.section .rodata,\"a\",@progbits\n\t.p2align 2, 0x0\n.LJTI0_0:\n\
             \t.long .LBB0_2-.LJTI0_0\n\t.long .LBB0_3-.LJTI0_0\n\t.long .LBB0_2-.LJTI0_0\n\
             .LJTI0_1:\n\t.long .LBB0_3-.LJTI0_1\n.Lstr:\n\t.long 7\n",
        );
        let a = t.get(".LJTI0_0").expect("first table");
        assert_eq!(a.form, EntryForm::TableRelative);
        assert_eq!(a.targets, [".LBB0_2", ".LBB0_3", ".LBB0_2"]);
        assert_eq!(a.distinct_targets(), [".LBB0_2", ".LBB0_3"]);
        assert_eq!((a.width, a.offset, a.function), (4, 0, 0));
        // The next label starts the next table: the first stops there.
        let b = t.get(".LJTI0_1").expect("second table");
        assert_eq!((b.offset, b.targets.len()), (12, 1));
        let both = [0, 1];
        assert!(t.covers(a.section, 11, &both) && t.covers(a.section, 12, &both));
        assert!(!t.covers(a.section, 16, &both) && !t.covers(a.section, 12, &[0]));
        assert!(t.get(".Lstr").is_none());
    }

    #[test]
    fn absolute_and_anchor_relative_forms() {
        let t = tables(
            "\t.text\n\t.globl f\n\t.type f,@function\nf:\n\tret\n.L3:\n\tret\n.Lrtx4:\n\tret\n\
             \t.section .rodata\n.L4:\n\t.quad .L3\n\t.quad .Lrtx4\n\
             .L5:\n\t.byte (.L3 - .Lrtx4) / 4\n\t.byte (.Lrtx4-.L3)>>2\n\
             .L6:\n\t.long .L3-.Lrtx4\n\t.long .Lrtx4-.Lrtx4\n",
        );
        assert_eq!(t.get(".L4").map(|t| &t.form), Some(&EntryForm::Absolute));
        // Two anchors: the run stops where the anchor changes.
        let w = t.get(".L5").expect("anchor table");
        assert_eq!(
            w.form,
            EntryForm::FromAnchor {
                anchor: ".Lrtx4".into(),
                unit: 4
            }
        );
        assert_eq!(w.targets, [".L3"]);
        // Bytes from a code label: AArch64 tables without compression.
        let b = t.get(".L6").expect("byte-offset table");
        assert_eq!(
            b.form,
            EntryForm::FromAnchor {
                anchor: ".Lrtx4".into(),
                unit: 1
            }
        );
        assert_eq!(b.targets.len(), 2);
    }

    #[test]
    fn data_that_names_no_code_is_not_a_table() {
        let t = tables(
            "\t.text\n\t.globl f\n\t.type f,@function\nf:\n\tret\n\t.globl g\n\t.type g,@function\n\
             g:\n.Lg:\n\tret\n\t.data\n.Lp:\n\t.quad .Lq\n.Lq:\n\t.quad 0\n.Lx:\n\t.quad f\n",
        );
        assert!(t.is_empty(), "{t:?}");
    }
}
