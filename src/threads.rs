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
