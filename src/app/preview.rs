//! The preview: the selected match's line in its file, with a few lines of context around it.
//!
//! The file is read on a background thread (never on the UI thread: a file on a slow or network
//! disk may take seconds), from its start, in bounded chunks, and only up to the last context
//! line: line 3 of a 20 GB log costs one chunk. A shown line keeps at most
//! [`PREVIEW_MAX_CHARS`] characters (the match's line a window around the match), so a
//! minified file never fills memory. The match is highlighted from the occurrence's column and
//! its length in characters, as the engine reported them: nothing is matched again here.
//!
//! Characters are counted as UTF-8 lead bytes, which is exact for valid UTF-8; in a file that
//! is not, the highlight may be off by the number of stray bytes before it.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, TryRecvError};

/// A shown line keeps at most this many characters (the same as the results list's cut).
pub const PREVIEW_MAX_CHARS: usize = crate::app::state::WINDOW_MAX_COLUMNS;

/// At most this many lines before and after the match, whatever the saved setting says.
pub use crate::app::state::MAX_CONTEXT_LINES;

/// Bytes asked for per read: small enough that a cancel is noticed quickly.
const READ_CHUNK: usize = 64 * 1024;

/// What to show: a line of a file, and where the match is on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewTarget {
    /// The file.
    pub path: PathBuf,
    /// 1-based line of the match.
    pub line: u64,
    /// 1-based column of the match, in characters.
    pub column: u32,
    /// The match's length in characters.
    pub match_chars: usize,
    /// Lines shown before and after it.
    pub context: usize,
}

/// One shown line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewLine {
    /// 1-based line number.
    pub number: u64,
    /// The text, with `…` where it was cut.
    pub text: String,
    /// The match's byte range in `text`, on the match's line.
    pub highlight: Option<Range<usize>>,
}

/// The lines around a match, as read from the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewContent {
    /// The shown lines, in order; the match's line among them.
    pub lines: Vec<PreviewLine>,
    /// Bytes read from the file to find them (to show, and test, that a large file is not
    /// read whole).
    pub bytes_read: u64,
}

/// Why no preview could be made, or that it was cancelled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreviewError {
    /// A message for the person.
    Message(String),
    /// A newer selection replaced this one.
    Cancelled,
}

/// Reads the lines around `target` from its file, giving up when `cancel` is set.
pub fn load(target: &PreviewTarget, cancel: &AtomicBool) -> Result<PreviewContent, PreviewError> {
    let path = &target.path;
    let shown = crate::app::results::shown_path(path);
    let failed = |err: std::io::Error| {
        PreviewError::Message(if err.kind() == ErrorKind::NotFound {
            format!("{shown}: the file is gone (deleted or moved since the search).")
        } else {
            format!("{shown}: could not be read: {}.", without_os_error(&err))
        })
    };
    // Opening a FIFO that replaced the file would block this thread for good.
    let meta = std::fs::metadata(path).map_err(failed)?;
    if !meta.is_file() {
        return Err(PreviewError::Message(format!(
            "{shown}: no longer a regular file."
        )));
    }
    let mut file = File::open(path).map_err(failed)?;
    let mut reader = ContextReader::new(target);
    let mut buffer = vec![0u8; READ_CHUNK];
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(PreviewError::Cancelled);
        }
        let read = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => return Err(failed(err)),
        };
        reader.bytes_read += read as u64;
        if reader.feed(&buffer[..read]) {
            return Ok(reader.finish());
        }
    }
    reader.end_of_file();
    if reader.lines.iter().all(|l| l.number != target.line) {
        let lines = reader.line - u64::from(!reader.line_has_bytes);
        return Err(PreviewError::Message(format!(
            "{shown} now has {lines} lines, so line {} is gone: the file changed since the \
             search. Search again to update the results.",
            target.line
        )));
    }
    Ok(reader.finish())
}

/// The streaming state: which line the reader is on and what it keeps of it.
struct ContextReader<'a> {
    target: &'a PreviewTarget,
    first: u64,
    last: u64,
    /// The line the next byte belongs to (1-based).
    line: u64,
    line_has_bytes: bool,
    /// Characters seen on this line so far.
    chars: usize,
    /// The characters of this line that are kept.
    window: Range<usize>,
    kept: Vec<u8>,
    /// Bytes after the window on this line (and the last one), to tell a cut from a `\r`.
    after_window: u64,
    last_byte: u8,
    lines: Vec<PreviewLine>,
    bytes_read: u64,
}

