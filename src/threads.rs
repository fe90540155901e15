//! The second thread a large translation uses where work is independent (parsing,
//! preparing the bound functions, their facts, formatting the output). Results are always
//! taken in the order one thread would produce them, so nothing observable depends on
//! the split; small work, a machine with one CPU, or an OS that refuses a thread leaves
//! everything on the calling thread.

use std::sync::{Mutex, OnceLock, PoisonError};
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

/// Runs a balanced pass is cut into: enough that when one thread is slowed down for a while
/// (the host lends its CPU elsewhere, or backs the pages it touches slowly: both seen here
/// for 10–60 ms in single runs, issue #12) the other takes the rest of the work instead of
/// waiting for it, few enough that taking a run costs nothing next to running it.
pub const RUNS: usize = 32;

/// `f` of every item, in order: the items cut into [`RUNS`] runs of about equal total
/// `weight`, which this thread and a second one (when one can be started) take one at a
/// time until none is left.
pub fn map_balanced<T: Sync, R: Send>(
    items: &[T],
    weight: impl Fn(&T) -> usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    map_owned_balanced(items.iter().collect(), |t| weight(t), f)
}

/// [`map_balanced`] with each item moved into `f` (so it is dropped as soon as `f` is done
/// with it, not when the whole pass ends). The runs are scheduled by [`in_order`], each
/// taken out of its slot by the thread that does it.
pub fn map_owned_balanced<T: Send, R: Send>(
    items: Vec<T>,
    weight: impl Fn(&T) -> usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    if items.len() < 2 {
        return items.into_iter().map(f).collect();
    }
    let runs: Vec<Mutex<Option<Vec<T>>>> = cut(items, weight, RUNS)
        .into_iter()
        .map(|run| Mutex::new(Some(run)))
        .collect();
    let run = |slot: &Mutex<Option<Vec<T>>>| -> Vec<R> {
        let items = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        items.into_iter().flatten().map(&f).collect()
    };
    let mut out = Vec::new();
    in_order(&runs, run, |turn| match turn {
        Turn::Here(slot) => out.extend(run(slot)),
        Turn::Ahead(done) => out.extend(done),
    });
    out
}

/// [`map_balanced`] for an `f` that changes the items.
pub fn map_balanced_mut<T: Send, R: Send>(
    items: &mut [T],
    weight: impl Fn(&T) -> usize,
    f: impl Fn(&mut T) -> R + Sync,
) -> Vec<R> {
    map_owned_balanced(items.iter_mut().collect(), |t| weight(t), f)
}

