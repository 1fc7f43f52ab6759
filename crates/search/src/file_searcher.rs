//! How one file is read and searched: one [`FileSearcher`] per thread, buffers reused.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use grep_matcher::Matcher;
use grep_regex::RegexMatcher;
use grep_searcher::{BinaryDetection, Searcher, SearcherBuilder, Sink, SinkFinish, SinkMatch};
use memchr::{memchr, memchr_iter, memrchr};

use crate::encoding::{self, DECODE_BUFFER, DecodedLength, Reading};
use crate::error::cancelled;
use crate::progress::StreamReport;
use crate::read_buffer::{CANCELLABLE_READ, ReadBuffer};
use crate::required::RequiredAscii;
use crate::split::{
    Helpers, LinesFound, SEGMENT, SearchLines, SharedWork, Source, SplitFile, Stopped,
};
use crate::text::{
    advance_chars, char_count, char_start, more_chars_than, push_lossy_with_positions, range_ends,
    retreat_chars, shown_range, splits_char,
};
use crate::{
    FileMatches, LineCut, MatchLines, Occurrence, Progress, SearchRequest, TextEncoding,
    internal_error,
};

/// Files up to this size are read whole into the thread's buffer, with one `read` call plus the
/// one that sees the end, and searched as one slice (whole-file binary detection); larger ones
/// are searched in segments by every free thread (`crate::split`) with positional
/// reads; a decoded file (UTF-16, a legacy encoding) or a multiline search streams them
/// through grep-searcher's rolling buffer. The buffer is allocated once per thread at this size and never resized: growing it
/// for big files and shrinking it afterwards cost more in page faults than reading them
/// (scripts/bench-results.md).
const WHOLE_FILE_LIMIT: usize = 1 << 20;
// A segment's read, with its reach past its end, fits in the buffer.
const _: () = assert!(SEGMENT + SplitFile::reach(SEGMENT).1 < WHOLE_FILE_LIMIT as u64);
/// At most this many directories are held open for `openat` at once (per process), far below
/// any open-file limit; beyond it files are opened by their full path.
#[cfg(unix)]
const MAX_OPEN_DIRS: usize = 128;
/// A directory is opened for `openat` from its this-many-th file on: opening and closing it
/// costs two system calls, which only pay off over several files (many folders hold one or two).
#[cfg(unix)]
const FILES_BEFORE_OPENAT: usize = 2;

/// Searches files one at a time with reused buffers. Not shared between threads: each search
/// thread owns one, like ripgrep's per-thread `SearchWorker`.
pub struct FileSearcher {
    matcher: RegexMatcher,
    /// For streams (a large file read on, a decoded file): binary detection unless `-a`, no
    /// BOM sniffing (a byte-order mark is skipped here, or by the decoder, which it chose).
    searcher: Searcher,
    /// No binary detection and no BOM sniffing, for text already checked for NUL bytes (a
    /// file read whole, each segment of a large one) whose UTF-8 BOM, if any, the caller skips:
    /// grep-searcher would scan up to 64 KiB for a NUL again (most source files are smaller, so
    /// that was a second pass over nearly every byte), and send a file with a BOM through its
    /// transcoding reader, a copy of the whole file.
    plain_searcher: Searcher,
    /// How files' bytes become text (`-E`).
    encoding: TextEncoding,
    /// ASCII literals every match holds: a file read whole and decoded from an
    /// ASCII-compatible encoding whose bytes hold none is not decoded.
    required: Option<RequiredAscii>,
    /// The decoder's scratch space, for large files searched decoded (allocated at the first).
    decode_buffer: Vec<u8>,
    /// A decoded file read whole (reused from file to file).
    decoded: DecodedText,
    /// Read area, allocated at the first file read; a file's contents are its first `filled`
    /// bytes read from offset 0.
    buffer: ReadBuffer,
    /// Scratch for the NUL-terminated file name given to `openat`.
    #[cfg(unix)]
    name: Vec<u8>,
    max_columns: Option<usize>,
    multiline: bool,
    skip_binary: bool,
    cancel: Arc<AtomicBool>,
    /// Counters to keep moving while a large file is read (a search's; none when searching alone).
    progress: Option<Arc<Progress>>,
    /// The other search threads, told of a large file so they search segments of it.
    helpers: Option<Helpers>,
    modified_times: bool,
    byte_offsets: bool,
    /// What the last search found before a cancel stopped it (see
    /// [`take_stopped`](FileSearcher::take_stopped)).
    stopped: Option<FileMatches>,
}

impl FileSearcher {
    /// A searcher for `request`, with a matcher from [`crate::build_matcher`].
    pub fn new(request: &SearchRequest, matcher: RegexMatcher, cancel: Arc<AtomicBool>) -> Self {
        let options = &request.options;
        let binary = if options.binary_as_text {
            BinaryDetection::none()
        } else {
            BinaryDetection::quit(0)
        };
        let mut builder = SearcherBuilder::new();
        builder
            .line_number(true)
            .multi_line(options.multiline)
            .binary_detection(binary)
            .bom_sniffing(false);
        let searcher = builder.build();
        let plain_searcher = builder.binary_detection(BinaryDetection::none()).build();
        FileSearcher {
            matcher,
            searcher,
            plain_searcher,
            encoding: options.encoding,
            required: RequiredAscii::of(request),
            decode_buffer: Vec::new(),
            decoded: DecodedText {
                whole: String::new(),
                lines: crate::required::matches_only_ascii(request).then(MatchingLines::default),
            },
            buffer: ReadBuffer::new(WHOLE_FILE_LIMIT),
            #[cfg(unix)]
            name: Vec::new(),
            max_columns: request.max_columns,
            multiline: options.multiline,
            skip_binary: !options.binary_as_text,
            cancel,
            progress: None,
            helpers: None,
            modified_times: request.modified_times,
            byte_offsets: request.byte_offsets,
            stopped: None,
        }
    }

    /// Reports the reading of large files to `progress` as it goes.
    pub(crate) fn report_progress(&mut self, progress: Arc<Progress>) {
        self.progress = Some(progress);
    }

    /// Lets the other search threads search segments of the large files this one finds (none:
    /// this thread searches them alone).
    pub(crate) fn share_large_files(&mut self, helpers: Option<Helpers>) {
        self.helpers = helpers;
    }

    /// The other search threads, to share work with (a zip's members); none when alone.
    pub(crate) fn helpers(&self) -> Option<&Helpers> {
        self.helpers.as_ref()
    }

    /// After a search that a cancel stopped (it returned an [`io::ErrorKind::Interrupted`]
    /// error): the matching lines found in the file up to where it stopped, in file order and
    /// numbered as in the whole file, if any. What was found stays, as it does for the files
    /// searched before the cancel.
    pub fn take_stopped(&mut self) -> Option<FileMatches> {
        self.stopped.take().filter(|found| !found.lines.is_empty())
    }

    /// Reads and searches the file at `path`.
    ///
    /// The file is opened read-only and, on Unix, non-blocking, so that a FIFO put in a file's
    /// place after the walk cannot hang the search. Cancellation returns an
    /// [`io::ErrorKind::Interrupted`] error; [`take_stopped`](Self::take_stopped) then gives
    /// what was found before it.
    pub fn search_path(&mut self, path: &Path) -> io::Result<FileMatches> {
        let file = open_for_search(path)?;
        self.search_file(file)
    }

    /// Like [`search_path`](Self::search_path) for a file the walk found in directory `dir`: on
    /// Unix the file is opened by name relative to the directory (`openat`), so the kernel does
    /// not resolve the whole path again for every file. `start` is the file's first bytes when
    /// they were read already (by a batch read, `crate::batch_read`, that found the file longer
    /// than its slot; else empty): they are not read again, the file is read on after them.
    pub(crate) fn search_in_dir(
        &mut self,
        dir: &DirSlot,
        path: &Path,
        start: &[u8],
    ) -> io::Result<FileMatches> {
        #[cfg(unix)]
        if let Some(file) = dir.open_file(path, &mut self.name) {
            return self.search_opened(file?, start);
        }
        let _ = dir;
        let file = open_for_search(path)?;
        self.search_opened(file, start)
    }

    /// Searches an already opened file, for a caller that opened it its own way. It must be at
    /// its start: a large file is read at absolute offsets.
    pub fn search_file(&mut self, file: File) -> io::Result<FileMatches> {
        self.search_opened(file, &[])
    }