impl<'a> ContextReader<'a> {
    fn new(target: &'a PreviewTarget) -> Self {
        let context = target.context.min(MAX_CONTEXT_LINES) as u64;
        let first = target.line.saturating_sub(context).max(1);
        let mut reader = ContextReader {
            target,
            first,
            last: target.line.saturating_add(context),
            line: 1,
            line_has_bytes: false,
            chars: 0,
            window: 0..0,
            kept: Vec::new(),
            after_window: 0,
            last_byte: 0,
            lines: Vec::new(),
            bytes_read: 0,
        };
        reader.start_line();
        reader
    }

    /// Every line keeps the same characters, as an editor scrolled sideways shows them, so
    /// that columns line up: the first ones, or when the match lies further right a window
    /// with about a third of it before the match.
    fn start_line(&mut self) {
        self.line_has_bytes = false;
        self.chars = 0;
        self.kept.clear();
        self.after_window = 0;
        let (column, length) = self.match_chars();
        let start = if column + length <= PREVIEW_MAX_CHARS {
            0
        } else {
            column - (PREVIEW_MAX_CHARS - length) / 3
        };
        self.window = start..start + PREVIEW_MAX_CHARS;
    }

    /// The match's 0-based column and length, the length cut to what a line can show.
    fn match_chars(&self) -> (usize, usize) {
        let column = (self.target.column.max(1) - 1) as usize;
        (column, self.target.match_chars.min(PREVIEW_MAX_CHARS))
    }

    fn wanted(&self) -> bool {
        (self.first..=self.last).contains(&self.line)
    }

    /// Takes in one chunk; true once the last wanted line is complete.
    fn feed(&mut self, mut bytes: &[u8]) -> bool {
        while !bytes.is_empty() {
            let newline = memchr::memchr(b'\n', bytes);
            let part = &bytes[..newline.unwrap_or(bytes.len())];
            if !part.is_empty() {
                self.line_has_bytes = true;
                self.last_byte = part[part.len() - 1];
                if self.wanted() {
                    self.keep(part);
                }
            }
            let Some(at) = newline else {
                return false;
            };
            self.end_line();
            if self.line > self.last {
                return true;
            }
            bytes = &bytes[at + 1..];
        }
        false
    }

    /// Keeps the bytes of `part` whose characters fall in the window.
    fn keep(&mut self, part: &[u8]) {
        if self.chars > self.window.end {
            self.after_window += part.len() as u64;
            return;
        }
        for (i, &byte) in part.iter().enumerate() {
            if byte & 0xC0 != 0x80 {
                self.chars += 1;
            }
            // The byte belongs to character `chars - 1` (a continuation byte to the one before).
            let char_index = self.chars.saturating_sub(1);
            if char_index >= self.window.end {
                self.after_window += (part.len() - i) as u64;
                self.chars = self.window.end + 1;
                return;
            }
            if char_index >= self.window.start {
                self.kept.push(byte);
            }
        }
    }

    fn end_line(&mut self) {
        if self.wanted() {
            self.push_line();
        }
        self.line += 1;
        self.start_line();
    }

    /// A last line without a newline is still a line.
    fn end_of_file(&mut self) {
        if self.line_has_bytes && self.wanted() {
            self.push_line();
        }
    }

    fn push_line(&mut self) {
        // A `\r` before the `\n` is not part of the line (CONTRACT.md).
        let cut_after =
            self.after_window > 1 || (self.after_window == 1 && self.last_byte != b'\r');
        if !cut_after && self.kept.last() == Some(&b'\r') {
            self.kept.pop();
        }
        // Any character at all means the first ones were left out.
        let cut_before = self.window.start > 0 && self.chars > 0;
        let kept = String::from_utf8_lossy(&self.kept);
        let mut text = String::with_capacity(kept.len() + 6);
        if cut_before {
            text.push('…');
        }
        let prefix = text.len();
        text.push_str(&kept);
        let highlight = (self.line == self.target.line)
            .then(|| {
                let (column, length) = self.match_chars();
                let from = column.checked_sub(self.window.start)?;
                let start = byte_of_char(&kept, from)?;
                let end = byte_of_char(&kept, from + length.max(1)).unwrap_or(kept.len());
                Some(prefix + start..prefix + end)
            })
            .flatten();
        if cut_after {
            text.push('…');
        }
        self.lines.push(PreviewLine {
            number: self.line,
            text,
            highlight,
        });
    }

    fn finish(self) -> PreviewContent {
        PreviewContent {
            lines: self.lines,
            bytes_read: self.bytes_read,
        }
    }
}

/// The byte offset of character `n` in `text` (its length for `n` = the character count);
/// `None` past the end (the line got shorter since the search).
fn byte_of_char(text: &str, n: usize) -> Option<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .nth(n)
}

fn without_os_error(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// What the preview panel shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreviewState {
    /// No match is selected.
    Empty,
    /// The file is being read.
    Loading,
    /// The lines around the match.
    Ready(PreviewContent),
    /// Why it could not be shown.
    Failed(String),
}

