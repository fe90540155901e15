//! Fixed layout of a function that dispatches through jump tables: every byte of its TEXT
//! symbol is placed by this module, so the distance between any two labels is known, and
//! the tables move into the TEXT as offsets computed from that layout.
//!
//! Why this is needed: a table entry is the distance from the table to a case label, and
//! Go's assembler sizes every native `JMP`/`Jcc` itself (2 or 5/6 bytes), so in the usual
//! output (native jumps between raw bytes) no distance between two labels is known to the
//! translator. Here nothing whose size Go chooses lies between two points whose distance
//! is used:
//!
//! - Jumps to labels are raw bytes: the short or near form is chosen by relaxation (start
//!   short, lengthen any jump whose displacement does not fit, repeat until nothing
//!   changes: every iteration only lengthens, so it ends, and in the last one every short
//!   displacement fits by check).
//! - The instructions Go must encode itself because they carry a relocation (`CALL f<>`,
//!   `JMP f<>`, `LEAQ sym(SB)`) each sit in a *cell*: `PCALIGN $16; INSTR; PCALIGN $16`.
//!   An x86 instruction is 1 to 15 bytes and the cell starts 16-aligned, so the cell ends
//!   exactly 16 bytes after its start whatever encoding Go picks. `PCALIGN` aligns relative
//!   to the symbol's start (cmd/internal/obj `AlignmentPaddingLength`), and the layout
//!   starts with a `PCALIGN $64` of its own, so its offsets are congruent to Go's modulo 64
//!   even if Go placed something before it (it does not, for a `NOSPLIT|NOFRAME` `$0`
//!   TEXT); that `PCALIGN` also raises the function's alignment to 64 (`requireAlignment`),
//!   which only matters for speed. Go's jump padding (the JCC-erratum NOPs) is off for assembly files (asm6.go
//!   `makePjcCtx`), and even with it a 5-byte jump in a 16-aligned cell cannot cross a
//!   32-byte boundary.
//! - Code alignment (`.p2align`) becomes raw NOPs computed from the layout's offsets.
//! - The `lea reg, [rip + table]` stays a raw RIP-relative `lea` whose displacement is the
//!   distance to the table, which is placed after the code in the same TEXT (entries
//!   `target - table`, exactly what the compiler's table held, so the `movsxd`/`add`/`jmp`
//!   that follow are unchanged machine code).
//!
//! The native SP write that marks the function SPWRITE goes after the tables: whether a
//! function is SPWRITE is decided from its instructions, not from where they run.

use rustc_hash::FxHashMap as HashMap;

use iced_x86::{Code, Encoder, Instruction, MemoryOperand, Register};

use super::assemble::encode;
use super::classify::Kind;
use super::function::{Failure, Node, Prepared};
use super::liveness::Liveness;
use super::registers::{GprSet, go_name};
use crate::emit::model::{Comment, GoInstr, GoOperand, Label, Line, MachineCode, TextSymbol};
use crate::lower::LowerError;
use crate::lower::symbols::GoNames;

/// Size and alignment of a cell holding one native instruction.
pub const CELL: u64 = 16;

/// Alignment of the layout's start (and of its tables). Cells need 16; a cache line makes
/// the code's position relative to 64-byte fetch blocks the same in every build (a C
/// function placed at a 64-byte boundary), instead of whatever the linker's 32-byte
/// function alignment gives: hot dispatch loops measured up to 1.5× slower when a
/// different placement made them straddle a line.
pub const ORIGIN: u64 = 64;

/// One element of the layout, in order.
#[derive(Debug, Clone)]
enum Piece {
    Label(Label),
    Align {
        bytes: u64,
        max_skip: Option<u64>,
    },
    Raw {
        bytes: MachineCode,
        comment: Option<Comment>,
    },
    /// A jump to a label: `code` is any form of the branch (short or near chosen here).
    Jump {
        code: Code,
        target: Label,
        comment: Option<Comment>,
    },
    /// A native instruction in a [`CELL`].
    Cell {
        instr: GoInstr,
        comment: Option<Comment>,
    },
    /// `lea dst, [rip + table]`.
    TableLea {
        dst: Register,
        table: usize,
        comment: Option<Comment>,
    },
    /// A jump table: 4-byte entries `target - table`.
    Table {
        table: usize,
        name: String,
        entries: Vec<Label>,
    },
}

/// Where everything landed: each piece's start (after the alignment a cell or table
/// does itself) and end; labels' and tables' offsets through [`Index`].
#[derive(Debug, Default)]
struct Placement {
    start: Vec<u64>,
    end: Vec<u64>,
}

