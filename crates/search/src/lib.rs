//! trawl's search engine: which files are searched, how each is read and searched, and how
//! the results stream out. The window and the command line of the `trawl` package are two
//! consumers of it; it draws nothing and prints nothing.
//!
//! A search is started with [`start`] (or [`start_with_notifier`], or [`start_prepared`]) from
//! a [`SearchRequest`]. Everything that can be rejected up front (a missing root, an invalid
//! regex, a bad glob, a size or thread count that does not parse) is rejected there, before any
//! file is read. The search then runs in the background:
//!
//! - `ignore`'s parallel walker (the one ripgrep uses) walks the tree on threads of its own,
//!   honouring `.gitignore`, hidden files and globs exactly as ripgrep does, and hands each
//!   folder's files (with a handle on the folder, for `openat`) to
//! - a rayon pool where each thread owns a [`FileSearcher`] (reused buffers, one
//!   `grep_searcher::Searcher`), which reads a file, finds every occurrence and sends one
//!   [`FileResult`] per matching file over a bounded channel: no lock is taken per match.
//!   On Linux a search thread reads the small files of a folder in one io_uring submission
//!   (open, read, close for each, [`batched_reads`]); larger ones, and any file the batch could
//!   not read whole, are read with plain system calls.
//! - [`Progress`] holds atomic counters any thread may read at any time.
//! - Cancelling sets one flag, checked between files, between reads inside a file and per match,
//!   so even a search in the middle of a huge file stops within milliseconds; what was found
//!   before the stop is still sent.
//!
//! - With `-z` ([`SearchOptions::search_zip`]) a compressed file or an archive is not searched
//!   as bytes: its members are, each a [`FileResult`] of its own named `ARCHIVE!/MEMBER`,
//!   streamed and bounded (the `archive` module); [`searched_inside_archive`] tells a writer
//!   which results must never be written.
//!
//! The consumer reads [`SearchEvent`]s as they come and never waits for the whole search; the
//! last event is always [`SearchEvent::Finished`].
//!
//! # Trade-offs
//!
//! - **A file's results arrive whole.** One event per matching file (its lines in three
//!   allocations, [`MatchLines`]) rather than one per match: a consumer takes a file in at once
//!   and the channel carries thousands of events, not millions. The price is that a file's
//!   matches are held until the file is done; a huge file is searched in segments by every free
//!   thread, so it is done sooner than ripgrep, which searches a file on one thread.
//! - **The queue is bounded.** A consumer that stops reading (a slow terminal, a window that
//!   does not draw) pauses the search instead of filling memory; a cancel still ends it at once.
//! - **Files are read, not memory-mapped.** Positional reads into a buffer placed where the
//!   kernel copies fastest cost less than a map's page faults here, and a mapped file that
//!   another program truncates would kill the process.
//! - **Options are kept as a person gives them.** [`SearchOptions`] holds the globs, the size
//!   limit and the thread count as typed, so that a window can keep a half-typed value and the
//!   command line and the window share one parser ([`SearchOptions::resolve`]); the engine
//!   resolves them again when a search starts, which costs nothing beside a search.
//! - **The caller shapes the results on the search threads.** [`start_prepared`] runs the
//!   caller's conversion on each file's result before it is queued, so a window's copying is
//!   shared by the search threads instead of taking its UI thread's frames.
//! - **Columns count characters**, an invalid UTF-8 byte counting as one ([`text`]), which is
//!   what a person counts and what editors take in `file:line:col`; the byte offsets are there
//!   for programs.
//!
//! What each result means (lines, columns, offsets, the cut of long lines) is the project's
//! contract, `docs/CONTRACT.md` in the trawl repository.

#![deny(missing_docs)]

mod archive;
mod batch_read;
mod encoding;
mod engine;
mod error;
mod file_searcher;
mod matcher;
mod options;
mod priority;
mod progress;
mod read_buffer;
mod request;
mod required;
mod result;
mod split;
pub mod text;
mod walk;

pub use archive::{copy_inside_archive, read_inside_archive, searched_inside_archive};
pub use batch_read::{IO_URING_ENV, batched_reads};
/// An encoding a file was decoded from ([`FileResult::encoding`]) or is decoded from
/// ([`TextEncoding::Named`]): encoding_rs's, which also encodes text back.
pub use encoding_rs::Encoding;
pub use engine::{Notify, Queued, SearchHandle, start, start_prepared, start_with_notifier};
pub(crate) use error::internal_error;
pub use error::{SearchError, without_os_error};
pub use file_searcher::FileSearcher;
/// The compiled pattern a search runs: [`build_matcher`] makes it, [`start_prepared`] takes it.
pub use grep_regex::RegexMatcher;
pub use matcher::build_matcher;
pub use options::{CaseMode, Globs, ResolvedOptions, SearchOptions, TextEncoding};
pub use priority::make_current_thread_background;
pub use progress::{Progress, ProgressSnapshot};
pub use request::{SearchRequest, parse_extensions};
pub use result::{
    Excerpt, FileError, FileMatches, FileResult, LineCut, MatchLine, MatchLines, MatchLinesIter,
    Occurrence, SearchEvent, Summary,
};
pub use walk::EXTENSIONS_IGNORE_CASE;
