//! The AArch64 lowering, as the sequence of passes it is:
//!
//! 1. (done by the caller) lay out the file — `program::ProgramBuilder`;
//! 2. bind Go declarations to C functions;
//! 3. assemble the whole file with the system assembler and read the object;
//! 4. for every function reachable from a declaration: tie source lines to machine words
//!    (`code::place`), check registers Go owns, rewrite PC-relative instructions
//!    (`rewrite`);
//! 5. order functions callee-first (rejecting recursion) and model their stack use;
//!    check declarations against what the C code does with its arguments (`arg_use`,
//!    `arg_check`);
//! 6. emit the Go wrappers, the C functions' TEXT symbols and the data sections they use.

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::assembler::{AssembleError, assemble};
use super::code::{FnCode, place};
use super::data::data_symbol;
use super::object_file::{SectionClass, read_object};
use super::rewrite::{Context, Flow, Lowered};
use super::stack::{StackSummary, analyse};
use super::table_dispatch::Translation;
use super::text::{body_lines, c_text};
use super::wrapper::{CALLER_FP_GAP, Inline, WrapperInput, stack_arg_bytes, wrapper};
use super::writes::Written;
use crate::abi;
use crate::emit::model::AsmFile;
use crate::error::Diagnostic;
use crate::lower::LowerError;
use crate::lower::arg_check::{AAPCS64, check_binding};
use crate::lower::binding::Binding;
use crate::lower::inputs::{Diags, LoweredFile};
use crate::lower::nosplit_stack;
use crate::lower::program::{BodyItem, Program};
use crate::lower::symbols::{GoNames, sanitize, unique};
use crate::parse::arm64::{Instruction as Source, Operand};
use crate::source::{SourceFile, Span};

/// The lowering's inputs.
pub type Inputs<'a> = crate::lower::inputs::Inputs<'a, Source>;

/// A reachable C function, lowered instruction by instruction.
pub(super) struct Prepared<'a> {
    pub code: FnCode<'a>,
    pub lowered: Vec<Lowered>,
    pub calls: BTreeSet<usize>,
    pub tail_calls: BTreeSet<usize>,
    /// Jump-table dispatches and their ladders (empty for most functions).
    pub tables: Translation,
}

impl Prepared<'_> {
    fn callees(&self) -> impl Iterator<Item = usize> + '_ {
        self.calls.iter().chain(&self.tail_calls).copied()
    }
}

fn reserved_role(num: u8) -> &'static str {
    match num {
        27 => "the Go assembler's temporary",
        _ => "it holds the current goroutine, g",
    }
}

/// The build constraint code that uses x18 needs: Linux, where x18 is an ordinary
/// register, but not android (which also satisfies `linux` and reserves x18 for its
/// shadow call stack).
pub const PLATFORM_REGISTER_OSES: &str = "linux && !android";

/// Checks the source text of a function for what Go forbids before looking at bytes.
/// Records the first use of x18 in `platform_register` (allowed, but only on Linux).
fn check_source(
    f: &crate::lower::program::Function<Source>,
    d: &mut Diags<'_>,
    platform_register: &mut Option<Span>,
) {
    for item in &f.body {
        let BodyItem::Instruction(ins) = &item.item else {
            continue;
        };
        for (r, span) in ins.gprs() {
            if r.is_platform_register() {
                platform_register.get_or_insert(span);
            }
            if r.num != 31 && r.is_reserved_by_go() {
                let name = format!("{}{}", if r.wide { 'x' } else { 'w' }, r.num);
                d.asm(
                    span,
                    LowerError::ReservedRegister(name, reserved_role(r.num)),
                );
            }
        }
        for o in &ins.operands {
            if matches!(o.operand, Operand::LiteralPool(_)) {
                d.asm(o.span, LowerError::LiteralPool);
            }
        }
    }
}

fn assembler_error(asm: &SourceFile, e: AssembleError) -> Diagnostic {
    let span = match &e {
        AssembleError::Rejected {
            line: Some(l), col, ..
        } => Span::new(*l, col.unwrap_or(1), 1),
        _ => Span::new(1, 1, 0),
    };
    Diagnostic::new(asm, span, LowerError::Assemble(e))
}

