//! A large file searched in segments by every search thread that is free.
//!
//! ripgrep searches each file on one thread, so a tree whose bytes are mostly one huge file (a
//! log, a dump, a generated source) is searched on one core however many there are. Here a file
//! too large to read at once is cut into segments; the thread that found it takes the first,
//! tells the others, and every thread then takes the next segment nobody has taken yet.
//!
//! A segment holds the lines that *start* in its byte range: its search skips the partial line
//! at its start and reads past its end to the end of its last line. No line is split, every
//! line is searched once, and a segment needs nothing from the others but the number of lines
//! before it, which is only known at the end: each segment counts its own, and the results are
//! put together in file order, numbered, when the last segment is done. Memory is what the one
//! result per file holds anyway.
//!
//! This module cuts the file, reads its segments, hands them out and puts their results
//! together; it does not search. A search thread searches a segment's lines with its own
//! matcher through [`SearchLines`].
//!
//! The file is read with positional reads (`pread`): several threads at once, no shared file
//! position. Where the system has none the file is streamed on one thread
//! ([`Source::positional`]). It is not memory-mapped, as ripgrep maps a file named on its
//! command line: the aligned reads here took less time than the map's page faults on every
//! search measured, and a mapped file that another program truncates kills the process.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crossbeam_channel::Sender;
use memchr::memchr;

use crate::progress::StreamReport;
use crate::read_buffer::{CANCELLABLE_READ, ReadBuffer};
use crate::{FileMatches, MatchLines, internal_error};

/// The bytes of a segment. Small enough that its search, its NUL check and its line count all
/// find it in the CPU cache, large enough that taking one (a lock, a `pread`) costs nothing
/// beside searching it (the sizes tried are in scripts/bench-results.md).
pub(crate) const SEGMENT: u64 = 256 << 10;

/// Where a file's bytes come from.
pub(crate) enum Source {
    /// An open file, read with positional reads.
    File(File),
    /// Bytes in memory (tests, fuzzing).
    Memory(Vec<u8>),
}

impl Source {
    /// `file` read with positional reads, where the system has them (`None` elsewhere: the
    /// caller streams the file on one thread instead).
    pub(crate) fn positional(file: File) -> Result<Source, File> {
        if cfg!(any(unix, windows)) {
            Ok(Source::File(file))
        } else {
            Err(file)
        }
    }

    /// The bytes `[from, to)`, or fewer where the file ends sooner: borrowed from memory, or
    /// read into `buffer`, whose first `have` bytes read from `from` are there already.
    pub(crate) fn window<'b>(
        &'b self,
        buffer: &'b mut ReadBuffer,
        from: u64,
        have: usize,
        to: u64,
    ) -> io::Result<&'b [u8]> {
        match self {
            Source::Memory(bytes) => {
                let bytes = bytes.as_slice();
                let end = usize::try_from(to).map_or(bytes.len(), |to| to.min(bytes.len()));
                let start = usize::try_from(from).map_or(end, |from| from.min(end));
                Ok(&bytes[start..end])
            }
            Source::File(file) => {
                let buffer = buffer.for_offset(from);
                let want = usize::try_from(to.saturating_sub(from))
                    .map_or(buffer.len(), |want| want.min(buffer.len()));
                let mut filled = have.min(want);
                while filled < want {
                    match read_at(file, &mut buffer[filled..want], from + filled as u64) {
                        Ok(0) => break,
                        Ok(read) => filled += read,
                        Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                        Err(err) => return Err(err),
                    }
                }
                Ok(&buffer[..filled])
            }
        }
    }

    /// Reads what the source holds at `offset` into `buf` (0 at its end).
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        match self {
            Source::Memory(bytes) => {
                let bytes = bytes.as_slice();
                let start = usize::try_from(offset).map_or(bytes.len(), |o| o.min(bytes.len()));
                let len = buf.len().min(bytes.len() - start);
                buf[..len].copy_from_slice(&bytes[start..start + len]);
                Ok(len)
            }
            Source::File(file) => read_at(file, buf, offset),
        }
    }
}

