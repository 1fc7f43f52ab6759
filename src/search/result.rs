//! What the engine sends back: per-file results, per-file errors and a final summary.

use std::path::PathBuf;
use std::time::Duration;

/// One occurrence of the pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// 1-based column in characters (an invalid UTF-8 byte counts as one).
    pub column: u64,
    /// 0-based byte offset of the match in the file (in the decoded text for UTF-16).
    pub byte_offset: u64,
    /// Length of the match in bytes.
    pub length: u64,
    /// Where the match sits in [`MatchLine::text`], as a byte range, for highlighting. It is
    /// clipped to the text shown (a match running past a cut or past the line's end).
    pub highlight: std::ops::Range<usize>,
}

/// A line with one or more occurrences. Its text is stored once for all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchLine {
    /// 1-based line number.
    pub line_number: u64,
    /// The line without its terminator, invalid UTF-8 replaced by U+FFFD. A line longer than
    /// the request's `max_columns` is cut to a window around its occurrence and marked with
    /// `…`; such a line then holds exactly one occurrence (the same line number may repeat).
    pub text: String,
    /// The occurrences on this line, left to right.
    pub occurrences: Vec<Occurrence>,
    /// Some occurrence on this line continues onto the next lines (multiline search).
    pub spans_lines: bool,
}

/// Every occurrence in one file, sent as soon as the file is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileResult {
    /// The path as reached from the request's root (like ripgrep prints it).
    pub path: PathBuf,
    /// Lines in file order.
    pub lines: Vec<MatchLine>,
}

impl FileResult {
    /// Number of occurrences in the file.
    pub fn match_count(&self) -> usize {
        self.lines.iter().map(|l| l.occurrences.len()).sum()
    }
}

/// A file or folder that could not be searched; the search goes on without it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// The path (empty when the walker could not name it).
    pub path: PathBuf,
    /// What went wrong, for a person to read.
    pub message: String,
}

/// Totals at the end of a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Files searched (binary files included).
    pub files_searched: u64,
    /// Files with at least one match.
    pub files_matched: u64,
    /// Occurrences found.
    pub matches: u64,
    /// Bytes read.
    pub bytes_searched: u64,
    /// Files or folders that could not be read.
    pub errors: u64,
    /// Wall time from start to finish.
    pub elapsed: Duration,
    /// The search was cancelled before it finished.
    pub cancelled: bool,
}

/// What a running search streams to its consumer.
#[derive(Clone, Debug)]
pub enum SearchEvent {
    /// One file's occurrences (only files with at least one are sent).
    File(FileResult),
    /// A file or folder that could not be read.
    Error(FileError),
    /// The last event: the search completed or was cancelled.
    Finished(Summary),
}
