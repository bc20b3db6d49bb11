//! The wasm heap: a small allocator (under 1 KB of wasm) instead of `dlmalloc` (~7 KB).
//!
//! - Small blocks (up to 64 KiB) come in fixed sizes — 16 and 32 bytes, then two per power of two
//!   (48, 64, 96, 128, …, 64 KiB). A freed block goes on the free list of its size and is reused by
//!   the next allocation of that size: O(1), at most 1.5× rounding past 32 bytes, and memory freed
//!   in one size is reused only by that size (these are the many short-lived strings and vectors of
//!   a call).
//! - Large blocks (request and response bodies, photos, decoded pages) are multiples of 16 KiB. A
//!   free one is reused best-fit and split exactly; freeing merges it with free neighbours and with
//!   the unused end of the heap, so memory freed in one large size serves any other.
//!
//! Everything is carved in order from memory the module grows with `memory.grow`.
//! Only for single-threaded wasm (no `atomics` target feature); other builds keep Rust's default.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ptr::null_mut;

#[cfg(target_arch = "wasm32")]
const PAGE: usize = 65536;
/// Small size classes, up to `LARGE` bytes (see `class_of`).
const CLASSES: usize = 24;
/// Requests above this are large blocks.
const LARGE: usize = 65536;
/// Large blocks are multiples of this.
const LARGE_UNIT: usize = 16384;
/// Blocks are 16-byte aligned; larger alignments are served from a larger block (see `alloc`).
const BLOCK_ALIGN: usize = 16;
const WORD: usize = std::mem::size_of::<usize>();

/// A free large block, written at its own start.
struct FreeLarge {
    size: usize,
    next: *mut FreeLarge,
}

struct State {
    /// Head of each small size's free list (a freed block stores the next one in its first word).
    free: [*mut u8; CLASSES],
    /// Free large blocks, unordered.
    large: *mut FreeLarge,
    /// The unused end of the heap: `next..end` is taken from `memory.grow` but never handed out.
    next: usize,
    end: usize,
}

/// The allocator (see the module documentation).
pub struct Heap(UnsafeCell<State>);

// SAFETY: wasm32 without the `atomics` feature has one thread; nothing else touches the state.
unsafe impl Sync for Heap {}