/// The preview of the selected match, loaded in the background.
pub struct Preview {
    target: Option<PreviewTarget>,
    state: PreviewState,
    answer: Option<Receiver<Result<PreviewContent, PreviewError>>>,
    cancel: Arc<AtomicBool>,
    /// New content arrived: the view scrolls the match into sight once.
    pub(crate) scroll_to_match: bool,
}

impl Default for Preview {
    fn default() -> Self {
        Preview {
            target: None,
            state: PreviewState::Empty,
            answer: None,
            cancel: Arc::new(AtomicBool::new(false)),
            scroll_to_match: false,
        }
    }
}

impl Preview {
    /// Shows `target` (nothing for `None`). A new target cancels the load under way; the same
    /// target again does nothing, so this can be called every frame.
    pub fn show(&mut self, target: Option<PreviewTarget>, ctx: &egui::Context) {
        if self.target == target {
            return;
        }
        self.cancel.store(true, Ordering::Relaxed);
        self.cancel = Arc::new(AtomicBool::new(false));
        self.answer = None;
        self.target = target.clone();
        let Some(target) = target else {
            self.state = PreviewState::Empty;
            return;
        };
        let (sender, receiver) = crossbeam_channel::bounded(1);
        let cancel = Arc::clone(&self.cancel);
        let wake = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("trawl-preview".to_string())
            .spawn(move || {
                let outcome = load(&target, &cancel);
                // A newer selection may have replaced this one: nobody listens then.
                if !cancel.load(Ordering::Relaxed) && sender.send(outcome).is_ok() {
                    wake.request_repaint();
                }
            });
        self.state = match spawned {
            Ok(_) => {
                self.answer = Some(receiver);
                PreviewState::Loading
            }
            Err(_) => {
                PreviewState::Failed("The preview could not start (no thread); try again.".into())
            }
        };
    }

    /// Takes the loaded lines in once the thread has sent them.
    pub fn poll(&mut self) {
        let Some(answer) = self.answer.as_ref() else {
            return;
        };
        let outcome = match answer.try_recv() {
            Ok(outcome) => outcome,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Err(PreviewError::Message(
                "The preview could not be loaded; select the match again.".into(),
            )),
        };
        self.answer = None;
        self.state = match outcome {
            Ok(content) => {
                self.scroll_to_match = true;
                PreviewState::Ready(content)
            }
            Err(PreviewError::Message(message)) => PreviewState::Failed(message),
            // Only a replaced load is cancelled, and its answer is never read.
            Err(PreviewError::Cancelled) => PreviewState::Empty,
        };
    }

    /// What to show now.
    pub fn state(&self) -> &PreviewState {
        &self.state
    }

    /// What is shown (or being loaded).
    pub fn target(&self) -> Option<&PreviewTarget> {
        self.target.as_ref()
    }
}