    /// Searches `file` from its start, its first bytes being `start` when they were read
    /// already (see [`search_in_dir`](Self::search_in_dir)).
    fn search_opened(&mut self, mut file: File, start: &[u8]) -> io::Result<FileMatches> {
        self.stopped = None;
        let (filled, complete) = match self.read_start_after(&mut file, start)? {
            Some(read) => read,
            None => self.read_start(&mut file)?,
        };
        if complete {
            return self.with_buffer(|searcher, buffer| {
                searcher.search_whole(buffer.read_from(0, filled), || file.metadata())
            });
        }
        let contents = self.buffer.read_from(0, filled);
        let mut reading = encoding::reading(contents, false, self.encoding, self.skip_binary);
        if reading == Reading::Binary {
            return Ok(FileMatches::binary(filled as u64));
        }
        // Searched as text: a NUL byte in its first part still makes it binary.
        let decoded_from = match reading {
            Reading::Decoded(encoding) => Some(encoding),
            _ => None,
        };
        let nul_at_start = !self.skip_binary && FileMatches::nul_in(contents, decoded_from);
        // A large file's size (its share of the progress bar, how it is split) and modified
        // time come from one `fstat`, made only for such files.
        let large = file.metadata().ok();
        let report = match (&self.progress, &large) {
            (Some(progress), Some(meta)) => Some(StreamReport::new(progress, meta.len())),
            _ => None,
        };
        if reading == Reading::Detect {
            let detected = encoding::detect_in(contents.chain(&file))?;
            // Back to where the first part ends, for the search to read on from there.
            (&file).seek(SeekFrom::Start(filled as u64))?;
            // A file that is mostly UTF-8 is read as bytes, and split below when large.
            reading = encoding::detected(detected);
        }
        // A large file is searched in segments on every free thread, unless it is decoded or a
        // multiline match could span two segments.
        if let (Reading::Bytes { bom, check_utf8 }, Some(meta)) = (reading, &large)
            && !self.multiline
        {
            // Kept to search the file again, decoded, should a later segment not be UTF-8.
            let again = if check_utf8 {
                Some(file.try_clone()?)
            } else {
                None
            };
            match Source::positional(file) {
                Ok(source) => {
                    let split = SplitFile::new(
                        source,
                        meta.len(),
                        bom,
                        filled as u64,
                        SEGMENT,
                        self.skip_binary,
                        check_utf8,
                        Arc::clone(&self.cancel),
                        report,
                    );
                    let found = self.search_split(Arc::new(split), filled)?;
                    let mut found = match (found, again) {
                        (Some(found), _) => found,
                        (None, Some(again)) => self.search_again_detected(&again, meta.len())?,
                        (None, None) => {
                            return Err(io::Error::other(internal_error(
                                &"a file not checked for UTF-8 was found not to be",
                            )));
                        }
                    };
                    if self.modified_times && found.matches > 0 {
                        found.modified = meta.modified().ok();
                    }
                    found.has_nul = nul_at_start;
                    return Ok(found);
                }
                Err(back) => file = back,
            }
        }
        let found = self.with_buffer(|searcher, buffer| {
            let first = buffer.read_from(0, filled);
            searcher.search_read(reading, first, false, &file, report.as_ref())
        })?;
        drop(report);
        let mut found = match found {
            Some(found) => found,
            None => {
                let size = large.as_ref().map_or(filled as u64, |meta| meta.len());
                self.search_again_detected(&file, size)?
            }
        };
        found.has_nul = nul_at_start;
        if self.modified_times && found.matches > 0 {
            found.modified = match &large {
                Some(meta) => meta.modified().ok(),
                None => file.metadata().and_then(|meta| meta.modified()).ok(),
            };
        }
        Ok(found)
    }

    /// Searches a file read whole, `contents` being all its bytes, however they were read (by
    /// this searcher, or in a batch by `crate::batch_read`). `metadata` is asked only for a
    /// matching file's modified time, when the request wants it.
    pub(crate) fn search_whole(
        &mut self,
        contents: &[u8],
        metadata: impl FnOnce() -> io::Result<std::fs::Metadata>,
    ) -> io::Result<FileMatches> {
        self.stopped = None;
        let len = contents.len() as u64;
        if self.passed_over(contents) {
            return Ok(FileMatches {
                bytes_read: len,
                ..FileMatches::default()
            });
        }
        let reading = encoding::reading(contents, true, self.encoding, self.skip_binary);
        if reading == Reading::Binary {
            return Ok(FileMatches::binary(len));
        }
        let found = self.search_read(reading, contents, true, io::empty(), None)?;
        // Only a file read in parts is checked for UTF-8 part by part, and found not to be.
        let mut found = found.ok_or_else(|| {
            io::Error::other(internal_error(
                &"a file read whole was checked for UTF-8 again",
            ))
        })?;
        found.has_nul =
            !self.skip_binary && found.matches > 0 && FileMatches::nul_in(contents, found.encoding);
        if self.modified_times && found.matches > 0 {
            found.modified = metadata().and_then(|meta| meta.modified()).ok();
        }
        Ok(found)
    }

    /// Runs `search` with the read buffer lent out, so that it can search the bytes read into
    /// the buffer while it borrows the rest of the searcher mutably. A panic inside leaves a
    /// new buffer in its place, allocated at the next read.
    fn with_buffer<R>(&mut self, search: impl FnOnce(&mut Self, &ReadBuffer) -> R) -> R {
        let buffer = std::mem::replace(&mut self.buffer, ReadBuffer::new(WHOLE_FILE_LIMIT));
        let result = search(self, &buffer);
        self.buffer = buffer;
        result
    }

    /// Searches a file read as `reading` says: `contents` are its first bytes (all
    /// of it when `complete`), the rest is read on from `file`'s position. None: the file
    /// was to be checked for UTF-8 and is not (`-E auto`), to be searched again as detected.
    fn search_read(
        &mut self,
        reading: Reading,
        contents: &[u8],
        complete: bool,
        file: impl Read,
        report: Option<&StreamReport>,
    ) -> io::Result<Option<FileMatches>> {
        let filled = contents.len();
        let mut sink = LineCollector::new(
            &self.matcher,
            &self.cancel,
            self.max_columns,
            self.multiline,
            self.byte_offsets,
        );
        sink.report = report;
        // Bytes read from the file by a decoder (what it gives back is longer or shorter).
        let raw_read = Cell::new(0);
        let not_utf8 = Cell::new(false);
        let cancel = &*self.cancel;
        let stream = |inner| CancellableReader {
            inner,
            cancel,
            report,
            counted: Some(&raw_read),
        };
        let (searched, decoded_from) = match reading {
            Reading::Bytes { bom, check_utf8 } => {
                // The BOM's bytes are back in the offsets through `offset_shift`.
                sink.offset_shift = bom;
                let text = &contents[usize::try_from(bom).map_or(0, |bom| bom.min(filled))..];
                let searched = if complete {
                    self.plain_searcher
                        .search_slice(&self.matcher, text, &mut sink)
                } else {
                    // The cancel check wraps the whole chain: the part in memory is large too.
                    let text = CancellableReader {
                        inner: text.chain(file),
                        cancel,
                        report,
                        counted: None,
                    };
                    if check_utf8 {
                        let text = encoding::Utf8Check::new(text, &not_utf8);
                        self.searcher.search_reader(&self.matcher, text, &mut sink)
                    } else {
                        self.searcher.search_reader(&self.matcher, text, &mut sink)
                    }
                };
                (searched, None)
            }
            Reading::Decoded(encoding) if complete && self.cannot_match(encoding, contents) => {
                raw_read.set(filled as u64);
                (Ok(()), Some(encoding))
            }
            Reading::Decoded(encoding) if complete => {
                raw_read.set(filled as u64);
                let searched = search_decoded_whole(
                    encoding,
                    contents,
                    &mut self.decoded,
                    self.skip_binary,
                    &mut self.plain_searcher,
                    &self.matcher,
                    &mut sink,
                );
                (searched, Some(encoding))
            }
            Reading::Decoded(encoding) => {
                let buffer = decode_buffer(&mut self.decode_buffer);
                let text = encoding::decoder(encoding, stream(contents.chain(file)), buffer);
                let searched = self.searcher.search_reader(&self.matcher, text, &mut sink);
                (searched, Some(encoding))
            }
            Reading::Binary | Reading::Detect => {
                return Err(io::Error::other(internal_error(
                    &"a binary or undetected file reached the search",
                )));
            }
        };
        let bytes_read = match decoded_from {
            Some(_) => raw_read.get(),
            None => sink.bytes_read.max(filled as u64),
        };
        // A cancel stops the search at a match or a read (the reader's refusal surfaces as
        // the cancellation itself): the lines before it are complete and numbered, unless
        // they are to be searched again as detected.
        if self.cancel.load(Ordering::Relaxed) {
            let mut found = sink.into_matches(bytes_read);
            found.encoding = decoded_from;
            self.stopped = (!found.binary && !not_utf8.get()).then_some(found);
            return Err(cancelled());
        }
        if not_utf8.get() {
            return Ok(None);
        }
        searched?;
        let mut found = sink.into_matches(bytes_read);
        found.encoding = decoded_from.filter(|_| !found.binary);
        Ok(Some(found))
    }

    /// Searches again a large file that was searched as UTF-8 until a segment or a read was
    /// not (`-E auto`): its encoding is detected from its start, as a file read whole is, and
    /// the file streamed from its first byte, through the decoder, or as its bytes unchecked
    /// when it is mostly UTF-8 (see [`encoding::detected`]).
    fn search_again_detected(&mut self, mut file: &File, size: u64) -> io::Result<FileMatches> {
        file.seek(SeekFrom::Start(0))?;
        let detected = encoding::detect_in(CancellableReader {
            inner: file,
            cancel: &self.cancel,
            report: None,
            counted: None,
        })?;
        file.seek(SeekFrom::Start(0))?;
        let report = self
            .progress
            .as_ref()
            .map(|progress| StreamReport::new(progress, size));
        let found = self.search_read(
            encoding::detected(detected),
            &[],
            false,
            file,
            report.as_ref(),
        )?;
        found.ok_or_else(|| {
            io::Error::other(internal_error(&"a detected file was checked for UTF-8"))
        })
    }

