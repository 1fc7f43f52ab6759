//! Errors that stop a search before it starts. Per-file problems are not errors of the search:
//! they stream out as [`crate::FileError`] events while the rest goes on.

use std::path::PathBuf;

/// Why a search could not start. Each message names the input and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The folder (or file) to search does not exist or cannot be reached.
    #[error("{}: no such file or directory", .0.display())]
    RootNotFound(PathBuf),
    /// The root exists but is neither a folder nor a regular file (a FIFO, a device, ...).
    #[error("{}: not a folder or a regular file", .0.display())]
    RootNotSearchable(PathBuf),
    /// The pattern is empty where a non-empty one is required.
    #[error("the pattern is empty")]
    EmptyPattern,
    /// The pattern does not compile (syntax error, too large, a literal `\n` without multiline).
    #[error("invalid regex {0}")]
    InvalidPattern(String),
    /// An extension contains characters that are not allowed in one.
    #[error(
        "invalid extension {0:?}: give plain extensions like `rs` or `rs,toml`, or `*` for every file"
    )]
    InvalidExtension(String),
    /// An include/exclude glob does not parse.
    #[error("invalid glob {glob:?}: {message}")]
    InvalidGlob {
        /// The glob as given.
        glob: String,
        /// Why it was rejected.
        message: String,
    },
    /// The size limit does not parse (the message names what was typed).
    #[error("{0}")]
    InvalidMaxFileSize(String),
    /// The thread count does not parse (the message names what was typed).
    #[error("{0}")]
    InvalidThreads(String),
    /// The thread pool or the search thread could not be started.
    #[error("could not start the search threads: {0}")]
    Threads(String),
}

/// An I/O error's text without the `(os error N)` the standard library appends:
/// `No such file or directory (os error 2)` → `No such file or directory`.
///
/// The number means nothing to a person; the engine's per-file messages leave it out, and a
/// consumer reporting its own I/O errors (a preview, an editor that did not start) reads the
/// same way with this.
pub fn without_os_error(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// The message for a panic caught while searching a file: the search goes on, and the person
/// learns which file and that it is trawl's fault.
pub(crate) fn internal_error(panic: &(dyn std::any::Any + Send)) -> String {
    let reason = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_string());
    format!("internal error while searching this file ({reason}); please report it")
}

/// The error a search of one file returns when a cancel stopped it. `Interrupted`, so that a
/// caller tells it from a file that could not be read (and, with a cancel, keeps what was found
/// before it).
pub(crate) fn cancelled() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::Interrupted, "search cancelled")
}
