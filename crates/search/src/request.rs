//! What to search for and where: the one input of the engine.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{SearchError, SearchOptions};

/// A complete description of one search. Plain data: it can be stored and compared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// The folder searched recursively; a regular file is searched alone.
    pub root: PathBuf,
    /// Extensions without the dot (`rs`, `tar.gz`); empty means every file.
    pub extensions: Vec<String>,
    /// A regex in Rust `regex` syntax, or literal text when the options say so.
    pub pattern: String,
    /// What the person set: the pattern's kind and case, the walk's rules, limits.
    pub options: SearchOptions,
    /// Cut lines longer than this many characters to a window around the match: a window
    /// keeps one minified line from filling memory, a command line prints whole lines.
    pub max_columns: Option<usize>,
    /// Report each matching file's modification time (one `fstat` per matching file; the
    /// window sorts by it).
    pub modified_times: bool,
    /// Report each occurrence's byte offset. Free for a file searched as UTF-8, but for a file
    /// searched decoded (`-E`) it is the decoded length of everything before the match,
    /// measured: 40 % of the CPU of a rare literal's search over a legacy-encoded tree
    /// (scripts/bench-results.md). Off, every [`Occurrence::byte_offset`](crate::Occurrence) is
    /// `None`: for a command line printing lines and columns, as ripgrep counts lines only when
    /// it prints them.
    pub byte_offsets: bool,
    /// Run the search as background work that gives way to the caller's other threads at once
    /// (a window's UI thread; see the `priority` module). Off, the search threads are scheduled
    /// like any other, as on the command line.
    pub background: bool,
    /// Find the files ahead of their search, so that the progress counters know early how many
    /// there are (a window's progress bar fills as the files are searched): the walk hands what
    /// it finds to separate search threads. Off, each walker thread searches the files it finds,
    /// as ripgrep's do: 4–8 % less wall time on 2 cores (scripts/bench-results.md, "Searching on
    /// the walker threads"), but the count of files found grows only as fast as they are
    /// searched, as on a command line, which shows no progress bar.
    pub walk_ahead: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            root: PathBuf::from("."),
            extensions: Vec::new(),
            pattern: String::new(),
            options: SearchOptions::default(),
            max_columns: None,
            modified_times: false,
            byte_offsets: true,
            background: false,
            walk_ahead: true,
        }
    }
}

impl SearchRequest {
    /// A request with ripgrep's defaults for everything but the three main inputs.
    pub fn new(
        root: impl Into<PathBuf>,
        extensions: Vec<String>,
        pattern: impl Into<String>,
    ) -> Self {
        SearchRequest {
            root: root.into(),
            extensions,
            pattern: pattern.into(),
            ..SearchRequest::default()
        }
    }
}

/// Parses the extension field: `rs`, `.rs`, `rs, toml`, `*` or empty (every file).
///
/// Returns the extensions without dots; an empty list means every file. Glob and path
/// characters are rejected so that `*.rs` or `src/rs` fail loudly instead of matching nothing.
pub fn parse_extensions(input: &str) -> Result<Vec<String>, SearchError> {
    let mut extensions = Vec::new();
    for part in input.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if part == "*" {
            return Ok(Vec::new());
        }
        let ext = part.strip_prefix('.').unwrap_or(part);
        let bad = |c: char| "*?[]{}!/\\".contains(c) || c.is_whitespace() || c.is_control();
        if ext.is_empty() || ext.contains(bad) || ext.starts_with('.') || ext.ends_with('.') {
            return Err(SearchError::InvalidExtension(part.to_string()));
        }
        if !extensions.iter().any(|e| e == ext) {
            extensions.push(ext.to_string());
        }
    }
    Ok(extensions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_accept_dots_commas_and_star() {
        assert_eq!(parse_extensions("rs").unwrap(), vec!["rs"]);
        assert_eq!(parse_extensions(".rs").unwrap(), vec!["rs"]);
        assert_eq!(
            parse_extensions("rs, .toml,rs").unwrap(),
            vec!["rs", "toml"]
        );
        assert_eq!(parse_extensions("tar.gz").unwrap(), vec!["tar.gz"]);
        assert!(parse_extensions("*").unwrap().is_empty());
        assert!(parse_extensions("").unwrap().is_empty());
    }

    #[test]
    fn extensions_reject_globs_and_paths() {
        for bad in ["*.rs", "r?", "src/rs", "..", "rs.", "[ab]"] {
            assert!(parse_extensions(bad).is_err(), "{bad} should be rejected");
        }
    }
}
