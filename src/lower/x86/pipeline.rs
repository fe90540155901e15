//! The x86-64 lowering, as the sequence of passes it is:
//!
//! 1. (done by the caller) lay out the file: functions, data sections, symbols —
//!    `program::ProgramBuilder`; then merge GCC cold parts into their functions;
//! 2. bind Go declarations to C functions;
//! 3. assemble and classify every function reachable from a declaration — `function::prepare`;
//! 4. order them callee-first, rejecting recursion — `call_order`;
//! 5. per function: stack model, register liveness — `stack::analyse`, `liveness::analyse`;
//! 6. check declarations against what the C code does with its arguments — `arg_use`,
//!    `arg_check`;
//! 7. decide which bound functions run inside their wrapper — `inline::inline_form`;
//! 8. emit each function's TEXT, the Go wrappers and the data symbols.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::function::{Prepared, emit, prepare};
use super::inline::inline_form;
use super::liveness::{self, LiveIns, Policy};
use super::registers::GprSet;
use super::stack::{StackSummary, analyse};
use super::wrapper::{Inline, WrapperInput, wrapper};
use crate::abi::{self, ResultLocation};
use crate::emit::model::{AsmFile, TextSymbol};
use crate::error::Diagnostic;
use crate::lower::LowerError;
use crate::lower::arg_check::{SYSV, check_binding};
use crate::lower::binding::Binding;
use crate::lower::data_symbols::data_symbol;
use crate::lower::inputs::{Diags, LoweredFile};
use crate::lower::program::{BodyItem, Program, SymbolDef};
use crate::lower::symbols::{GoNames, Resolver};
use crate::parse::Located;
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
    let mut prepared = prepare_reachable(&program, bodies, &bindings, &resolver, &tables, &mut d);
    if !d.out.is_empty() {
        return Err(d.out);
    }
    // Jump-table dispatches, proven with what each call really clobbers.
    let clobbers = call_clobbers(&prepared);
    let all = GprSet(u16::MAX);
    // In file order, so that errors come out in the order of the functions.
    let mut in_order: Vec<(&usize, &mut Prepared)> = prepared.iter_mut().collect();
    in_order.sort_unstable_by_key(|(f, _)| **f);
    for (_, p) in in_order {
        let of = |f: usize| clobbers.get(&f).copied().unwrap_or(all);
        if let Err(errs) = super::function::prove_dispatch(p, &tables, &of) {
            for (s, e) in errs {
                d.asm(s, e);
            }
        }
    }
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

/// Stack and liveness facts of every function, callee first (`order`); the first failure
/// is reported to `d` (None).
fn analyse_in_order(
    prepared: &HashMap<usize, Prepared>,
    order: &[Vec<usize>],
    program: &Program<AsmInstruction>,
    d: &mut Diags<'_>,
) -> Option<(HashMap<usize, StackSummary>, LiveIns)> {
    let mut stacks: HashMap<usize, StackSummary> = HashMap::default();
    let mut precise_in: LiveIns = HashMap::default();
    for scc in order {
        // Tail-call cycles (no calls inside, checked by call_order) converge in a few rounds;
        // a function outside any cycle only depends on callees already analysed.
        let cyclic = scc.len() > 1
            || prepared[&scc[0]].tail_calls.contains(&scc[0])
            || prepared[&scc[0]].calls.contains(&scc[0]);
        let rounds = if cyclic { scc.len() + 1 } else { 1 };
        for _round in 0..rounds {
            let mut changed = false;
            for &f in scc {
                let p = &prepared[&f];
                match analyse(&p.code, &p.use_defs, &p.flow, &stacks) {
                    Ok(s) => changed |= stacks.insert(f, s) != Some(s),
                    Err((i, e)) => {
                        d.asm(
                            p.spans.get(i).copied().unwrap_or(program.functions[f].span),
                            e,
                        );
                        return None;
                    }
                }
                let live =
                    liveness::analyse_with(&p.use_defs, &p.flow, Policy::Precise, &precise_in);
                changed |= precise_in.insert(f, live.live_in) != Some(live.live_in);
            }
            if !changed {
                break;
            }
        }
    }
    Some((stacks, precise_in))
}

