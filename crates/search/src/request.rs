//! What to search for and where: the one input of the engine.

use std::path::PathBuf;

use crate::SearchError;

/// How letter case is matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CaseMode {
    /// `a` matches only `a`.
    #[default]
    Sensitive,
    /// `a` matches `a` and `A`.
    Insensitive,
    /// Insensitive unless the pattern has an upper-case letter (ripgrep's `-S`).
    Smart,
}

/// A complete description of one search. Plain data: it can be stored (history) and compared.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// The folder searched recursively; a regular file is searched alone.
    pub root: PathBuf,
    /// Extensions without the dot (`rs`, `tar.gz`); empty means every file.
    pub extensions: Vec<String>,
    /// A regex in Rust `regex` syntax, or a literal when `fixed_strings` is set.
    pub pattern: String,
    /// Treat the pattern as literal text (`-F`).
    pub fixed_strings: bool,
    /// Case handling (`-i`, `-S`).
    pub case: CaseMode,
    /// Only matches with a non-word character (or the line's edge) on each side (`-w`).
    pub whole_word: bool,
    /// Let matches span lines (`-U`).
    pub multiline: bool,
    /// Search hidden files and folders (`--hidden`).
    pub hidden: bool,
    /// Honour .gitignore, .ignore and .git/info/exclude (off with `--no-ignore`).
    pub respect_ignore_files: bool,
    /// Follow symbolic links, detecting loops (`-L`).
    pub follow_symlinks: bool,
    /// Search files with NUL bytes as text instead of skipping them (`-a`).
    pub binary_as_text: bool,
    /// ripgrep-style globs: `pat` includes, `!pat` excludes (`-g`).
    pub globs: Vec<String>,
    /// Skip files larger than this many bytes (`--max-filesize`).
    pub max_file_size: Option<u64>,
    /// Number of search threads; 0 picks one per core.
    pub threads: usize,
    /// Cut lines longer than this many characters to a window around the match.
    pub max_columns: Option<usize>,
    /// Report each matching file's modification time (one `fstat` per matching file; the
    /// window sorts by it).
    pub modified_times: bool,
    /// Run the search as background work that gives way to the caller's other threads at once
    /// (a window's UI thread; see the `priority` module). Off, the search threads are scheduled
    /// like any other, as on the command line.
    pub background: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            root: PathBuf::from("."),
            extensions: Vec::new(),
            pattern: String::new(),
            fixed_strings: false,
            case: CaseMode::Sensitive,
            whole_word: false,
            multiline: false,
            hidden: false,
            respect_ignore_files: true,
            follow_symlinks: false,
            binary_as_text: false,
            globs: Vec::new(),
            max_file_size: None,
            threads: 0,
            max_columns: None,
            modified_times: false,
            background: false,
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

    /// The thread count actually used: `threads`, or one per available core.
    pub fn effective_threads(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
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

/// Parses a size like ripgrep's `--max-filesize`: a number with an optional `K`, `M` or `G`.
pub fn parse_size(input: &str) -> Result<u64, String> {
    let input = input.trim();
    let (digits, multiplier) = match input.char_indices().last() {
        Some((i, 'K' | 'k')) => (&input[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&input[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&input[..i], 1 << 30),
        _ => (input, 1),
    };
    let number: u64 = digits.parse().map_err(|_| {
        format!("invalid size {input:?}: expected a number with an optional K, M or G suffix")
    })?;
    number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("size {input:?} is too large"))
}

/// Splits a field of globs separated by commas or spaces (`*.rs, !target/**`), as given one by
/// one to the CLI's repeated `-g`. A comma inside `{...}` or `[...]` belongs to the glob
/// (`*.{rs,toml}`), so only top-level commas separate.
pub fn split_globs(input: &str) -> Vec<String> {
    let mut globs = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in input.chars() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && (c == ',' || c.is_whitespace()) {
            if !current.is_empty() {
                globs.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        globs.push(current);
    }
    globs
}

/// Checks each of `globs` the way the walker will read it, so that a bad one can be reported
/// before a search starts (the window shows it under its field).
pub fn check_globs(globs: &[String]) -> Result<(), SearchError> {
    crate::walk::build_overrides(std::path::Path::new(""), globs).map(|_| ())
}

/// Parses a thread count as `-j` takes it; empty means automatic (0: one per core).
pub fn parse_threads(input: &str) -> Result<usize, String> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(0);
    }
    input.parse().map_err(|_| {
        format!("invalid thread count {input:?}: expected a whole number (0 or empty: automatic)")
    })
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

    #[test]
    fn globs_split_on_commas_and_spaces_but_not_inside_braces() {
        assert_eq!(
            split_globs(" *.rs, !target/**  *.{rs,toml},a[,]b "),
            vec!["*.rs", "!target/**", "*.{rs,toml}", "a[,]b"]
        );
        assert!(split_globs(" , ").is_empty());
    }

    #[test]
    fn bad_globs_are_caught_before_a_search() {
        assert!(check_globs(&["*.rs".into(), "!target/**".into()]).is_ok());
        let err = check_globs(&["a{b".into()]).unwrap_err().to_string();
        assert!(err.contains("invalid glob \"a{b\""), "{err}");
    }

    #[test]
    fn thread_counts_are_whole_numbers_or_empty() {
        assert_eq!(parse_threads("").unwrap(), 0);
        assert_eq!(parse_threads(" 4 ").unwrap(), 4);
        assert!(parse_threads("-1").is_err());
        assert!(parse_threads("two").is_err());
    }

    #[test]
    fn sizes_take_suffixes() {
        assert_eq!(parse_size("10").unwrap(), 10);
        assert_eq!(parse_size("2K").unwrap(), 2048);
        assert_eq!(parse_size("1M").unwrap(), 1 << 20);
        assert_eq!(parse_size("3G").unwrap(), 3 << 30);
        assert!(parse_size("x").is_err());
        assert!(parse_size("99999999999999G").is_err());
    }
}