    /// Searches a split file as the thread that found it: its first segment is what this
    /// thread has read already (the buffer's first `filled` bytes), the others go to whichever
    /// thread is free, this one included.
    fn search_split(
        &mut self,
        split: Arc<SplitFile>,
        filled: usize,
    ) -> io::Result<Option<FileMatches>> {
        /// Settles the file (no segment searched any more, its share of the progress bar
        /// ended) however the search of it ends.
        struct Settle<'s>(&'s SplitFile);
        impl Drop for Settle<'_> {
            fn drop(&mut self) {
                self.0.stop_and_wait();
            }
        }
        let _settle = Settle(&split);
        // A split file's result, or none: a segment was not UTF-8 (see `search_again_detected`).
        if let Some(first) = split.claim() {
            if let Some(helpers) = &self.helpers {
                helpers.ask(&SharedWork::Split(Arc::clone(&split)));
            }
            let (buffer, mut lines) = self.segment_parts();
            split.search_claimed(first, filled, buffer, &mut lines);
        }
        self.help_with(&split);
        self.outcome_of(&split)
    }

    /// Searches segments of `split`, a large file some thread found, until none is left.
    pub(crate) fn help_with(&mut self, split: &SplitFile) {
        let (buffer, mut lines) = self.segment_parts();
        split.work(buffer, &mut lines);
    }

    /// The read buffer and, borrowed apart from it, what searches the lines read into it.
    fn segment_parts(&mut self) -> (&mut ReadBuffer, SegmentLines<'_>) {
        let lines = SegmentLines {
            matcher: &self.matcher,
            searcher: &mut self.plain_searcher,
            cancel: &self.cancel,
            max_columns: self.max_columns,
            byte_offsets: self.byte_offsets,
        };
        (&mut self.buffer, lines)
    }

    /// A split file's result, what a cancel left of it kept for
    /// [`take_stopped`](Self::take_stopped); none when a segment was not UTF-8 (`-E auto`).
    fn outcome_of(&mut self, split: &SplitFile) -> io::Result<Option<FileMatches>> {
        match split.wait_for_matches() {
            Ok(found) => Ok(Some(found)),
            Err(Stopped::Failed(err)) => Err(err),
            Err(Stopped::Cancelled(found)) => {
                self.stopped = found;
                Err(cancelled())
            }
            Err(Stopped::NotUtf8) => Ok(None),
        }
    }

    /// Whether `bytes`, a whole file to be decoded from `encoding`, cannot hold a match: the
    /// encoding keeps ASCII as it is and the bytes lack every literal a match starts or ends
    /// with (see [`RequiredAscii`]). Its decoding and search are then skipped.
    fn cannot_match(&self, encoding: &'static crate::Encoding, bytes: &[u8]) -> bool {
        encoding.is_ascii_compatible()
            && self
                .required
                .as_ref()
                .is_some_and(|required| required.absent_from(bytes))
    }

    /// Whether `bytes`, a whole file, cannot hold a match, known before its encoding is
    /// detected and before it is looked through for a NUL byte: it is searched as its bytes or
    /// in an ASCII-compatible encoding (no UTF-16 byte-order mark, where one decides; not `-E`
    /// UTF-16) and lacks every literal a match starts or ends with (see [`RequiredAscii`]). As
    /// UTF-8 its bytes are its text; with `-E auto` otherwise chardetng guesses an
    /// ASCII-compatible encoding (it guesses ISO-2022-JP only for input without a non-ASCII
    /// byte, and the detector is given none but from the file's first non-ASCII byte on; it
    /// never guesses UTF-16), where [`cannot_match`](Self::cannot_match) holds. Detection costs
    /// as much as decoding, and the look for a NUL byte is a pass over the file of its own: a
    /// literal absent from most files then costs one pass over their bytes. A binary file
    /// passed over this way is not marked binary: with no match, nothing of it is shown either
    /// way.
    fn passed_over(&self, bytes: &[u8]) -> bool {
        let Some(required) = self.required.as_ref() else {
            return false;
        };
        let searched_ascii_compatible = match self.encoding {
            // No byte-order mark decides: the bytes as they are.
            TextEncoding::Bytes => true,
            TextEncoding::Named(encoding) if !encoding.is_ascii_compatible() => false,
            _ => crate::Encoding::for_bom(bytes).is_none_or(|(bom, _)| bom.is_ascii_compatible()),
        };
        searched_ascii_compatible && required.absent_from(bytes)
    }

    /// Searches a stream as a file is searched (the same binary, byte-order-mark and
    /// encoding rules), for what has no file of its own: an archive's member, a decompressed
    /// file (`-z`). Its first part decides how it is read, since a stream cannot be read
    /// again: with `-E auto`, a stream longer than the read buffer whose start is UTF-8 is
    /// searched as UTF-8 to its end, and one whose start is not is read as the encoding
    /// detected in that start says (decoded, or as bytes when mostly UTF-8). Cancellation is
    /// as for [`search_path`](Self::search_path).
    pub(crate) fn search_stream(&mut self, mut stream: impl Read) -> io::Result<FileMatches> {
        self.stopped = None;
        let (filled, complete) = self.read_start(&mut stream)?;
        if complete {
            // All of it fitted: searched as a file read whole (a stream has no modified time).
            return self.with_buffer(|searcher, buffer| {
                searcher.search_whole(buffer.read_from(0, filled), || {
                    Err(io::ErrorKind::Unsupported.into())
                })
            });
        }
        let contents = self.buffer.read_from(0, filled);
        let reading = match encoding::reading(contents, false, self.encoding, self.skip_binary) {
            Reading::Binary => return Ok(FileMatches::binary(filled as u64)),
            Reading::Detect => encoding::detected(encoding::detect(contents)),
            Reading::Bytes { bom, .. } => Reading::Bytes {
                bom,
                check_utf8: false,
            },
            decoded @ Reading::Decoded(_) => decoded,
        };
        let found = self.with_buffer(|searcher, buffer| {
            searcher.search_read(reading, buffer.read_from(0, filled), false, stream, None)
        })?;
        found.ok_or_else(|| {
            io::Error::other(internal_error(&"a stream was checked for UTF-8 again"))
        })
    }

    /// Searches bytes already in memory as if they were a file read whole, by the very code a
    /// file read whole goes through ([`search_whole`](Self::search_whole)), for a caller that
    /// holds them already: tests, the fuzz target.
    pub fn search_bytes(&mut self, bytes: &[u8]) -> io::Result<FileMatches> {
        self.search_whole(bytes, || {
            Err(io::Error::other("bytes in memory have no modified time"))
        })
    }

    /// Searches bytes in memory as a large file is searched, in segments of `segment` bytes, on
    /// this thread, the first segment's bytes deciding how it is read as a large file's first
    /// part does. For tests and the fuzz target, which compare it with
    /// [`search_bytes`](Self::search_bytes); not for multiline searches (a large file is then
    /// not split).
    #[doc(hidden)]
    pub fn search_bytes_in_segments(
        &mut self,
        bytes: &[u8],
        segment: usize,
    ) -> io::Result<FileMatches> {
        self.stopped = None;
        let first = &bytes[..segment.min(bytes.len())];
        let complete = first.len() == bytes.len();
        let (bom, check_utf8) =
            match encoding::reading(first, complete, self.encoding, self.skip_binary) {
                Reading::Bytes { bom, check_utf8 } => (bom, check_utf8),
                // Decoded files are not split; one whose first part is binary is skipped.
                Reading::Binary => return Ok(FileMatches::binary(first.len() as u64)),
                Reading::Decoded(_) | Reading::Detect => return self.search_bytes(bytes),
            };
        let split = SplitFile::new(
            Source::Memory(bytes.to_vec()),
            bytes.len() as u64,
            bom,
            segment as u64,
            segment as u64,
            self.skip_binary,
            check_utf8,
            Arc::clone(&self.cancel),
            None,
        );
        self.help_with(&split);
        match self.outcome_of(&split)? {
            Some(found) => Ok(found),
            None => self.search_bytes(bytes),
        }
    }

    /// Reads the start of `file` (all of it up to [`WHOLE_FILE_LIMIT`]) into the buffer. Returns
    /// how many bytes were read and whether that is the whole file.
    fn read_start(&mut self, file: &mut impl Read) -> io::Result<(usize, bool)> {
        self.read_on(file, 0)
    }

    /// Reads on from `file`'s position into the buffer after its first `filled` bytes, up to
    /// [`WHOLE_FILE_LIMIT`] in all.
    fn read_on(&mut self, file: &mut impl Read, mut filled: usize) -> io::Result<(usize, bool)> {
        loop {
            if filled == WHOLE_FILE_LIMIT {
                return Ok((filled, false));
            }
            self.check_cancel()?;
            match file.read(&mut self.buffer.for_offset(0)[filled..]) {
                Ok(0) => return Ok((filled, true)),
                Ok(n) => filled += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
    }

    /// Like [`read_start`](Self::read_start) for a file whose first bytes, `start`, were read
    /// already: they are copied into the buffer (a copy in memory costs less than reading them
    /// again) and the file is read on after them. `None` when there is no such start, or when
    /// the file ends exactly where `start` ends: it is that long (a batch read that did not
    /// look for the end cannot tell) or it changed since `start` was read (truncated, or
    /// replaced by another file), and it is read again from its first byte, as a whole. (A file
    /// replaced by a longer one in between is read as `start` then the rest of the new one, as
    /// a file rewritten in place while it is read is.)
    fn read_start_after(
        &mut self,
        file: &mut File,
        start: &[u8],
    ) -> io::Result<Option<(usize, bool)>> {
        if start.is_empty() || start.len() >= WHOLE_FILE_LIMIT {
            return Ok(None);
        }
        // Not seekable (a FIFO put in the file's place since): read as the plain path reads.
        if file.seek(SeekFrom::Start(start.len() as u64)).is_err() {
            return Ok(None);
        }
        self.buffer.for_offset(0)[..start.len()].copy_from_slice(start);
        let (filled, complete) = self.read_on(file, start.len())?;
        if complete && filled == start.len() {
            file.seek(SeekFrom::Start(0))?;
            return Ok(None);
        }
        Ok(Some((filled, complete)))
    }

    fn check_cancel(&self) -> io::Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(cancelled())
        } else {
            Ok(())
        }
    }
}

/// A decoded file's text, reused from file to file.
struct DecodedText {
    /// A whole file's text, searched as one slice.
    whole: String,
    /// For a pattern whose every match is ASCII alone (`crate::required::matches_only_ascii`).
    lines: Option<MatchingLines>,
}

