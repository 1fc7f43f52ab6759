//! A search's options: what a person sets besides the folder, the extensions and the pattern.
//!
//! One type, [`SearchOptions`], for every place that holds them: the engine's request, the
//! command line's flags (mapped into it in one function), the window's saved state and its
//! history (flattened into them, so a saved state keeps its keys). The values a person types
//! into a text field (the globs, the size limit, the thread count) are kept as typed, so that a
//! half-typed value survives a restart and the command line and the window parse them with the
//! same code, [`SearchOptions::resolve`].
//!
//! Adding an option is one field here (with its default in [`SearchOptions::default`]), the
//! engine's use of it, its flag in the command line's `search_options` and its control in the
//! window's options panel; a typed value also gets its parser, called from `resolve`.

use std::borrow::Cow;

use encoding_rs::Encoding;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::SearchError;

/// How letter case is matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseMode {
    /// `a` matches only `a`.
    #[default]
    Sensitive,
    /// `a` matches `a` and `A`.
    Insensitive,
    /// Insensitive unless the pattern has an upper-case letter (ripgrep's `-S`).
    Smart,
}

/// Everything a person sets about a search besides the folder, the extensions and the pattern.
/// [`Default`] gives ripgrep's defaults, which the command line keeps; the window starts from
/// its own (a literal, case-insensitive pattern, as VS Code's search does).
///
/// Compared whole (`PartialEq`) to tell whether two searches are the same search; serialised
/// with the keys the window has always saved (`match_case`, `respect_ignore` are still read).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchOptions {
    /// The pattern is a regex in Rust `regex` syntax; off, it is literal text (`-F`).
    pub regex: bool,
    /// Case handling (`-i`, `-S`). Read from the window's older "match case" toggle too.
    #[serde(alias = "match_case", deserialize_with = "case_or_toggle")]
    pub case: CaseMode,
    /// Only matches with a non-word character (or the line's edge) on each side (`-w`).
    pub whole_word: bool,
    /// Let matches span lines (`-U`).
    pub multiline: bool,
    /// Search hidden files and folders (`--hidden`).
    pub hidden: bool,
    /// Honour .gitignore, .ignore and .git/info/exclude (off with `--no-ignore`).
    #[serde(alias = "respect_ignore")]
    pub respect_ignore_files: bool,
    /// Follow symbolic links, detecting loops (`-L`).
    pub follow_symlinks: bool,
    /// Search files with NUL bytes as text instead of skipping them (`-a`).
    pub binary_as_text: bool,
    /// ripgrep-style globs, as given: `pat` includes, `!pat` excludes (`-g`).
    pub globs: Globs,
    /// Skip files larger than this, as typed: a number with an optional `K`, `M` or `G`
    /// (`--max-filesize`); empty means no limit.
    pub max_file_size: String,
    /// The number of search threads, as typed (`-j`); empty or 0 means one per core.
    pub threads: String,
    /// How a file's bytes become text (`-E/--encoding`). Missing from a saved state (one
    /// saved before there was a choice) it is auto-detection, the window's default: only the
    /// window stores options.
    #[serde(default = "TextEncoding::window_default")]
    pub encoding: TextEncoding,
    /// Also search inside compressed files and the members of archives (`-z/--search-zip`;
    /// docs/CONTRACT.md, "Compressed files and archives").
    pub search_zip: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            regex: true,
            case: CaseMode::Sensitive,
            whole_word: false,
            multiline: false,
            hidden: false,
            respect_ignore_files: true,
            follow_symlinks: false,
            binary_as_text: false,
            globs: Globs::default(),
            max_file_size: String::new(),
            threads: String::new(),
            encoding: TextEncoding::Utf8,
            search_zip: false,
        }
    }
}

/// How a file's bytes become the text that is searched (`-E/--encoding`; docs/CONTRACT.md,
/// "Encodings"). Whatever the choice but [`Bytes`](Self::Bytes), a byte-order mark decides
/// first: UTF-8, or UTF-16 decoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, searched as the bytes it is (an invalid byte is one character): ripgrep's default
    /// and the command line's. `-E utf-8` means this.
    #[default]
    Utf8,
    /// Per file: valid UTF-8 is UTF-8; otherwise the encoding is detected from the file's
    /// bytes and the file is searched decoded (`-E auto`; the window's default).
    Auto,
    /// The raw bytes, no byte-order mark looked for (`-E none`).
    Bytes,
    /// Every file decoded from this encoding (`-E NAME`). Never UTF-8 (that is
    /// [`Utf8`](Self::Utf8)) nor the replacement encoding.
    Named(&'static Encoding),
}

