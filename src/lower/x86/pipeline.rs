//! The x86-64 lowering, as the sequence of passes it is:
//!
//! 1. (done by the caller) lay out the file: functions, data sections, symbols —
//!    `program::ProgramBuilder`; then merge GCC cold parts into their functions;
//! 2. bind Go declarations to C functions;
//! 3. assemble and classify every function reachable from a declaration —
//!    `prepare_reachable` (`function::prepare` per function);
//! 4. order them callee-first, rejecting recursion — `call_order`;
//! 5. per function, callee first: stack model, register liveness, argument use —
//!    `function_facts` (`stack::analyse`, `liveness::analyse_with`, `arg_use`);
//! 6. check declarations against what the C code does with its arguments — `arg_check`;
//! 7. decide which bound functions run inside their wrapper — `inline::inline_form`;
//! 8. emit each function's TEXT, the Go wrappers and the data symbols.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::function::{Prepared, emit};
use super::function_facts::{analyse_by_level, analyse_in_order};
use super::inline::inline_form;
use super::liveness::{self, LiveIns, Policy};
use super::prepare_reachable::prepare_reachable;
use super::registers::GprSet;
use super::stack::StackSummary;
use super::wrapper::{Inline, WrapperInput, wrapper};
use crate::abi::{self, ResultLocation};
use crate::emit::model::{AsmFile, TextSymbol};
use crate::error::Diagnostic;
use crate::lower::LowerError;
use crate::lower::arg_check::{SYSV, check_binding};
use crate::lower::binding::Binding;
use crate::lower::data_symbols::data_symbol;
use crate::lower::inputs::{Diags, LoweredFile};
use crate::lower::program::{Program, SymbolDef};
use crate::lower::symbols::{GoNames, Resolver};
use crate::parse::x86::Instruction as AsmInstruction;

/// The lowering's inputs.
pub type Inputs<'a> = crate::lower::inputs::Inputs<'a, AsmInstruction>;