#[cfg(unix)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    // Moves the handle's position too, which nothing here relies on.
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(not(any(unix, windows)))]
pub(crate) fn read_at(_file: &File, _buf: &mut [u8], _offset: u64) -> io::Result<usize> {
    // Never called for a split file: `Source::positional` gives no `Source::File` here. A zip
    // (`-z`) read through it is an error naming the archive.
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Reads a source from `pos` on, up to and including the first line terminator (or to `end`):
/// the rest of a segment's last line when that line runs on past what was read at once.
struct LineTail<'s> {
    source: &'s Source,
    pos: u64,
    end: u64,
    done: bool,
    /// Whether the line ended with a terminator (not at the end of the file).
    found_terminator: bool,
}

impl<'s> LineTail<'s> {
    fn new(source: &'s Source, pos: u64, end: u64) -> Self {
        LineTail {
            source,
            pos,
            end,
            done: false,
            found_terminator: false,
        }
    }

    /// The most bytes the line can still have: what is left of the source up to `end`.
    fn left(&self) -> usize {
        usize::try_from(self.end.saturating_sub(self.pos)).unwrap_or(usize::MAX)
    }
}

impl Read for LineTail<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.left();
        if self.done || left == 0 {
            return Ok(0);
        }
        let len = buf.len().min(left);
        let mut read = self.source.read_at(&mut buf[..len], self.pos)?;
        if read == 0 {
            self.done = true;
        } else if let Some(at) = memchr(b'\n', &buf[..read]) {
            read = at + 1;
            self.done = true;
            self.found_terminator = true;
        }
        self.pos += read as u64;
        Ok(read)
    }
}

/// What one segment found.
#[derive(Debug, Default)]
struct Segment {
    /// Its matching lines, numbered from the segment's first line (1); offsets are the file's.
    lines: MatchLines,
    /// Line terminators in it: the lines it adds to the numbering of the segments after it.
    terminators: u64,
    /// Occurrences in `lines`.
    matches: u64,
    /// Bytes searched.
    bytes: u64,
    /// It holds a NUL byte and binary files are skipped.
    binary: bool,
    /// It is not UTF-8 and the file is to be checked (`-E auto`): not searched, the file is
    /// searched again as detected (decoded, or as its bytes when it is UTF-8 but for a few
    /// stray bytes).
    not_utf8: bool,
    /// A cancel stopped its search: `lines` are those found before, and `terminators` is not
    /// known (no segment after it can be numbered).
    stopped: bool,
}

/// What searching a segment's lines found, as [`SearchLines`] reports it.
#[derive(Debug, Default)]
pub(crate) struct LinesFound {
    /// The matching lines, numbered from the text's first line (1); offsets are the file's.
    pub(crate) lines: MatchLines,
    /// Occurrences in `lines`.
    pub(crate) matches: u64,
    /// The number of the last matching line and the byte after it in the text: a search counts
    /// the lines only that far (grep-searcher's does), so only the rest is counted here.
    pub(crate) counted: Option<(u64, usize)>,
}

/// Searches the lines of a segment. The split file reads and cuts the bytes; the search thread
/// brings its own matcher and searcher through this, so that this module needs nothing of them.
pub(crate) trait SearchLines {
    /// Searches `text`, whole lines whose first byte is at `offset` in the file, telling
    /// `report` of the matches as they are found. A cancel ends it early without an error: the
    /// lines found before it are returned, complete.
    fn search_lines(
        &mut self,
        text: &[u8],
        offset: u64,
        report: Option<&StreamReport>,
    ) -> io::Result<LinesFound>;
}

impl Segment {
    /// A segment whose search a cancel stopped before it found anything.
    fn stopped_by_cancel() -> Self {
        Segment {
            stopped: true,
            ..Segment::default()
        }
    }
}

/// Where the lines of a segment start: the first line start in `nominal`, given `window`, the
/// bytes from `nominal.start - 1` on (a line starts after a terminator). `None` when no line
/// starts in it (it lies inside a long line).
fn first_line_start(window: &[u8], nominal: &Range<u64>) -> Option<u64> {
    // A line starts at p when byte p - 1 ends one: look at bytes nominal.start - 1 ..= end - 2.
    let span = usize::try_from(nominal.end - nominal.start).unwrap_or(usize::MAX);
    let at = memchr(b'\n', &window[..span.min(window.len())])?;
    Some(nominal.start + at as u64)
}

/// Where the segment whose lines start at `start` ends: after the first line terminator at or
/// after `nominal_end - 1` (where the next segment's first line starts), looked for in `window`,
/// the bytes from `from` on. `None` when the window ends before one.
fn line_end_after(window: &[u8], from: u64, start: u64, nominal_end: u64) -> Option<u64> {
    let look_from = usize::try_from(start.max(nominal_end.saturating_sub(1)) - from).ok()?;
    let at = memchr(b'\n', window.get(look_from..)?)?;
    Some(from + (look_from + at) as u64 + 1)
}