/// `items` in order, cut into at most `runs` non-empty runs of about equal total `weight`
/// (an item heavier than a run's share makes a run of its own).
pub fn cut<T>(items: Vec<T>, weight: impl Fn(&T) -> usize, runs: usize) -> Vec<Vec<T>> {
    let total: usize = items.iter().map(&weight).sum();
    let share = total.div_ceil(runs.max(1)).max(1);
    let mut out: Vec<Vec<T>> = Vec::with_capacity(runs);
    let mut current = Vec::new();
    let mut filled = 0;
    for item in items {
        filled += weight(&item);
        current.push(item);
        if filled >= share {
            out.push(std::mem::take(&mut current));
            filled = 0;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A chunk's turn in [`in_order`]: to be done here and now, or done ahead already.
pub enum Turn<'c, C, B> {
    Here(&'c C),
    Ahead(B),
}

/// Gives every chunk its turn, in order, on this thread, while a second thread (when one
/// can be started) takes chunks one at a time and does them `ahead` of their turn. This
/// thread takes the next chunk too whenever the due one is not ready: the due one is its
/// [`Turn::Here`], a later one it does `ahead` as well. So what the turns do (building
/// the program from parsed items, writing formatted text) overlaps the other thread's
/// work, and a thread slowed down for a while (the host lending its CPU elsewhere, or
/// backing its fresh pages slowly: 10–60 ms in single runs here, issue #12) leaves its
/// share to the other instead of being waited for. A panic on the other thread continues
/// on this one.
pub fn in_order<C: Sync, B: Send>(
    chunks: &[C],
    ahead: impl Fn(&C) -> B + Sync,
    mut turn: impl FnMut(Turn<'_, C, B>),
) {
    use std::sync::Condvar;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let claim = || next.fetch_add(1, Ordering::Relaxed);
    // Chunks done ahead, and whether the other thread has stopped taking chunks.
    let done: Mutex<(Vec<Option<B>>, bool)> =
        Mutex::new(((0..chunks.len()).map(|_| None).collect(), false));
    let ready = Condvar::new();
    let lock = || done.lock().unwrap_or_else(PoisonError::into_inner);
    /// Marks the other thread stopped however it ends (a panic included), so this one
    /// never waits for it in vain.
    struct Stopped<'a, T>(&'a Mutex<(T, bool)>, &'a Condvar);
    impl<T> Drop for Stopped<'_, T> {
        fn drop(&mut self) {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).1 = true;
            self.1.notify_all();
        }
    }
    let other = || {
        let _stopped = Stopped(&done, &ready);
        loop {
            let at = claim();
            let Some(chunk) = chunks.get(at) else {
                break;
            };
            let b = ahead(chunk);
            lock().0[at] = Some(b);
            ready.notify_all();
        }
    };
    std::thread::scope(|scope| {
        let later = spawn(scope, other);
        let mut due = 0;
        while due < chunks.len() {
            if let Some(b) = lock().0[due].take() {
                turn(Turn::Ahead(b));
                due += 1;
                continue;
            }
            let at = claim();
            if at == due {
                turn(Turn::Here(&chunks[at]));
                due += 1;
            } else if let Some(chunk) = chunks.get(at) {
                let b = ahead(chunk);
                lock().0[at] = Some(b);
            } else {
                // Every chunk is taken; the due one is the other thread's.
                let mut state = lock();
                while state.0[due].is_none() && !state.1 {
                    state = ready.wait(state).unwrap_or_else(PoisonError::into_inner);
                }
                if state.0[due].is_none() {
                    break; // It stopped without doing it: its join says why.
                }
            }
        }
        if let Some(handle) = later {
            join(handle);
        }
    });
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
    fn balanced_results_come_back_in_order() {
        let items: Vec<usize> = (0..1000).collect();
        let out = map_balanced(&items, |&i| i % 7 + 1, |&i| i * 3);
        assert_eq!(out, items.iter().map(|i| i * 3).collect::<Vec<_>>());
        assert_eq!(map_balanced(&[5usize], |_| 1, |&i| i), vec![5]);
        assert_eq!(map_balanced(&[1000usize, 1], |&w| w, |&i| i), vec![1000, 1]);
        assert!(map_balanced(&[] as &[usize], |_| 1, |&i| i).is_empty());
    }

    #[test]
    fn owned_items_come_back_in_order_and_are_dropped_by_f() {
        let items: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
        let out = map_owned_balanced(items, |s| s.len(), |s| s.parse::<usize>().unwrap() * 2);
        assert_eq!(out, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(map_owned_balanced(vec![7usize], |_| 1, |i| i), vec![7]);
        assert!(map_owned_balanced(Vec::<usize>::new(), |_| 1, |i| i).is_empty());
    }

    #[test]
    fn changed_items_come_back_in_order() {
        let mut items: Vec<usize> = (0..1000).collect();
        let out = map_balanced_mut(
            &mut items,
            |&i| i % 7 + 1,
            |i| {
                *i += 1;
                *i * 3
            },
        );
        assert_eq!(out, (1..=1000).map(|i| i * 3).collect::<Vec<_>>());
        assert_eq!(items, (1..=1000).collect::<Vec<_>>());
        assert_eq!(map_balanced_mut(&mut [5usize], |_| 1, |i| *i), vec![5]);
        assert!(map_balanced_mut(&mut [] as &mut [usize], |_| 1, |i| *i).is_empty());
    }

    #[test]
    fn runs_are_cut_by_weight_in_order_and_never_empty() {
        let lens = |runs: Vec<Vec<usize>>| runs.iter().map(Vec::len).collect::<Vec<_>>();
        assert_eq!(lens(cut((0..8).collect(), |_| 1, 4)), vec![2, 2, 2, 2]);
        assert_eq!(lens(cut(vec![100, 1, 1, 1], |&w| w, 2)), vec![1, 3]);
        assert_eq!(lens(cut(vec![1, 1, 1], |&w| w, 32)), vec![1, 1, 1]);
        assert_eq!(lens(cut(vec![0, 0, 0], |&w| w, 2)), vec![3]);
        assert!(cut(Vec::<usize>::new(), |&w| w, 4).is_empty());
        let flat: Vec<usize> = cut((0..100).collect(), |&i| i % 5, 7).concat();
        assert_eq!(flat, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn every_turn_comes_once_in_order() {
        let chunks: Vec<u64> = (0..500).collect();
        // Uneven work, so that both threads take chunks ahead and out of turn.
        let work = |&c: &u64| (0..(c % 7) * 2000).fold(c, |a, k| a.wrapping_mul(31) ^ k);
        let mut seen = Vec::new();
        in_order(
            &chunks,
            |c| (*c, work(c)),
            |turn| match turn {
                Turn::Here(c) => seen.push((*c, work(c))),
                Turn::Ahead(done) => seen.push(done),
            },
        );
        let expected: Vec<(u64, u64)> = chunks.iter().map(|c| (*c, work(c))).collect();
        assert_eq!(seen, expected);
        in_order(&[] as &[u64], |_| (), |_| panic!("no chunk, no turn"));
    }

    #[test]
    fn a_panic_ahead_is_passed_on_not_waited_for() {
        let chunks: Vec<u32> = (0..64).collect();
        let caught = std::panic::catch_unwind(|| {
            in_order(
                &chunks,
                |&c| {
                    assert!(c != 40, "chunk 40");
                    c
                },
                |turn| {
                    if let Turn::Here(&c) = turn {
                        // This thread is slow: the other does most chunks ahead.
                        std::thread::sleep(std::time::Duration::from_millis(2));
                        assert!(c != 40, "chunk 40");
                    }
                },
            )
        });
        assert!(caught.is_err());
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