pub fn lower(inp: Inputs<'_>) -> Result<LoweredFile, Vec<Diagnostic>> {
    let mut d = Diags::new(inp.asm, inp.decl_file);
    let program = inp.program;
    let bound = crate::lower::binding::bind(&program, inp.decls);
    for (span, e) in bound.errors {
        d.decl(span, e);
    }
    for (span, e) in bound.warnings {
        d.warn_decl(span, e);
    }
    let bindings = bound.bindings;
    if !d.out.is_empty() {
        return Err(d.out);
    }
    let object_bytes = assemble(&inp.asm.text).map_err(|e| vec![assembler_error(inp.asm, e)])?;
    let object = read_object(&object_bytes).map_err(|e| {
        vec![Diagnostic::new(
            inp.asm,
            Span::new(1, 1, 0),
            LowerError::LayoutMismatch(e),
        )]
    })?;
    let names = GoNames::new(&program);
    let mut taken: HashSet<String> = names
        .functions
        .iter()
        .map(|n| n.trim_end_matches("<>").to_string())
        .collect();
    let data_names: HashMap<usize, String> = {
        let mut secs: Vec<(&usize, &String)> = object
            .sections
            .iter()
            .filter(|(_, s)| {
                matches!(
                    s.class,
                    SectionClass::ReadOnly | SectionClass::Writable | SectionClass::Zeroed
                )
            })
            .map(|(i, s)| (i, &s.name))
            .collect();
        secs.sort();
        secs.into_iter()
            .map(|(i, n)| (*i, unique(&mut taken, &sanitize(n)) + "<>"))
            .collect()
    };
    let entries: HashMap<(usize, u64), usize> = program
        .functions
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            object
                .symbols
                .get(&f.name)
                .map(|p| ((p.section, p.value), i))
        })
        .collect();
    let ctx = Context {
        object: &object,
        entries: &entries,
        function_names: &names.functions,
        data_names: &data_names,
        strip_comments: inp.strip_comments,
    };

    let tables = crate::lower::jump_tables::JumpTables::find(&program);
    let table_at = tables_in_object(&program, &tables, &object);
    let mut platform_register = None;
    let mut prepared = prepare_reachable(&program, &bindings, &ctx, &mut d, &mut platform_register);
    if !d.out.is_empty() {
        return Err(d.out);
    }
    translate_dispatches(&mut prepared, &ctx, &tables, &table_at, &mut d);
    if !d.out.is_empty() {
        return Err(d.out);
    }
    let order = match call_order(&prepared) {
        Ok(o) => o,
        Err(f) => {
            d.asm(
                program.functions[f].span,
                LowerError::Recursion(program.functions[f].name.clone()),
            );
            return Err(d.out);
        }
    };
    let mut stacks: HashMap<usize, StackSummary> = HashMap::default();
    for &f in &order {
        let p = &prepared[&f];
        let insns: Vec<_> = p.code.insns().collect();
        let flows: Vec<Flow> = p.lowered.iter().map(|l| l.flow).collect();
        let depth_of = |g: usize| stacks.get(&g).map(|s| s.max_depth).unwrap_or(0);
        match analyse(&insns, &flows, &depth_of, &p.tables.targets) {
            Ok(s) => {
                stacks.insert(f, s);
            }
            Err(errs) => {
                for (span, e) in errs {
                    d.asm(span, e);
                }
            }
        }
    }
    if !d.out.is_empty() {
        return Err(d.out);
    }
    let arg_uses = super::arg_use::analyse(&prepared, &order);

    let mut file = AsmFile::default();
    if let Some(span) = platform_register {
        d.warn_asm(span, LowerError::PlatformRegister(PLATFORM_REGISTER_OSES));
        file.code_constraint = Some(PLATFORM_REGISTER_OSES);
    }
    let mut needed: Vec<usize> = Vec::new();
    for b in &bindings {
        let p = &prepared[&b.c];
        let stack = stacks[&b.c];
        let layout = abi::layout(b.go);
        let locations = abi::classify_aapcs_args(&layout.args);
        let uses = super::arg_use::arg_use(&arg_uses, b.c, &stack);
        let c_span = program.functions[b.c].span;
        if !check_binding(b.go, &layout, &locations, &uses, &AAPCS64, c_span, &mut d) {
            continue;
        }
        // Leaves that use no stack, or little enough to run on the Go stack below a
        // NOSPLIT wrapper (see `nosplit_stack`; the 16 bytes are `CALLER_FP_GAP`).
        let inline = nosplit_stack::height(CALLER_FP_GAP as u64 + stack.max_depth).is_some()
            && stack.arg_slots_read == 0
            && p.tables.ladders.is_empty()
            && !p.lowered.iter().any(Lowered::is_raw_return)
            && p.calls.is_empty()
            && p.tail_calls.is_empty()
            && stack_arg_bytes(&locations) == 0;
        let inline_body = inline.then(|| Inline {
            body: body_lines(p, true),
            depth: stack.max_depth,
        });
        if !inline {
            needed.push(b.c);
            file.needs_funcdata = true;
        }
        file.texts.push(wrapper(WrapperInput {
            go: b.go,
            layout: &layout,
            locations: &locations,
            result: layout.results.first(),
            callee: &names.functions[b.c],
            stack,
            inline: inline_body,
        }));
    }
    if !d.out.is_empty() {
        return Err(d.out);
    }
    // C functions that need a TEXT of their own: called wrappers and everything they call.
    let mut emitted = HashSet::default();
    while let Some(f) = needed.pop() {
        if !emitted.insert(f) {
            continue;
        }
        let p = &prepared[&f];
        needed.extend(p.callees());
        file.texts
            .push(c_text(p, &names.functions[f], &program, f, stacks[&f]));
    }
    // Data sections referenced by emitted code, with rewritten jump-table entries.
    let mut patches: HashMap<usize, Vec<(u64, Vec<u8>)>> = HashMap::default();
    for p in prepared.values() {
        for (section, offset, bytes) in &p.tables.patches {
            patches
                .entry(*section)
                .or_default()
                .push((*offset, bytes.clone()));
        }
    }
    let mut used: BTreeSet<usize> = BTreeSet::new();
    for (f, p) in &prepared {
        let inlined_only = !emitted.contains(f);
        let bound = bindings.iter().any(|b| b.c == *f);
        if inlined_only && !bound {
            continue;
        }
        used.extend(p.lowered.iter().filter_map(|l| l.data));
    }
    for s in used {
        let patched = patches.get(&s).map(Vec::as_slice).unwrap_or_default();
        match data_symbol(&object, s, &data_names[&s], patched) {
            Ok(sym) => file.data.push(sym),
            Err(e) => d.asm(Span::new(1, 1, 0), e),
        }
    }
    d.finish(file)
}