/// A large file being searched in segments, shared by the threads that search them.
pub(crate) struct SplitFile {
    source: Source,
    /// The file's size when the search began: what is searched (a file growing meanwhile is
    /// searched as it was; one shrinking, to its new end).
    size: u64,
    /// The length of a UTF-8 BOM at the start: not text, but counted in byte offsets.
    bom: u64,
    /// The end of the first segment, which may be longer than the others: it is what the
    /// finding thread has already read, less the reach past its end.
    first: u64,
    segment: u64,
    segments: usize,
    /// How far past its end a segment first reads to find the end of its last line, then at
    /// most: a line running on further is read to its end a megabyte at a time
    /// ([`search_segment`](Self::search_segment)).
    tails: (u64, u64),
    /// A NUL byte makes the file binary, and a binary file is skipped.
    skip_binary: bool,
    /// Each segment is checked for UTF-8 (`-E auto` on a file whose first part is UTF-8).
    check_utf8: bool,
    cancel: Arc<AtomicBool>,
    /// The progress bar's share of the file, moved by every segment.
    report: Option<StreamReport>,
    state: Mutex<SplitState>,
    changed: Condvar,
}

#[derive(Default)]
struct SplitState {
    /// The next segment to take.
    next: usize,
    /// Segments taken and done.
    done: usize,
    /// No more segments are taken (a NUL byte, an error, a cancel).
    stopped: bool,
    found: Vec<Option<Segment>>,
    binary: bool,
    not_utf8: bool,
    error: Option<io::Error>,
}

impl SplitState {
    /// Nothing is being searched and nothing more will be.
    fn settled(&self, segments: usize) -> bool {
        self.done == self.next && (self.stopped || self.next == segments)
    }
}

