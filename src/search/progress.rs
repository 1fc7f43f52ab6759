//! Lock-free progress counters shared by the walker, the search threads and any reader.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Counters updated by the search threads with relaxed atomics: a reader (the progress bar, the
/// CLI's status line) sees each value on its own, never a torn one, and never blocks a writer.
#[derive(Debug, Default)]
pub struct Progress {
    files_found: AtomicU64,
    files_searched: AtomicU64,
    files_matched: AtomicU64,
    files_failed: AtomicU64,
    bytes_searched: AtomicU64,
    matches: AtomicU64,
    errors: AtomicU64,
    walk_done: AtomicBool,
    finished: AtomicBool,
}

/// A copy of the counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgressSnapshot {
    /// Files the walk has handed to the search threads so far.
    pub files_found: u64,
    /// Files whose search is complete (matched or not, binary files included).
    pub files_searched: u64,
    /// Files with at least one match.
    pub files_matched: u64,
    /// Found files that could not be read (also counted in `errors`).
    pub files_failed: u64,
    /// Bytes read from searched files.
    pub bytes_searched: u64,
    /// Occurrences found.
    pub matches: u64,
    /// Files or folders that could not be read.
    pub errors: u64,
    /// The walk has finished: `files_found` is final.
    pub walk_done: bool,
    /// The whole search has finished (completed or cancelled).
    pub finished: bool,
}

impl Progress {
    /// Reads every counter once.
    pub fn snapshot(&self) -> ProgressSnapshot {
        ProgressSnapshot {
            files_found: self.files_found.load(Ordering::Relaxed),
            files_searched: self.files_searched.load(Ordering::Relaxed),
            files_matched: self.files_matched.load(Ordering::Relaxed),
            files_failed: self.files_failed.load(Ordering::Relaxed),
            bytes_searched: self.bytes_searched.load(Ordering::Relaxed),
            matches: self.matches.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            walk_done: self.walk_done.load(Ordering::Acquire),
            finished: self.finished.load(Ordering::Acquire),
        }
    }

    pub(crate) fn add_found(&self) {
        self.files_found.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add_searched(&self, bytes: u64, matches: u64) {
        self.bytes_searched.fetch_add(bytes, Ordering::Relaxed);
        if matches > 0 {
            self.matches.fetch_add(matches, Ordering::Relaxed);
            self.files_matched.fetch_add(1, Ordering::Relaxed);
        }
        self.files_searched.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add_error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add_failed(&self) {
        self.files_failed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn set_walk_done(&self) {
        self.walk_done.store(true, Ordering::Release);
    }

    pub(crate) fn set_finished(&self) {
        self.finished.store(true, Ordering::Release);
    }
}

impl ProgressSnapshot {
    /// Fraction of found files already done (searched or failed), in 0..=1.
    pub fn fraction(&self) -> f32 {
        if self.files_found == 0 {
            if self.finished { 1.0 } else { 0.0 }
        } else {
            ((self.files_searched + self.files_failed) as f64 / self.files_found as f64).min(1.0)
                as f32
        }
    }
}