impl Preview {
    /// Shows occurrence `index` of `results` with `context` lines, or nothing for `None`.
    /// Called every frame: when the target has not changed, nothing is allocated.
    pub fn follow(
        &mut self,
        occurrence: Option<(&crate::app::ResultsModel, usize)>,
        context: usize,
        ctx: &egui::Context,
    ) {
        let Some((results, index)) = occurrence else {
            self.show(None, ctx);
            return;
        };
        let Some(view) = results.occurrence(index) else {
            self.show(None, ctx);
            return;
        };
        let Some(file) = results.file(view.file) else {
            self.show(None, ctx);
            return;
        };
        let match_chars = view
            .text
            .get(view.highlight.clone())
            .map_or(0, |m| m.chars().count());
        let same = self.target.as_ref().is_some_and(|t| {
            t.line == view.line_number
                && t.column == view.column
                && t.match_chars == match_chars
                && t.context == context
                && t.path == file.path
        });
        if !same {
            self.show(
                Some(PreviewTarget {
                    path: file.path.to_path_buf(),
                    line: view.line_number,
                    column: view.column,
                    match_chars,
                    context,
                }),
                ctx,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::path::Path;
    use std::time::{Duration, Instant};

    fn target(path: &Path, line: u64, column: u32, match_chars: usize) -> PreviewTarget {
        PreviewTarget {
            path: path.to_path_buf(),
            line,
            column,
            match_chars,
            context: 2,
        }
    }

    fn lines(content: &PreviewContent) -> Vec<(u64, &str)> {
        content
            .lines
            .iter()
            .map(|l| (l.number, l.text.as_str()))
            .collect()
    }

    fn highlighted(content: &PreviewContent) -> Vec<&str> {
        content
            .lines
            .iter()
            .filter_map(|l| l.highlight.clone().map(|h| &l.text[h]))
            .collect()
    }

    fn file_with(text: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(text).expect("write");
        file
    }

    fn never() -> AtomicBool {
        AtomicBool::new(false)
    }

    #[test]
    fn context_lines_surround_the_match_and_it_is_highlighted() {
        let file = file_with(b"one\ntwo\nthree foo\r\nfour\nfive\nsix\n");
        let content = load(&target(file.path(), 3, 7, 3), &never()).expect("loads");
        assert_eq!(
            lines(&content),
            [
                (1, "one"),
                (2, "two"),
                (3, "three foo"),
                (4, "four"),
                (5, "five")
            ]
        );
        assert_eq!(highlighted(&content), ["foo"]);
    }

    #[test]
    fn the_first_and_the_last_line_show_what_exists_around_them() {
        let file = file_with("é foo\nb\nc\nd\nlast foo".as_bytes());
        let first = load(&target(file.path(), 1, 3, 3), &never()).expect("loads");
        assert_eq!(lines(&first), [(1, "é foo"), (2, "b"), (3, "c")]);
        assert_eq!(highlighted(&first), ["foo"]);
        let last = load(&target(file.path(), 5, 6, 3), &never()).expect("loads");
        assert_eq!(lines(&last), [(3, "c"), (4, "d"), (5, "last foo")]);
        assert_eq!(highlighted(&last), ["foo"]);
    }

    #[test]
    fn a_long_line_is_cut_around_the_match() {
        let long = format!("{}needle{}", "a".repeat(10_000), "b".repeat(10_000));
        let file = file_with(format!("short\n{long}\n{}\n", "c".repeat(600)).as_bytes());
        let content = load(&target(file.path(), 2, 10_001, 6), &never()).expect("loads");
        let [before, line, after] = &content.lines[..] else {
            panic!("three lines: {:?}", lines(&content));
        };
        assert_eq!(before.text, "…", "the same columns on every line");
        assert!(line.text.starts_with('…') && line.text.ends_with('…'));
        assert_eq!(line.text.chars().count(), PREVIEW_MAX_CHARS + 2);
        assert_eq!(highlighted(&content), ["needle"]);
        let at = line.text.find("needle").expect("match shown");
        assert!(at > 100, "context before the match is kept");
        // The same columns on every line: this one ends before them.
        assert_eq!(after.text, "…");
        let file = file_with(format!("{}\n{}\n", "c".repeat(600), "d".repeat(400)).as_bytes());
        let content = load(&target(file.path(), 2, 1, 1), &never()).expect("loads");
        assert_eq!(
            content.lines[0].text,
            format!("{}…", "c".repeat(PREVIEW_MAX_CHARS))
        );
    }

    #[test]
    fn a_missing_file_says_it_is_gone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gone.rs");
        let Err(PreviewError::Message(message)) = load(&target(&path, 1, 1, 1), &never()) else {
            panic!("a missing file is an error");
        };
        assert!(message.contains("gone.rs: the file is gone"), "{message}");
    }

    #[test]
    fn a_file_that_got_shorter_says_so() {
        let file = file_with(b"a\nb\n");
        let Err(PreviewError::Message(message)) = load(&target(file.path(), 9, 1, 1), &never())
        else {
            panic!("line 9 is not there");
        };
        assert!(message.contains("now has 2 lines"), "{message}");
    }

    #[test]
    fn a_large_file_is_read_only_up_to_the_context() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        let line = format!("{}\n", "x".repeat(99));
        let block = line.repeat(10_000);
        for _ in 0..20 {
            file.write_all(block.as_bytes()).expect("write");
        }
        assert!(file.as_file().metadata().expect("meta").len() >= 20_000_000);
        let started = Instant::now();
        let content = load(&target(file.path(), 3, 1, 1), &never()).expect("loads");
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(content.lines.len(), 5);
        assert!(
            content.bytes_read <= READ_CHUNK as u64,
            "read {} bytes",
            content.bytes_read
        );
        // A single 20 MB line: the match's window is kept, the rest only scanned.
        let huge = file_with(format!("{}needle\n", "y".repeat(20_000_000)).as_bytes());
        let content = load(&target(huge.path(), 1, 20_000_001, 6), &never()).expect("loads");
        assert_eq!(highlighted(&content), ["needle"]);
        assert!(content.lines[0].text.len() < 4 * PREVIEW_MAX_CHARS);
    }

    #[test]
    fn a_cancelled_load_stops() {
        let file = file_with(b"a\n");
        let cancelled = AtomicBool::new(true);
        assert_eq!(
            load(&target(file.path(), 1, 1, 1), &cancelled),
            Err(PreviewError::Cancelled)
        );
    }
}