pub fn lower(inp: Inputs<'_>) -> Result<LoweredFile, Vec<Diagnostic>> {
    let mut d = Diags::new(inp.asm, inp.decl_file);
    let mut program = inp.program;
    super::cold::merge_cold_parts(&mut program);
    // The bodies leave the program: each is dropped as soon as its function is prepared.
    let bodies: Vec<_> = program
        .functions
        .iter_mut()
        .map(|f| std::mem::take(&mut f.body))
        .collect();
    let names = GoNames::new(&program);
    let resolver = Resolver {
        program: &program,
        names: &names,
    };
    let tables = crate::lower::jump_tables::JumpTables::find(&program);

    let bound = crate::lower::binding::bind(&program, inp.decls);
    for (span, e) in bound.errors {
        d.decl(span, e);
    }
    for (span, e) in bound.warnings {
        d.warn_decl(span, e);
    }
    let bindings = bound.bindings;
    crate::stage_times::mark("bound");
    let mut prepared = prepare_reachable(&program, bodies, &bindings, &resolver, &tables, &mut d);
    crate::stage_times::mark("prepared");
    if !d.out.is_empty() {
        return Err(d.out);
    }
    prove_dispatches(&mut prepared, &tables, &mut d);
    if !d.out.is_empty() {
        return Err(d.out);
    }
    crate::stage_times::mark("dispatches proven");
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

    crate::stage_times::mark("call order");
    let (stacks, precise_in, arg_uses) = match analyse_by_level(&prepared, &order) {
        Some(facts) => facts,
        None => match analyse_in_order(&prepared, &order, &program, &mut d) {
            Some((stacks, precise_in)) => {
                let arg_uses = super::arg_use::analyse(&prepared, &order);
                (stacks, precise_in, arg_uses)
            }
            None => return Err(d.out),
        },
    };

    crate::stage_times::mark("facts");
    // What reads every function's analysis, before any is dropped.
    let sections = referenced_sections(&program, &prepared, &names);
    // Jump tables moved into their function's TEXT: left out of the data symbols.
    let moved: Vec<usize> = prepared
        .values()
        .flat_map(|p| p.table_labels.keys().copied())
        .collect();
    // A function inlined into the wrappers of all its bindings and called by no other
    // function needs no TEXT: its analysis is dropped once its last wrapper is built, so
    // the inlined copies and the analyses are not all alive at once (peak memory).
    let called: HashSet<usize> = prepared
        .values()
        .flat_map(|p| p.calls.iter().chain(&p.tail_calls).chain(&p.falls_into))
        .copied()
        .collect();
    let mut bindings_left: HashMap<usize, usize> = HashMap::default();
    for b in &bindings {
        *bindings_left.entry(b.c).or_default() += 1;
    }

    let mut file = AsmFile::default();
    let mut wrappers = Vec::new();
    // C functions that need a TEXT of their own: those called by a wrapper (not inlined)
    // and everything they call, tail-call or fall into.
    let mut needed: Vec<usize> = Vec::new();
    let mut called_by_wrapper: HashSet<usize> = HashSet::default();
    for b in &bindings {
        let inline = prepared.get(&b.c).zip(stacks.get(&b.c)).and_then(|(p, s)| {
            let stack_args = abi::classify_sysv_args(&abi::layout(b.go).args)
                .iter()
                .any(|l| matches!(l, abi::ArgLocation::Stack(_)));
            inline_form(
                p,
                s,
                stack_args,
                || scratch_liveness(p, &precise_in),
                &names,
                inp.strip_comments,
            )
        });
        if inline.is_none() {
            needed.push(b.c);
            called_by_wrapper.insert(b.c);
        }
        let wrapper = bind_wrapper(
            b,
            &program,
            &prepared,
            &stacks,
            &precise_in,
            &arg_uses,
            &names,
            inline,
            &mut d,
        );
        wrappers.extend(wrapper);
        let left = bindings_left.get_mut(&b.c).map(|n| {
            *n -= 1;
            *n
        });
        if left == Some(0) && !called.contains(&b.c) && !called_by_wrapper.contains(&b.c) {
            prepared.remove(&b.c);
        }
    }
    crate::stage_times::mark("wrappers");
    let mut funcs: HashSet<usize> = HashSet::default();
    while let Some(f) = needed.pop() {
        if let Some(p) = prepared.get(&f)
            && funcs.insert(f)
        {
            needed.extend(p.calls.iter().chain(&p.tail_calls).copied());
            needed.extend(p.falls_into);
        }
    }
    let mut funcs: Vec<usize> = funcs.into_iter().collect();
    funcs.sort_unstable();
    // Everything that reads the analyses of all functions is done: from here on, each
    // function's analysis is dropped as soon as its TEXT is written, so the analyses and
    // the output model are not all alive at once (peak memory).
    for &f in &funcs {
        let Some(p) = prepared.remove(&f) else {
            continue;
        };
        let live = scratch_liveness(&p, &precise_in);
        let s = stacks.get(&f).copied().unwrap_or_default();
        let mark_spwrite = s.max_depth > 0 || !p.calls.is_empty();
        match emit(&p, &names, &live, mark_spwrite, inp.strip_comments, None) {
            Ok(t) => file.texts.push(t),
            Err(errs) => {
                for (s, e) in errs {
                    d.asm(s, e);
                }
            }
        }
    }
    drop(prepared);
    crate::stage_times::mark("texts");

    if wrappers.iter().any(|w| w.frame_size > 0) {
        file.needs_funcdata = true;
    }
    // Wrappers first: they are what readers look for.
    wrappers.append(&mut file.texts);
    file.texts = wrappers;

    for (idx, section) in sections {
        match data_symbol(section, &names.data[idx], &resolver, &|o| {
            tables.covers(idx, o, &moved)
        }) {
            Ok(Some(sym)) => file.data.push(sym),
            Ok(None) => {}
            Err((s, e)) => d.asm(s, e),
        }
    }
    d.finish(file)
}

/// Laid-out functions from whose total instructions their jump-table dispatches are
/// proven on two threads (each function's proof is independent; 180 laid-out functions
/// of ~100 instructions took 3.7 ms on one).
const PARALLEL_PROOFS_FROM: usize = 8192;

/// Proves every laid-out function's jump-table dispatches with what each call really
/// clobbers; errors in file order.
fn prove_dispatches(
    prepared: &mut HashMap<usize, Prepared>,
    tables: &crate::lower::jump_tables::JumpTables,
    d: &mut Diags<'_>,
) {
    if !prepared.values().any(|p| p.laid_out) {
        return;
    }
    let clobbers = call_clobbers(prepared);
    let all = GprSet(u16::MAX);
    let of = |f: usize| clobbers.get(&f).copied().unwrap_or(all);
    let prove =
        |(_, p): &mut (&usize, &mut Prepared)| super::function::prove_dispatch(p, tables, &of);
    let mut in_order: Vec<(&usize, &mut Prepared)> =
        prepared.iter_mut().filter(|(_, p)| p.laid_out).collect();
    in_order.sort_unstable_by_key(|(f, _)| **f);
    let size: usize = in_order.iter().map(|(_, p)| p.code.len()).sum();
    let results = if size >= PARALLEL_PROOFS_FROM && crate::threads::two_cpus() {
        crate::threads::map_balanced_mut(&mut in_order, |(_, p)| p.code.len(), prove)
    } else {
        in_order.iter_mut().map(prove).collect()
    };
    for (s, e) in results.into_iter().filter_map(Result::err).flatten() {
        d.asm(s, e);
    }
}