/// Each jump table's place in the object: (ELF section, offset) → table index. The parsed
/// layout of data sections is the assembler's (same directives); `table_dispatch` checks
/// every entry against the object's bytes.
fn tables_in_object(
    program: &Program<Source>,
    tables: &crate::lower::jump_tables::JumpTables,
    object: &super::object_file::ObjectFile,
) -> HashMap<(usize, u64), usize> {
    let mut by_name: HashMap<&str, Option<usize>> = HashMap::default();
    for (i, s) in &object.sections {
        by_name
            .entry(s.name.as_str())
            .and_modify(|e| *e = None)
            .or_insert(Some(*i));
    }
    tables
        .tables
        .iter()
        .enumerate()
        .filter_map(|(t, table)| {
            let name = program.data[table.section].name.as_str();
            let elf = (*by_name.get(name)?)?;
            Some(((elf, table.offset), t))
        })
        .collect()
}

/// Proves and translates the jump-table dispatches of every prepared function (see
/// `table_dispatch`), with what each call really clobbers: the registers its callee's
/// instructions write and, transitively, those of everything it calls or tail-calls.
fn translate_dispatches(
    prepared: &mut HashMap<usize, Prepared<'_>>,
    ctx: &Context<'_>,
    tables: &crate::lower::jump_tables::JumpTables,
    table_at: &HashMap<(usize, u64), usize>,
    d: &mut Diags<'_>,
) {
    let mut clobbers: HashMap<usize, Written> = prepared
        .iter()
        .map(|(f, p)| {
            let own = p
                .code
                .insns()
                .zip(&p.lowered)
                .fold(Written::default(), |acc, (insn, l)| match l.flow {
                    Flow::Call(_) => acc.union(Written::LINK),
                    _ if insn.decoded.opcode == yaxpeax_arm::armv8::a64::Opcode::Invalid => {
                        Written::ALL
                    }
                    _ => acc.union(super::writes::written_gprs(&insn.decoded)),
                });
            (*f, own)
        })
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for (f, p) in prepared.iter() {
            let mut w = clobbers[f];
            for g in p.callees() {
                w = w.union(clobbers.get(&g).copied().unwrap_or(Written::ALL));
            }
            if w != clobbers[f] {
                clobbers.insert(*f, w);
                changed = true;
            }
        }
    }
    let of = |g: usize| clobbers.get(&g).copied().unwrap_or(Written::ALL);
    for p in prepared.values_mut() {
        let dispatches = p
            .lowered
            .iter()
            .any(|l| l.flow == Flow::Dispatch || l.anchor.is_some());
        if !dispatches {
            continue;
        }
        let inputs = super::table_dispatch::Inputs {
            code: &p.code,
            lowered: &p.lowered,
            object: ctx.object,
            tables,
            table_at,
            clobbers: &of,
        };
        let translation = match super::table_dispatch::translate(&inputs) {
            Ok(t) => t,
            Err(errs) => {
                for (span, e) in errs {
                    d.asm(span, e);
                }
                continue;
            }
        };
        for (i, instr) in &translation.anchors {
            let comment = match &p.lowered[*i].line {
                crate::emit::model::Line::Word { comment, .. } => comment.clone(),
                _ => None,
            };
            p.lowered[*i].line = crate::emit::model::Line::Native {
                instr: instr.clone(),
                comment,
            };
        }
        p.tables = translation;
    }
}

