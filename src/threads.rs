//! The second thread a large translation uses where work is independent (the parser's
//! halves, preparing the bound functions, formatting the output). Results are always
//! taken in the order one thread would produce them, so nothing observable depends on
//! the split; small work, a machine with one CPU, or an OS that refuses a thread leaves
//! everything on the calling thread.

use std::sync::OnceLock;
use std::thread::{Scope, ScopedJoinHandle};

/// Whether the process may run on at least two CPUs. Asked once: the answer costs a few
/// system calls (affinity, cgroup quota).
pub fn two_cpus() -> bool {
    static TWO: OnceLock<bool> = OnceLock::new();
    *TWO.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2))
}

/// `f` started on a scoped thread, or `None` when the OS refuses one or the environment
/// says `C2GOASM_RS_THREADS=1` (the caller then does the work itself: a translation never
/// fails for want of a thread, and its result is the same either way).
pub fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    f: impl FnOnce() -> T + Send + 'scope,
) -> Option<ScopedJoinHandle<'scope, T>> {
    if !may_spawn() {
        return None;
    }
    std::thread::Builder::new().spawn_scoped(scope, f).ok()
}

/// Whether helper threads may be started at all (see [`spawn`]).
pub fn may_spawn() -> bool {
    !one_thread_only()
}

/// `C2GOASM_RS_THREADS=1`: run on the calling thread only (a build that schedules its own
/// jobs per CPU may want that; the tests use it to compare both ways).
fn one_thread_only() -> bool {
    static ONE: OnceLock<bool> = OnceLock::new();
    *ONE.get_or_init(|| std::env::var_os("C2GOASM_RS_THREADS").is_some_and(|v| v == "1"))
}

/// `f` of every item, in order: the items after the middle (by `weight`) on a second
/// thread, when one can be started (else all here).
pub fn map_halves<T: Sync, R: Send>(
    items: &[T],
    weight: impl Fn(&T) -> usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    map_owned_halves(items.iter().collect(), |t| weight(t), f)
}

/// `f` of every item, in order, each item moved into `f` (so it is dropped as soon as `f`
/// is done with it, not when the whole pass ends): the items after the middle (by
/// `weight`) on a second thread, when one can be started (else all here).
pub fn map_owned_halves<T: Send, R: Send>(
    mut items: Vec<T>,
    weight: impl Fn(&T) -> usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    if items.len() < 2 {
        return items.into_iter().map(f).collect();
    }
    let second = items.split_off(middle(&items, weight));
    let f = &f;
    let run = move |half: Vec<T>| half.into_iter().map(f).collect::<Vec<R>>();
    // The second half is taken from this slot by the thread, or here if none started.
    let slot = std::sync::Mutex::new(Some(second));
    let take = || slot.lock().ok().and_then(|mut s| s.take());
    std::thread::scope(|scope| {
        let later = spawn(scope, || take().map(run));
        let mut out: Vec<R> = run(items);
        let rest = later.and_then(join).or_else(|| take().map(run));
        out.extend(rest.into_iter().flatten());
        out
    })
}

/// [`map_halves`] for an `f` that changes the items.
pub fn map_halves_mut<T: Send, R: Send>(
    items: &mut [T],
    weight: impl Fn(&T) -> usize,
    f: impl Fn(&mut T) -> R + Sync,
) -> Vec<R> {
    map_owned_halves(items.iter_mut().collect(), |t| weight(t), f)
}

/// Where to split `items` into two runs of about equal total `weight`: both non-empty
/// when there are two items or more.
pub fn middle<T>(items: &[T], weight: impl Fn(&T) -> usize) -> usize {
    let total: usize = items.iter().map(&weight).sum();
    let mut seen = 0;
    items
        .iter()
        .position(|it| {
            seen += weight(it);
            2 * seen >= total
        })
        .map_or(items.len(), |i| i + 1)
        .clamp(1.min(items.len()), items.len().saturating_sub(1).max(1))
}

/// A scoped thread's result; if it panicked, the panic continues on this thread.
pub fn join<T>(handle: ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_middle_balances_weight_and_leaves_no_half_empty() {
        assert_eq!(middle(&[100usize, 1, 1, 1], |&w| w), 1);
        assert_eq!(middle(&[1usize, 1, 1, 1], |&w| w), 2);
        assert_eq!(middle(&[1usize, 1, 1, 100], |&w| w), 3);
        assert_eq!(middle(&[5usize, 5], |&w| w), 1);
        assert_eq!(middle(&[5usize], |&w| w), 1);
        assert_eq!(middle(&[] as &[usize], |&w| w), 0);
    }

    #[test]
    fn halves_come_back_in_order() {
        let items: Vec<usize> = (0..1000).collect();
        let out = map_halves(&items, |&i| i % 7 + 1, |&i| i * 3);
        assert_eq!(out, items.iter().map(|i| i * 3).collect::<Vec<_>>());
        assert_eq!(map_halves(&[5usize], |_| 1, |&i| i), vec![5]);
        assert_eq!(map_halves(&[1000usize, 1], |&w| w, |&i| i), vec![1000, 1]);
        assert!(map_halves(&[] as &[usize], |_| 1, |&i| i).is_empty());
    }

    #[test]
    fn owned_halves_come_back_in_order_and_are_dropped_by_f() {
        let items: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
        let out = map_owned_halves(items, |s| s.len(), |s| s.parse::<usize>().unwrap() * 2);
        assert_eq!(out, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(map_owned_halves(vec![7usize], |_| 1, |i| i), vec![7]);
        assert!(map_owned_halves(Vec::<usize>::new(), |_| 1, |i| i).is_empty());
    }

    #[test]
    fn changed_halves_come_back_in_order() {
        let mut items: Vec<usize> = (0..1000).collect();
        let out = map_halves_mut(
            &mut items,
            |&i| i % 7 + 1,
            |i| {
                *i += 1;
                *i * 3
            },
        );
        assert_eq!(out, (1..=1000).map(|i| i * 3).collect::<Vec<_>>());
        assert_eq!(items, (1..=1000).collect::<Vec<_>>());
        assert_eq!(map_halves_mut(&mut [5usize], |_| 1, |i| *i), vec![5]);
        assert!(map_halves_mut(&mut [] as &mut [usize], |_| 1, |i| *i).is_empty());
    }

    #[test]
    fn a_spawned_thread_returns_its_result_and_its_panic() {
        std::thread::scope(|s| {
            let h = spawn(s, || 6 * 7).expect("a thread");
            assert_eq!(join(h), 42);
        });
        let caught = std::panic::catch_unwind(|| {
            std::thread::scope(|s| {
                let h = spawn(s, || -> u32 { panic!("inside") }).expect("a thread");
                join(h)
            })
        });
        assert!(caught.is_err());
    }
}
