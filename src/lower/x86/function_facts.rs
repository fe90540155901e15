//! Interprocedural facts of every prepared function — stack use (`stack::analyse`),
//! precise register liveness (`liveness`), what it does with its arguments (`arg_use`) —
//! computed callee first, so a caller's facts include its callees'. Large inputs compute
//! them level by level on two threads, with the same results.

use rustc_hash::FxHashMap as HashMap;

use super::function::{Prepared, is_cycle};
use super::liveness::{self, LiveIns, Policy};
use super::prepare_reachable::PARALLEL_FROM_ITEMS;
use super::stack::{StackSummary, analyse};
use crate::lower::LowerError;
use crate::lower::inputs::Diags;
use crate::lower::program::Program;
use crate::parse::x86::Instruction as AsmInstruction;

/// Stack and liveness facts of every function, callee first (`order`); the first failure
/// is reported to `d` (None).
pub(super) fn analyse_in_order(
    prepared: &HashMap<usize, Prepared>,
    order: &[Vec<usize>],
    program: &Program<AsmInstruction>,
    d: &mut Diags<'_>,
) -> Option<(HashMap<usize, StackSummary>, LiveIns)> {
    let mut stacks: HashMap<usize, StackSummary> = HashMap::default();
    let mut precise_in: LiveIns = HashMap::default();
    for scc in order {
        if let Err((f, i, e)) = settle_component(prepared, scc, &mut stacks, &mut precise_in) {
            let p = &prepared[&f];
            d.asm(
                p.spans.get(i).copied().unwrap_or(program.functions[f].span),
                e,
            );
            return None;
        }
    }
    Some((stacks, precise_in))
}

/// Stack and precise liveness facts of the callee-first component `scc`, into `stacks`
/// and `precise_in`, which hold its callees' facts. Tail-call cycles (no calls inside,
/// checked by call_order) converge in a few rounds, anything else in one. The first
/// failure: the function, its instruction and why.
fn settle_component(
    prepared: &HashMap<usize, Prepared>,
    scc: &[usize],
    stacks: &mut HashMap<usize, StackSummary>,
    precise_in: &mut LiveIns,
) -> Result<(), (usize, usize, LowerError)> {
    let rounds = if is_cycle(prepared, scc) {
        scc.len() + 1
    } else {
        1
    };
    for _round in 0..rounds {
        let mut changed = false;
        for &f in scc {
            let p = &prepared[&f];
            let s = analyse(&p.code, &p.use_defs, &p.flow, stacks).map_err(|(i, e)| (f, i, e))?;
            changed |= stacks.insert(f, s) != Some(s);
            let live = liveness::analyse_with(&p.use_defs, &p.flow, Policy::Precise, precise_in);
            changed |= precise_in.insert(f, live.live_in) != Some(live.live_in);
        }
        if !changed {
            break;
        }
    }
    Ok(())
}

/// [`analyse_in_order`] and the argument-use summaries (`arg_use::analyse`) level by
/// level, on two threads: a function's level is one more than the highest of the
/// functions it calls, tail-calls or falls into, so a level's functions depend only on
/// facts already known, and the acyclic ones are analysed half on a second thread
/// (tail-call cycles stay on this thread). The facts are the same as in callee-first
/// order. None for small inputs, or when an analysis fails: the caller then runs the
/// callee-first passes, which report the failure as one thread meets it.
pub(super) fn analyse_by_level(
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
    let mut stacks: HashMap<usize, StackSummary> = HashMap::default();
    let mut precise_in: LiveIns = HashMap::default();
    let mut arg_uses = super::arg_use::Summaries::default();
    for sccs in by_level {
        let (cyclic, single): (Vec<usize>, Vec<usize>) = sccs
            .into_iter()
            .partition(|&k| is_cycle(prepared, &order[k]));
        let facts = crate::threads::map_balanced(
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
            settle_component(prepared, &order[k], &mut stacks, &mut precise_in).ok()?;
            super::arg_use::summarise_component(prepared, &order[k], &mut arg_uses);
        }
    }
    Some((stacks, precise_in, arg_uses))
}
