//! One C function → its analysed form ([`Prepared`]) → the lines of its file-local TEXT
//! symbol `name<>(SB)`, which runs the C code unchanged: raw machine code, with native Go
//! instructions only where the bytes would carry a PC-relative offset.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use iced_x86::{Code, Instruction, InstructionInfoFactory, OpAccess, Register};

use super::assemble::{build, encode};
use super::classify::{Kind, Labels, classify, is_avx};
use super::flow::{Flow, Transfer};
use super::liveness::Liveness;
use super::registers::{GprSet, go_name};
use crate::emit::model::{GoInstr, GoOperand, Label, Line, MachineCode, TextSymbol};
use crate::lower::LowerError;
use crate::lower::jump_tables::JumpTables;
use crate::lower::program::BodyItem;
use crate::lower::symbols::{GoNames, Resolver, sanitize};
use crate::parse::Located;
use crate::parse::x86::Instruction as AsmInstruction;
use crate::source::{SharedText, Span};

/// Emission order of a function body.
#[derive(Debug, Clone)]
pub(super) enum Node {
    Label(Label),
    Align { bytes: u64, max_skip: Option<u64> },
    Code(usize),
}

/// A function assembled and classified, ready for the analyses.
pub struct Prepared {
    pub index: usize,
    pub code: Vec<Instruction>,
    pub kinds: Vec<Kind>,
    pub flow: Flow,
    /// Each instruction as written, for its output comment (the parsed body itself is
    /// dropped once the function is prepared: it is the largest part of a large input's
    /// memory).
    pub(super) comments: Vec<SharedText>,
    pub spans: Vec<Span>,
    pub(super) nodes: Vec<Node>,
    pub uses_avx: bool,
    /// Functions this one calls or tail-calls (or falls into).
    pub calls: Vec<usize>,
    pub tail_calls: Vec<usize>,
    /// The function control falls into past the end, if it can.
    pub falls_into: Option<usize>,
    /// Reads and writes of every instruction, for the liveness analyses.
    pub use_defs: super::liveness::UseDefs,
    /// The function dispatches through jump tables: it is laid out byte for byte
    /// (`layout`), never inlined into a wrapper.
    pub laid_out: bool,
    /// Every jump table the function addresses: its label and each entry's target label.
    pub table_labels: HashMap<usize, (String, Vec<Label>)>,
    /// Each such table's distinct targets as instruction indices.
    table_targets: HashMap<usize, std::sync::Arc<[usize]>>,
    /// What each instruction does to control flow (table dispatches resolved by
    /// [`prove_dispatch`]); kept for laid-out functions only (memory).
    transfers: Vec<Transfer>,
    next_function: Option<usize>,
}

pub type Failure = (Span, LowerError);

