//! How one file is read and searched: one [`FileSearcher`] per thread, buffers reused.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use grep_matcher::Matcher;
use grep_regex::RegexMatcher;
use grep_searcher::{BinaryDetection, Searcher, SearcherBuilder, Sink, SinkFinish, SinkMatch};
use memchr::memchr;

use crate::search::text::{advance_chars, char_count, lossy_with_positions, retreat_chars};
use crate::search::{MatchLine, Occurrence, SearchRequest};

/// Files up to this size are read whole into the thread's buffer and searched as one slice
/// (one or two `read` calls, whole-file binary detection); larger ones are streamed through
/// grep-searcher's rolling buffer so memory stays bounded.
const WHOLE_FILE_LIMIT: usize = 8 << 20;
/// Reads of a large file are this big; the cancel flag is checked between them.
const READ_CHUNK: usize = 1 << 20;
/// A thread's buffer shrinks back to this after a large file.
const KEPT_BUFFER: usize = 1 << 20;

/// The result of searching one file.
#[derive(Debug, Default)]
pub struct FileMatches {
    /// Matching lines in file order (empty when nothing matched or the file is binary).
    pub lines: Vec<MatchLine>,
    /// Number of occurrences in `lines`.
    pub matches: u64,
    /// Bytes read from the file.
    pub bytes_read: u64,
    /// The file has a NUL byte and binary files are skipped: `lines` is empty.
    pub binary: bool,
}

/// Searches files one at a time with reused buffers. Not shared between threads: each search
/// thread owns one, like ripgrep's per-thread `SearchWorker`.
pub struct FileSearcher {
    matcher: RegexMatcher,
    searcher: Searcher,
    buffer: Vec<u8>,
    max_columns: Option<usize>,
    multiline: bool,
    cancel: Arc<AtomicBool>,
}

impl FileSearcher {
    /// A searcher for `request`, with a matcher from [`crate::search::build_matcher`].
    pub fn new(request: &SearchRequest, matcher: RegexMatcher, cancel: Arc<AtomicBool>) -> Self {
        let binary = if request.binary_as_text {
            BinaryDetection::none()
        } else {
            BinaryDetection::quit(0)
        };
        let mut builder = SearcherBuilder::new();
        builder
            .line_number(true)
            .multi_line(request.multiline)
            .binary_detection(binary)
            .bom_sniffing(true);
        if !request.multiline {
            builder.line_terminator(grep_matcher::LineTerminator::crlf());
        }
        FileSearcher {
            matcher,
            searcher: builder.build(),
            buffer: Vec::new(),
            max_columns: request.max_columns,
            multiline: request.multiline,
            cancel,
        }
    }

    /// Reads and searches the file at `path`.
    ///
    /// The file is opened read-only and, on Unix, non-blocking, so that a FIFO put in a file's
    /// place after the walk cannot hang the search. Cancellation returns an
    /// [`io::ErrorKind::Interrupted`] error.
    pub fn search_path(&mut self, path: &Path) -> io::Result<FileMatches> {
        let file = open_for_search(path)?;
        self.search_file(file)
    }

    /// Searches an already opened file.
    pub fn search_file(&mut self, mut file: File) -> io::Result<FileMatches> {
        self.buffer.clear();
        if self.buffer.capacity() > KEPT_BUFFER {
            self.buffer.shrink_to(KEPT_BUFFER);
        }
        let mut complete = false;
        while self.buffer.len() < WHOLE_FILE_LIMIT {
            self.check_cancel()?;
            let want = READ_CHUNK.min(WHOLE_FILE_LIMIT - self.buffer.len());
            let got = (&mut file)
                .take(want as u64)
                .read_to_end(&mut self.buffer)?;
            if got < want {
                complete = true;
                break;
            }
        }
        let mut sink = LineCollector::new(
            &self.matcher,
            &self.cancel,
            self.max_columns,
            self.multiline,
        );
        if complete {
            self.searcher
                .search_slice(&self.matcher, &self.buffer, &mut sink)?;
        } else {
            let reader = (&self.buffer[..]).chain(CancellableReader {
                inner: file,
                cancel: &self.cancel,
            });
            self.searcher
                .search_reader(&self.matcher, reader, &mut sink)?;
        }
        self.check_cancel()?;
        let bytes_read = sink.bytes_read.max(self.buffer.len() as u64);
        if sink.binary {
            return Ok(FileMatches {
                bytes_read,
                binary: true,
                ..FileMatches::default()
            });
        }
        Ok(FileMatches {
            lines: sink.lines,
            matches: sink.matches,
            bytes_read,
            binary: false,
        })
    }

