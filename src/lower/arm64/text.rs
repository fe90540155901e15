//! The Go text of lowered C code: a body with the labels that are jumped to, and the TEXT
//! symbol of a C function that wrappers and other C functions call.

use rustc_hash::FxHashSet as HashSet;

use super::code::Node;
use super::pipeline::Prepared;
use super::rewrite::{Flow, go_label};
use super::stack::StackSummary;
use super::wrapper::RETURN_LABEL;
use crate::emit::model::{GoInstr, GoOperand, Line, TextSymbol};
use crate::lower::program::Program;
use crate::parse::arm64::Instruction as Source;

/// The lowered body with the labels that are jumped to; `inline` turns returns into jumps
/// to the wrapper's epilogue.
pub(super) fn body_lines(p: &Prepared<'_>, inline: bool) -> Vec<Line> {
    let targets: HashSet<u64> = p
        .lowered
        .iter()
        .filter_map(|l| match l.flow {
            Flow::Jump(o) | Flow::CondJump(o) => Some(o),
            _ => None,
        })
        .chain(
            p.tables
                .ladders
                .iter()
                .flat_map(|l| l.slots.iter().copied()),
        )
        .collect();
    let mut lines = Vec::with_capacity(p.lowered.len() + 8);
    let mut lowered = p.lowered.iter();
    let mut emitted_labels = HashSet::default();
    let mut offset_of_next = p.code.insns().map(|i| i.offset);
    let mut next_offset = offset_of_next.next();
    for node in &p.code.nodes {
        match node {
            Node::Label(name) => {
                // A label names the offset of the instruction that follows it.
                if let Some(off) = next_offset
                    && targets.contains(&off)
                    && p.code.labels_at.get(&off) == Some(name)
                    && emitted_labels.insert(off)
                {
                    lines.push(Line::Label(go_label(name).into()));
                }
            }
            Node::Insn(_) => {
                next_offset = offset_of_next.next();
                let l = lowered.next().expect("one lowering per instruction");
                if inline && l.flow == Flow::Return {
                    let comment = match &l.line {
                        Line::Native { comment, .. } => comment.clone(),
                        _ => None,
                    };
                    lines.push(Line::Native {
                        instr: GoInstr::new("JMP", vec![GoOperand::Label(RETURN_LABEL.into())]),
                        comment,
                    });
                } else {
                    lines.push(l.line.clone());
                }
            }
        }
    }
    // Jump-table ladders: after the body, where control never falls.
    for ladder in &p.tables.ladders {
        lines.extend(ladder.lines(&|off| super::table_dispatch::label_at(&p.code, off)));
    }
    lines
}

/// The TEXT symbol of a C function called from a wrapper or another C function.
pub(super) fn c_text(
    p: &Prepared<'_>,
    name: &str,
    program: &Program<Source>,
    f: usize,
    stack: StackSummary,
) -> TextSymbol {
    let mut lines = Vec::new();
    if stack.max_depth > 0 || !p.calls.is_empty() {
        // The C code moves SP and LR in ways Go's pc→SP table cannot describe: a native SP
        // write makes the function SPWRITE, so tracebacks stop here instead of misreading.
        lines.push(Line::Native {
            instr: GoInstr::new("MOVD", vec![GoOperand::Reg("RSP"), GoOperand::Reg("RSP")]),
            comment: Some("mark SPWRITE: stack use is opaque to Go's unwinder".into()),
        });
    }
    lines.extend(body_lines(p, false));
    TextSymbol {
        name: name.to_string(),
        flags: "NOSPLIT|NOFRAME",
        frame_size: 0,
        args_size: None,
        doc: vec![format!("C function {}", program.functions[f].name)],
        lines,
    }
}