impl TextEncoding {
    /// The window's default (docs/CONTRACT.md): [`Auto`](Self::Auto).
    pub fn window_default() -> TextEncoding {
        TextEncoding::Auto
    }

    /// Parses `-E`'s value: `auto`, `none`, or a WHATWG label (`latin1`, `shift_jis`,
    /// `utf-16le`, …), in any case, as encoding_rs knows them. Empty means the default.
    pub fn parse(value: &str) -> Result<TextEncoding, String> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(TextEncoding::Utf8);
        }
        if value.eq_ignore_ascii_case("auto") {
            return Ok(TextEncoding::Auto);
        }
        if value.eq_ignore_ascii_case("none") {
            return Ok(TextEncoding::Bytes);
        }
        match Encoding::for_label_no_replacement(value.as_bytes()) {
            Some(encoding) if encoding == encoding_rs::UTF_8 => Ok(TextEncoding::Utf8),
            Some(encoding) => Ok(TextEncoding::Named(encoding)),
            None => Err(format!(
                "unknown encoding {value:?}: expected auto, none or an encoding's name \
                 (utf-8, latin1, windows-1252, shift_jis, euc-jp, gbk, big5, euc-kr, utf-16le, …)"
            )),
        }
    }

    /// The name [`parse`](Self::parse) reads back: `utf-8`, `auto`, `none`, or the
    /// encoding's WHATWG name (`Shift_JIS`, `windows-1252`).
    pub fn name(&self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Auto => "auto",
            TextEncoding::Bytes => "none",
            TextEncoding::Named(encoding) => encoding.name(),
        }
    }
}

impl std::str::FromStr for TextEncoding {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        TextEncoding::parse(value)
    }
}

impl std::fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Saved as its name (`"auto"`, `"Shift_JIS"`).
impl Serialize for TextEncoding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A name this version does not know (written by a newer one, or by hand) reads as the default
/// rather than losing the whole saved state.
impl<'de> Deserialize<'de> for TextEncoding {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(TextEncoding::parse(&name).unwrap_or_default())
    }
}

/// Include and exclude globs as they were given: typed into one field, or one per flag. Kept
/// apart because the two split differently: a glob given alone may hold a space or a comma
/// (`-g 'My Documents/**'`), which in a field separates two.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Globs {
    /// A field's text: globs separated by commas or spaces outside `{…}` and `[…]`
    /// (`*.rs, !target/**`), each meaning what one `-g` means.
    Typed(String),
    /// One glob each, exactly as given (the command line's repeated `-g`).
    Each(Vec<String>),
}

impl Default for Globs {
    fn default() -> Self {
        Globs::Typed(String::new())
    }
}

impl Globs {
    /// The globs one by one, as the walker takes them.
    pub fn list(&self) -> Vec<String> {
        match self {
            Globs::Typed(text) => split_globs(text),
            Globs::Each(globs) => globs.clone(),
        }
    }

    /// Whether no glob is given.
    pub fn is_empty(&self) -> bool {
        self.text().is_empty()
    }

    /// The globs as a field shows them, trimmed: typed ones as typed (borrowed, so a window can
    /// ask every frame), ones given one by one joined with spaces.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Globs::Typed(text) => Cow::Borrowed(text.trim()),
            Globs::Each(globs) => Cow::Owned(globs.join(" ")),
        }
    }

    /// The text a field shows and edits: a field always holds the typed form (globs given
    /// one by one are joined with spaces first).
    pub fn typed_mut(&mut self) -> &mut String {
        if let Globs::Each(globs) = self {
            *self = Globs::Typed(globs.join(" "));
        }
        match self {
            Globs::Typed(text) => text,
            Globs::Each(_) => unreachable!("made typed just above"),
        }
    }
}

/// The values [`SearchOptions`] holds as typed, parsed: what the walker and the thread pool
/// take.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvedOptions {
    /// One glob each, checked.
    pub globs: Vec<String>,
    /// Files larger than this many bytes are skipped.
    pub max_file_size: Option<u64>,
    /// Search threads; 0 picks one per core.
    pub threads: usize,
}

impl ResolvedOptions {
    /// The thread count actually used: `threads`, or one per available core.
    pub fn effective_threads(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        }
    }
}