/// What a file in an ASCII-compatible encoding is searched with for a pattern whose matches
/// are ASCII alone: its bytes are searched, and only the lines the pattern matches there are
/// decoded and searched again (a Shift_JIS, GBK or Big5 trail byte can look like ASCII); the
/// bytes between them are only measured, for the decoded text's byte offsets. Decoding and
/// detecting were nearly all the cost of `-E auto` on legacy files (scripts/bench-results.md).
#[derive(Default)]
struct MatchingLines {
    measure: DecodedLength,
    /// The line being searched, decoded.
    line: String,
}

/// Decodes `bytes`, a whole file, and searches its text with `searcher` (no binary detection:
/// a NUL character is looked for here, where binary files are skipped; only UTF-16 can have one
/// its bytes did not show). The whole text, or for a pattern whose matches are ASCII alone in
/// an ASCII-compatible encoding only the lines that can match ([`MatchingLines`]): the same
/// lines, columns, offsets and text either way.
fn search_decoded_whole(
    encoding: &'static crate::Encoding,
    bytes: &[u8],
    decoded: &mut DecodedText,
    skip_binary: bool,
    searcher: &mut Searcher,
    matcher: &RegexMatcher,
    sink: &mut LineCollector<'_>,
) -> io::Result<()> {
    if let Some(lines) = decoded
        .lines
        .as_mut()
        .filter(|_| encoding.is_ascii_compatible())
    {
        return search_matching_lines(encoding, bytes, lines, skip_binary, matcher, sink);
    }
    let text = &mut decoded.whole;
    encoding::decode_whole(encoding, bytes, text);
    if skip_binary && memchr(0, text.as_bytes()).is_some() {
        sink.binary = true;
        return Ok(());
    }
    let searched = searcher.search_slice(matcher, text.as_bytes(), &mut *sink);
    // Scratch for the next file; a few megabytes at most, as the read buffer.
    if text.capacity() > DECODED_TEXT_KEPT {
        *text = String::new();
    }
    searched
}

/// Searches `bytes`, a whole file in `encoding`, ASCII-compatible, for a pattern whose every
/// match is ASCII alone, as [`MatchingLines`] says. What grep-searcher does over the decoded
/// text, line by line: each line the pattern matches in the bytes is decoded alone (with its
/// `\n`, which leaves the decoder as it starts: `DecodedLength`), numbered by the `\n` bytes
/// before it (each is one `\n` of the text) and placed at the decoded length of the bytes
/// before it.
fn search_matching_lines(
    encoding: &'static crate::Encoding,
    bytes: &[u8],
    lines: &mut MatchingLines,
    skip_binary: bool,
    matcher: &RegexMatcher,
    sink: &mut LineCollector<'_>,
) -> io::Result<()> {
    // Only a NUL byte decodes to a NUL character in an ASCII-compatible encoding.
    if skip_binary && memchr(0, bytes).is_some() {
        sink.binary = true;
        return Ok(());
    }
    let body = &bytes[encoding::bom_len(bytes)..];
    // The bytes before `measured`, a line's start, are `line_number - 1` lines and decode to
    // `offset` bytes (measured only when occurrences carry their offsets).
    let (mut measured, mut line_number, mut offset) = (0, 1u64, 0u64);
    // A line's start; an empty file, or the end of one ending in `\n`, has no line there.
    let mut at = 0;
    while at < body.len() {
        let found = matcher
            .find_at(body, at)
            .map_err(|err| io::Error::other(err.to_string()))?;
        let Some(found) = found else { break };
        let start = found.start();
        let line_start = memrchr(b'\n', &body[at..start]).map_or(at, |nl| at + nl + 1);
        if line_start == body.len() {
            // An empty match after the final `\n`: no line is there.
            break;
        }
        let line_end = memchr(b'\n', &body[start..]).map_or(body.len(), |nl| start + nl + 1);
        let before = &body[measured..line_start];
        line_number += memchr_iter(b'\n', before).count() as u64;
        if sink.byte_offsets {
            offset += lines.measure.of(encoding, before) as u64;
        }
        encoding::decode_part(encoding, &body[line_start..line_end], &mut lines.line);
        let matches = sink.matches;
        sink.collect(lines.line.as_bytes(), line_number, offset)?;
        if let Some(report) = sink.report {
            report.found(sink.matches - matches);
        }
        offset += lines.line.len() as u64;
        line_number += 1;
        measured = line_end;
        at = line_end;
        if sink.cancel.load(Ordering::Relaxed) {
            break;
        }
    }
    if lines.line.capacity() > DECODED_TEXT_KEPT {
        lines.line = String::new();
    }
    Ok(())
}

/// A decoded file's text is kept for the next one up to this size (a 1 MiB file in a CJK
/// encoding decodes to 1.5 MiB of UTF-8).
const DECODED_TEXT_KEPT: usize = 4 << 20;

/// The decoder's scratch space, allocated at the first file searched decoded.
fn decode_buffer(buffer: &mut Vec<u8>) -> &mut [u8] {
    if buffer.is_empty() {
        buffer.resize(DECODE_BUFFER, 0);
    }
    buffer
}

#[cfg(unix)]
pub(crate) fn open_for_search(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
pub(crate) fn open_for_search(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// The directory a walked file sits in, shared by all its files. The first search thread that
/// needs it opens it; it is closed when its last file is done.
#[derive(Debug)]
pub(crate) struct DirSlot {
    /// The directory's path, exactly as the walk built its files' paths.
    path: std::path::PathBuf,
    /// Files of this directory opened so far.
    #[cfg(unix)]
    opened: std::sync::atomic::AtomicUsize,
    #[cfg(unix)]
    handle: std::sync::OnceLock<Option<DirHandle>>,
}

impl DirSlot {
    /// A slot for the directory at `path` (nothing is opened yet).
    pub(crate) fn new(path: std::path::PathBuf) -> Self {
        DirSlot {
            path,
            #[cfg(unix)]
            opened: std::sync::atomic::AtomicUsize::new(0),
            #[cfg(unix)]
            handle: std::sync::OnceLock::new(),
        }
    }

    /// Whether `path` is directly in this directory (compared as the walk spelled it).
    pub(crate) fn is_parent_of(&self, path: &Path) -> bool {
        self.name_in(path).is_some()
    }

    /// The name of `path` in this directory, if `path` is this directory's path, a separator
    /// and a name. Compared as bytes: cheaper per file than `Path::parent`'s component parsing.
    fn name_in<'p>(&self, path: &'p Path) -> Option<&'p [u8]> {
        let dir = self.path.as_os_str().as_encoded_bytes();
        let rest = path.as_os_str().as_encoded_bytes().strip_prefix(dir)?;
        let (&sep, name) = rest.split_first()?;
        let is_sep = |b: u8| std::path::is_separator(char::from(b));
        (is_sep(sep) && !name.is_empty() && !name.iter().any(|&b| is_sep(b))).then_some(name)
    }

    /// The directory's handle and `path`'s name in it, when `path` is to be opened relative to
    /// it: directly in it, after the first [`FILES_BEFORE_OPENAT`] files of the directory (a
    /// folder of few files is not worth a handle), and the handle could be opened. Counts
    /// the file.
    #[cfg(unix)]
    fn handle_for<'p>(&self, path: &'p Path) -> Option<(&DirHandle, &'p [u8])> {
        let name = self.name_in(path)?;
        if self.opened.fetch_add(1, Ordering::Relaxed) < FILES_BEFORE_OPENAT {
            return None;
        }
        let dir = self
            .handle
            .get_or_init(|| DirHandle::open(&self.path))
            .as_ref()?;
        Some((dir, name))
    }

    /// Opens `path`, a file in this directory, relative to the directory. `None` when that is
    /// not possible (the path is not directly in it, the directory cannot be opened, too many
    /// are open): the caller then opens the file by its full path.
    #[cfg(unix)]
    fn open_file(&self, path: &Path, name_buf: &mut Vec<u8>) -> Option<io::Result<File>> {
        use std::os::fd::{AsRawFd, FromRawFd};

        let (dir, name) = self.handle_for(path)?;
        name_buf.clear();
        name_buf.extend_from_slice(name);
        name_buf.push(0);
        let name = std::ffi::CStr::from_bytes_with_nul(name_buf).ok()?;
        loop {
            // SAFETY: `name` is NUL-terminated and `dir.fd` stays open while `dir` is borrowed.
            let fd = unsafe {
                libc::openat(
                    dir.fd.as_raw_fd(),
                    name.as_ptr(),
                    libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC,
                )
            };
            if fd >= 0 {
                // SAFETY: `fd` was just opened and nothing else owns it.
                return Some(Ok(unsafe { File::from_raw_fd(fd) }));
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Some(Err(err));
            }
        }
    }
}

#[cfg(target_os = "linux")]
impl DirSlot {
    /// Where a batch read (`crate::batch_read`) opens `path`, a file in this directory, by the
    /// rules of [`open_file`](Self::open_file): relative to the directory's handle from the
    /// same file on, else by the whole path. Writes the NUL-terminated name into `name`; none
    /// for a path with a NUL byte, which no open takes. A short read ends the file when it is
    /// opened relative to a handle on a disk file system ([`DirHandle::short_read_ends`]) and
    /// not through a symbolic link (`via_link`), which may lead to any file system.
    pub(crate) fn open_target(
        &self,
        path: &Path,
        via_link: bool,
        name: &mut Vec<u8>,
    ) -> Option<crate::batch_read::Target> {
        use std::os::fd::AsRawFd;
        use std::os::unix::ffi::OsStrExt;

        let in_dir = (self.handle_for(path)).map(|(dir, file_name)| {
            let target = crate::batch_read::Target {
                dir: dir.fd.as_raw_fd(),
                short_read_ends: dir.short_read_ends() && !via_link,
            };
            (target, file_name)
        });
        let by_path = crate::batch_read::Target {
            dir: libc::AT_FDCWD,
            short_read_ends: false,
        };
        let (target, bytes) = in_dir.unwrap_or((by_path, path.as_os_str().as_bytes()));
        if memchr(0, bytes).is_some() {
            return None;
        }
        name.extend_from_slice(bytes);
        name.push(0);
        Some(target)
    }
}