impl SplitFile {
    /// A file of `size` bytes from `source`, in segments of `segment` bytes but the first,
    /// which is what the finding thread has already read (`read` bytes, in its buffer) less
    /// the reach past its end. With `check_utf8` a segment that is not UTF-8 stops the search
    /// (see [`Stopped::NotUtf8`]).
    #[expect(
        clippy::too_many_arguments,
        reason = "made in one place per kind of source; each argument is a fact of the file or the search"
    )]
    pub(crate) fn new(
        source: Source,
        size: u64,
        bom: u64,
        read: u64,
        segment: u64,
        skip_binary: bool,
        check_utf8: bool,
        cancel: Arc<AtomicBool>,
        report: Option<StreamReport>,
    ) -> Self {
        let segment = segment.max(1);
        let tails = Self::reach(segment);
        let first = read.saturating_sub(tails.1).clamp(1, size.max(1));
        let rest = size.saturating_sub(first);
        let segments = 1 + usize::try_from(rest.div_ceil(segment)).unwrap_or(usize::MAX);
        SplitFile {
            source,
            size,
            bom,
            first,
            segment,
            segments,
            tails,
            skip_binary,
            check_utf8,
            cancel,
            report,
            state: Mutex::new(SplitState {
                found: (0..segments).map(|_| None).collect(),
                ..SplitState::default()
            }),
            changed: Condvar::new(),
        }
    }

    /// How far past its end a segment of `segment` bytes first reads to find the end of its
    /// last line, and how far at most: its read is at most `segment` + the second + 1 bytes.
    pub(crate) const fn reach(segment: u64) -> (u64, u64) {
        const fn at_least_one(n: u64) -> u64 {
            if n == 0 { 1 } else { n }
        }
        (at_least_one(segment / 64), at_least_one(segment / 4))
    }

    /// The bytes of segment `index` where its lines start.
    fn nominal(&self, index: usize) -> Range<u64> {
        let start = match index {
            0 => 0,
            _ => self.first + (index as u64 - 1) * self.segment,
        };
        let end = match index {
            0 => self.first,
            _ => start + self.segment,
        };
        start.min(self.size)..end.min(self.size)
    }

    fn lock(&self) -> MutexGuard<'_, SplitState> {
        // A panic while searching a segment is caught before the lock is taken.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes the next segment nobody has, if any is left and the search goes on.
    pub(crate) fn claim(&self) -> Option<usize> {
        let mut state = self.lock();
        if self.cancel.load(Ordering::Relaxed) {
            state.stopped = true;
        }
        if state.stopped || state.next == self.segments {
            return None;
        }
        state.next += 1;
        Some(state.next - 1)
    }

    /// Records what the search of segment `index` gave: it is then done.
    fn finish(&self, index: usize, outcome: std::thread::Result<io::Result<Segment>>) {
        let mut state = self.lock();
        match outcome {
            Ok(Ok(segment)) => {
                if segment.binary {
                    state.binary = true;
                    state.stopped = true;
                }
                if segment.not_utf8 {
                    state.not_utf8 = true;
                    state.stopped = true;
                }
                if segment.stopped {
                    state.stopped = true;
                }
                state.found[index] = Some(segment);
            }
            Ok(Err(err)) => {
                state.stopped = true;
                state.error.get_or_insert(err);
            }
            Err(panic) => {
                state.stopped = true;
                state
                    .error
                    .get_or_insert(io::Error::other(internal_error(&*panic)));
            }
        }
        state.done += 1;
        if state.settled(self.segments) {
            self.changed.notify_all();
        }
    }

    /// Searches segment `index`, which this thread has claimed, and records what it found;
    /// `have` bytes of it from its first byte on are in `buffer` already. A panic in `search`
    /// is recorded as the file's error, so the other threads and the file's result go on.
    pub(crate) fn search_claimed(
        &self,
        index: usize,
        have: usize,
        buffer: &mut ReadBuffer,
        search: &mut impl SearchLines,
    ) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.search_segment(index, have, buffer, search)
        }));
        self.finish(index, outcome);
    }

    /// Searches segments with `search` until none is left (a helping thread, or the one that
    /// found the file once it has told the others).
    pub(crate) fn work(&self, buffer: &mut ReadBuffer, search: &mut impl SearchLines) {
        while let Some(index) = self.claim() {
            self.search_claimed(index, 0, buffer, search);
        }
    }

    /// Searches segment `index`: the lines that start in its bytes. `have` bytes of the file
    /// from the segment's first byte on are already in `buffer`.
    ///
    /// The segment is read with the bytes around it, to skip the partial line at its start and
    /// find the end of its last line. A last line running on past what a second read brings is
    /// read to its end a megabyte at a time, the cancel flag looked at between reads.
    fn search_segment(
        &self,
        index: usize,
        have: usize,
        buffer: &mut ReadBuffer,
        search: &mut impl SearchLines,
    ) -> io::Result<Segment> {
        let nominal = self.nominal(index);
        // From the byte before, whose terminator would start a line at the segment's first byte.
        let from = nominal.start.saturating_sub(1);
        let (short_tail, long_tail) = self.tails;
        let mut to = (nominal.end + short_tail).min(self.size);
        let mut window = self.source.window(buffer, from, have, to)?;
        let start = if index == 0 {
            self.bom
        } else {
            match first_line_start(window, &nominal) {
                Some(start) => start,
                None => return Ok(Segment::default()),
            }
        };
        let mut end = line_end_after(window, from, start, nominal.end);
        if end.is_none() && to < self.size && window.len() as u64 == to - from {
            let have = window.len();
            to = (nominal.end + long_tail).min(self.size);
            window = self.source.window(buffer, from, have, to)?;
            end = line_end_after(window, from, start, nominal.end);
        }
        let window_end = from + window.len() as u64;
        if start >= window_end {
            return Ok(Segment::default());
        }
        // The window reached the end of the file (its size, or a shorter end where it shrank).
        let at_end = to == self.size || window_end < to;
        let head = &window[usize::try_from(start - from).unwrap_or(usize::MAX)..];
        let report = self.report.as_ref();
        let mut reported = 0;
        let gathered;
        let text = match end.or(at_end.then_some(window_end)) {
            Some(end) => &head[..usize::try_from(end - start).unwrap_or(head.len())],
            None => {
                // The last line runs on past what was read: gather it whole in a buffer of its
                // own, a read at a time, looking at the cancel flag between reads (streamed
                // through grep-searcher, the line's buffer grew by doubling, zero-filling half
                // the line at once, past a cancel). No read asks for more than the file has
                // left, so a short tail costs no megabyte of zeroes.
                let mut tail = LineTail::new(&self.source, window_end, self.size);
                let mut line = Vec::with_capacity(head.len() + CANCELLABLE_READ.min(tail.left()));
                line.extend_from_slice(head);
                loop {
                    if self.cancel.load(Ordering::Relaxed) {
                        return Ok(Segment::stopped_by_cancel());
                    }
                    let len = line.len();
                    line.resize(len + CANCELLABLE_READ.min(tail.left()), 0);
                    let read = tail.read(&mut line[len..])?;
                    line.truncate(len + read);
                    if read == 0 {
                        break;
                    }
                    if let Some(report) = report {
                        report.read(read as u64);
                    }
                    reported += read;
                }
                gathered = line;
                &gathered
            }
        };
        // Checked before the search, which then finds the text in the cache: the search of a
        // segment that is not UTF-8 would be thrown away.
        if self.check_utf8 && !crate::encoding::is_utf8(text) {
            return Ok(Segment {
                not_utf8: true,
                ..Segment::default()
            });
        }
        let found = search.search_lines(text, start, report)?;
        if self.cancel.load(Ordering::Relaxed) {
            // The lines before the stop are complete and numbered from the segment's start.
            let searched = found.counted.map_or(0, |(_, end)| end);
            return Ok(Segment {
                matches: found.matches,
                bytes: searched as u64,
                lines: found.lines,
                stopped: true,
                ..Segment::default()
            });
        }
        if let Some(report) = report {
            report.read((text.len() - reported) as u64);
        }
        // Looked for NUL bytes and its lines counted while the text is still in the CPU cache;
        // the search counted the lines up to the last matching one, so only the rest.
        let (lines, counted_to) = found.counted.unwrap_or((0, 0));
        let rest = text.get(counted_to..).unwrap_or_default();
        Ok(Segment {
            terminators: lines + memchr::memchr_iter(b'\n', rest).count() as u64,
            matches: found.matches,
            bytes: text.len() as u64,
            binary: self.skip_binary && memchr(0, text).is_some(),
            not_utf8: false,
            lines: found.lines,
            stopped: false,
        })
    }

    /// Stops handing out segments, waits for those being searched and ends the file's share of
    /// the progress bar: afterwards nothing touches the file's counters any more.
    pub(crate) fn stop_and_wait(&self) {
        let mut state = self.lock();
        state.stopped = true;
        drop(self.settled(state));
        if let Some(report) = &self.report {
            report.end();
        }
    }

    /// Waits, from `state`, until nothing is being searched and nothing more will be.
    fn settled<'s>(&'s self, mut state: MutexGuard<'s, SplitState>) -> MutexGuard<'s, SplitState> {
        while !state.settled(self.segments) {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        state
    }

    /// Waits for every segment, then puts their lines together in file order, numbered.
    pub(crate) fn wait_for_matches(&self) -> Result<FileMatches, Stopped> {
        let mut state = self.settled(self.lock());
        let cancelled_now = self.cancel.load(Ordering::Relaxed);
        match state.error.take() {
            // A segment stopped by the cancel reports it as an error of its own.
            Some(err) if !(cancelled_now && err.kind() == io::ErrorKind::Interrupted) => {
                return Err(Stopped::Failed(err));
            }
            _ => {}
        }
        if state.not_utf8 && !state.binary {
            return Err(if cancelled_now {
                Stopped::Cancelled(None)
            } else {
                Stopped::NotUtf8
            });
        }
        let complete = !cancelled_now && (state.next == self.segments || state.binary);
        if state.binary {
            let bytes = state.found.iter().flatten().map(|s| s.bytes).sum();
            return if complete {
                Ok(FileMatches::binary(bytes))
            } else {
                Err(Stopped::Cancelled(None))
            };
        }
        let found = std::mem::take(&mut state.found);
        drop(state);
        // Only the segments before the first one not searched to its end can be numbered, and
        // that one's lines found before the cancel: the lines of the others are counted from a
        // start whose line number is unknown.
        let mut before_stop = true;
        let searched = found
            .into_iter()
            .map_while(|segment| segment)
            .take_while(|segment| std::mem::replace(&mut before_stop, !segment.stopped));
        let matches = assemble(searched);
        if complete {
            Ok(matches)
        } else {
            Err(Stopped::Cancelled(Some(matches)))
        }
    }
}

