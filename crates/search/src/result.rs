//! What the engine sends back: per-file results, per-file errors and a final summary.

use std::path::PathBuf;
use std::time::Duration;

/// One occurrence of the pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// 1-based column in characters (an invalid UTF-8 byte counts as one).
    pub column: u64,
    /// 0-based byte offset of the match in the file (in the decoded text for a file searched
    /// decoded); `None` when the request did not ask for offsets
    /// ([`SearchRequest::byte_offsets`](crate::SearchRequest)).
    pub byte_offset: Option<u64>,
    /// Length of the match in bytes.
    pub length: u64,
    /// Where the match sits in [`MatchLine::text`], as a byte range, for highlighting. It is
    /// clipped to the text's end: the line's (a match running onto the next lines), or the cut
    /// stretch's (a long match past its window).
    pub highlight: std::ops::Range<usize>,
}

/// A line with one or more occurrences, borrowed from its file's [`MatchLines`]. Its text is
/// stored once for all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchLine<'a> {
    /// 1-based line number.
    pub line_number: u64,
    /// The line without its terminator, invalid UTF-8 replaced by U+FFFD.
    ///
    /// A line longer than the request's `max_columns` is not kept whole: each occurrence gets a
    /// window of at most `max_columns` characters around it, and `text` is the stretch of the
    /// line those windows cover, windows that overlap sharing one text. A long line with many
    /// occurrences close together is then stored about once, not once per occurrence; the same
    /// line number repeats when its occurrences are far apart. [`cut`](Self::cut) says so, and
    /// [`excerpt`](Self::excerpt) gives each occurrence its window.
    pub text: &'a str,
    /// The occurrences on this line (or stretch of it), left to right.
    pub occurrences: &'a [Occurrence],
    /// Some occurrence on this line continues onto the next lines (multiline search).
    pub spans_lines: bool,
    /// Set when `text` is a stretch of a longer line.
    pub cut: Option<LineCut>,
}

/// The matching lines of one file, in file order, stored compactly: their texts one after
/// another in one string, a record per line, and every line's occurrences in one vector. A file
/// with a hundred thousand matching lines is three allocations, not two per line, built on a
/// search thread; whoever takes them in reads them front to back instead of chasing a pointer
/// per line, and may keep the text as it is ([`into_text`](Self::into_text)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchLines {
    text: String,
    lines: Vec<LineRecord>,
    occurrences: Vec<Occurrence>,
}

/// One line of a [`MatchLines`]: its text and occurrences end where the next line's begin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LineRecord {
    line_number: u64,
    text_end: usize,
    occurrences_end: usize,
    spans_lines: bool,
    cut: Option<LineCut>,
}

impl MatchLines {
    /// No lines.
    pub fn new() -> Self {
        MatchLines::default()
    }

    /// Number of lines (a long line cut into separate stretches counts once per stretch).
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there is no line.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Number of occurrences on all the lines.
    pub fn occurrence_count(&self) -> usize {
        self.occurrences.len()
    }

    /// The `index`th line.
    pub fn get(&self, index: usize) -> Option<MatchLine<'_>> {
        let record = self.lines.get(index)?;
        let (text_start, occurrences_start) = match index.checked_sub(1) {
            Some(before) => {
                let before = &self.lines[before];
                (before.text_end, before.occurrences_end)
            }
            None => (0, 0),
        };
        Some(MatchLine {
            line_number: record.line_number,
            text: &self.text[text_start..record.text_end],
            occurrences: &self.occurrences[occurrences_start..record.occurrences_end],
            spans_lines: record.spans_lines,
            cut: record.cut,
        })
    }

    /// The lines in file order.
    pub fn iter(&self) -> MatchLinesIter<'_> {
        MatchLinesIter { all: self, next: 0 }
    }

    /// The lines' texts, one after another in line order: line `i`'s text starts where the
    /// texts of the lines before it end. A consumer that keeps the texts takes them without a
    /// copy.
    pub fn into_text(self) -> String {
        self.text
    }

    /// Adds a copy of `line`.
    pub fn push(&mut self, line: MatchLine<'_>) {
        self.push_with(
            line.line_number,
            line.spans_lines,
            line.cut,
            |text, occurrences| {
                text.push_str(line.text);
                occurrences.extend_from_slice(line.occurrences);
            },
        );
    }

    /// Adds a line that `fill` writes: it appends the line's text to the first (the file's text
    /// so far) and its occurrences to the second.
    pub(crate) fn push_with(
        &mut self,
        line_number: u64,
        spans_lines: bool,
        cut: Option<LineCut>,
        fill: impl FnOnce(&mut String, &mut Vec<Occurrence>),
    ) {
        fill(&mut self.text, &mut self.occurrences);
        self.lines.push(LineRecord {
            line_number,
            text_end: self.text.len(),
            occurrences_end: self.occurrences.len(),
            spans_lines,
            cut,
        });
    }

    /// Appends `other`'s lines, their numbers moved on by `line_shift` (the lines before them).
    pub(crate) fn append(&mut self, other: &MatchLines, line_shift: u64) {
        let (text_shift, occurrences_shift) = (self.text.len(), self.occurrences.len());
        self.text.push_str(&other.text);
        self.occurrences.extend_from_slice(&other.occurrences);
        self.lines
            .extend(other.lines.iter().map(|record| LineRecord {
                line_number: record.line_number + line_shift,
                text_end: record.text_end + text_shift,
                occurrences_end: record.occurrences_end + occurrences_shift,
                ..*record
            }));
    }
}

