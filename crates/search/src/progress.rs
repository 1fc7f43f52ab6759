//! Lock-free progress counters shared by the walker, the search threads and any reader.

use std::sync::Arc;
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
    /// Files too large to read at once that are being read now, their sizes, and the bytes read
    /// and matches found in them so far: the bar then moves inside a huge file, not only when
    /// it is done. Kept apart from the totals and taken back when the file ends, however it
    /// ends: a file that fails halfway then counts nothing, one that succeeds is added whole.
    streaming_files: AtomicU64,
    streaming_size: AtomicU64,
    streaming_read: AtomicU64,
    streaming_matches: AtomicU64,
}

/// A copy of the counters at one moment: each read once, so that what one frame or status line
/// shows is one value of each, not a counter read twice as it moves.
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
    /// Bytes read from searched files, and so far from the large files being read.
    pub bytes_searched: u64,
    /// Occurrences found, also those found so far in the large files being read.
    pub matches: u64,
    /// Files or folders that could not be read.
    pub errors: u64,
    /// The walk has finished: `files_found` is final.
    pub walk_done: bool,
    /// The whole search has finished (completed or cancelled).
    pub finished: bool,
    /// Large files being read now (counted in neither `files_searched` nor `files_failed`).
    pub streaming_files: u64,
    /// Their sizes, added up.
    pub streaming_size: u64,
    /// Bytes read of them so far (also counted in `bytes_searched`).
    pub streaming_read: u64,
}

impl Progress {
    /// Reads every counter once.
    pub fn snapshot(&self) -> ProgressSnapshot {
        let streaming_read = self.streaming_read.load(Ordering::Relaxed);
        ProgressSnapshot {
            files_found: self.files_found.load(Ordering::Relaxed),
            files_searched: self.files_searched.load(Ordering::Relaxed),
            files_matched: self.files_matched.load(Ordering::Relaxed),
            files_failed: self.files_failed.load(Ordering::Relaxed),
            bytes_searched: self.bytes_searched.load(Ordering::Relaxed) + streaming_read,
            matches: self.matches.load(Ordering::Relaxed)
                + self.streaming_matches.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            walk_done: self.walk_done.load(Ordering::Acquire),
            finished: self.finished.load(Ordering::Acquire),
            streaming_files: self.streaming_files.load(Ordering::Relaxed),
            streaming_size: self.streaming_size.load(Ordering::Relaxed),
            streaming_read,
        }
    }

    pub(crate) fn add_found(&self) {
        self.files_found.fetch_add(1, Ordering::Relaxed);
    }

    /// A file found by the walk turned out to be an archive: its members are counted as files
    /// instead, each as it is reached.
    pub(crate) fn retract_found(&self) {
        self.files_found.fetch_sub(1, Ordering::Relaxed);
    }

    /// A file is done: `bytes` read, `matches` occurrences (a binary file has none).
    pub(crate) fn add_searched(&self, bytes: u64, matches: u64) {
        self.bytes_searched.fetch_add(bytes, Ordering::Relaxed);
        if matches > 0 {
            self.matches.fetch_add(matches, Ordering::Relaxed);
            self.files_matched.fetch_add(1, Ordering::Relaxed);
        }
        self.files_searched.fetch_add(1, Ordering::Relaxed);
    }

    /// A large file of `size` bytes starts being read in parts (streamed, or in segments by several threads).
    pub(crate) fn start_streaming(&self, size: u64) {
        self.streaming_size.fetch_add(size, Ordering::Relaxed);
        self.streaming_files.fetch_add(1, Ordering::Relaxed);
    }

    /// `bytes` more were read of a large file, and `matches` more found in it.
    pub(crate) fn add_streamed(&self, bytes: u64, matches: u64) {
        self.streaming_read.fetch_add(bytes, Ordering::Relaxed);
        if matches > 0 {
            self.streaming_matches.fetch_add(matches, Ordering::Relaxed);
        }
    }

    /// The large file started with `size` has ended, done or failed, after `read` bytes and
    /// `matches` occurrences were reported: they are taken back (a done file is then added
    /// whole by [`add_searched`](Self::add_searched)).
    pub(crate) fn end_streaming(&self, size: u64, read: u64, matches: u64) {
        self.streaming_files.fetch_sub(1, Ordering::Relaxed);
        self.streaming_size.fetch_sub(size, Ordering::Relaxed);
        self.streaming_read.fetch_sub(read, Ordering::Relaxed);
        self.streaming_matches.fetch_sub(matches, Ordering::Relaxed);
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
    /// Fraction of found files already done (searched or failed), in 0..=1; a large file
    /// being read counts for the share of it read so far.
    pub fn fraction(&self) -> f32 {
        if self.files_found == 0 {
            return if self.finished { 1.0 } else { 0.0 };
        }
        let streamed = if self.streaming_size == 0 {
            0.0
        } else {
            self.streaming_files as f64
                * (self.streaming_read as f64 / self.streaming_size as f64).min(1.0)
        };
        let done = (self.files_searched + self.files_failed) as f64 + streamed;
        (done / self.files_found as f64).min(1.0) as f32
    }
}
/// A large file's reading, reported to the progress counters as it goes: bytes at each read,
/// and the matches found since the previous read, from any of the threads searching it. Ends
/// the file's streaming share once, when [`end`](Self::end) is called or when dropped, however
/// its search ends.
pub(crate) struct StreamReport {
    progress: Arc<Progress>,
    size: u64,
    read: AtomicU64,
    matches_reported: AtomicU64,
    matches_pending: AtomicU64,
    ended: AtomicBool,
}

impl StreamReport {
    /// Gives a file of `size` bytes its share of the progress bar.
    pub(crate) fn new(progress: &Arc<Progress>, size: u64) -> Self {
        progress.start_streaming(size);
        StreamReport {
            progress: Arc::clone(progress),
            size,
            read: AtomicU64::new(0),
            matches_reported: AtomicU64::new(0),
            matches_pending: AtomicU64::new(0),
            ended: AtomicBool::new(false),
        }
    }

    /// Moves the file's share by `bytes` just read, with the matches found since the last read.
    pub(crate) fn read(&self, bytes: u64) {
        let matches = self.matches_pending.swap(0, Ordering::Relaxed);
        self.read.fetch_add(bytes, Ordering::Relaxed);
        self.matches_reported.fetch_add(matches, Ordering::Relaxed);
        self.progress.add_streamed(bytes, matches);
    }

    /// Counts `matches` just found, reported with the next read.
    pub(crate) fn found(&self, matches: u64) {
        self.matches_pending.fetch_add(matches, Ordering::Relaxed);
    }

    /// Takes the file's share back. Only once nothing reports to it any more.
    pub(crate) fn end(&self) {
        if !self.ended.swap(true, Ordering::Relaxed) {
            self.progress.end_streaming(
                self.size,
                self.read.load(Ordering::Relaxed),
                self.matches_reported.load(Ordering::Relaxed),
            );
        }
    }
}

impl Drop for StreamReport {
    fn drop(&mut self) {
        self.end();
    }
}