/// Puts segments' lines together in file order, numbered: `segments` are consecutive, the
/// first being the file's.
fn assemble(segments: impl Iterator<Item = Segment>) -> FileMatches {
    let mut lines = MatchLines::new();
    let (mut lines_before, mut matches, mut bytes) = (0, 0, 0);
    for segment in segments {
        if lines.is_empty() && lines_before == 0 {
            // The first segment's lines need no renumbering: kept as they are.
            lines = segment.lines;
        } else {
            lines.append(&segment.lines, lines_before);
        }
        lines_before += segment.terminators;
        matches += segment.matches;
        bytes += segment.bytes;
    }
    FileMatches {
        lines,
        matches,
        bytes_read: bytes,
        binary: false,
        has_nul: false,
        modified: None,
        encoding: None,
    }
}

/// Why a split file's search did not complete.
#[derive(Debug)]
pub(crate) enum Stopped {
    /// A segment could not be read (or its search panicked).
    Failed(io::Error),
    /// The search was cancelled; what the segments before the first one not searched found,
    /// numbered, when the file is not binary.
    Cancelled(Option<FileMatches>),
    /// A segment is not UTF-8 (`-E auto`): the file is to be searched decoded.
    NotUtf8,
}

/// Work one search thread shares with the others, each taking a part when free.
#[derive(Clone)]
pub(crate) enum SharedWork {
    /// Segments of a large file.
    Split(Arc<SplitFile>),
    /// Members of a zip (`-z`).
    Zip(Arc<crate::archive::ZipJob>),
    /// One member of a tar, read by the thread reading the tar (`-z`).
    Member(Arc<crate::archive::QueuedMember>),
}