/// The piece each label and table is, found once (relaxation places pieces many times).
#[derive(Debug, Default)]
struct Index {
    labels: HashMap<Label, usize>,
    tables: HashMap<usize, usize>,
}

impl Index {
    fn new(pieces: &[Piece]) -> Index {
        let mut index = Index::default();
        for (k, p) in pieces.iter().enumerate() {
            match p {
                Piece::Label(l) => {
                    index.labels.insert(l.clone(), k);
                }
                Piece::Table { table, .. } => {
                    index.tables.insert(*table, k);
                }
                _ => {}
            }
        }
        index
    }

    fn label(&self, placed: &Placement, l: &Label) -> Result<u64, LowerError> {
        self.labels
            .get(l)
            .map(|&k| placed.start[k])
            .ok_or_else(|| LowerError::UnsupportedInstruction(format!("label {l}")))
    }

    fn table(&self, placed: &Placement, t: usize) -> Result<u64, LowerError> {
        self.tables
            .get(&t)
            .map(|&k| placed.start[k])
            .ok_or_else(|| LowerError::UnsupportedInstruction(format!("table {t}")))
    }
}

fn align_up(x: u64, a: u64) -> u64 {
    x.div_ceil(a) * a
}

/// Padding an `Align` piece adds at `off` (GAS semantics for `max_skip`).
fn padding(off: u64, bytes: u64, max_skip: Option<u64>) -> u64 {
    let pad = (bytes - off % bytes) % bytes;
    if max_skip.is_none_or(|m| pad <= m) {
        pad
    } else {
        0
    }
}

fn encoded_branch(code: Code, ip: u64, target: u64) -> Result<Vec<u8>, LowerError> {
    let ins = Instruction::with_branch(code, target)
        .map_err(|e| LowerError::UnsupportedInstruction(e.to_string()))?;
    let mut enc = Encoder::new(64);
    enc.encode(&ins, ip)
        .map_err(|e| LowerError::UnsupportedInstruction(format!("branch out of range: {e}")))?;
    Ok(enc.take_buffer())
}

fn branch_len(code: Code) -> Result<u64, LowerError> {
    Ok(encoded_branch(code, 0x1000, 0x1000)?.len() as u64)
}

/// `lea dst, [rip + table]`: REX.W, 8D, ModRM, disp32.
const TABLE_LEA_LEN: u64 = 7;

fn table_lea(dst: Register, ip: u64, table: u64) -> Result<Vec<u8>, LowerError> {
    let ins = Instruction::with2(
        Code::Lea_r64_m,
        dst,
        MemoryOperand::with_base_displ(Register::RIP, table as i64),
    )
    .map_err(|e| LowerError::UnsupportedInstruction(e.to_string()))?;
    let mut enc = Encoder::new(64);
    enc.encode(&ins, ip)
        .map_err(|e| LowerError::UnsupportedInstruction(e.to_string()))?;
    let bytes = enc.take_buffer();
    debug_assert_eq!(bytes.len() as u64, TABLE_LEA_LEN);
    Ok(bytes)
}

/// Offsets of every piece, with the jumps marked in `long` in their near form (`lens`
/// holds each jump's short and near length).
fn place(pieces: &[Piece], long: &[bool], lens: &[(u64, u64)]) -> Placement {
    let mut p = Placement {
        start: Vec::with_capacity(pieces.len()),
        end: Vec::with_capacity(pieces.len()),
    };
    let mut off = 0u64;
    for (k, piece) in pieces.iter().enumerate() {
        let (start, len) = match piece {
            Piece::Label(_) => (off, 0),
            Piece::Align { bytes, max_skip } => (off, padding(off, *bytes, *max_skip)),
            Piece::Raw { bytes, .. } => (off, bytes.len() as u64),
            Piece::Jump { .. } => (off, if long[k] { lens[k].1 } else { lens[k].0 }),
            Piece::Cell { .. } => (align_up(off, CELL), CELL),
            Piece::TableLea { .. } => (off, TABLE_LEA_LEN),
            // Tables share no cache line with code.
            Piece::Table { entries, .. } => (align_up(off, ORIGIN), 4 * entries.len() as u64),
        };
        p.start.push(start);
        p.end.push(start + len);
        off = start + len;
    }
    p
}