/// The lines of a [`MatchLines`], in file order.
#[derive(Clone, Debug)]
pub struct MatchLinesIter<'a> {
    all: &'a MatchLines,
    next: usize,
}

impl<'a> Iterator for MatchLinesIter<'a> {
    type Item = MatchLine<'a>;

    fn next(&mut self) -> Option<MatchLine<'a>> {
        let line = self.all.get(self.next)?;
        self.next += 1;
        Some(line)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.all.lines.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for MatchLinesIter<'_> {}

impl<'a> IntoIterator for &'a MatchLines {
    type Item = MatchLine<'a>;
    type IntoIter = MatchLinesIter<'a>;

    fn into_iter(self) -> MatchLinesIter<'a> {
        self.iter()
    }
}

impl<'a> FromIterator<MatchLine<'a>> for MatchLines {
    fn from_iter<I: IntoIterator<Item = MatchLine<'a>>>(lines: I) -> Self {
        let mut all = MatchLines::new();
        for line in lines {
            all.push(line);
        }
        all
    }
}

/// How a long line was shortened to [`MatchLine::text`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCut {
    /// The most characters shown for one occurrence (the request's `max_columns`).
    pub max_columns: usize,
    /// The line goes on before the text.
    pub before: bool,
    /// The line goes on after the text.
    pub after: bool,
}

impl<'a> MatchLine<'a> {
    /// What is shown for `occurrence`, one of this line's: the whole line, or its window.
    pub fn excerpt(&self, occurrence: &Occurrence) -> Excerpt<'a> {
        Excerpt::of(self.text, occurrence.highlight.clone(), self.cut)
    }
}

/// The text shown for one occurrence: the line, or a window of it marked `…` where it goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt<'a> {
    /// The line goes on before `text` (show `…`).
    pub ellipsis_before: bool,
    /// The shown characters.
    pub text: &'a str,
    /// The occurrence in `text`, as a byte range.
    pub highlight: std::ops::Range<usize>,
    /// The line goes on after `text` (show `…`).
    pub ellipsis_after: bool,
}

impl<'a> Excerpt<'a> {
    /// The window around `highlight` in `text`, cut as `cut` says: a quarter of the characters
    /// before the occurrence, the rest after it. Over a [`MatchLine`] this is the window the
    /// engine meant, since its text always holds every window it covers whole.
    pub fn of(text: &'a str, highlight: std::ops::Range<usize>, cut: Option<LineCut>) -> Self {
        let start_at = text.floor_char_boundary(highlight.start.min(text.len()));
        let Some(cut) = cut else {
            return Excerpt {
                ellipsis_before: false,
                text,
                highlight: start_at..text.ceil_char_boundary(highlight.end.min(text.len())),
                ellipsis_after: false,
            };
        };
        let start = match cut.max_columns / 4 {
            0 => start_at,
            before => text[..start_at]
                .char_indices()
                .rev()
                .nth(before - 1)
                .map_or(0, |(i, _)| i),
        };
        let end = text[start..]
            .char_indices()
            .nth(cut.max_columns)
            .map_or(text.len(), |(i, _)| start + i);
        let mark_start = start_at.min(end);
        let mark_end = text.ceil_char_boundary(highlight.end.clamp(mark_start, end));
        Excerpt {
            ellipsis_before: start > 0 || cut.before,
            text: &text[start..end],
            highlight: mark_start - start..mark_end - start,
            ellipsis_after: end < text.len() || cut.after,
        }
    }

    /// The excerpt as one string with its `…` marks, and the highlight in it.
    pub fn to_marked(&self) -> (std::borrow::Cow<'a, str>, std::ops::Range<usize>) {
        if !self.ellipsis_before && !self.ellipsis_after {
            return (self.text.into(), self.highlight.clone());
        }
        let mut marked = String::with_capacity(self.text.len() + 6);
        let mut shift = 0;
        if self.ellipsis_before {
            marked.push('…');
            shift = '…'.len_utf8();
        }
        marked.push_str(self.text);
        if self.ellipsis_after {
            marked.push('…');
        }
        let highlight = self.highlight.start + shift..self.highlight.end + shift;
        (marked.into(), highlight)
    }
}