/// An open directory used only as the base of `openat`.
#[cfg(unix)]
#[derive(Debug)]
struct DirHandle {
    fd: std::os::fd::OwnedFd,
    /// Its file system is one of [`SHORT_READ_ENDS`] (Linux; `fstatfs`), asked the first time
    /// a batch read opens a file in it: the plain path never needs to know.
    #[cfg(target_os = "linux")]
    short_read_ends: std::sync::OnceLock<bool>,
}

#[cfg(target_os = "linux")]
impl DirHandle {
    /// Whether a short read of a regular file in this folder is the file's end.
    fn short_read_ends(&self) -> bool {
        *(self.short_read_ends).get_or_init(|| on_short_read_fs(&self.fd))
    }
}

/// File systems on which a read of a regular file returns fewer bytes than asked for only at
/// the file's end: the disk file systems whose reads go through the page cache (`filemap_read`
/// fills the request up to the file's size). Not procfs or sysfs (some files give a page or a
/// record per read), FUSE, network or stacked file systems (their reads are another program's
/// or another file system's), nor any other: there a batch read still reads on to see the end
/// (`crate::batch_read`).
#[cfg(target_os = "linux")]
const SHORT_READ_ENDS: [u32; 4] = [
    libc::EXT4_SUPER_MAGIC as u32, // ext2, ext3 and ext4 share it
    libc::XFS_SUPER_MAGIC as u32,
    libc::BTRFS_SUPER_MAGIC as u32,
    libc::F2FS_SUPER_MAGIC as u32,
];

/// Whether the file system of the open `fd` is one of [`SHORT_READ_ENDS`].
#[cfg(target_os = "linux")]
fn on_short_read_fs(fd: &std::os::fd::OwnedFd) -> bool {
    use std::os::fd::AsRawFd;
    let mut stat = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `fd` is open, and `stat` is written by the call before it is read.
    let done = unsafe { libc::fstatfs(fd.as_raw_fd(), stat.as_mut_ptr()) } == 0;
    // SAFETY: filled by the successful call.
    done && SHORT_READ_ENDS.contains(&(unsafe { stat.assume_init() }.f_type as u32))
}

/// How many [`DirHandle`]s are open in the process.
#[cfg(unix)]
static OPEN_DIRS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cfg(unix)]
impl DirHandle {
    fn open(path: &Path) -> Option<DirHandle> {
        use std::os::unix::fs::OpenOptionsExt;
        if OPEN_DIRS.fetch_add(1, Ordering::Relaxed) >= MAX_OPEN_DIRS {
            OPEN_DIRS.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        // Linux opens a directory for lookups only (O_PATH): no read permission checks.
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let flags = libc::O_DIRECTORY | libc::O_PATH;
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let flags = libc::O_DIRECTORY;
        match std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(path)
        {
            Ok(dir) => Some(DirHandle {
                fd: dir.into(),
                #[cfg(target_os = "linux")]
                short_read_ends: std::sync::OnceLock::new(),
            }),
            Err(_) => {
                OPEN_DIRS.fetch_sub(1, Ordering::Relaxed);
                None
            }
        }
    }
}

#[cfg(unix)]
impl Drop for DirHandle {
    fn drop(&mut self) {
        OPEN_DIRS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A reader that fails once the cancel flag is set, so that a search deep in a huge file stops at
/// its next read. Not with `Interrupted`: readers above it (encoding_rs_io's BOM sniffing) retry
/// on that kind, and would spin forever.
struct CancellableReader<'a, R> {
    inner: R,
    cancel: &'a AtomicBool,
    report: Option<&'a StreamReport>,
    /// Counts the bytes read, where the reader's own caller cannot (a decoder in between).
    counted: Option<&'a Cell<u64>>,
}

impl<R: Read> Read for CancellableReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::other("search cancelled"));
        }
        // A buffer grown for one huge line can ask for hundreds of megabytes at once: read it
        // in slices, so the flag is looked at every millisecond or so.
        let len = buf.len().min(CANCELLABLE_READ);
        let read = self.inner.read(&mut buf[..len])?;
        if let Some(report) = self.report {
            report.read(read as u64);
        }
        if let Some(counted) = self.counted {
            counted.set(counted.get() + read as u64);
        }
        Ok(read)
    }
}

/// What a search thread searches a split file's segments with: its matcher and its plain
/// searcher (segments are checked for NUL bytes and BOMs by the split file), borrowed apart
/// from its read buffer, where the segment's bytes lie.
struct SegmentLines<'s> {
    matcher: &'s RegexMatcher,
    searcher: &'s mut Searcher,
    cancel: &'s AtomicBool,
    max_columns: Option<usize>,
    byte_offsets: bool,
}

impl SearchLines for SegmentLines<'_> {
    fn search_lines(
        &mut self,
        text: &[u8],
        offset: u64,
        report: Option<&StreamReport>,
    ) -> io::Result<LinesFound> {
        let mut sink = LineCollector::new(
            self.matcher,
            self.cancel,
            self.max_columns,
            false,
            self.byte_offsets,
        );
        sink.offset_shift = offset;
        sink.report = report;
        self.searcher.search_slice(self.matcher, text, &mut sink)?;
        Ok(LinesFound {
            lines: sink.lines,
            matches: sink.matches,
            counted: sink.last_match,
        })
    }
}

/// The sink that turns grep-searcher's matching lines into [`MatchLine`]s with every occurrence.
struct LineCollector<'a> {
    matcher: &'a RegexMatcher,
    cancel: &'a AtomicBool,
    max_columns: Option<usize>,
    multiline: bool,
    /// Whether occurrences carry their byte offsets (`SearchRequest::byte_offsets`).
    byte_offsets: bool,
    lines: MatchLines,
    matches: u64,
    binary: bool,
    bytes_read: u64,
    /// Added to grep-searcher's offsets: where the bytes searched start in the file (after a
    /// stripped UTF-8 BOM, or a segment's first byte).
    offset_shift: u64,
    /// Scratch: the byte ranges of the occurrences in the current block.
    found: Vec<std::ops::Range<usize>>,
    /// Scratch, reused for every line (no allocation per matching line): the occurrences of
    /// the current line, and their start and end positions mapped into its text.
    group: Vec<std::ops::Range<usize>>,
    positions: Vec<usize>,
    /// Scratch: the columns of the occurrences on the current line.
    columns: Vec<u64>,
    /// A large file's progress report, told of matches as they are found.
    report: Option<&'a StreamReport>,
    /// The line number of the last matching line and the byte after it, in what was searched:
    /// grep-searcher counts a slice's lines only up to there.
    last_match: Option<(u64, usize)>,
}

impl<'a> LineCollector<'a> {
    fn new(
        matcher: &'a RegexMatcher,
        cancel: &'a AtomicBool,
        max_columns: Option<usize>,
        multiline: bool,
        byte_offsets: bool,
    ) -> Self {
        LineCollector {
            matcher,
            cancel,
            max_columns,
            multiline,
            byte_offsets,
            lines: MatchLines::new(),
            matches: 0,
            binary: false,
            bytes_read: 0,
            offset_shift: 0,
            found: Vec::new(),
            group: Vec::new(),
            positions: Vec::new(),
            columns: Vec::new(),
            report: None,
            last_match: None,
        }
    }

    /// What was collected, or nothing for a file found to be binary.
    fn into_matches(self, bytes_read: u64) -> FileMatches {
        if self.binary {
            return FileMatches::binary(bytes_read);
        }
        FileMatches {
            lines: self.lines,
            matches: self.matches,
            bytes_read,
            binary: false,
            has_nul: false,
            modified: None,
            encoding: None,
        }
    }

    /// Records every occurrence in `block`, a run of whole lines starting at `first_line`, whose
    /// first byte is at `block_offset` in the file.
    fn collect(&mut self, block: &[u8], first_line: u64, block_offset: u64) -> io::Result<()> {
        // Without multiline the block is one line; search it without its terminator so that
        // `$` and the reported text agree with what a person sees.
        let haystack = if self.multiline {
            block
        } else {
            trim_terminator(block)
        };
        self.found.clear();
        let found = &mut self.found;
        self.matcher
            .find_iter(haystack, |m| {
                found.push(m.start()..m.end());
                true
            })
            .map_err(|err| io::Error::other(err.to_string()))?;
        if self.multiline && block.last() == Some(&b'\n') {
            // An empty match after the block's final newline belongs to no line of this block.
            found.retain(|m| m.start < block.len());
        }
        // An empty match between the bytes of one character (`x*` on `日`) is no occurrence
        // a person could point at.
        found.retain(|m| !m.is_empty() || !splits_char(haystack, m.start));

        let mut line_start = 0;
        let mut line_number = first_line;
        let mut i = 0;
        while i < self.found.len() {
            let start = self.found[i].start;
            // Move to the line holding this occurrence.
            while let Some(nl) = memchr(b'\n', &block[line_start..start]) {
                line_start += nl + 1;
                line_number += 1;
            }
            let line_end = line_start
                + memchr(b'\n', &block[line_start..]).unwrap_or(block.len() - line_start);
            let line =
                trim_terminator(&block[line_start..line_end + usize::from(line_end < block.len())]);
            // Every occurrence starting on this line.
            let mut j = i;
            while j < self.found.len() && self.found[j].start <= line_start + line.len() {
                j += 1;
            }
            if j == i {
                // An occurrence in the line terminator itself (`\r` at the end): report it at the
                // line's end.
                j = i + 1;
            }
            let mut group = std::mem::take(&mut self.group);
            group.clear();
            group.extend(
                self.found[i..j]
                    .iter()
                    .map(|m| m.start - line_start..m.end - line_start),
            );
            let spans_lines = self.found[i..j]
                .iter()
                .any(|m| m.end > line_start + line.len());
            self.push_line(
                line,
                line_number,
                block_offset + line_start as u64,
                &group,
                spans_lines,
            );
            self.group = group;
            i = j;
        }
        Ok(())
    }