/// Chooses short or near forms until every jump reaches its target.
fn relax(pieces: &[Piece], index: &Index) -> Result<(Placement, Vec<bool>), LowerError> {
    let mut known: HashMap<Code, u64> = HashMap::default();
    let mut len_of = |code: Code| -> Result<u64, LowerError> {
        if let Some(l) = known.get(&code) {
            return Ok(*l);
        }
        let l = branch_len(code)?;
        known.insert(code, l);
        Ok(l)
    };
    let mut lens = vec![(0, 0); pieces.len()];
    let mut targets = vec![usize::MAX; pieces.len()];
    for (k, piece) in pieces.iter().enumerate() {
        if let Piece::Jump { code, target, .. } = piece {
            lens[k] = (
                len_of(code.as_short_branch())?,
                len_of(code.as_near_branch())?,
            );
            targets[k] = *index
                .labels
                .get(target)
                .ok_or_else(|| LowerError::UnsupportedInstruction(format!("label {target}")))?;
        }
    }
    let mut long = vec![false; pieces.len()];
    loop {
        let placed = place(pieces, &long, &lens);
        let mut grew = false;
        for (k, piece) in pieces.iter().enumerate() {
            let Piece::Jump { code, target, .. } = piece else {
                continue;
            };
            if long[k] {
                continue;
            }
            let disp = placed.start[targets[k]] as i64 - placed.end[k] as i64;
            if i8::try_from(disp).is_err() {
                if code.as_near_branch() == code.as_short_branch() {
                    return Err(LowerError::UnsupportedInstruction(format!(
                        "{code:?} to {target}: {disp} bytes is out of its range"
                    )));
                }
                long[k] = true;
                grew = true;
            }
        }
        if !grew {
            return Ok((placed, long));
        }
    }
}

