//! Huge pages for the command line's heap on large inputs (Linux with glibc).
//!
//! Translating a 100 K-line file touches about 60 MiB of fresh heap. With 4 KiB pages that
//! is some 16 000 page faults, each zeroing one page in the kernel: measured here, about a
//! third of the process's CPU time. With transparent huge pages the kernel zeroes 2 MiB at
//! a time in a few dozen faults (the same effect as running with
//! `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`). Most systems enable them only for memory a
//! process asks for (`/sys/kernel/mm/transparent_hugepage/enabled` = `madvise`), and
//! glibc's heap does not ask, so before translating a large input the command line:
//!
//! 1. keeps every block in the brk heap (`M_MMAP_THRESHOLD` at its maximum, 32 MiB: a
//!    block served by `mmap` would fault in its own 4 KiB pages again, and be unmapped on
//!    free), tells glibc never to give the heap's top back to the kernel
//!    (`M_TRIM_THRESHOLD`), and keeps the parser's second thread in the same heap
//!    (`M_ARENA_MAX` = 1: an arena of its own faulted in some 3 000 small pages and
//!    added 6 MiB to the peak);
//! 2. grows the heap to the expected peak by allocating it in blocks below the threshold and
//!    freeing them (nothing is touched, so nothing is faulted in yet);
//! 3. marks that range `MADV_HUGEPAGE`, so what the translation then touches of it is
//!    faulted in as huge pages, and drops the few 4 KiB pages the blocks' headers touched
//!    (`MADV_DONTNEED`: the range is one free chunk whose header lies before it; a 2 MiB
//!    range that holds a small page is never faulted in as a huge page).
//!
//! Peak RSS stays what the translation touches, rounded up to 2 MiB. Where huge pages are
//! off (`never`) or already on for everything (`always`), or on other systems, this changes
//! nothing; any call that fails leaves the heap as glibc would have it.

/// Inputs smaller than this gain nothing: a 2 MiB page costs more to zero than the whole
/// translation touches.
pub const MIN_INPUT: u64 = 1 << 20;

/// Heap bytes per input byte to prepare (the benchmark input's peak is 14–16× its size;
/// the margin is for inputs that need more).
const PEAK_PER_INPUT_BYTE: u64 = 24;

/// Prepares the heap for translating an input of `input_len` bytes.
///
/// Must run while the process has no other thread: it grows the heap, frees what it grew
/// and discards those pages (`MADV_DONTNEED`), and a block another thread allocated in
/// between would lose its contents. (Tried on 2026-12-06: starting the x86 tables'
/// thread first crashed one run in six with glibc's `free(): invalid pointer`.)
///
/// The heap is not faulted in ahead: a thread doing that (`MADV_POPULATE_WRITE`, 10× the
/// input) while the translation started measured no faster, 1.00 at the median of 60
/// interleaved cold runs and the same in stage marks (issue #12), and it made every thread
/// started meanwhile wait for its lock.
pub fn prepare(input_len: u64) {
    if input_len < MIN_INPUT {
        return;
    }
    let peak = usize::try_from(input_len.saturating_mul(PEAK_PER_INPUT_BYTE)).unwrap_or(0);
    imp::prepare(peak.min(1 << 30));
}

/// The 2 MiB-aligned part of `[start, end)`, if any.
fn huge_aligned(start: usize, end: usize) -> Option<(usize, usize)> {
    const HUGE: usize = 2 << 20;
    let s = start.checked_add(HUGE - 1)? & !(HUGE - 1);
    let e = end & !(HUGE - 1);
    (e > s).then_some((s, e - s))
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    use std::ffi::{c_int, c_void};

    unsafe extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
        fn malloc(size: usize) -> *mut c_void;
        fn free(p: *mut c_void);
        fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    }

    // <malloc.h>, <sys/mman.h>
    const M_TRIM_THRESHOLD: c_int = -1;
    const M_MMAP_THRESHOLD: c_int = -3;
    const M_ARENA_MAX: c_int = -8;
    const MADV_DONTNEED: c_int = 4;
    const MADV_HUGEPAGE: c_int = 14;
    /// glibc's largest mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX).
    const MMAP_THRESHOLD_MAX: usize = 32 << 20;
    /// Blocks the heap is grown by: below the threshold, so they come from brk.
    const BLOCK: usize = 8 << 20;

    pub fn prepare(peak: usize) {
        // SAFETY: mallopt only changes glibc's policies; the blocks are allocated and freed
        // here and never used; madvise only advises on memory the heap owns.
        unsafe {
            if mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX as c_int) == 0
                || mallopt(M_TRIM_THRESHOLD, c_int::MAX) == 0
                || mallopt(M_ARENA_MAX, 1) == 0
            {
                return;
            }
            let mut blocks = Vec::with_capacity(peak / BLOCK + 1);
            let mut grown = 0;
            while grown < peak {
                let p = malloc(BLOCK);
                if p.is_null() {
                    break;
                }
                blocks.push(p);
                grown += BLOCK;
            }
            let (Some(&first), Some(&last)) = (blocks.first(), blocks.last()) else {
                return;
            };
            let (lo, hi) = (first as usize, last as usize + BLOCK);
            // Contiguous (the heap grew by brk): one range; otherwise each block alone.
            let ranges: Vec<(usize, usize)> = if hi - lo < blocks.len() * (BLOCK + 4096) {
                vec![(lo, hi)]
            } else {
                blocks
                    .iter()
                    .map(|&p| (p as usize, p as usize + BLOCK))
                    .collect()
            };
            for p in blocks.into_iter().rev() {
                free(p);
            }
            // The blocks are one free top chunk now, whose header lies before the first
            // block. Each block's own header touched a 4 KiB page, and a 2 MiB range holding
            // a small page is never faulted in as a huge page: drop those stale pages.
            for (s, e) in ranges {
                if let Some((start, len)) = super::huge_aligned(s, e) {
                    madvise(start as *mut c_void, len, MADV_HUGEPAGE);
                    madvise(start as *mut c_void, len, MADV_DONTNEED);
                }
            }
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    pub fn prepare(_peak: usize) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_huge_pages_are_advised() {
        const M: usize = 1 << 20;
        assert_eq!(huge_aligned(M, 7 * M), Some((2 * M, 4 * M)));
        assert_eq!(huge_aligned(2 * M, 4 * M), Some((2 * M, 2 * M)));
        assert_eq!(huge_aligned(M, 3 * M), None);
    }

    #[test]
    fn preparing_leaves_the_heap_usable() {
        prepare(MIN_INPUT);
        let v: Vec<u8> = vec![1; 3 << 20];
        assert_eq!(v.iter().map(|&b| usize::from(b)).sum::<usize>(), 3 << 20);
    }
}