fn prepare_reachable<'a>(
    program: &'a Program<Source>,
    bindings: &[Binding<'_>],
    ctx: &Context<'_>,
    d: &mut Diags<'_>,
    platform_register: &mut Option<Span>,
) -> HashMap<usize, Prepared<'a>> {
    let mut prepared = HashMap::default();
    let mut work: Vec<usize> = bindings.iter().map(|b| b.c).collect();
    let mut seen = HashSet::default();
    while let Some(f) = work.pop() {
        if !seen.insert(f) {
            continue;
        }
        let func = &program.functions[f];
        let before = d.out.len();
        check_source(func, d, platform_register);
        if d.out.len() > before {
            continue;
        }
        let code = match place(func, ctx.object) {
            Ok(c) => c,
            Err(errs) => {
                for (span, e) in errs {
                    d.asm(span, e);
                }
                continue;
            }
        };
        let mut lowered = Vec::new();
        let (mut calls, mut tail_calls) = (BTreeSet::new(), BTreeSet::new());
        for insn in code.insns() {
            match ctx.lower(&code, insn) {
                Ok(l) => {
                    match l.flow {
                        Flow::Call(g) => {
                            calls.insert(g);
                        }
                        Flow::TailCall(g) => {
                            tail_calls.insert(g);
                        }
                        _ => {}
                    }
                    lowered.push(l);
                }
                Err(e) => d.asm(insn.span, e),
            }
        }
        work.extend(calls.iter().chain(&tail_calls).copied());
        prepared.insert(
            f,
            Prepared {
                code,
                lowered,
                calls,
                tail_calls,
                tables: Translation::default(),
            },
        );
    }
    prepared
}

/// Functions in callee-first order; `Err(f)` names a function on a cycle. Unlike x86, the
/// arm64 stack model runs once per function, so tail-call cycles are rejected too.
fn call_order(prepared: &HashMap<usize, Prepared<'_>>) -> Result<Vec<usize>, usize> {
    let graph = prepared
        .iter()
        .map(|(f, p)| {
            let edges = crate::lower::call_graph::Edges {
                calls: p.calls.iter().copied().collect(),
                tail_calls: p.tail_calls.iter().copied().collect(),
            };
            (*f, edges)
        })
        .collect();
    let mut order = Vec::new();
    for scc in crate::lower::call_graph::callee_first(&graph)? {
        match scc.as_slice() {
            [f] if !prepared[f].tail_calls.contains(f) => order.push(*f),
            cycle => return Err(cycle[0]),
        }
    }
    Ok(order)
}