impl SearchOptions {
    /// Parses and checks the typed values, as the command line does before a search and the
    /// engine does again when one starts. The first problem is the error; a form showing each
    /// field's problem under it asks [`glob_list`](Self::glob_list),
    /// [`max_file_size_bytes`](Self::max_file_size_bytes) and
    /// [`thread_count`](Self::thread_count) one by one.
    pub fn resolve(&self) -> Result<ResolvedOptions, SearchError> {
        Ok(ResolvedOptions {
            globs: self.glob_list()?,
            max_file_size: self.max_file_size_bytes()?,
            threads: self.thread_count()?,
        })
    }

    /// The globs one by one, each checked the way the walker will read it, so that a bad one
    /// is reported before any file is read.
    pub fn glob_list(&self) -> Result<Vec<String>, SearchError> {
        let globs = self.globs.list();
        crate::walk::build_overrides(std::path::Path::new(""), &globs)?;
        Ok(globs)
    }

    /// The size limit in bytes, `None` for none.
    pub fn max_file_size_bytes(&self) -> Result<Option<u64>, SearchError> {
        let typed = self.max_file_size.trim();
        if typed.is_empty() {
            return Ok(None);
        }
        parse_size(typed)
            .map(Some)
            .map_err(SearchError::InvalidMaxFileSize)
    }

    /// The thread count, 0 for one per core.
    pub fn thread_count(&self) -> Result<usize, SearchError> {
        parse_threads(&self.threads).map_err(SearchError::InvalidThreads)
    }

    /// Only what a pattern is compiled with (regex, case, whole word, multiline), the rest at
    /// its default. Searches whose options have the same matcher part run the same matcher,
    /// so a caller that compiles ahead (a window, while a person types) compiles again only
    /// when it changes. [`build_matcher`](crate::build_matcher) reads the options through it,
    /// so nothing it reads can be missing here.
    pub fn matcher_part(&self) -> SearchOptions {
        SearchOptions {
            regex: self.regex,
            case: self.case,
            whole_word: self.whole_word,
            multiline: self.multiline,
            ..SearchOptions::default()
        }
    }
}

/// Reads [`SearchOptions::case`] from a [`CaseMode`], or from the window's older "match case"
/// toggle (`true`: sensitive, `false`: insensitive).
fn case_or_toggle<'de, D: Deserializer<'de>>(deserializer: D) -> Result<CaseMode, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Saved {
        Mode(CaseMode),
        MatchCase(bool),
    }
    Ok(match Saved::deserialize(deserializer)? {
        Saved::Mode(mode) => mode,
        Saved::MatchCase(true) => CaseMode::Sensitive,
        Saved::MatchCase(false) => CaseMode::Insensitive,
    })
}

