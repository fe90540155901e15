//! The command line's allocator: glibc's `malloc` with a per-thread cache of small freed
//! blocks in front of it.
//!
//! A translation makes about five allocations per input instruction, nine in ten of them
//! of 256 bytes or less, and frees most of them in bulk (a function's analyses when its
//! TEXT is written, the parsed program at the end). glibc keeps at most seven freed blocks
//! per size in its own per-thread cache; the rest go through its bins and consolidation,
//! which measured 14 % of the command line's instructions. Here a freed block of at most
//! [`MAX_SMALL`] bytes goes onto a free list of its size class (multiples of 16 bytes) and
//! is handed out again for the next request of that class; a request the list cannot
//! serve is carved from a 64 KiB slab taken from glibc (no per-block header, no search).
//! Everything larger goes straight to glibc. Small blocks are never returned to glibc:
//! memory freed in one class serves only that class again — which a translation's phases,
//! allocating the same kinds of objects over and over, do.
//!
//! The lists are per thread (`thread_local!` with a constant initialiser: no registration,
//! no allocation), so no lock is taken; a block freed on another thread than the one that
//! allocated it simply joins that thread's list. Only the command line uses this; the
//! library leaves the choice of allocator to its users.
//!
//! Why hand-written rather than a well-kept allocator crate: measured against `mimalloc`
//! (0.1.52, the crate's default mimalloc v3 and its `v2` feature) as the binary's global
//! allocator, cold command line on the 123 K-line benchmark input (`benches/translate.rs`,
//! `BENCH_WRITE_INPUT`), 31 interleaved runs each, medians, ratios paired per run:
//!
//! | allocator | wall | vs this | peak RSS |
//! |---|---|---|---|
//! | this cache + `huge_heap` | 110 ms | 1 | 72.6 MiB (20.6× the input) |
//! | mimalloc v2 (huge pages on by itself) | 116 ms | 1.04–1.06 | 88.9 MiB (25.2×) |
//! | mimalloc v3 (the crate's default) | 124–134 ms | 1.09–1.13 | 110.9 MiB (31.5×) |
//! | glibc + `huge_heap` | 129 ms | 1.14–1.17 | 75.8 MiB (21.5×) |
//!
//! mimalloc v2 comes close in time but holds 16 MiB (22 %) more at the peak, and v3 more
//! still, against issue #12's goal of a peak within 16× the input; `MIMALLOC_ALLOW_THP=0`
//! brings v2 to 76 MiB but 1.44× the time (4 KiB page faults). So this stays, small and
//! tested, until the translator's own footprint makes the difference irrelevant.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr;

/// The largest request served from the free lists.
pub const MAX_SMALL: usize = 512;
const GRANULE: usize = 16;
const CLASSES: usize = MAX_SMALL / GRANULE;

pub struct SmallCache;

/// Bytes fresh small blocks are carved from, taken from glibc at a time.
const SLAB: usize = 64 << 10;