    /// Adds one line with its occurrences: byte ranges from the line's start, which may run past
    /// its end (a multiline match, or one starting in the terminator). Offset and length are the
    /// whole match's; column and highlight stop at the line's end.
    fn push_line(
        &mut self,
        line: &[u8],
        line_number: u64,
        line_offset: u64,
        group: &[std::ops::Range<usize>],
        spans_lines: bool,
    ) {
        self.matches += group.len() as u64;
        // Columns, counted incrementally from one occurrence to the next so that a long line
        // with many occurrences costs one pass, not one pass per occurrence.
        let columns = &mut self.columns;
        columns.clear();
        let (mut counted_to, mut column) = (0usize, 1u64);
        for m in group {
            // A byte-level match inside a character takes that character's column.
            let start = char_start(line, m.start.min(line.len())).max(counted_to);
            column += char_count(&line[counted_to..start]) as u64;
            counted_to = start;
            columns.push(column);
        }

        let at = LineAt {
            bytes: line,
            number: line_number,
            offset: line_offset,
            spans_lines,
        };
        match self.max_columns {
            Some(max) if more_chars_than(line, max) => self.push_cut_line(&at, group, max),
            _ => self.push_stretch(&at, group, 0..group.len(), 0..line.len(), None),
        }
    }

    /// Adds a line longer than `max` characters, keeping only the windows around its
    /// occurrences (see [`MatchLine::text`]): each window is what [`crate::Excerpt`]
    /// will show, and windows that overlap are merged into one text, so that a minified line
    /// with thousands of occurrences is not stored thousands of times.
    fn push_cut_line(&mut self, at: &LineAt<'_>, group: &[std::ops::Range<usize>], max: usize) {
        let line = at.bytes;
        let mut first = 0;
        while first < group.len() {
            let columns = &self.columns;
            // Each occurrence's window in characters of the line: a quarter of it before the
            // occurrence, as `Excerpt::of` cuts it. Merging windows by their columns costs
            // nothing per occurrence; only each merged stretch's ends are turned into bytes.
            let window = |k: usize| {
                let column = columns[k] as usize - 1;
                let start = column - (max / 4).min(column);
                (start, start + max)
            };
            let (start_char, mut end_char) = window(first);
            let mut last = first + 1;
            while last < group.len() {
                let (next_start, next_end) = window(last);
                if next_start > end_char {
                    break;
                }
                end_char = end_char.max(next_end);
                last += 1;
            }
            let anchor = char_start(line, shown(line, &group[first]).start);
            let start = retreat_chars(line, anchor, columns[first] as usize - 1 - start_char);
            let end = advance_chars(line, start, end_char - start_char);
            let cut = LineCut {
                max_columns: max,
                before: start > 0,
                after: end < line.len(),
            };
            self.push_stretch(at, group, first..last, start..end, Some(cut));
            first = last;
        }
    }

    /// Adds the occurrences `which` of `group` with the stretch `bytes` of the line as their
    /// text (the whole line, or a cut part of it that holds them).
    fn push_stretch(
        &mut self,
        at: &LineAt<'_>,
        group: &[std::ops::Range<usize>],
        which: std::ops::Range<usize>,
        bytes: std::ops::Range<usize>,
        cut: Option<LineCut>,
    ) {
        let (start, end) = (bytes.start, bytes.end);
        // An occurrence's part on this line, in the stretch's bytes.
        let in_stretch = |m: &std::ops::Range<usize>| {
            let m = shown(at.bytes, m);
            m.start.clamp(start, end) - start..m.end.clamp(start, end) - start
        };
        let positions = &mut self.positions;
        positions.clear();
        positions.extend(group[which.clone()].iter().flat_map(|m| {
            let m = in_stretch(m);
            range_ends(m.start, m.end)
        }));
        let columns = &self.columns[which.clone()];
        let byte_offsets = self.byte_offsets;
        self.lines
            .push_with(at.number, at.spans_lines, cut, |text, occurrences| {
                let text_start = text.len();
                push_lossy_with_positions(text, &at.bytes[bytes], positions);
                let text = &text[text_start..];
                occurrences.extend(group[which].iter().zip(columns).enumerate().map(
                    |(k, (m, &column))| Occurrence {
                        column,
                        byte_offset: byte_offsets.then(|| at.offset + m.start as u64),
                        length: (m.end - m.start) as u64,
                        highlight: shown_range(
                            text,
                            [positions[2 * k], positions[2 * k + 1]],
                            in_stretch(m).is_empty(),
                        ),
                    },
                ));
            });
    }
}

/// A matching line as [`LineCollector::push_line`] is given it.
struct LineAt<'l> {
    /// Without its terminator.
    bytes: &'l [u8],
    number: u64,
    /// Of its first byte in the file.
    offset: u64,
    spans_lines: bool,
}

/// The part of occurrence `m` that lies on `line` (a multiline match runs past its end).
fn shown(line: &[u8], m: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    m.start.min(line.len())..m.end.min(line.len())
}