/// Parses a size like ripgrep's `--max-filesize`: a number with an optional `K`, `M` or `G`.
fn parse_size(input: &str) -> Result<u64, String> {
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
fn split_globs(input: &str) -> Vec<String> {
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

/// Parses a thread count as `-j` takes it; empty means automatic (0: one per core).
fn parse_threads(input: &str) -> Result<usize, String> {
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

    fn typed(globs: &str, max_file_size: &str, threads: &str) -> SearchOptions {
        SearchOptions {
            globs: Globs::Typed(globs.into()),
            max_file_size: max_file_size.into(),
            threads: threads.into(),
            ..SearchOptions::default()
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
    fn globs_given_one_by_one_keep_their_spaces_and_commas() {
        let globs = Globs::Each(vec!["My Documents/**".into(), "a,b".into()]);
        assert_eq!(globs.list(), vec!["My Documents/**", "a,b"]);
        assert!(!globs.is_empty() && Globs::Each(Vec::new()).is_empty());
        assert!(Globs::Typed(" , ".into()).list().is_empty());
    }

    #[test]
    fn bad_globs_are_caught_before_a_search() {
        assert_eq!(
            typed("*.rs, !target/**", "", "").glob_list().unwrap(),
            vec!["*.rs", "!target/**"]
        );
        let err = typed("a{b", "", "").glob_list().unwrap_err().to_string();
        assert!(err.contains("invalid glob \"a{b\""), "{err}");
    }

    #[test]
    fn thread_counts_are_whole_numbers_or_empty() {
        assert_eq!(typed("", "", "").thread_count().unwrap(), 0);
        assert_eq!(typed("", "", " 4 ").thread_count().unwrap(), 4);
        assert!(typed("", "", "-1").thread_count().is_err());
        let err = typed("", "", "two").thread_count().unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid thread count \"two\": expected a whole number (0 or empty: automatic)"
        );
    }

    #[test]
    fn sizes_take_suffixes_and_empty_means_no_limit() {
        let size = |typed_size: &str| typed("", typed_size, "").max_file_size_bytes();
        assert_eq!(size("").unwrap(), None);
        assert_eq!(size("10").unwrap(), Some(10));
        assert_eq!(size("2K").unwrap(), Some(2048));
        assert_eq!(size(" 1M ").unwrap(), Some(1 << 20));
        assert_eq!(size("3G").unwrap(), Some(3 << 30));
        assert!(size("x").is_err());
        assert!(size("99999999999999G").is_err());
    }

    #[test]
    fn resolve_parses_every_typed_value_or_names_the_first_problem() {
        assert_eq!(
            typed("*.rs !gen/**", "2K", "3").resolve().unwrap(),
            ResolvedOptions {
                globs: vec!["*.rs".into(), "!gen/**".into()],
                max_file_size: Some(2048),
                threads: 3,
            }
        );
        let err = typed("*.rs", "10Q", "x").resolve().unwrap_err().to_string();
        assert!(err.starts_with("invalid size \"10Q\""), "{err}");
    }

    #[test]
    fn the_matcher_part_keeps_only_what_the_pattern_is_compiled_with() {
        let options = SearchOptions {
            regex: false,
            case: CaseMode::Smart,
            whole_word: true,
            multiline: true,
            hidden: true,
            respect_ignore_files: false,
            follow_symlinks: true,
            binary_as_text: true,
            globs: Globs::Typed("*.rs".into()),
            max_file_size: "1K".into(),
            threads: "2".into(),
            encoding: TextEncoding::Auto,
            search_zip: true,
        };
        let expected = SearchOptions {
            regex: false,
            case: CaseMode::Smart,
            whole_word: true,
            multiline: true,
            ..SearchOptions::default()
        };
        assert_eq!(options.matcher_part(), expected);
    }

    #[test]
    fn encodings_are_auto_none_or_a_whatwg_label() {
        let parse = |value: &str| TextEncoding::parse(value);
        assert_eq!(parse(""), Ok(TextEncoding::Utf8));
        assert_eq!(parse("AUTO"), Ok(TextEncoding::Auto));
        assert_eq!(parse("none"), Ok(TextEncoding::Bytes));
        assert_eq!(parse("utf8"), Ok(TextEncoding::Utf8));
        assert_eq!(
            parse("latin1"),
            Ok(TextEncoding::Named(encoding_rs::WINDOWS_1252))
        );
        assert_eq!(
            parse("Shift_JIS"),
            Ok(TextEncoding::Named(encoding_rs::SHIFT_JIS))
        );
        assert_eq!(
            parse("utf-16le"),
            Ok(TextEncoding::Named(encoding_rs::UTF_16LE))
        );
        // The replacement encoding decodes nothing a person could search.
        assert!(parse("iso-2022-kr").is_err());
        let err = parse("klingon").unwrap_err();
        assert!(err.starts_with("unknown encoding \"klingon\""), "{err}");
        for encoding in [
            TextEncoding::Utf8,
            TextEncoding::Auto,
            TextEncoding::Bytes,
            TextEncoding::Named(encoding_rs::GBK),
        ] {
            assert_eq!(parse(encoding.name()), Ok(encoding));
            let saved = serde_json::to_string(&encoding).unwrap();
            assert_eq!(
                serde_json::from_str::<TextEncoding>(&saved).unwrap(),
                encoding
            );
        }
        // An unknown saved name loads as the default.
        let saved: TextEncoding = serde_json::from_str(r#""klingon""#).unwrap();
        assert_eq!(saved, TextEncoding::Utf8);
    }

    /// The window saved `match_case` (a toggle) and `respect_ignore` before the options were
    /// one type; both still load.
    #[test]
    fn options_saved_under_the_window_s_old_keys_load() {
        let old: SearchOptions = serde_json::from_str(
            r#"{"match_case":true,"regex":false,"respect_ignore":false,"globs":"*.rs"}"#,
        )
        .unwrap();
        assert_eq!(old.case, CaseMode::Sensitive);
        assert!(!old.regex && !old.respect_ignore_files);
        assert_eq!(old.globs, Globs::Typed("*.rs".into()));
        let old: SearchOptions = serde_json::from_str(r#"{"match_case":false}"#).unwrap();
        assert_eq!(old.case, CaseMode::Insensitive);
        let new: SearchOptions = serde_json::from_str(r#"{"case":"Smart"}"#).unwrap();
        assert_eq!(new.case, CaseMode::Smart);
        let round = SearchOptions {
            globs: Globs::Each(vec!["a b".into()]),
            ..SearchOptions::default()
        };
        let text = serde_json::to_string(&round).unwrap();
        assert_eq!(serde_json::from_str::<SearchOptions>(&text).unwrap(), round);
    }
}