thread_local! {
    static FREE: [Cell<*mut u8>; CLASSES] = const { [const { Cell::new(ptr::null_mut()) }; CLASSES] };
    /// The unused rest of the current slab: `[next, end)`.
    static BUMP: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// A fresh block of class `c`: carved from the current slab, or from a new one.
fn carve(c: usize) -> *mut u8 {
    let size = (c + 1) * GRANULE;
    BUMP.try_with(|bump| {
        let (mut next, mut end) = bump.get();
        if end - next < size {
            // SAFETY: a valid, non-zero layout; the slab's rest (< 512 bytes) is dropped.
            let slab = unsafe { System.alloc(Layout::from_size_align(SLAB, GRANULE).ok()?) };
            if slab.is_null() {
                return None;
            }
            (next, end) = (slab as usize, slab as usize + SLAB);
        }
        bump.set((next + size, end));
        Some(next as *mut u8)
    })
    .ok()
    .flatten()
    // SAFETY: a valid, non-zero layout.
    .unwrap_or_else(|| unsafe { System.alloc(class_layout(c)) })
}

/// The size class of a small request (`None`: glibc serves it).
fn class(layout: Layout) -> Option<usize> {
    (layout.size() <= MAX_SMALL && layout.align() <= GRANULE && layout.size() > 0)
        .then(|| (layout.size() - 1) / GRANULE)
}

fn class_layout(c: usize) -> Layout {
    // Sizes are multiples of 16 up to MAX_SMALL, alignment 16: always valid.
    Layout::from_size_align((c + 1) * GRANULE, GRANULE).unwrap_or(Layout::new::<u128>())
}

unsafe impl GlobalAlloc for SmallCache {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(c) = class(layout) else {
            // SAFETY: forwarded as is.
            return unsafe { System.alloc(layout) };
        };
        let reused = FREE
            .try_with(|free| {
                let head = free[c].get();
                if !head.is_null() {
                    // SAFETY: a block on the list holds the next block's address in its
                    // first word (written by `dealloc`), and is at least 16 bytes.
                    free[c].set(unsafe { head.cast::<*mut u8>().read() });
                }
                head
            })
            .unwrap_or(ptr::null_mut());
        if reused.is_null() { carve(c) } else { reused }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        let Some(c) = class(layout) else {
            // SAFETY: allocated by System with this layout (`alloc` above).
            return unsafe { System.dealloc(p, layout) };
        };
        let kept = FREE.try_with(|free| {
            // SAFETY: the block is at least 16 bytes, 16-aligned and no longer in use.
            unsafe { p.cast::<*mut u8>().write(free[c].get()) };
            free[c].set(p);
        });
        // When the thread is exiting (`kept` is an error) the block is left alone: it may
        // be part of a slab, which glibc cannot take back piecewise.
        let _ = kept;
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (all below): `p` was allocated here with `layout`; `new_size` is valid for
        // `layout.align()` (GlobalAlloc's contract).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (class(layout), class(new_layout)) {
            (None, None) => unsafe { System.realloc(p, layout, new_size) },
            (Some(a), Some(b)) if a == b => p,
            _ => {
                let q = unsafe { self.alloc(new_layout) };
                if !q.is_null() {
                    unsafe {
                        ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
                        self.dealloc(p, layout);
                    }
                }
                q
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_16_byte_steps_up_to_the_bound() {
        let l = |s, a| Layout::from_size_align(s, a).expect("layout");
        assert_eq!(class(l(1, 1)), Some(0));
        assert_eq!(class(l(16, 8)), Some(0));
        assert_eq!(class(l(17, 8)), Some(1));
        assert_eq!(class(l(MAX_SMALL, 16)), Some(CLASSES - 1));
        assert_eq!(class(l(MAX_SMALL + 1, 8)), None);
        assert_eq!(class(l(64, 32)), None);
        assert_eq!(class_layout(CLASSES - 1).size(), MAX_SMALL);
    }

    #[test]
    fn freed_blocks_are_reused_and_contents_survive_reallocation() {
        let a = SmallCache;
        let l = Layout::from_size_align(40, 8).expect("layout");
        unsafe {
            let p = a.alloc(l);
            p.write_bytes(7, 40);
            a.dealloc(p, l);
            let q = a.alloc(Layout::from_size_align(48, 8).expect("layout"));
            assert_eq!(p, q, "same class, reused");
            q.write_bytes(9, 48);
            // Growing across classes and into glibc's sizes keeps the contents.
            let r = a.realloc(q, Layout::from_size_align(48, 8).expect("layout"), 100);
            assert!((0..48).all(|i| *r.add(i) == 9));
            let s = a.realloc(r, Layout::from_size_align(100, 8).expect("layout"), 4000);
            assert!((0..48).all(|i| *s.add(i) == 9));
            let t = a.realloc(s, Layout::from_size_align(4000, 8).expect("layout"), 20);
            assert!((0..20).all(|i| *t.add(i) == 9));
            a.dealloc(t, Layout::from_size_align(20, 8).expect("layout"));
        }
    }
}