/// Recommended multi-byte NOPs (Intel SDM, `NOP`), by length.
const NOPS: [&[u8]; 9] = [
    &[0x90],
    &[0x66, 0x90],
    &[0x0f, 0x1f, 0x00],
    &[0x0f, 0x1f, 0x40, 0x00],
    &[0x0f, 0x1f, 0x44, 0x00, 0x00],
    &[0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
    &[0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
    &[0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
    &[0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];

fn push_nops(lines: &mut Vec<Line>, mut n: u64) {
    while n > 0 {
        let k = n.min(NOPS.len() as u64) as usize;
        lines.push(raw(NOPS[k - 1], None));
        n -= k as u64;
    }
}

fn raw(bytes: &[u8], comment: Option<Comment>) -> Line {
    Line::Raw {
        bytes: MachineCode::new(bytes).expect("at most one instruction's bytes"),
        comment,
    }
}

fn native(op: &'static str, operands: Vec<GoOperand>) -> GoInstr {
    GoInstr::new(op, operands)
}

fn pcalign() -> Line {
    Line::Native {
        instr: native("PCALIGN", vec![GoOperand::Imm(CELL as i64)]),
        comment: None,
    }
}

/// The pieces of `p`'s body, in order, with conditional tail calls' trampolines after it.
fn pieces(
    p: &Prepared,
    names: &GoNames,
    liveness: &Liveness,
    strip_comments: bool,
    table_labels: &HashMap<usize, (String, Vec<Label>)>,
) -> Result<Vec<Piece>, Vec<Failure>> {
    let comment = |i: usize| (!strip_comments).then(|| p.comments[i].clone());
    let sym = |f: usize| GoOperand::Sym {
        name: names.functions[f].clone(),
        offset: 0,
    };
    let mut out = Vec::with_capacity(super::function::line_capacity(p));
    let mut errors = Vec::new();
    let mut trampolines = Vec::new();
    let mut info = iced_x86::InstructionInfoFactory::new();
    for node in &p.nodes {
        let i = match node {
            Node::Label(l) => {
                out.push(Piece::Label(l.clone()));
                continue;
            }
            Node::Align { bytes, max_skip } => {
                out.push(Piece::Align {
                    bytes: (*bytes).clamp(1, 64),
                    max_skip: *max_skip,
                });
                continue;
            }
            Node::Code(i) => *i,
        };
        let ins = &p.code[i];
        let mut fail = |e| errors.push((p.spans[i], e));
        match &p.kinds[i] {
            Kind::Raw | Kind::TableJump => match encode(ins) {
                Ok(bytes) => out.push(Piece::Raw {
                    bytes,
                    comment: comment(i),
                }),
                Err(e) => fail(LowerError::Encode(e)),
            },
            Kind::Jump { label, .. } => out.push(Piece::Jump {
                code: ins.code(),
                target: label.clone(),
                comment: comment(i),
            }),
            Kind::TailCall { op, callee } if *op == "JMP" => out.push(Piece::Cell {
                instr: native("JMP", vec![sym(*callee)]),
                comment: comment(i),
            }),
            Kind::TailCall { callee, .. } => {
                let t: Label = format!("tailcall_{}", trampolines.len()).into();
                out.push(Piece::Jump {
                    code: ins.code(),
                    target: t.clone(),
                    comment: comment(i),
                });
                trampolines.push((t, *callee));
            }
            Kind::Call { callee } => out.push(Piece::Cell {
                instr: native("CALL", vec![sym(*callee)]),
                comment: comment(i),
            }),
            Kind::LoadAddress {
                dst,
                symbol,
                offset,
            } => match go_name(dst.full_register()) {
                Some(r) => out.push(Piece::Cell {
                    instr: native(
                        if dst.is_gpr32() { "LEAL" } else { "LEAQ" },
                        vec![
                            GoOperand::Sym {
                                name: symbol.clone(),
                                offset: *offset,
                            },
                            GoOperand::Reg(r),
                        ],
                    ),
                    comment: comment(i),
                }),
                None => fail(LowerError::UnsupportedSymbolicOperand),
            },
            Kind::SymbolicMemory { symbol, offset } => {
                let live = liveness
                    .live_out
                    .get(i)
                    .copied()
                    .unwrap_or(GprSet(u16::MAX));
                match super::function::symbolic_memory(ins, symbol, *offset, live, &mut info) {
                    Ok(lines) => {
                        for l in lines {
                            match l {
                                Line::Native { instr, .. } => out.push(Piece::Cell {
                                    instr,
                                    comment: None,
                                }),
                                Line::Raw { bytes, .. } => out.push(Piece::Raw {
                                    bytes,
                                    comment: None,
                                }),
                                _ => {}
                            }
                        }
                        // The source instruction is the re-encoded one (the last raw, or the
                        // one before a restoring `pop`).
                        if let Some(Piece::Raw { comment: c, .. }) = out
                            .iter_mut()
                            .rev()
                            .take(2)
                            .find(|p| matches!(p, Piece::Raw { .. }))
                        {
                            *c = comment(i);
                        }
                    }
                    Err(e) => fail(e),
                }
            }
            Kind::TableAddress { dst, table } => out.push(Piece::TableLea {
                dst: *dst,
                table: *table,
                comment: comment(i),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Alignment after the last instruction pads towards the next function: not ours.
    if let Some(last) = out
        .iter()
        .rposition(|p| !matches!(p, Piece::Label(_) | Piece::Align { .. }))
    {
        let tail: Vec<Piece> = out
            .drain(last + 1..)
            .filter(|p| !matches!(p, Piece::Align { .. }))
            .collect();
        out.extend(tail);
    }
    match (p.falls_into, super::function::falls_off_kinds(p)) {
        (Some(next), true) => out.push(Piece::Cell {
            instr: native("JMP", vec![sym(next)]),
            comment: Some("falls through into the next function".into()),
        }),
        (None, true) => out.push(Piece::Raw {
            bytes: MachineCode::new(&[0xcc]).expect("one byte"),
            comment: Some("int3: the C code runs off the end of the file here".into()),
        }),
        _ => {}
    }
    for (label, callee) in trampolines {
        out.push(Piece::Label(label));
        out.push(Piece::Cell {
            instr: native("JMP", vec![sym(callee)]),
            comment: None,
        });
    }
    let mut used: Vec<usize> = table_labels.keys().copied().collect();
    used.sort_unstable();
    for t in used {
        let (name, entries) = &table_labels[&t];
        out.push(Piece::Table {
            table: t,
            name: name.clone(),
            entries: entries.clone(),
        });
    }
    Ok(out)
}

/// The TEXT symbol of `p`, laid out byte for byte. `table_labels` gives, for every table
/// the function addresses, its label and each entry's target as a Go label.
pub fn emit(
    p: &Prepared,
    names: &GoNames,
    liveness: &Liveness,
    mark_spwrite: bool,
    strip_comments: bool,
    table_labels: &HashMap<usize, (String, Vec<Label>)>,
) -> Result<TextSymbol, Vec<Failure>> {
    let pieces = pieces(p, names, liveness, strip_comments, table_labels)?;
    let whole = |e: LowerError| vec![(p.spans.first().copied().unwrap_or_default(), e)];
    let index = Index::new(&pieces);
    let (placed, long) = relax(&pieces, &index).map_err(whole)?;
    let mut lines = Vec::with_capacity(pieces.len() + 8);
    lines.push(Line::Comment(
        "jump tables: this function is laid out byte for byte (relocated instructions in \
         16-byte cells)"
            .into(),
    ));
    lines.push(Line::Native {
        instr: native("PCALIGN", vec![GoOperand::Imm(ORIGIN as i64)]),
        comment: None,
    });
    for (k, piece) in pieces.iter().enumerate() {
        let (start, end) = (placed.start[k], placed.end[k]);
        match piece {
            Piece::Label(l) => lines.push(Line::Label(l.clone())),
            Piece::Align { .. } => push_nops(&mut lines, end - start),
            Piece::Raw { bytes, comment } => lines.push(Line::Raw {
                bytes: *bytes,
                comment: comment.clone(),
            }),
            Piece::Jump {
                code,
                target,
                comment,
            } => {
                let form = if long[k] {
                    code.as_near_branch()
                } else {
                    code.as_short_branch()
                };
                let to = index.label(&placed, target).map_err(whole)?;
                let bytes = encoded_branch(form, start, to).map_err(whole)?;
                debug_assert_eq!(start + bytes.len() as u64, end);
                lines.push(raw(&bytes, comment.clone()));
            }
            Piece::Cell { instr, comment } => {
                lines.push(pcalign());
                lines.push(Line::Native {
                    instr: instr.clone(),
                    comment: comment.clone(),
                });
                lines.push(pcalign());
            }
            Piece::TableLea {
                dst,
                table,
                comment,
            } => {
                let at = index.table(&placed, *table).map_err(whole)?;
                let bytes = table_lea(*dst, start, at).map_err(whole)?;
                lines.push(raw(&bytes, comment.clone()));
            }
            Piece::Table { name, entries, .. } => {
                // Never executed: int3 up to the table.
                let before = if k == 0 { 0 } else { placed.end[k - 1] };
                let mut gap = start - before;
                while gap > 0 {
                    let n = gap.min(MachineCode::MAX as u64);
                    lines.push(raw(&[0xcc; MachineCode::MAX][..n as usize], None));
                    gap -= n;
                }
                lines.push(Line::Comment(format!("jump table {name}")));
                for e in entries {
                    let rel = index.label(&placed, e).map_err(whole)? as i64 - start as i64;
                    let v = i32::try_from(rel).map_err(|_| {
                        whole(LowerError::UntranslatableJumpTable(
                            name.clone(),
                            "the function is larger than 2 GiB".into(),
                        ))
                    })?;
                    let c = (!strip_comments).then(|| [&**e, " - ", name.as_str()].concat().into());
                    lines.push(raw(&v.to_le_bytes(), c));
                }
            }
        }
    }
    if mark_spwrite {
        lines.push(super::function::spwrite_mark(
            "mark SPWRITE (never executed): stack use is opaque to Go's unwinder",
        ));
    }
    Ok(TextSymbol {
        name: names.functions[p.index].clone(),
        flags: "NOSPLIT|NOFRAME",
        frame_size: 0,
        args_size: None,
        doc: Vec::new(),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::jump_tables::JumpTables;
    use crate::lower::program::build_program;
    use crate::lower::symbols::Resolver;
    use crate::source::SourceFile;
    use iced_x86::{Decoder, DecoderOptions, FlowControl};

    /// Each raw line's offset and bytes.
    type Raws = Vec<(u64, Vec<u8>)>;

    /// Offsets Go's assembler gives every line when each native instruction encodes to
    /// `native_len` bytes: labels' offsets, and each raw line's offset and bytes.
    fn simulate(lines: &[Line], native_len: u64) -> (HashMap<String, u64>, Raws) {
        let mut off = 0u64;
        let mut labels = HashMap::default();
        let mut raws = Vec::new();
        for l in lines {
            match l {
                Line::Label(name) => {
                    labels.insert(name.to_string(), off);
                }
                Line::Raw { bytes, .. } => {
                    raws.push((off, bytes.to_vec()));
                    off += bytes.len() as u64;
                }
                Line::Native { instr, .. } if instr.op == "PCALIGN" => {
                    let GoOperand::Imm(a) = instr.operands[0] else {
                        panic!("PCALIGN takes an immediate")
                    };
                    off = align_up(off, a as u64);
                }
                Line::Native { .. } => off += native_len,
                _ => {}
            }
        }
        (labels, raws)
    }

    fn laid_out(asm: &str) -> Vec<Line> {
        let file = SourceFile::new("t.s", asm.to_string());
        let items = crate::parse::parse_x86(&file).expect("parses");
        let program = build_program(items).expect("lays out");
        let names = GoNames::new(&program);
        let resolver = Resolver {
            program: &program,
            names: &names,
        };
        let tables = JumpTables::find(&program);
        let mut p = super::super::function::prepare(
            0,
            &program.functions[0].body,
            Some(1),
            &resolver,
            &tables,
        )
        .map_err(|e| format!("{e:?}"))
        .expect("prepares");
        let abi = GprSet::of(&super::super::registers::CALLER_SAVED);
        super::super::function::prove_dispatch(&mut p, &tables, &|_| abi).expect("proven");
        assert!(p.laid_out);
        let live = super::super::liveness::analyse_with(
            &p.use_defs,
            &p.flow,
            super::super::liveness::Policy::Conservative,
            &Default::default(),
        );
        emit(&p, &names, &live, true, false, &p.table_labels)
            .expect("emits")
            .lines
    }

    #[test]
    fn offsets_do_not_depend_on_how_go_encodes_native_instructions() {
        let far: String = (0..40).map(|_| "\tadd rax, 1\n").collect();
        let asm = format!(
            "\t.text\n\t.intel_syntax noprefix\n\t.globl f\n\t.type f,@function\nf:\n\
             \tpush rbx\n\tlea rbx, [rip + .LJTI0_0]\n\tcmp rdi, 2\n\tja .L9\n\
             \tmovsxd rax, dword ptr [rbx + 4*rdi]\n\tadd rax, rbx\n\tjmp rax\n\
             .L1:\n\tcall g\n\tmovsd xmm0, qword ptr [rip + .LC0]\n\tjmp .L9\n\
             \t.p2align 4, 0x90\n.L2:\n{far}\tjne .L1\n.L3:\n\tje g\n\
             .L9:\n\tpop rbx\n\tret\n\
             \t.globl g\n\t.type g,@function\ng:\n\tret\n\
             \t.section .rodata\n\t.p2align 2\n.LJTI0_0:\n\t.long .L1-.LJTI0_0\n\
             \t.long .L2-.LJTI0_0\n\t.long .L3-.LJTI0_0\n.LC0:\n\t.quad 7\n"
        );
        let lines = laid_out(&asm);
        let (labels1, raws1) = simulate(&lines, 1);
        let (labels15, raws15) = simulate(&lines, 15);
        assert_eq!(labels1, labels15);
        assert_eq!(raws1, raws15);
        // Every raw branch lands on a label; the far `jne` needed its near form.
        let targets: Vec<u64> = labels1.values().copied().collect();
        let mut near = 0;
        for (off, bytes) in &raws1 {
            let mut d = Decoder::with_ip(64, bytes, *off, DecoderOptions::NONE);
            let ins = d.decode();
            if matches!(
                ins.flow_control(),
                FlowControl::ConditionalBranch | FlowControl::UnconditionalBranch
            ) {
                assert!(targets.contains(&ins.near_branch_target()), "{ins}");
                near += usize::from(ins.len() > 2);
            }
        }
        assert!(near >= 1);
        // The table's entries are its targets' distances from the table.
        let comment = lines
            .iter()
            .position(|l| matches!(l, Line::Comment(c) if c.starts_with("jump table .")))
            .expect("table");
        let raw_before = lines[..comment]
            .iter()
            .filter(|l| matches!(l, Line::Raw { .. }))
            .count();
        let table_at = raws1[raw_before].0;
        for (k, label) in ["L1", "L2", "L3"].iter().enumerate() {
            let (_, entry) = &raws1[raw_before + k];
            let v = i32::from_le_bytes(entry[..4].try_into().expect("4 bytes")) as i64;
            assert_eq!(table_at as i64 + v, labels1[*label] as i64, "{label}");
        }
        // The `lea` of the table reaches it.
        let lea = raws1
            .iter()
            .find_map(|(off, b)| {
                let ins = Decoder::with_ip(64, b, *off, DecoderOptions::NONE).decode();
                (ins.mnemonic() == iced_x86::Mnemonic::Lea && ins.is_ip_rel_memory_operand())
                    .then(|| ins.ip_rel_memory_address())
            })
            .expect("lea");
        assert_eq!(lea, table_at);
        // The SPWRITE marker comes after everything that runs.
        assert!(matches!(lines.last(), Some(Line::Native { instr, .. }) if instr.op == "LEAQ"));
    }
}
