//! A global allocator that counts the bytes it hands out and takes back, to measure what a
//! data structure holds from the outside rather than by its own reckoning (`heap_bytes`).
//!
//! Two counts: for the whole process (a benchmark with nothing else running), and for the
//! calling thread (a test, while other tests allocate on their threads). A thread's count is
//! what it allocated minus what it freed, so it measures what a structure built and kept on
//! that thread holds, as long as no other thread frees any of it meanwhile.
//!
//! Included by path by the window tests and the window benchmark, each of which declares
//! `#[global_allocator] static ALLOCATOR: Counting = Counting;`.

#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

/// The system allocator, counting.
pub struct Counting;

static PROCESS_LIVE: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    // Const-initialised and without a destructor: usable from inside the allocator, even
    // while the thread ends.
    static THREAD_LIVE: Cell<isize> = const { Cell::new(0) };
}

fn count(bytes: isize) {
    PROCESS_LIVE.fetch_add(bytes, Ordering::Relaxed);
    let _ = THREAD_LIVE.try_with(|live| live.set(live.get() + bytes));
}

// SAFETY: every call is passed to the system allocator unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees are the system allocator's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            count(layout.size() as isize);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            count(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        new
    }
}

/// Bytes allocated and not yet freed, by the whole process.
pub fn process_live_bytes() -> isize {
    PROCESS_LIVE.load(Ordering::Relaxed)
}

/// Bytes the calling thread allocated minus those it freed.
pub fn thread_live_bytes() -> isize {
    THREAD_LIVE.try_with(Cell::get).unwrap_or(0)
}