pub fn prepare<'a, I>(
    index: usize,
    body: &'a [Located<BodyItem<AsmInstruction>>],
    next_function: Option<usize>,
    resolver: &Resolver<'_, I>,
    tables: &JumpTables,
) -> Result<Prepared, Vec<Failure>> {
    let mut errors = Vec::new();
    // Labels first: a jump may go forward.
    let mut labels: Labels<'a> = HashMap::default();
    let mut taken: HashSet<Label> = HashSet::default();
    let mut nodes = Vec::new();
    let mut count = 0usize;
    for item in body {
        match &item.item {
            BodyItem::Label(name) => {
                let base = sanitize(name);
                let mut go: Label = base.as_str().into();
                let mut n = 1;
                while !taken.insert(go.clone()) {
                    go = format!("{base}_{n}").into();
                    n += 1;
                }
                labels.insert(name.as_str(), (go.clone(), count));
                nodes.push(Node::Label(go));
            }
            BodyItem::Align { bytes, max_skip } => nodes.push(Node::Align {
                bytes: *bytes,
                max_skip: *max_skip,
            }),
            BodyItem::Instruction(_) => {
                nodes.push(Node::Code(count));
                count += 1;
            }
        }
    }
    let mut code = Vec::with_capacity(count);
    let mut kinds = Vec::with_capacity(count);
    let mut transfers = Vec::with_capacity(count);
    let mut comments = Vec::with_capacity(count);
    let mut spans = Vec::with_capacity(count);
    for item in body {
        let BodyItem::Instruction(src) = &item.item else {
            continue;
        };
        let Located { span, .. } = item;
        let ins = match build(src) {
            Ok(i) => i,
            Err(e) => {
                errors.push((*span, LowerError::Encode(e)));
                Instruction::default()
            }
        };
        let c = classify(src, &ins, &labels, index, resolver, tables).unwrap_or_else(|e| {
            errors.push((*span, e));
            super::classify::Classified {
                kind: Kind::Raw,
                transfer: Transfer::Next,
            }
        });
        code.push(ins);
        kinds.push(c.kind);
        transfers.push(c.transfer);
        comments.push(src.text.clone());
        spans.push(*span);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let use_defs = super::liveness::use_defs(&code);
    let mut table_labels = HashMap::default();
    let mut table_targets = HashMap::default();
    let laid_out = kinds
        .iter()
        .any(|k| matches!(k, Kind::TableJump | Kind::TableAddress { .. }));
    for (i, k) in kinds.iter().enumerate() {
        let Kind::TableAddress { table, .. } = k else {
            continue;
        };
        let t = &tables.tables[*table];
        let mut entries = Vec::with_capacity(t.targets.len());
        let mut targets: Vec<usize> = Vec::new();
        for target in &t.targets {
            match labels.get(target.as_str()).filter(|(_, at)| *at < count) {
                Some((go, at)) => {
                    entries.push(go.clone());
                    if !targets.contains(at) {
                        targets.push(*at);
                    }
                }
                None => errors.push((
                    spans[i],
                    LowerError::UntranslatableJumpTable(
                        t.label.clone(),
                        format!("its target `{target}` is not an instruction of this function"),
                    ),
                )),
            }
        }
        table_labels.insert(*table, (t.label.clone(), entries));
        table_targets.insert(*table, targets.into());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let flow = Flow::build(&transfers, next_function);
    // Until its dispatches are proven, a laid-out function's case blocks look unreachable:
    // every call it makes counts, so that its callees are prepared (and summarised) too.
    let (calls, tail_calls, falls_into) = edges(&transfers, &flow, next_function, laid_out);
    let uses_avx = code.iter().any(is_avx);
    Ok(Prepared {
        index,
        use_defs,
        code,
        kinds,
        flow,
        comments,
        spans,
        nodes,
        uses_avx,
        calls,
        tail_calls,
        falls_into,
        laid_out,
        table_labels,
        table_targets,
        // Only a laid-out function's dispatches are proven later (`prove_dispatch`),
        // which rebuilds its flow from these; everyone else's flow is final.
        transfers: if laid_out { transfers } else { Vec::new() },
        next_function,
    })
}

/// Functions called, tail-called, and fallen into from the instructions reachable in
/// `flow` (from every instruction when `all`).
fn edges(
    transfers: &[Transfer],
    flow: &Flow,
    next_function: Option<usize>,
    all: bool,
) -> (Vec<usize>, Vec<usize>, Option<usize>) {
    let reachable = if all {
        vec![true; transfers.len()]
    } else {
        flow.reachable()
    };
    let mut calls = Vec::new();
    let mut tail_calls = Vec::new();
    for (i, t) in transfers.iter().enumerate() {
        if !reachable[i] {
            continue;
        }
        match t {
            Transfer::Call { callee } => calls.push(*callee),
            Transfer::TailCall { callee, .. } => tail_calls.push(*callee),
            _ => {}
        }
    }
    let falls_into = flow
        .exits
        .iter()
        .enumerate()
        .filter(|(i, _)| reachable[*i])
        .find_map(|(_, e)| match e {
            Some(super::flow::Exit::TailCall(c)) if Some(*c) == next_function => Some(*c),
            _ => None,
        })
        .filter(|_| falls_off(transfers));
    if let Some(n) = falls_into {
        tail_calls.push(n);
    }
    (calls, tail_calls, falls_into)
}

/// Proves every indirect jump of a laid-out function a table dispatch (`table_dispatch`)
/// and rebuilds its control flow with the tables' targets. `clobbers(f)` is what a call of
/// function `f` may write (its instructions' and its callees', transitively).
pub fn prove_dispatch(
    p: &mut Prepared,
    tables: &JumpTables,
    clobbers: &dyn Fn(usize) -> GprSet,
) -> Result<(), Vec<Failure>> {
    if !p.laid_out {
        return Ok(());
    }
    let proof = super::table_dispatch::Function {
        code: &p.code,
        kinds: &p.kinds,
        writes: &p.use_defs.writes,
        tables,
        targets: &p.table_targets,
        clobbers,
        next_function: p.next_function,
    };
    if let Err(errs) = super::table_dispatch::prove(&proof, &mut p.transfers) {
        return Err(errs.into_iter().map(|(i, e)| (p.spans[i], e)).collect());
    }
    p.flow = Flow::build(&p.transfers, p.next_function);
    (p.calls, p.tail_calls, p.falls_into) = edges(&p.transfers, &p.flow, p.next_function, false);
    Ok(())
}

/// Whether control can run past the last instruction.
fn falls_off(transfers: &[Transfer]) -> bool {
    match transfers.last() {
        None => true,
        Some(Transfer::Next) | Some(Transfer::Call { .. }) => true,
        Some(Transfer::Jump { conditional, .. }) | Some(Transfer::TailCall { conditional, .. }) => {
            *conditional
        }
        Some(Transfer::Return) | Some(Transfer::Stop) | Some(Transfer::TableJump { .. }) => false,
    }
}

/// Scratch registers for constant addresses, most expendable first (never rsp or rbp:
/// Go requires BP intact and vet's frame-pointer check watches it).
const SCRATCH_ORDER: [Register; 14] = [
    Register::R11,
    Register::R10,
    Register::R9,
    Register::R8,
    Register::RAX,
    Register::RCX,
    Register::RDX,
    Register::RSI,
    Register::RDI,
    Register::RBX,
    Register::R12,
    Register::R13,
    Register::R14,
    Register::R15,
];

/// The TEXT symbol for a prepared function.
pub fn emit(
    p: &Prepared,
    names: &GoNames,
    liveness: &Liveness,
    mark_spwrite: bool,
    strip_comments: bool,
    returns_to: Option<&str>,
) -> Result<TextSymbol, Vec<Failure>> {
    if p.laid_out {
        return super::layout::emit(
            p,
            names,
            liveness,
            mark_spwrite,
            strip_comments,
            &p.table_labels,
        );
    }
    let mut lines = Vec::with_capacity(line_capacity(p));
    let mut errors = Vec::new();
    let mut info = InstructionInfoFactory::new();
    let mut trampolines: Vec<(String, usize)> = Vec::new();
    // Stop the profiler's unwinder here: the C code moves SP in ways the pc→SP table
    // cannot describe. Leaves that never touch the stack unwind fine and skip this.
    if mark_spwrite {
        lines.push(spwrite_mark(
            "mark SPWRITE: stack use is opaque to Go's unwinder",
        ));
    }
    let comment = |i: usize| (!strip_comments).then(|| p.comments[i].clone());
    for node in &p.nodes {
        match node {
            Node::Label(l) => lines.push(Line::Label(Label::clone(l))),
            Node::Align { bytes, .. } => {
                if *bytes >= 8 {
                    lines.push(Line::Native {
                        instr: GoInstr::new(
                            "PCALIGN",
                            vec![GoOperand::Imm((*bytes).min(2048) as i64)],
                        ),
                        comment: None,
                    });
                }
            }
            Node::Code(i) => {
                let i = *i;
                let ins = &p.code[i];
                let span = p.spans[i];
                let is_return = p.flow.exits[i] == Some(super::flow::Exit::Return);
                match &p.kinds[i] {
                    // Inlined into its Go wrapper, `ret` continues at the wrapper's epilogue.
                    Kind::Raw if is_return && returns_to.is_some() => lines.push(Line::Native {
                        instr: GoInstr::new(
                            "JMP",
                            vec![GoOperand::Label(returns_to.unwrap_or_default().into())],
                        ),
                        comment: comment(i),
                    }),
                    Kind::Raw => match encode(ins) {
                        Ok(bytes) => lines.push(Line::Raw {
                            bytes,
                            comment: comment(i),
                        }),
                        Err(e) => errors.push((span, LowerError::Encode(e))),
                    },
                    Kind::Jump { op, label } => lines.push(Line::Native {
                        instr: GoInstr::new(op, vec![GoOperand::Label(Label::clone(label))]),
                        comment: comment(i),
                    }),
                    Kind::TailCall { op, callee } => {
                        let target = GoOperand::Sym {
                            name: names.functions[*callee].clone(),
                            offset: 0,
                        };
                        if *op == "JMP" {
                            lines.push(Line::Native {
                                instr: GoInstr::new("JMP", vec![target]),
                                comment: comment(i),
                            });
                        } else {
                            // Go has no conditional jump to a symbol: jump to a trampoline.
                            let t = format!("tailcall_{}", trampolines.len());
                            lines.push(Line::Native {
                                instr: GoInstr::new(op, vec![GoOperand::Label(t.as_str().into())]),
                                comment: comment(i),
                            });
                            trampolines.push((t, *callee));
                        }
                    }
                    Kind::Call { callee } => lines.push(Line::Native {
                        instr: GoInstr::new(
                            "CALL",
                            vec![GoOperand::Sym {
                                name: names.functions[*callee].clone(),
                                offset: 0,
                            }],
                        ),
                        comment: comment(i),
                    }),
                    Kind::LoadAddress {
                        dst,
                        symbol,
                        offset,
                    } => {
                        let op = if dst.is_gpr32() { "LEAL" } else { "LEAQ" };
                        let full = dst.full_register();
                        match go_name(full) {
                            Some(r) => lines.push(Line::Native {
                                instr: GoInstr::new(
                                    op,
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
                            None => errors.push((span, LowerError::UnsupportedSymbolicOperand)),
                        }
                    }
                    // Only laid-out functions (above) dispatch through tables.
                    Kind::TableAddress { .. } | Kind::TableJump => {
                        errors.push((span, LowerError::IndirectJump))
                    }
                    Kind::SymbolicMemory { symbol, offset } => {
                        match symbolic_memory(
                            ins,
                            symbol,
                            *offset,
                            liveness
                                .live_out
                                .get(i)
                                .copied()
                                .unwrap_or(GprSet(u16::MAX)),
                            &mut info,
                        ) {
                            Ok(mut ls) => {
                                if let Some(Line::Raw { comment: c, .. }) =
                                    ls.iter_mut().find(|l| matches!(l, Line::Raw { .. }))
                                {
                                    *c = comment(i);
                                }
                                lines.extend(ls);
                            }
                            Err(e) => errors.push((span, e)),
                        }
                    }
                }
            }
        }
    }
    match (p.falls_into, falls_off_kinds(p)) {
        (Some(next), true) => lines.push(Line::Native {
            instr: GoInstr::new(
                "JMP",
                vec![GoOperand::Sym {
                    name: names.functions[next].clone(),
                    offset: 0,
                }],
            ),
            comment: Some("falls through into the next function".into()),
        }),
        (None, true) => lines.push(Line::Raw {
            bytes: MachineCode::new(&[0xcc]).expect("one byte"),
            comment: Some("int3: the C code runs off the end of the file here".into()),
        }),
        _ => {}
    }
    for (label, callee) in trampolines {
        lines.push(Line::Label(label.into()));
        lines.push(Line::Native {
            instr: GoInstr::new(
                "JMP",
                vec![GoOperand::Sym {
                    name: names.functions[callee].clone(),
                    offset: 0,
                }],
            ),
            comment: None,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
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

/// Whether the callee-first component `scc` (of `call_graph`) is a cycle: several
/// functions, or one that calls or tail-calls itself. Its facts then take rounds to
/// settle; a function outside any cycle only depends on callees already analysed.
pub(super) fn is_cycle(prepared: &HashMap<usize, Prepared>, scc: &[usize]) -> bool {
    scc.len() > 1
        || prepared
            .get(&scc[0])
            .is_some_and(|p| p.calls.contains(&scc[0]) || p.tail_calls.contains(&scc[0]))
}

/// `LEAQ 0(SP), SP`: a write to SP that changes nothing, which makes Go's toolchain mark
/// the TEXT symbol SPWRITE, so unwinders (profiler, tracer, GC stack scans) stop at it
/// instead of misreading C frames whose SP moves the pc→SP table cannot describe. The
/// same marker for C functions' TEXTs, laid-out functions and wrappers with inlined C.
pub(super) fn spwrite_mark(comment: &'static str) -> Line {
    Line::Native {
        instr: GoInstr::new(
            "LEAQ",
            vec![
                GoOperand::Mem {
                    base: "SP",
                    disp: 0,
                },
                GoOperand::Reg("SP"),
            ],
        ),
        comment: Some(comment.into()),
    }
}

/// At least the number of lines `p`'s TEXT takes: one per label, alignment and instruction,
/// up to five for an instruction addressing a symbol, a few for the prologue and
/// trampolines. Reserved up front: growing a vector of a large body copies all of it.
pub(super) fn line_capacity(p: &Prepared) -> usize {
    let symbolic = p
        .kinds
        .iter()
        .filter(|k| matches!(k, Kind::SymbolicMemory { .. }))
        .count();
    p.nodes.len() + 4 * symbolic + 16
}

pub(super) fn falls_off_kinds(p: &Prepared) -> bool {
    p.flow.exits.last().is_some_and(|e| {
        matches!(e, Some(super::flow::Exit::TailCall(c)) if Some(*c) == p.falls_into)
            || matches!(e, Some(super::flow::Exit::FallOff))
    }) || p.code.is_empty()
}

/// `LEAQ sym+off(SB), S` then the instruction re-encoded with `[S + base + index*scale]`.
/// S is a register dead after the instruction (or one it only overwrites); when none is
/// free, S is saved below the stack pointer around the sequence (no red zone is in use).
pub(super) fn symbolic_memory(
    ins: &Instruction,
    symbol: &str,
    offset: i64,
    live_out: GprSet,
    info: &mut InstructionInfoFactory,
) -> Result<Vec<Line>, LowerError> {
    let mut touched = GprSet::EMPTY;
    let mut overwritten = GprSet::EMPTY;
    for u in info.info(ins).used_registers() {
        let r = u.register();
        if !r.is_gpr() {
            continue;
        }
        let full_write = u.access() == OpAccess::Write && (r.is_gpr64() || r.is_gpr32());
        if full_write {
            overwritten.insert(r);
        } else {
            touched.insert(r);
        }
    }
    let base = ins.memory_base();
    let index = ins.memory_index();
    for r in [base, index] {
        if r.is_gpr() {
            touched.insert(r);
        }
    }
    let free = SCRATCH_ORDER
        .iter()
        .copied()
        .find(|r| !touched.contains(*r) && (!live_out.contains(*r) || overwritten.contains(*r)));
    let (scratch, save) = match free {
        Some(r) => (r, false),
        None => {
            let r = SCRATCH_ORDER
                .iter()
                .copied()
                .find(|r| !touched.contains(*r) && !overwritten.contains(*r))
                .ok_or(LowerError::UnsupportedSymbolicOperand)?;
            (r, true)
        }
    };
    let go_scratch = go_name(scratch).ok_or(LowerError::UnsupportedSymbolicOperand)?;
    let mut lines = Vec::new();
    let raw = |i: &Instruction| -> Result<Line, LowerError> {
        Ok(Line::Raw {
            bytes: encode(i)?,
            comment: None,
        })
    };
    if save {
        let push = Instruction::with1(Code::Push_r64, scratch)
            .map_err(|e| LowerError::UnsupportedInstruction(e.to_string()))?;
        lines.push(raw(&push)?);
    }
    lines.push(Line::Native {
        instr: GoInstr::new(
            "LEAQ",
            vec![
                GoOperand::Sym {
                    name: symbol.to_string(),
                    offset,
                },
                GoOperand::Reg(go_scratch),
            ],
        ),
        comment: None,
    });
    let mut rewritten = *ins;
    let has_base = base != Register::None && base != Register::RIP;
    if has_base && index != Register::None {
        // Three address parts do not fit one operand: fold the base in first (LEA keeps
        // the flags intact).
        let mut lea = Instruction::with2(
            Code::Lea_r64_m,
            scratch,
            iced_x86::MemoryOperand::with_base_index(scratch, base),
        )
        .map_err(|e| LowerError::UnsupportedInstruction(e.to_string()))?;
        lea.set_memory_displ_size(0);
        lines.push(raw(&lea)?);
        rewritten.set_memory_base(scratch);
    } else if has_base {
        rewritten.set_memory_index(base);
        rewritten.set_memory_index_scale(1);
        rewritten.set_memory_base(scratch);
    } else {
        rewritten.set_memory_base(scratch);
    }
    rewritten.set_memory_displacement64(0);
    rewritten.set_memory_displ_size(0);
    lines.push(raw(&rewritten)?);
    if save {
        let pop = Instruction::with1(Code::Pop_r64, scratch)
            .map_err(|e| LowerError::UnsupportedInstruction(e.to_string()))?;
        lines.push(raw(&pop)?);
    }
    Ok(lines)
}