    /// Searches bytes already in memory, as if they were a file's contents.
    pub fn search_bytes(&mut self, bytes: &[u8]) -> io::Result<FileMatches> {
        let mut sink = LineCollector::new(
            &self.matcher,
            &self.cancel,
            self.max_columns,
            self.multiline,
        );
        self.searcher
            .search_slice(&self.matcher, bytes, &mut sink)?;
        self.check_cancel()?;
        if sink.binary {
            return Ok(FileMatches {
                bytes_read: bytes.len() as u64,
                binary: true,
                ..FileMatches::default()
            });
        }
        Ok(FileMatches {
            lines: sink.lines,
            matches: sink.matches,
            bytes_read: bytes.len() as u64,
            binary: false,
        })
    }

    fn check_cancel(&self) -> io::Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(cancelled())
        } else {
            Ok(())
        }
    }
}

fn cancelled() -> io::Error {
    io::Error::new(io::ErrorKind::Interrupted, "search cancelled")
}

#[cfg(unix)]
fn open_for_search(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_for_search(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// A reader that fails with `Interrupted` once the cancel flag is set, so that a search deep in
/// a huge file stops at its next read.
struct CancellableReader<'a> {
    inner: File,
    cancel: &'a AtomicBool,
}

impl Read for CancellableReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(cancelled());
        }
        self.inner.read(buf)
    }
}

/// The sink that turns grep-searcher's matching lines into [`MatchLine`]s with every occurrence.
struct LineCollector<'a> {
    matcher: &'a RegexMatcher,
    cancel: &'a AtomicBool,
    max_columns: Option<usize>,
    multiline: bool,
    lines: Vec<MatchLine>,
    matches: u64,
    binary: bool,
    bytes_read: u64,
    /// Scratch: the byte ranges of the occurrences in the current block.
    found: Vec<std::ops::Range<usize>>,
}

impl<'a> LineCollector<'a> {
    fn new(
        matcher: &'a RegexMatcher,
        cancel: &'a AtomicBool,
        max_columns: Option<usize>,
        multiline: bool,
    ) -> Self {
        LineCollector {
            matcher,
            cancel,
            max_columns,
            multiline,
            lines: Vec::new(),
            matches: 0,
            binary: false,
            bytes_read: 0,
            found: Vec::new(),
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
            let group: Vec<std::ops::Range<usize>> = self.found[i..j]
                .iter()
                .map(|m| {
                    (m.start - line_start).min(line.len())..(m.end - line_start).min(line.len())
                })
                .collect();
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
            i = j;
        }
        Ok(())
    }

    /// Adds one line with its occurrences (byte ranges within `line`).
    fn push_line(
        &mut self,
        line: &[u8],
        line_number: u64,
        line_offset: u64,
        group: &[std::ops::Range<usize>],
        spans_lines: bool,
    ) {
        self.matches += group.len() as u64;
        let cut = match self.max_columns {
            Some(max) if line.len() > max && char_count(line) > max => Some(max),
            _ => None,
        };
        if let Some(max) = cut {
            for m in group {
                let (text, highlight) = window_around(line, m.clone(), max);
                self.lines.push(MatchLine {
                    line_number,
                    text,
                    occurrences: vec![Occurrence {
                        column: crate::search::column_of(line, m.start),
                        byte_offset: line_offset + m.start as u64,
                        length: (m.end - m.start) as u64,
                        highlight,
                    }],
                    spans_lines,
                });
            }
            return;
        }

        let mut positions: Vec<usize> = group.iter().flat_map(|m| [m.start, m.end]).collect();
        let text = lossy_with_positions(line, &mut positions);
        let mut occurrences = Vec::with_capacity(group.len());
        // Count characters incrementally from one occurrence to the next.
        let (mut counted_to, mut column) = (0usize, 1u64);
        for (k, m) in group.iter().enumerate() {
            column += char_count(&line[counted_to..m.start]) as u64;
            counted_to = m.start;
            occurrences.push(Occurrence {
                column,
                byte_offset: line_offset + m.start as u64,
                length: (m.end - m.start) as u64,
                highlight: positions[2 * k]..positions[2 * k + 1],
            });
        }
        self.lines.push(MatchLine {
            line_number,
            text,
            occurrences,
            spans_lines,
        });
    }
}

/// The part of a long `line` shown for the occurrence at `m`: at most `max` characters, a few
/// before the match, marked with `…` where cut. Returns the text and the highlight in it.
fn window_around(
    line: &[u8],
    m: std::ops::Range<usize>,
    max: usize,
) -> (String, std::ops::Range<usize>) {
    let before = (max / 4).min(char_count(&line[..m.start.min(line.len())]));
    let start = retreat_chars(line, m.start, before);
    let end = advance_chars(line, start, max);
    let mut positions = [
        m.start.clamp(start, end) - start,
        m.end.clamp(start, end) - start,
    ];
    let body = lossy_with_positions(&line[start..end], &mut positions);
    let mut text = String::with_capacity(body.len() + 6);
    let mut shift = 0;
    if start > 0 {
        text.push('…');
        shift = '…'.len_utf8();
    }
    text.push_str(&body);
    if end < line.len() {
        text.push('…');
    }
    (text, positions[0] + shift..positions[1] + shift)
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
        self.collect(mat.bytes(), line_number, mat.absolute_byte_offset())?;
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