/// [`analyse_in_order`] and the argument-use summaries (`arg_use::analyse`) level by
/// level, on two threads: a function's level is one more than the highest of the
/// functions it calls, tail-calls or falls into, so a level's functions depend only on
/// facts already known, and the acyclic ones are analysed half on a second thread
/// (tail-call cycles stay on this thread). The facts are the same as in callee-first
/// order. None for small inputs, or when an analysis fails: the caller then runs the
/// callee-first passes, which report the failure as one thread meets it.
fn analyse_by_level(
    prepared: &HashMap<usize, Prepared>,
    order: &[Vec<usize>],
) -> Option<(
    HashMap<usize, StackSummary>,
    LiveIns,
    super::arg_use::Summaries,
)> {
    let total: usize = prepared.values().map(|p| p.code.len()).sum();
    if total < PARALLEL_FROM_ITEMS || !crate::threads::two_cpus() {
        return None;
    }
    let mut scc_of: HashMap<usize, usize> = HashMap::default();
    for (k, scc) in order.iter().enumerate() {
        for &f in scc {
            scc_of.insert(f, k);
        }
    }
    let mut level = vec![0usize; order.len()];
    let mut by_level: Vec<Vec<usize>> = Vec::new();
    for (k, scc) in order.iter().enumerate() {
        let callees = scc
            .iter()
            .flat_map(|f| prepared[f].calls.iter().chain(&prepared[f].tail_calls));
        let l = callees
            .filter_map(|c| scc_of.get(c).filter(|&&j| j != k))
            .map(|&j| level[j] + 1)
            .max()
            .unwrap_or(0);
        level[k] = l;
        if by_level.len() <= l {
            by_level.resize(l + 1, Vec::new());
        }
        by_level[l].push(k);
    }
    let is_cyclic = |scc: &[usize]| {
        scc.len() > 1
            || prepared[&scc[0]].tail_calls.contains(&scc[0])
            || prepared[&scc[0]].calls.contains(&scc[0])
    };
    let mut stacks: HashMap<usize, StackSummary> = HashMap::default();
    let mut precise_in: LiveIns = HashMap::default();
    let mut arg_uses = super::arg_use::Summaries::default();
    for sccs in by_level {
        let (cyclic, single): (Vec<usize>, Vec<usize>) =
            sccs.into_iter().partition(|&k| is_cyclic(&order[k]));
        let facts = crate::threads::map_halves(
            &single,
            |&k| prepared[&order[k][0]].code.len() + 1,
            |&k| {
                let f = order[k][0];
                let p = &prepared[&f];
                let s = analyse(&p.code, &p.use_defs, &p.flow, &stacks).ok()?;
                let live =
                    liveness::analyse_with(&p.use_defs, &p.flow, Policy::Precise, &precise_in);
                let uses = super::arg_use::summarise(p, &p.use_defs.arg_facts, &arg_uses);
                Some((f, s, live.live_in, uses))
            },
        );
        for fact in facts {
            let (f, s, live_in, uses) = fact?;
            stacks.insert(f, s);
            precise_in.insert(f, live_in);
            arg_uses.insert(f, uses);
        }
        for k in cyclic {
            let scc = &order[k];
            for _round in 0..scc.len() + 1 {
                let mut changed = false;
                for &f in scc {
                    let p = &prepared[&f];
                    let s = analyse(&p.code, &p.use_defs, &p.flow, &stacks).ok()?;
                    changed |= stacks.insert(f, s) != Some(s);
                    let live =
                        liveness::analyse_with(&p.use_defs, &p.flow, Policy::Precise, &precise_in);
                    changed |= precise_in.insert(f, live.live_in) != Some(live.live_in);
                }
                if !changed {
                    break;
                }
            }
            // The argument-use summaries' own rounds (their sets only grow).
            for _round in 0..scc.len() + 1 {
                let mut changed = false;
                for &f in scc {
                    let p = &prepared[&f];
                    let uses = super::arg_use::summarise(p, &p.use_defs.arg_facts, &arg_uses);
                    changed |= arg_uses.insert(f, uses) != Some(uses);
                }
                if !changed {
                    break;
                }
            }
        }
    }
    Some((stacks, precise_in, arg_uses))
}