fn trim_terminator(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

impl Sink for LineCollector<'_> {
    type Error = io::Error;

    fn matched(&mut self, _searcher: &Searcher, mat: &SinkMatch<'_>) -> Result<bool, io::Error> {
        if self.cancel.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let line_number = mat.line_number().unwrap_or(0);
        let offset = mat.absolute_byte_offset() + self.offset_shift;
        let end = usize::try_from(mat.absolute_byte_offset()).unwrap_or(usize::MAX);
        self.last_match = Some((line_number, end.saturating_add(mat.bytes().len())));
        let before = self.matches;
        self.collect(mat.bytes(), line_number, offset)?;
        if let Some(report) = self.report {
            report.found(self.matches - before);
        }
        Ok(true)
    }

    fn binary_data(&mut self, _searcher: &Searcher, _offset: u64) -> Result<bool, io::Error> {
        self.binary = true;
        Ok(false)
    }

    fn finish(&mut self, _searcher: &Searcher, finish: &SinkFinish) -> Result<(), io::Error> {
        self.bytes_read = finish.byte_count();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn searcher(pattern: &str, edit: impl FnOnce(&mut SearchRequest)) -> FileSearcher {
        let mut request = SearchRequest::new(".", Vec::new(), pattern);
        edit(&mut request);
        let matcher = crate::build_matcher(&request).unwrap();
        FileSearcher::new(&request, matcher, Arc::new(AtomicBool::new(false)))
    }

    #[test]
    fn a_whole_file_without_a_required_literal_is_passed_over_in_every_ascii_compatible_reading() {
        let no_file = || Err(io::Error::other("no file: searched in memory"));
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("a needle\n".encode_utf16().flat_map(u16::to_le_bytes));
        for choice in [
            TextEncoding::Utf8,
            TextEncoding::Auto,
            TextEncoding::Bytes,
            TextEncoding::Named(encoding_rs::WINDOWS_1252),
            TextEncoding::Named(encoding_rs::UTF_16LE),
        ] {
            let mut searcher = searcher("needle", |r| r.options.encoding = choice);
            // No needle: passed over, a NUL byte or not (nothing of it is shown either way), so
            // never marked binary. (Decoded from UTF-16, NUL bytes are text.)
            for bytes in [&b"hay\0stack\n"[..], b"haystack\n", b"\xEF\xBB\xBFhay\n"] {
                let found = searcher.search_whole(bytes, no_file).unwrap();
                assert_eq!(
                    (found.matches, found.binary, found.bytes_read),
                    (0, false, bytes.len() as u64),
                    "{choice}: {bytes:?}"
                );
            }
            // A needle beside a NUL byte: binary, skipped.
            let found = searcher.search_whole(b"a needle\0\n", no_file).unwrap();
            let utf16_chosen = choice == TextEncoding::Named(encoding_rs::UTF_16LE);
            assert_eq!(
                (found.matches, found.binary),
                (0, !utf16_chosen),
                "{choice}"
            );
            // A UTF-16 file (its byte-order mark decides, but with `-E none`) is not passed
            // over: its needle is not the literal's bytes.
            let found = searcher.search_whole(&utf16, no_file).unwrap();
            let expected = if choice == TextEncoding::Bytes { 0 } else { 1 };
            assert_eq!(found.matches, expected, "{choice}");
        }
    }

    #[test]
    fn a_decoded_file_without_a_required_literal_is_not_decoded_and_finds_the_same() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("日本語 needle です\n日本語のテキスト\n");
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode("café naïve\n");
        for choice in [
            TextEncoding::Auto,
            TextEncoding::Named(encoding_rs::SHIFT_JIS),
        ] {
            let mut fast = searcher("needle", |r| r.options.encoding = choice);
            assert!(fast.required.is_some());
            // Case-insensitive: no literals, every file decoded; the reference.
            let mut decoding = searcher("needle", |r| {
                r.options.encoding = choice;
                r.options.case = crate::CaseMode::Insensitive;
            });
            assert!(decoding.required.is_none());
            for bytes in [&sjis[..], &cp1252[..]] {
                let fast_found = fast.search_bytes(bytes).unwrap();
                let found = decoding.search_bytes(bytes).unwrap();
                assert_eq!(occurrences(&fast_found), occurrences(&found));
                assert_eq!(
                    (fast_found.bytes_read, fast_found.binary),
                    (found.bytes_read, found.binary)
                );
                // A file with a match is decoded alike; one passed over was never decoded (nor
                // its encoding detected), and a file without a match is shown nowhere.
                if found.matches > 0 {
                    assert_eq!(fast_found.encoding, found.encoding);
                } else {
                    assert_eq!(fast_found.encoding, None);
                }
            }
            // The file without the literal was passed over: nothing was decoded since the
            // Shift_JIS one (the searcher keeps its decoded text).
            let last_decoded = fast.decoded.lines.as_ref().map(|lines| &lines.line);
            assert!(last_decoded.unwrap().contains("needle"), "{choice}");
        }
        // UTF-16 (not ASCII-compatible) is always decoded.
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("a needle\n".encode_utf16().flat_map(u16::to_le_bytes));
        let found = searcher("needle", |_| {}).search_bytes(&utf16).unwrap();
        assert_eq!(found.matches, 1);
    }

    /// (line, column, byte offset, length, highlighted text) of every occurrence.
    fn occurrences(found: &FileMatches) -> Vec<(u64, u64, u64, u64, String)> {
        found
            .lines
            .iter()
            .flat_map(|l| {
                l.occurrences.iter().map(move |o| {
                    let shown = l.text[o.highlight.clone()].to_string();
                    let offset = o.byte_offset.expect("the tests' requests ask for offsets");
                    (l.line_number, o.column, offset, o.length, shown)
                })
            })
            .collect()
    }

    fn in_segments(searcher: &mut FileSearcher, bytes: &[u8], piece: usize) -> FileMatches {
        searcher.search_bytes_in_segments(bytes, piece).unwrap()
    }

    #[test]
    fn a_file_searched_in_segments_has_the_lines_and_offsets_of_the_whole() {
        let text = "foo\n\nno\nx foo foo\r\na very long line with foo in the middle of it\n\
                    é foo\n\n\nfoo";
        let mut searcher = searcher("foo", |_| {});
        let whole = searcher.search_bytes(text.as_bytes()).unwrap();
        assert_eq!(whole.matches, 6);
        // Segments smaller than most lines, one line per segment, and a few lines per segment.
        assert!(
            in_segments(&mut searcher, b"", 4).lines.is_empty(),
            "an empty file"
        );
        for piece in [1, 5, 12, 30, text.len()] {
            let found = in_segments(&mut searcher, text.as_bytes(), piece);
            assert_eq!(
                occurrences(&found),
                occurrences(&whole),
                "segments of {piece} bytes"
            );
            assert_eq!(found.lines, whole.lines, "segments of {piece} bytes");
        }
    }

    #[test]
    fn a_file_split_between_threads_has_the_lines_of_the_whole() {
        // Short lines, and long ones that run past the segments' reach (read to their end).
        let mut text = String::new();
        for i in 0..3000 {
            let word = if i % 7 == 0 { "foo" } else { "bar" };
            text.push_str(&format!("line {i} {word}\n"));
            if i % 400 == 0 {
                text.push_str(&"x foo ".repeat(300));
                text.push('\n');
            }
        }
        let request = |r: &mut SearchRequest| r.max_columns = Some(40);
        let mut searcher_here = searcher("foo", request);
        let whole = searcher_here.search_bytes(text.as_bytes()).unwrap();
        let split = SplitFile::new(
            Source::Memory(text.into_bytes()),
            whole.bytes_read,
            0,
            100,
            64,
            true,
            false,
            Arc::new(AtomicBool::new(false)),
            None,
        );
        std::thread::scope(|scope| {
            for _ in 0..2 {
                let split = &split;
                scope.spawn(move || searcher("foo", request).help_with(split));
            }
            searcher_here.help_with(&split);
        });
        let found = split.wait_for_matches().unwrap();
        assert_eq!(found.matches, whole.matches);
        assert_eq!(found.lines, whole.lines);
    }

    #[test]
    fn a_nul_in_a_later_segment_makes_the_file_binary() {
        let mut bytes = b"foo\n".repeat(10);
        bytes.extend_from_slice(b"\0 foo\n");
        let found = in_segments(&mut searcher("foo", |_| {}), &bytes, 8);
        assert!(found.binary && found.lines.is_empty());
        let as_text = in_segments(
            &mut searcher("foo", |r| r.options.binary_as_text = true),
            &bytes,
            8,
        );
        assert_eq!((as_text.binary, as_text.matches), (false, 11));
        // A NUL after a line longer than a segment's reach (read whole on its own) as well.
        let mut bytes = b"foo\n".to_vec();
        bytes.extend_from_slice(&[b'x'; 40]);
        bytes.extend_from_slice(b"\nfoo\n\0\n");
        let found = in_segments(&mut searcher("foo", |_| {}), &bytes, 8);
        assert!(found.binary && found.lines.is_empty());
    }

    #[test]
    fn a_match_ending_inside_an_invalid_sequence_highlights_its_replacement_character() {
        // `\xE2\x82` is an incomplete sequence: one U+FFFD in the text. The match is its first
        // byte; the preview shows the same highlight (both use `text::shown_range`).
        let found = searcher(r"(?-u:\xE2)", |_| {})
            .search_bytes(b"a\xE2\x82b\n")
            .unwrap();
        let line = &found.lines.get(0).unwrap();
        assert_eq!(line.text, "a\u{FFFD}b");
        assert_eq!(
            &line.text[line.occurrences[0].highlight.clone()],
            "\u{FFFD}"
        );
        // A byte-level match inside a valid character takes the whole character.
        let found = searcher(r"(?-u:\xA9)", |_| {})
            .search_bytes("x \u{A9} y\n".as_bytes())
            .unwrap();
        let line = &found.lines.get(0).unwrap();
        assert_eq!(&line.text[line.occurrences[0].highlight.clone()], "\u{A9}");
    }

    #[test]
    fn a_file_with_a_utf8_bom_and_invalid_bytes_keeps_the_file_s_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.txt");
        std::fs::write(&path, b"\xEF\xBB\xBFa\xFF foo\nfoo\n").unwrap();
        let found = searcher("foo", |_| {}).search_path(&path).unwrap();
        // The BOM is no column but counts in offsets; the invalid byte is one column and one
        // byte (read as is, not transcoded into a 3-byte U+FFFD).
        assert_eq!(
            occurrences(&found),
            vec![
                (1, 4, 6, 3, "foo".to_string()),
                (2, 1, 10, 3, "foo".to_string())
            ]
        );
        assert_eq!(found.lines.get(0).unwrap().text, "a\u{FFFD} foo");
    }

    #[test]
    fn every_occurrence_on_a_line_is_kept_with_character_columns() {
        let found = searcher("o", |_| {})
            .search_bytes("aéo oo\r\nx\n".as_bytes())
            .unwrap();
        assert_eq!(found.matches, 3);
        assert_eq!(found.lines.len(), 1);
        assert_eq!(found.lines.get(0).unwrap().text, "aéo oo");
        let cols: Vec<_> = occurrences(&found).iter().map(|o| (o.1, o.2)).collect();
        assert_eq!(cols, vec![(3, 3), (5, 5), (6, 6)]);
    }

    #[test]
    fn multiline_occurrence_keeps_its_whole_length_and_highlights_its_first_line() {
        let mut found = searcher(r"o\r?\nb", |r| r.options.multiline = true);
        let found = found.search_bytes(b"foo\r\nbar\nfoo\nbar").unwrap();
        assert_eq!(
            occurrences(&found),
            vec![
                (1, 3, 2, 4, "o".to_string()),
                (3, 3, 11, 3, "o".to_string())
            ]
        );
        assert!(found.lines.iter().all(|l| l.spans_lines));
    }

    #[test]
    fn utf8_bom_is_no_column_but_counts_in_byte_offsets() {
        let found = searcher("foo", |_| {})
            .search_bytes(b"\xEF\xBB\xBFfoo\nfoo")
            .unwrap();
        assert_eq!(
            occurrences(&found),
            vec![
                (1, 1, 3, 3, "foo".to_string()),
                (2, 1, 7, 3, "foo".to_string())
            ]
        );
        assert_eq!(
            found.lines.get(0).unwrap().text,
            "foo",
            "the BOM is not shown"
        );
    }

    #[test]
    fn a_nul_anywhere_makes_the_file_binary_unless_searched_as_text() {
        let mut bytes = b"foo\n".repeat(50_000);
        bytes.extend_from_slice(b"\x00\n");
        let found = searcher("foo", |_| {}).search_bytes(&bytes).unwrap();
        assert!(found.binary && found.lines.is_empty() && found.matches == 0);
        let found = searcher("foo", |r| r.options.binary_as_text = true)
            .search_bytes(&bytes)
            .unwrap();
        assert!(!found.binary);
        assert_eq!(found.matches, 50_000);
    }

    #[test]
    fn utf16_nul_bytes_are_not_binary() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("x foo".encode_utf16().flat_map(u16::to_le_bytes));
        let found = searcher("foo", |_| {}).search_bytes(&bytes).unwrap();
        assert_eq!(occurrences(&found), vec![(1, 3, 2, 3, "foo".to_string())]);
    }

    #[test]
    fn a_long_line_is_cut_around_each_occurrence() {
        let line = format!(
            "{}foo{}foo{}",
            "é".repeat(100),
            "x".repeat(100),
            "y".repeat(100)
        );
        let mut found = searcher("foo", |r| r.max_columns = Some(20));
        let found = found.search_bytes(line.as_bytes()).unwrap();
        assert_eq!(
            found.lines.len(),
            2,
            "windows 100 characters apart are kept apart"
        );
        for l in &found.lines {
            let excerpt = l.excerpt(&l.occurrences[0]);
            assert!(
                excerpt.ellipsis_before && excerpt.ellipsis_after,
                "{excerpt:?}"
            );
            assert_eq!(excerpt.text.chars().count(), 20);
            assert_eq!(&excerpt.text[excerpt.highlight.clone()], "foo");
            assert_eq!(
                l.text, excerpt.text,
                "a lone window is stored as it is shown"
            );
        }
        let cols: Vec<_> = occurrences(&found).iter().map(|o| (o.1, o.2)).collect();
        assert_eq!(cols, vec![(101, 200), (204, 303)]);
    }

    #[test]
    fn a_cancelled_stream_stops_although_bom_sniffing_retries_interrupted_reads() {
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let cancel = Arc::new(AtomicBool::new(true));
            let request = SearchRequest::new(".", Vec::new(), "foo");
            let matcher = crate::build_matcher(&request).unwrap();
            let mut searcher = FileSearcher::new(&request, matcher, Arc::clone(&cancel));
            let mut sink = LineCollector::new(&searcher.matcher, &cancel, None, false, true);
            let reader = CancellableReader {
                inner: &b"foo\n"[..],
                cancel: &cancel,
                report: None,
                counted: None,
            };
            let searched = searcher
                .searcher
                .search_reader(&searcher.matcher, reader, &mut sink);
            let _ = done_tx.send(searched.map_err(|err| err.to_string()));
        });
        let stopped = done_rx.recv_timeout(std::time::Duration::from_secs(5));
        assert_eq!(
            stopped,
            Ok(Err("search cancelled".to_string())),
            "the search must fail at once, not spin"
        );
    }

    #[test]
    fn a_set_cancel_flag_stops_the_search() {
        let request = SearchRequest::new(".", Vec::new(), "foo");
        let matcher = crate::build_matcher(&request).unwrap();
        let mut searcher = FileSearcher::new(&request, matcher, Arc::new(AtomicBool::new(true)));
        let err = searcher.search_bytes(b"foo\n").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Interrupted);
    }

    #[test]
    fn a_directory_slot_takes_only_names_directly_in_it() {
        let slot = DirSlot::new(Path::new("/a/b").to_path_buf());
        assert_eq!(slot.name_in(Path::new("/a/b/c.rs")), Some(&b"c.rs"[..]));
        assert!(slot.is_parent_of(Path::new("/a/b/c.rs")));
        for other in [
            "/a/b",
            "/a/b/",
            "/a/bc/d.rs",
            "/a/b/c/d.rs",
            "/a/c.rs",
            "/a/b2",
        ] {
            assert!(!slot.is_parent_of(Path::new(other)), "{other}");
        }
    }

    /// A batch read leaves out its read to see the end only for a file opened relative to a
    /// handle on a disk file system, not through a link (this machine's temporary folder is on
    /// ext4; where it is not, only the procfs half says anything).
    #[cfg(target_os = "linux")]
    #[test]
    fn only_files_in_folders_of_disk_file_systems_end_at_a_short_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.txt");
        let on_disk = {
            let handle = DirHandle::open(dir.path()).unwrap();
            on_short_read_fs(&handle.fd)
        };
        let slot = DirSlot::new(dir.path().to_path_buf());
        let mut name = Vec::new();
        // By its whole path until the folder's handle is opened, from its third file on.
        for expected in [false, false, on_disk] {
            let target = slot.open_target(&file, false, &mut name).unwrap();
            assert_eq!(target.short_read_ends, expected);
        }
        assert!(
            !slot
                .open_target(&file, true, &mut name)
                .unwrap()
                .short_read_ends
        );
        let proc_slot = DirSlot::new("/proc/self".into());
        for _ in 0..3 {
            let target =
                (proc_slot.open_target(Path::new("/proc/self/status"), false, &mut name)).unwrap();
            assert!(
                !target.short_read_ends,
                "procfs gives a page or a record per read"
            );
        }
    }

    #[test]
    fn files_opened_in_their_directory_match_files_opened_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut expected = Vec::new();
        for i in 0..6 {
            let path = dir.path().join(format!("f{i}.txt"));
            std::fs::write(&path, format!("x foo {i}\nbar\nfoo foo\n").repeat(i + 1)).unwrap();
            expected.push(path);
        }
        // Large enough to be streamed after its first part.
        let big = dir.path().join("big.txt");
        let line = format!("foo {}\n", "-".repeat(1000));
        std::fs::write(&big, line.repeat(WHOLE_FILE_LIMIT / 1000)).unwrap();
        expected.push(big);
        let slot = DirSlot::new(dir.path().to_path_buf());
        let mut by_dir = searcher("foo", |_| {});
        let mut by_path = searcher("foo", |_| {});
        for path in &expected {
            let a = by_dir.search_in_dir(&slot, path, &[]).unwrap();
            let b = by_path.search_path(path).unwrap();
            assert_eq!(occurrences(&a), occurrences(&b), "{}", path.display());
            assert_eq!((a.matches, a.bytes_read), (b.matches, b.bytes_read));
        }
        let missing = dir.path().join("gone.txt");
        let err = by_dir.search_in_dir(&slot, &missing, &[]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn a_file_read_on_after_its_start_is_searched_whole_unless_it_ends_where_the_start_does() {
        let dir = tempfile::tempdir().unwrap();
        let slot = DirSlot::new(dir.path().to_path_buf());
        let mut after = searcher("foo", |_| {});
        let mut whole = searcher("foo", |_| {});
        let text = |len: usize, tag: &str| {
            let mut text = format!("{tag} foo\n").repeat(len / 6 + 1).into_bytes();
            text.truncate(len);
            text
        };
        // The start as read, and the file longer still: read on after it.
        let path = dir.path().join("longer.txt");
        for len in [4097, 200_000, WHOLE_FILE_LIMIT + 5000] {
            let bytes = text(len, "a");
            std::fs::write(&path, &bytes).unwrap();
            let a = after.search_in_dir(&slot, &path, &bytes[..4096]).unwrap();
            let b = whole.search_path(&path).unwrap();
            assert_eq!(occurrences(&a), occurrences(&b), "{len} bytes");
            assert_eq!((a.matches, a.bytes_read), (b.matches, b.bytes_read));
        }
        // The file changed since its start was read: it ends where the start ended, or before.
        // Searched again from its first byte, it shows only its own text.
        for len in [4096, 100] {
            std::fs::write(&path, text(len, "b")).unwrap();
            let a = after.search_in_dir(&slot, &path, &text(4096, "a")).unwrap();
            let b = whole.search_path(&path).unwrap();
            assert_eq!(occurrences(&a), occurrences(&b), "{len} bytes");
            assert!(
                a.lines.iter().all(|line| line.text.contains('b')),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn only_the_lines_matching_the_bytes_decoded_find_what_decoding_the_whole_file_finds() {
        use encoding_rs::{
            BIG5, EUC_JP, EUC_KR, GB18030, GBK, ISO_8859_2, SHIFT_JIS, WINDOWS_1251, WINDOWS_1252,
        };
        // Characters whose bytes look like ASCII in some encoding: Shift_JIS 表 ソ 能 are
        // 0x95 0x5C, 0x83 0x5C, 0x94 0x5C (`\`), ア is 0x83 0x41 (`A`); GBK 丂 is 0x81 0x40
        // (`@`); Big5 功 許 are 0xA5 0x5C, 0xB3 0x5C; GB18030 ¥ is 0x81 0x30 0x84 0x36 (digits).
        let pieces = [
            "表",
            "ソ",
            "能",
            "ア",
            "丂",
            "功",
            "許",
            "¥",
            "日本語",
            "中文",
            "한국어",
            "café",
            "ｱ",
            "Ж",
            "ő",
            "€",
            "A",
            "@",
            "\\",
            "6",
            "needle",
            " ",
            "x",
            "\n",
            "\r\n",
            "\n\n",
        ];
        // Bytes no encoder writes: lone lead bytes, a cut GB18030 sequence, a lead before ASCII.
        let raw: [&[u8]; 7] = [
            b"\x81",
            b"\x80",
            b"\xFF",
            b"\x8F",
            b"\x8E",
            b"\x81\x30",
            b"\x95A",
        ];
        let patterns = [
            "A",
            r"\\",
            "@",
            "6",
            "needle",
            "[0-9]+",
            "e*",
            "^A",
            "A$",
            "[@A]x?",
            "^$",
            r"(?-u:\w)+x",
        ];
        let encodings = [
            SHIFT_JIS,
            GBK,
            GB18030,
            BIG5,
            EUC_JP,
            EUC_KR,
            WINDOWS_1252,
            WINDOWS_1251,
            ISO_8859_2,
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for pattern in patterns {
            for encoding in encodings {
                let edit = |r: &mut SearchRequest| {
                    r.options.regex = true;
                    r.options.encoding = TextEncoding::Named(encoding);
                    r.max_columns = Some(12);
                };
                let mut lines = searcher(pattern, edit);
                assert!(lines.decoded.lines.is_some(), "{pattern}");
                let mut whole = searcher(pattern, edit);
                whole.decoded.lines = None;
                for _ in 0..40 {
                    let mut bytes = Vec::new();
                    for _ in 0..next() % 60 {
                        let pick = next() as usize;
                        if pick.is_multiple_of(9) {
                            bytes.extend_from_slice(raw[pick / 9 % raw.len()]);
                        } else {
                            let (encoded, _, unmappable) =
                                encoding.encode(pieces[pick % pieces.len()]);
                            if !unmappable {
                                bytes.extend_from_slice(&encoded);
                            }
                        }
                    }
                    let found = lines.search_bytes(&bytes).unwrap();
                    let expected = whole.search_bytes(&bytes).unwrap();
                    let context = format!("{pattern} in {}: {bytes:?}", encoding.name());
                    assert_eq!(found.lines, expected.lines, "{context}");
                    assert_eq!(
                        (
                            found.matches,
                            found.bytes_read,
                            found.binary,
                            found.encoding
                        ),
                        (
                            expected.matches,
                            expected.bytes_read,
                            expected.binary,
                            expected.encoding
                        ),
                        "{context}"
                    );
                }
            }
        }
    }
}
