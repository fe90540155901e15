//! Ties each source instruction of a function to its machine word in the assembler's
//! object and decodes it with yaxpeax-arm.
//!
//! AArch64 instructions are 4 bytes each, so a function's layout follows from its start
//! (the ELF symbol) and the alignment directives; the result is checked against the symbol
//! size the assembler recorded, so a mismatch is an error rather than a silent shift.

use rustc_hash::FxHashMap as HashMap;

use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv8::a64::{InstDecoder, Instruction as Decoded};

use super::object_file::{ObjectFile, SymbolPlace};
use crate::lower::LowerError;
use crate::lower::program::{BodyItem, Function};
use crate::parse::arm64::Instruction as Source;
use crate::source::Span;

/// One instruction: where it is, its word, what it decodes to and what was written.
#[derive(Debug)]
pub struct Insn<'a> {
    pub offset: u64,
    pub word: u32,
    pub decoded: Decoded,
    pub span: Span,
    pub source: &'a Source,
}

#[derive(Debug)]
pub enum Node<'a> {
    Label(&'a str),
    Insn(Insn<'a>),
}

/// A function's code as placed by the assembler.
#[derive(Debug)]
pub struct FnCode<'a> {
    pub section: usize,
    pub start: u64,
    pub end: u64,
    pub nodes: Vec<Node<'a>>,
    /// Local labels by offset in the section (first one written wins).
    pub labels_at: HashMap<u64, &'a str>,
    /// Every local label's offset in the section.
    pub label_offsets: HashMap<&'a str, u64>,
}

impl FnCode<'_> {
    pub fn insns(&self) -> impl Iterator<Item = &Insn<'_>> {
        self.nodes.iter().filter_map(|n| match n {
            Node::Insn(i) => Some(i),
            Node::Label(_) => None,
        })
    }
}

fn decode(word: u32) -> Option<Decoded> {
    let bytes = word.to_le_bytes();
    let mut reader = U8Reader::new(&bytes);
    InstDecoder::default().decode(&mut reader).ok()
}

/// SVE/SME instructions that name no `z`/`p` register (so the parser lets them through)
/// but scale by the vector length; `addvl sp, sp, #-1` moves SP by an unknown amount.
const VECTOR_LENGTH_MNEMONICS: &[&str] = &[
    "addvl", "addpl", "addsvl", "addspl", "rdvl", "rdsvl", "cntb", "cnth", "cntw", "cntd", "incb",
    "inch", "incw", "incd", "decb", "dech", "decw", "decd", "smstart", "smstop",
];

/// A word the decoder does not know (newer NEON extensions: i8mm `usdot`/`smmla`, bf16,
/// fp16fml `fmlal`, `frint32x` …) is kept as opaque data processing — but only when the
/// source shows it cannot touch the stack pointer or be vector-length dependent. Every
/// PC-relative and SP-writing instruction is in the base ISA the decoder knows.
fn opaque(source: &Source) -> Option<Decoded> {
    let touches_sp = source.gprs().any(|(r, _)| r.is_sp);
    let vector_length = VECTOR_LENGTH_MNEMONICS.contains(&source.mnemonic.as_str());
    // A label or symbol operand means a PC-relative or relocated instruction (e.g. v8.8
    // `bc.eq`): its bytes must never be copied.
    let references_code_or_data = source.operands.iter().any(|o| {
        matches!(
            o.operand,
            crate::parse::arm64::Operand::Target(_) | crate::parse::arm64::Operand::Reloc(_)
        ) || matches!(
            &o.operand,
            crate::parse::arm64::Operand::Mem {
                offset: crate::parse::arm64::MemOffset::Reloc(_),
                ..
            }
        )
    });
    (!touches_sp && !vector_length && !references_code_or_data).then(Decoded::default)
}

/// Lays out `f` at its symbol in `object` and decodes every instruction.
pub fn place<'a>(
    f: &'a Function<Source>,
    object: &ObjectFile,
) -> Result<FnCode<'a>, Vec<(Span, LowerError)>> {
    let mismatch = |what: String| vec![(f.span, LowerError::LayoutMismatch(what))];
    let Some(&SymbolPlace {
        section,
        value: start,
        size,
    }) = object.symbols.get(&f.name)
    else {
        return Err(mismatch(format!("no symbol `{}` in the object", f.name)));
    };
    let Some(sec) = object.sections.get(&section) else {
        return Err(mismatch(format!("`{}` lies in no section", f.name)));
    };
    let mut offset = start;
    let mut nodes = Vec::with_capacity(f.body.len());
    let mut labels_at = HashMap::default();
    let mut label_offsets = HashMap::default();
    let mut errors = Vec::new();
    // Alignment after the last instruction pads towards the next function: not ours.
    let mut code_end = start;
    for item in &f.body {
        match &item.item {
            BodyItem::Label(name) => {
                labels_at.entry(offset).or_insert(name.as_str());
                label_offsets.insert(name.as_str(), offset);
                nodes.push(Node::Label(name.as_str()));
            }
            BodyItem::Align { bytes, max_skip } => {
                let pad = (bytes - offset % bytes) % bytes;
                if max_skip.is_none_or(|m| pad <= m) {
                    offset += pad;
                }
            }
            BodyItem::Instruction(source) => {
                let at = offset as usize;
                let Some(raw) = sec.data.get(at..at + 4) else {
                    return Err(mismatch(format!(
                        "`{}` runs past the end of its section",
                        f.name
                    )));
                };
                let word = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
                match decode(word).or_else(|| opaque(source)) {
                    Some(decoded) => nodes.push(Node::Insn(Insn {
                        offset,
                        word,
                        decoded,
                        span: item.span,
                        source,
                    })),
                    None => errors.push((item.span, LowerError::Undecodable(word))),
                }
                offset += 4;
                code_end = offset;
            }
        }
    }
    if size != 0 && code_end - start != size {
        errors.push((
            f.span,
            LowerError::LayoutMismatch(format!(
                "`{}` is {} bytes in the object but {} bytes by the source",
                f.name,
                size,
                code_end - start
            )),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(FnCode {
        section,
        start,
        end: code_end,
        nodes,
        labels_at,
        label_offsets,
    })
}