/// What a call of each prepared function may write: the registers its instructions write
/// and, transitively, those of everything it calls, tail-calls or falls into (a function
/// outside the prepared set counts as writing everything).
fn call_clobbers(prepared: &HashMap<usize, Prepared>) -> HashMap<usize, GprSet> {
    let mut out: HashMap<usize, GprSet> = prepared
        .iter()
        .map(|(f, p)| {
            let own = p
                .use_defs
                .writes
                .iter()
                .fold(GprSet::EMPTY, |a, w| a.union(*w));
            (*f, own)
        })
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for (f, p) in prepared {
            let mut s = out[f];
            for c in p.calls.iter().chain(&p.tail_calls) {
                s = s.union(out.get(c).copied().unwrap_or(GprSet(u16::MAX)));
            }
            if s != out[f] {
                out.insert(*f, s);
                changed = true;
            }
        }
    }
    out
}

/// The call graph of the prepared functions, callee-first (see `call_graph`).
fn call_order(prepared: &HashMap<usize, Prepared>) -> Result<Vec<Vec<usize>>, usize> {
    let graph = prepared
        .iter()
        .map(|(f, p)| {
            let edges = crate::lower::call_graph::Edges {
                calls: p.calls.clone(),
                tail_calls: p.tail_calls.clone(),
            };
            (*f, edges)
        })
        .collect();
    crate::lower::call_graph::callee_first(&graph)
}

fn closure(prepared: &HashMap<usize, Prepared>, root: usize) -> Vec<usize> {
    let mut seen = HashSet::default();
    let mut work = vec![root];
    while let Some(f) = work.pop() {
        if seen.insert(f)
            && let Some(p) = prepared.get(&f)
        {
            work.extend(p.calls.iter().chain(&p.tail_calls).copied());
        }
    }
    seen.into_iter().collect()
}

/// What emission needs to pick scratch registers: conservative liveness, which only
/// symbolic memory operands consult (a function without them gets an empty answer).
fn scratch_liveness(p: &Prepared, precise_in: &LiveIns) -> liveness::Liveness {
    let needed = p
        .kinds
        .iter()
        .any(|k| matches!(k, super::classify::Kind::SymbolicMemory { .. }));
    if needed {
        liveness::analyse_with(&p.use_defs, &p.flow, Policy::Conservative, precise_in)
    } else {
        liveness::Liveness {
            live_out: Vec::new(),
            live_in: GprSet::EMPTY,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn bind_wrapper(
    b: &Binding<'_>,
    program: &Program<AsmInstruction>,
    prepared: &HashMap<usize, Prepared>,
    stacks: &HashMap<usize, StackSummary>,
    precise_in: &LiveIns,
    arg_uses: &super::arg_use::Summaries,
    names: &GoNames,
    inline: Option<Inline>,
    d: &mut Diags<'_>,
) -> Option<TextSymbol> {
    let layout = abi::layout(b.go);
    let locations = abi::classify_sysv_args(&layout.args);
    let stack = stacks.get(&b.c).copied().unwrap_or_default();
    let fspan = program.functions[b.c].span;

    // What the C code shows about its arguments must fit the declaration.
    let live = precise_in.get(&b.c).copied().unwrap_or(GprSet::EMPTY);
    let uses = super::arg_use::arg_use(arg_uses, b.c, live, &stack);
    if !check_binding(b.go, &layout, &locations, &uses, &SYSV, fspan, d) {
        return None;
    }
    let result = layout.results.first().map(|slot| {
        let is_float = abi::classify_sysv_result(slot) == ResultLocation::Float;
        (slot, is_float)
    });
    let uses_avx = closure(prepared, b.c)
        .iter()
        .any(|f| prepared.get(f).is_some_and(|p| p.uses_avx));
    Some(wrapper(WrapperInput {
        go: b.go,
        layout: &layout,
        locations: &locations,
        result,
        callee: &names.functions[b.c],
        stack,
        uses_avx,
        inline,
    }))
}

/// Data sections the emitted code refers to, directly or through addresses in data.
fn referenced_sections<'p>(
    program: &'p Program<AsmInstruction>,
    prepared: &HashMap<usize, Prepared>,
    names: &GoNames,
) -> Vec<(usize, &'p crate::lower::data::DataSection)> {
    use super::classify::Kind;
    let by_name: HashMap<&str, usize> = names
        .data
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut used: HashSet<usize> = HashSet::default();
    let mut work = Vec::new();
    for p in prepared.values() {
        for k in &p.kinds {
            if let Kind::SymbolicMemory { symbol, .. } | Kind::LoadAddress { symbol, .. } = k
                && let Some(&i) = by_name.get(symbol.as_str())
            {
                work.push(i);
            }
        }
    }
    while let Some(i) = work.pop() {
        if !used.insert(i) {
            continue;
        }
        for v in &program.data[i].values {
            for s in v.value.symbols() {
                if let Some(SymbolDef::Data { section, .. }) = program.symbols.get(s) {
                    work.push(*section);
                }
            }
        }
    }
    let mut out: Vec<usize> = used.into_iter().collect();
    out.sort_unstable();
    out.into_iter().map(|i| (i, &program.data[i])).collect()
}