/// How a search thread tells the others of work it shares (a file it has split, a zip's
/// members): each of them, when free, takes parts of it.
pub(crate) struct Helpers {
    pub(crate) queue: Sender<SharedWork>,
    /// How many other threads there are.
    pub(crate) count: usize,
}

impl Helpers {
    /// Hands `work` to whichever thread is free first; gives it back when none is left.
    pub(crate) fn give(&self, work: SharedWork) -> Result<(), SharedWork> {
        self.queue.send(work).map_err(|err| err.0)
    }

    /// Asks every other thread to take part in `work`.
    pub(crate) fn ask(&self, work: &SharedWork) {
        for _ in 0..self.count {
            // Nobody is left to help once every other thread has ended: then this one does all.
            if self.queue.send(work.clone()).is_err() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_s_lines_are_those_starting_in_it() {
        let text = b"ab\ncd\nef\n";
        // Bytes 3..6 ("cd\n"), looked at from byte 2 on.
        assert_eq!(first_line_start(&text[2..], &(3..6)), Some(3));
        // 4..6 lies inside "cd": the next line starts at 6, which is the next segment's.
        assert_eq!(first_line_start(&text[3..], &(4..6)), None);
        // 4..7: "ef" starts at 6.
        assert_eq!(first_line_start(&text[3..], &(4..7)), Some(6));
        // The segment 3..5 starting at 3 ends after the terminator at 5.
        assert_eq!(line_end_after(&text[2..], 2, 3, 5), Some(6));
        // A segment ending right after a terminator ends there.
        assert_eq!(line_end_after(&text[2..], 2, 3, 6), Some(6));
        assert_eq!(line_end_after(&text[2..5], 2, 3, 5), None);
    }

    #[test]
    fn segments_cover_the_file_once_the_first_being_what_was_read() {
        // The first segment is what was read, 46 bytes, less the reach past its end, 6.
        let split = SplitFile::new(
            Source::Memory(vec![b'x'; 100]),
            100,
            0,
            46,
            25,
            true,
            false,
            Arc::new(AtomicBool::new(false)),
            None,
        );
        let ranges: Vec<_> = (0..split.segments).map(|k| split.nominal(k)).collect();
        assert_eq!(ranges, [0..40, 40..65, 65..90, 90..100]);
    }

    #[test]
    fn a_line_tail_stops_after_the_first_terminator() {
        let source = Source::Memory(b"abc\ndef\n".to_vec());
        let mut tail = LineTail::new(&source, 1, 8);
        let mut read = String::new();
        tail.read_to_string(&mut read).unwrap();
        assert_eq!(read, "bc\n");
        assert!(tail.found_terminator);
        let mut tail = LineTail::new(&source, 5, 7);
        read.clear();
        tail.read_to_string(&mut read).unwrap();
        assert_eq!(read, "ef");
        assert!(!tail.found_terminator);
    }
}