impl Heap {
    /// An empty heap; memory is taken on first use.
    pub const fn new() -> Heap {
        Heap(UnsafeCell::new(State { free: [null_mut(); CLASSES], large: null_mut(), next: 0, end: 0 }))
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

/// The small size class for `size` (at most `LARGE`): 0 → 16 bytes, 1 → 32, then for each power
/// of two 2^k (k ≥ 5) the classes 1.5·2^k and 2^(k+1). Every class size is a multiple of 16, so
/// blocks carved one after another stay 16-byte aligned.
fn class_of(size: usize) -> usize {
    if size <= 32 {
        return usize::from(size > 16);
    }
    let k = (usize::BITS - 1 - (size - 1).leading_zeros()) as usize; // 2^k < size <= 2^(k+1)
    2 * k - 8 + usize::from(size > 3 << (k - 1))
}

/// Bytes in a block of small `class`.
fn class_size(class: usize) -> usize {
    match class {
        0 => 16,
        1 => 32,
        _ => {
            let k = (class + 8) / 2;
            if class % 2 == 0 {
                3 << (k - 1)
            } else {
                1 << (k + 1)
            }
        }
    }
}

/// The bytes a request occupies: for alignments above 16 the block also holds the padding and,
/// just below the returned address, the block's own address.
fn block_size(layout: Layout) -> usize {
    if layout.align() <= BLOCK_ALIGN {
        layout.size()
    } else {
        layout.size().saturating_add(layout.align())
    }
}

/// The size of the block serving `size` bytes (`None` if too large for the address space).
fn rounded(size: usize) -> Option<usize> {
    if size <= LARGE {
        Some(class_size(class_of(size)))
    } else {
        size.checked_next_multiple_of(LARGE_UNIT).filter(|&s| s <= isize::MAX as usize)
    }
}

impl State {
    /// `size` bytes from the unused end of the heap.
    unsafe fn carve(&mut self, size: usize) -> *mut u8 {
        if self.end - self.next < size && !self.grow(size) {
            return null_mut();
        }
        let block = self.next as *mut u8;
        self.next += size;
        block
    }

    unsafe fn take(&mut self, size: usize) -> *mut u8 {
        if size > LARGE {
            return unsafe { self.take_large(size) };
        }
        let class = class_of(size);
        let head = self.free[class];
        if head.is_null() {
            return unsafe { self.carve(size) };
        }
        self.free[class] = unsafe { *(head as *mut *mut u8) };
        head
    }

    /// `size` is a block size (see `rounded`).
    unsafe fn give(&mut self, block: *mut u8, size: usize) {
        if size > LARGE {
            return unsafe { self.give_large(block as usize, size) };
        }
        let class = class_of(size);
        unsafe { *(block as *mut *mut u8) = self.free[class] };
        self.free[class] = block;
    }

    /// The smallest free large block that fits, split to `size`; else fresh memory.
    unsafe fn take_large(&mut self, size: usize) -> *mut u8 {
        let mut best: *mut *mut FreeLarge = null_mut();
        let mut link: *mut *mut FreeLarge = &mut self.large;
        unsafe {
            while !(*link).is_null() {
                let node = *link;
                if (*node).size >= size && (best.is_null() || (*node).size < (**best).size) {
                    best = link;
                }
                link = &mut (*node).next;
            }
            if best.is_null() {
                return self.carve(size);
            }
            let node = *best;
            *best = (*node).next;
            let rest = (*node).size - size;
            if rest > 0 {
                // Sizes are multiples of LARGE_UNIT, so the rest is at least one unit.
                self.push_large(node as usize + size, rest);
            }
            node as *mut u8
        }
    }

    /// Frees a large block, merged with free neighbours, or returned to the unused end.
    unsafe fn give_large(&mut self, mut start: usize, size: usize) {
        let mut end = start + size;
        unsafe {
            let mut link: *mut *mut FreeLarge = &mut self.large;
            while !(*link).is_null() {
                let node = *link;
                let (node_start, node_end) = (node as usize, node as usize + (*node).size);
                if node_end == start || node_start == end {
                    *link = (*node).next;
                    start = start.min(node_start);
                    end = end.max(node_end);
                    // Rescan: the merged block may now touch another free one.
                    link = &mut self.large;
                } else {
                    link = &mut (*node).next;
                }
            }
            if end == self.next {
                self.next = start;
            } else {
                self.push_large(start, end - start);
            }
        }
    }

    unsafe fn push_large(&mut self, start: usize, size: usize) {
        let node = start as *mut FreeLarge;
        unsafe { node.write(FreeLarge { size, next: self.large }) };
        self.large = node;
    }

    /// Makes at least `size` bytes available at `next`.
    #[cfg(target_arch = "wasm32")]
    fn grow(&mut self, size: usize) -> bool {
        let pages = size.div_ceil(PAGE).max(1);
        let previous = core::arch::wasm32::memory_grow(0, pages);
        if previous == usize::MAX {
            return false;
        }
        let start = previous * PAGE;
        if start != self.end {
            // Memory was grown by someone else: the rest of the old region is left unused.
            self.next = start;
        }
        self.end = start + pages * PAGE;
        true
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn grow(&mut self, _size: usize) -> bool {
        false
    }
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(size) = rounded(block_size(layout)) else { return null_mut() };
        // SAFETY: single-threaded, and no allocation call re-enters this one.
        let state = unsafe { &mut *self.0.get() };
        let block = unsafe { state.take(size) };
        if block.is_null() || layout.align() <= BLOCK_ALIGN {
            return block;
        }
        // Room for the block address below the aligned address, then align up.
        let aligned = (block as usize + WORD).next_multiple_of(layout.align());
        unsafe { *((aligned - WORD) as *mut usize) = block as usize };
        aligned as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(size) = rounded(block_size(layout)) else { return };
        let block = if layout.align() <= BLOCK_ALIGN { ptr } else { unsafe { *((ptr as usize - WORD) as *const usize) as *mut u8 } };
        let state = unsafe { &mut *self.0.get() };
        unsafe { state.give(block, size) };
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= BLOCK_ALIGN && rounded(layout.size()) == rounded(new_size) {
            return ptr;
        }
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else { return null_mut() };
        let new_ptr = unsafe { self.alloc(new_layout) };
        if !new_ptr.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new_ptr, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new_ptr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes() {
        let size_of = |n: usize| class_size(class_of(n));
        assert_eq!(size_of(1), 16);
        assert_eq!(size_of(16), 16);
        assert_eq!(size_of(17), 32);
        assert_eq!(size_of(33), 48);
        assert_eq!(size_of(48), 48);
        assert_eq!(size_of(49), 64);
        assert_eq!(size_of(65), 96);
        assert_eq!(size_of(65536), 65536);
        assert_eq!(class_of(LARGE), CLASSES - 1);
        // Every size fits its block, which is a multiple of 16 and, past 32 bytes, under 1.5× the size.
        for n in 1..=LARGE {
            let size = size_of(n);
            assert!(size >= n && size % 16 == 0, "{n} -> {size}");
            assert!(n <= 32 || size * 2 < n * 3, "{n} -> {size}");
        }
        assert!((0..CLASSES).all(|c| class_of(class_size(c)) == c));
        assert_eq!(rounded(LARGE + 1), Some(LARGE + LARGE_UNIT));
        assert_eq!(rounded(3 << 20), Some(3 << 20));
        assert_eq!(rounded(usize::MAX - 5), None);
        assert_eq!(block_size(Layout::from_size_align(10, 8).unwrap()), 10);
        assert_eq!(block_size(Layout::from_size_align(10, 64).unwrap()), 74);
    }

    /// A heap over a fake region instead of `memory.grow`.
    fn with_region(test: impl FnOnce(&Heap, usize)) {
        with_region_of(1 << 20, test)
    }

    fn with_region_of(size: usize, test: impl FnOnce(&Heap, usize)) {
        let mut region = vec![0u8; size + 64];
        let heap = Heap::new();
        let start = (region.as_mut_ptr() as usize).next_multiple_of(64);
        unsafe {
            let state = &mut *heap.0.get();
            state.next = start;
            state.end = start + size;
        }
        test(&heap, start);
    }

    /// Random allocations, reallocations and frees of small and large sizes: every live block keeps
    /// its contents (no overlap), and memory is reused (the heap stays within its region).
    #[test]
    fn random_use_keeps_blocks_apart() {
        with_region_of(64 << 20, |heap, _| unsafe {
            let mut seed = 0x2545_f491_4f6c_dd1du64;
            let mut random = move |n: usize| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % n as u64) as usize
            };
            let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
            for step in 0..8_000usize {
                let fill = (step % 251) as u8;
                match random(10) {
                    0..=4 if live.len() < 400 => {
                        let size = if random(8) == 0 { 1 + random(400_000) } else { 1 + random(2_000) };
                        let layout = Layout::from_size_align(size, [1, 8, 16, 64][random(4)]).unwrap();
                        let p = heap.alloc(layout);
                        assert!(!p.is_null() && p as usize % layout.align() == 0);
                        p.write_bytes(fill, size);
                        live.push((p, layout, fill));
                    }
                    5 | 6 if !live.is_empty() => {
                        let i = random(live.len());
                        let (p, layout, fill) = live[i];
                        let new_size = 1 + random(if layout.size() > 2_000 { 400_000 } else { 4_000 });
                        let q = heap.realloc(p, layout, new_size);
                        assert!(!q.is_null());
                        let kept = layout.size().min(new_size);
                        assert!(std::slice::from_raw_parts(q, kept).iter().all(|&b| b == fill));
                        q.write_bytes(fill, new_size);
                        live[i] = (q, Layout::from_size_align(new_size, layout.align()).unwrap(), fill);
                    }
                    _ if !live.is_empty() => {
                        let (p, layout, fill) = live.swap_remove(random(live.len()));
                        assert!(std::slice::from_raw_parts(p, layout.size()).iter().all(|&b| b == fill), "step {step}");
                        heap.dealloc(p, layout);
                    }
                    _ => {}
                }
            }
            for (p, layout, fill) in live {
                assert!(std::slice::from_raw_parts(p, layout.size()).iter().all(|&b| b == fill));
                heap.dealloc(p, layout);
            }
        });
    }

    #[test]
    fn reuses_freed_small_blocks_by_size() {
        with_region(|heap, _| unsafe {
            let small = Layout::from_size_align(24, 8).unwrap();
            let a = heap.alloc(small);
            let b = heap.alloc(small);
            assert_eq!(b as usize - a as usize, 32);
            heap.dealloc(a, small);
            assert_eq!(heap.alloc(small), a, "a freed block is reused");
            let wide = Layout::from_size_align(8, 64).unwrap();
            let w = heap.alloc(wide);
            assert_eq!(w as usize % 64, 0);
            heap.dealloc(w, wide);
            assert_eq!(heap.alloc(wide), w);
            // Growing within the same size keeps the block; past it, the data moves.
            *b = 7;
            assert_eq!(heap.realloc(b, small, 30), b);
            let moved = heap.realloc(b, small, 100);
            assert_ne!(moved, b);
            assert_eq!(*moved, 7);
        });
    }

    #[test]
    fn large_blocks_split_merge_and_return_to_the_unused_end() {
        with_region(|heap, start| unsafe {
            let state = || &mut *heap.0.get();
            let layout = |n: usize| Layout::from_size_align(n, 1).unwrap();
            let a = heap.alloc(layout(196_608)); // 12 units
            let b = heap.alloc(layout(100_000)); // 7 units: 114688 bytes
            let guard = heap.alloc(layout(16));
            assert_eq!(a as usize, start);
            assert_eq!(b as usize, start + 196_608);
            heap.dealloc(a, layout(196_608));
            // Best fit, split exactly: the rest stays free.
            let c = heap.alloc(layout(70_000)); // 5 units: 81920 bytes
            assert_eq!(c, a);
            assert!(!state().large.is_null());
            // Freeing b merges it with the free rest of a; freeing c merges all three.
            heap.dealloc(b, layout(100_000));
            heap.dealloc(c, layout(70_000));
            let node = state().large;
            assert_eq!((node as usize, (*node).size, (*node).next.is_null()), (start, 196_608 + 114_688, true));
            // The merged block serves a larger request than either part.
            let d = heap.alloc(layout(300_000)); // 19 units: 311296 bytes, all of it
            assert_eq!(d as usize, start);
            assert!(state().large.is_null());
            // A large block at the unused end goes back to it.
            heap.dealloc(guard, layout(16));
            let top = state().next;
            let e = heap.alloc(layout(70_000));
            assert_eq!(e as usize, top);
            heap.dealloc(e, layout(70_000));
            assert_eq!(state().next, top);
            assert!(state().large.is_null());
            // Out of the region: natively there is no memory.grow.
            #[cfg(not(target_arch = "wasm32"))]
            assert!(heap.alloc(layout(2 << 20)).is_null());
        });
    }
}