/// Every occurrence in one file, sent as soon as the file is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileResult {
    /// The path as reached from the request's root (like ripgrep prints it).
    pub path: PathBuf,
    /// Lines in file order.
    pub lines: MatchLines,
    /// When the file was last modified, if the request asked for it and the system says.
    pub modified: Option<std::time::SystemTime>,
    /// The encoding the file was decoded from (UTF-16 with a byte-order mark, a legacy
    /// encoding named with `-E` or detected by `-E auto`); `None` for a file searched as its
    /// bytes (UTF-8). Texts, columns and offsets are then those of the decoded text, and a
    /// writer puts the file back in this encoding.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Searched as text ("binary files as text", `-a`) though it has a NUL byte (in its first
    /// MiB, for a larger file): a binary file, which a replace never writes.
    pub binary: bool,
}

impl FileResult {
    /// Number of occurrences in the file.
    pub fn match_count(&self) -> usize {
        self.lines.occurrence_count()
    }
}

/// What searching one file found, as [`FileSearcher`](crate::FileSearcher) returns it: a
/// [`FileResult`] without its path (the searcher never needs it) but with what the progress
/// counters and the summary count.
#[derive(Debug, Default)]
pub struct FileMatches {
    /// Matching lines in file order (empty when nothing matched or the file is binary).
    pub lines: MatchLines,
    /// Number of occurrences in `lines`.
    pub matches: u64,
    /// Bytes read from the file.
    pub bytes_read: u64,
    /// The file has a NUL byte and binary files are skipped: `lines` is empty.
    pub binary: bool,
    /// Binary files are searched as text and this one has a NUL byte (see
    /// [`FileResult::binary`]).
    pub has_nul: bool,
    /// The file's modification time, for a file with matches when the request asks for it.
    pub modified: Option<std::time::SystemTime>,
    /// The encoding the file was decoded from, `None` when searched as its bytes (see
    /// [`FileResult::encoding`]).
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

impl FileMatches {
    /// Whether `text`, a file's bytes searched as text, holds a NUL byte that makes it binary:
    /// in UTF-16 they are the text's own (every ASCII character has one).
    pub(crate) fn nul_in(
        text: &[u8],
        decoded_from: Option<&'static encoding_rs::Encoding>,
    ) -> bool {
        !decoded_from.is_some_and(|e| e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE)
            && memchr::memchr(0, text).is_some()
    }

    /// A file skipped for a NUL byte after `bytes_read` bytes.
    pub(crate) fn binary(bytes_read: u64) -> Self {
        FileMatches {
            bytes_read,
            binary: true,
            ..FileMatches::default()
        }
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

/// What a running search streams to its consumer. `F` is what a matching file arrives as:
/// a [`FileResult`] unless the consumer asked for its own form (see
/// [`start_prepared`](crate::start_prepared)).
#[derive(Clone, Debug)]
pub enum SearchEvent<F = FileResult> {
    /// One file's occurrences (only files with at least one are sent).
    File(F),
    /// A file or folder that could not be read.
    Error(FileError),
    /// The last event: the search completed or was cancelled.
    Finished(Summary),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(before: bool, after: bool) -> Option<LineCut> {
        Some(LineCut {
            max_columns: 8,
            before,
            after,
        })
    }

    #[test]
    fn an_uncut_line_is_its_own_excerpt() {
        let excerpt = Excerpt::of("a foo b", 2..5, None);
        assert_eq!(excerpt.text, "a foo b");
        assert_eq!(excerpt.highlight, 2..5);
        assert_eq!(excerpt.to_marked(), ("a foo b".into(), 2..5));
    }

    #[test]
    fn a_window_keeps_a_quarter_before_the_match_and_marks_both_cuts() {
        // Eight characters: two before "foo", three after it.
        let excerpt = Excerpt::of("ééééfooxyzééé", 8..11, cut(false, false));
        assert_eq!(excerpt.text, "ééfooxyz");
        assert_eq!(&excerpt.text[excerpt.highlight.clone()], "foo");
        assert!(excerpt.ellipsis_before && excerpt.ellipsis_after);
        let (marked, highlight) = excerpt.to_marked();
        assert_eq!(marked, "…ééfooxyz…");
        assert_eq!(&marked[highlight], "foo");
    }

    #[test]
    fn a_stretch_cut_from_a_longer_line_is_marked_even_where_the_window_reaches_its_end() {
        let excerpt = Excerpt::of("xfoo", 1..4, cut(true, true));
        assert_eq!(excerpt.text, "xfoo");
        assert!(excerpt.ellipsis_before && excerpt.ellipsis_after);
        let excerpt = Excerpt::of("xfoo", 1..4, cut(false, false));
        assert!(!excerpt.ellipsis_before && !excerpt.ellipsis_after);
    }
}
