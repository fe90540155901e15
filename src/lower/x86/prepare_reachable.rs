//! Preparing (assembling, classifying, flow and register facts of) every function a
//! binding reaches, each parsed body dropped once its function is prepared; the bound
//! functions of a large input half on a second thread.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::function::{Failure, Prepared, prepare};
use crate::lower::binding::Binding;
use crate::lower::inputs::Diags;
use crate::lower::jump_tables::JumpTables;
use crate::lower::program::{BodyItem, Program};
use crate::lower::symbols::Resolver;
use crate::parse::Located;
use crate::parse::x86::Instruction as AsmInstruction;

/// Prepares every function reachable from a binding. Each body is taken from `bodies`
/// and dropped once prepared (what later passes need of it is in the [`Prepared`]), so a
/// large input's parsed form and its analyses are never all alive at once.
pub(super) fn prepare_reachable(
    program: &Program<AsmInstruction>,
    mut bodies: Vec<Vec<Located<BodyItem<AsmInstruction>>>>,
    bindings: &[Binding<'_>],
    resolver: &Resolver<'_, AsmInstruction>,
    tables: &JumpTables,
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
pub(super) const PARALLEL_FROM_ITEMS: usize = 20_000;

/// The bound functions `roots`, prepared ahead of [`prepare_reachable`]'s walk: half of
/// them (by size) on a second thread. The walk takes the results in its own order, so
/// diagnostics come out as from one thread. Empty when the input is small.
fn prepare_ahead(
    roots: &[usize],
    bodies: &mut [Vec<Located<BodyItem<AsmInstruction>>>],
    next_of: &(dyn Fn(usize) -> Option<usize> + Sync),
    resolver: &Resolver<'_, AsmInstruction>,
    tables: &JumpTables,
) -> HashMap<usize, Result<Prepared, Vec<Failure>>> {
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
    // The passes own their bodies, dropped one by one as they are prepared.
    let mine: Vec<(usize, Vec<_>)> = roots
        .into_iter()
        .map(|f| (f, std::mem::take(&mut bodies[f])))
        .collect();
    crate::threads::map_owned_balanced(
        mine,
        |(_, body)| body.len(),
        |(f, body)| (f, prepare(f, &body, next_of(f), resolver, tables)),
    )
    .into_iter()
    .collect()
}