/// Prepares every function reachable from a binding. Each body is taken from `bodies`
/// and dropped once prepared (what later passes need of it is in the [`Prepared`]), so a
/// large input's parsed form and its analyses are never all alive at once.
fn prepare_reachable(
    program: &Program<AsmInstruction>,
    mut bodies: Vec<Vec<Located<BodyItem<AsmInstruction>>>>,
    bindings: &[Binding<'_>],
    resolver: &Resolver<'_, AsmInstruction>,
    tables: &crate::lower::jump_tables::JumpTables,
    d: &mut Diags<'_>,
) -> HashMap<usize, Prepared> {
    let mut prepared = HashMap::default();
    let mut work: Vec<usize> = bindings.iter().map(|b| b.c).collect();
    let next_of = |f: usize| (f + 1 < program.functions.len()).then_some(f + 1);
    let mut ahead = prepare_ahead(&work, &mut bodies, &next_of, resolver, tables);
    let mut seen = HashSet::default();
    while let Some(f) = work.pop() {
        if !seen.insert(f) {
            continue;
        }
        let result = match ahead.remove(&f) {
            Some(r) => r,
            None => {
                let Some(body) = bodies.get_mut(f).map(std::mem::take) else {
                    continue;
                };
                prepare(f, &body, next_of(f), resolver, tables)
            }
        };
        match result {
            Ok(p) => {
                work.extend(p.calls.iter().chain(&p.tail_calls).copied());
                prepared.insert(f, p);
            }
            Err(errs) => {
                for (s, e) in errs {
                    d.asm(s, e);
                }
            }
        }
    }
    prepared
}

/// Body items from which preparing the bound functions is split over two threads (with
/// two CPUs): preparing (assembling, classifying, flow and register facts) is a fifth of a
/// large translation and each function's is independent. Below it, a thread costs more
/// than it saves.
const PARALLEL_FROM_ITEMS: usize = 20_000;

/// The bound functions `roots`, prepared ahead of [`prepare_reachable`]'s walk: half of
/// them (by size) on a second thread. The walk takes the results in its own order, so
/// diagnostics come out as from one thread. Empty when the input is small.
fn prepare_ahead(
    roots: &[usize],
    bodies: &mut [Vec<Located<BodyItem<AsmInstruction>>>],
    next_of: &(dyn Fn(usize) -> Option<usize> + Sync),
    resolver: &Resolver<'_, AsmInstruction>,
    tables: &crate::lower::jump_tables::JumpTables,
) -> HashMap<usize, Result<Prepared, Vec<super::function::Failure>>> {
    let mut roots: Vec<usize> = roots
        .iter()
        .copied()
        .filter(|&f| f < bodies.len())
        .collect();
    roots.sort_unstable();
    roots.dedup();
    let total: usize = roots.iter().map(|&f| bodies[f].len()).sum();
    if total < PARALLEL_FROM_ITEMS || roots.len() < 2 || !crate::threads::two_cpus() {
        return HashMap::default();
    }
    // Both halves own their bodies, dropped one by one as they are prepared.
    let mut halves: [Vec<(usize, Vec<_>)>; 2] = [Vec::new(), Vec::new()];
    let mut first_len = 0;
    for f in roots {
        let body = std::mem::take(&mut bodies[f]);
        let half = usize::from(first_len >= total / 2);
        if half == 0 {
            first_len += body.len();
        }
        halves[half].push((f, body));
    }
    let [mine, theirs] = halves;
    let run = move |half: Vec<(usize, Vec<_>)>| -> Vec<(usize, Result<Prepared, _>)> {
        half.into_iter()
            .map(|(f, body)| (f, prepare(f, &body, next_of(f), resolver, tables)))
            .collect()
    };
    // The second half is taken from this slot by the thread, or here if none started.
    let theirs = std::sync::Mutex::new(Some(theirs));
    let take_theirs = || theirs.lock().ok().and_then(|mut slot| slot.take());
    std::thread::scope(|scope| {
        let other = crate::threads::spawn(scope, || take_theirs().map(run));
        let mut out: HashMap<_, _> = run(mine).into_iter().collect();
        let rest = other.and_then(crate::threads::join);
        out.extend(
            rest.or_else(|| take_theirs().map(run))
                .into_iter()
                .flatten(),
        );
        out
    })
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
