//! The search engine: which files, how each is read and searched, and how results stream out.
//!
//! A search is started with [`start`] (or [`start_with_notifier`]) from a [`SearchRequest`].
//! Everything that can be rejected up front (a missing root, an invalid regex, a bad glob) is
//! rejected there, before any file is read. The search then runs in the background:
//!
//! - `ignore`'s parallel walker (the one ripgrep uses) walks the tree on a few threads of its
//!   own, honouring `.gitignore`, hidden files and globs exactly as ripgrep does, and feeds each
//!   file (with a handle on its folder, for `openat`) to
//! - a rayon pool where each thread owns a [`FileSearcher`] (reused buffers, one
//!   `grep_searcher::Searcher`), which reads a file, finds every occurrence and sends one
//!   [`FileResult`] per matching file over a channel: no lock is taken per match.
//! - [`Progress`] holds atomic counters any thread may read at any time.
//! - Cancelling sets one flag, checked between files, between reads inside a file and per match,
//!   so even a search in the middle of a huge file stops within milliseconds.
//!
//! The consumer (CLI printer or window) reads [`SearchEvent`]s as they come and never waits for
//! the whole search; the last event is always [`SearchEvent::Finished`].

mod engine;
mod error;
mod file_searcher;
mod matcher;
mod priority;
mod progress;
mod read_buffer;
mod request;
mod result;
mod split;
pub(crate) mod text;
mod walk;

pub use engine::{Notify, Queued, SearchHandle, start, start_prepared, start_with_notifier};
pub use error::SearchError;
pub(crate) use error::{internal_error, without_os_error};
pub use file_searcher::FileSearcher;
pub use matcher::build_matcher;
pub use progress::{Progress, ProgressSnapshot};
pub use request::{
    CaseMode, SearchRequest, check_globs, parse_extensions, parse_size, parse_threads, split_globs,
};
pub use result::{
    Excerpt, FileError, FileResult, LineCut, MatchLine, MatchLines, MatchLinesIter, Occurrence,
    SearchEvent, Summary,
};
pub use text::column_of;
pub use walk::EXTENSIONS_IGNORE_CASE;
