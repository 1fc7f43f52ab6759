//! The streaming rewrite of one file's text: unchanged stretches are copied as they are read,
//! each match is checked and replaced. Memory holds a window around the current match (its
//! line, at most [`CONTEXT`] bytes either side), never the file.

use std::io::{self, Read, Write};
use std::ops::Range;

use memchr::{memchr, memrchr};

use crate::template::Replacer;
use crate::{PlannedMatch, SkipReason};

/// The most bytes around a match that its pattern is run over to find its captures: its line,
/// cut to this on each side. Any regex assertion looks at most one character beyond a match,
/// and the match found must be exactly the one reported, so a longer line cut here still gives
/// the right captures or is refused, never a wrong replacement.
pub(crate) const CONTEXT: u64 = 64 << 10;
const CHUNK: usize = 64 << 10;
/// See [`Window::read_more`].
const FIRST_CHUNK: usize = 16 << 10;

/// Why a rewrite stopped: the file is not what the plan says, or reading or writing failed.
#[derive(Debug)]
pub(crate) enum RewriteError {
    Skip(SkipReason),
    Read(io::Error),
    Write(io::Error),
}

impl From<SkipReason> for RewriteError {
    fn from(reason: SkipReason) -> Self {
        RewriteError::Skip(reason)
    }
}

/// Where a rewrite's text goes: the stretches kept as they were and each match's replacement,
/// in the order of the text. A file searched as its bytes (or re-encoded whole, as UTF-16)
/// takes both as text ([`Plain`]); a file decoded from a legacy encoding keeps its own bytes
/// for the stretches and encodes only the replacements (crate::legacy).
pub(crate) trait TextSink {
    /// `text`, the file's text up to offset `end`, is kept as it is.
    fn keep(&mut self, text: &[u8], end: u64) -> Result<(), RewriteError>;
    /// The match at `matched` is replaced by `replacement`.
    fn replace(&mut self, matched: Range<u64>, replacement: &[u8]) -> Result<(), RewriteError>;
}

/// A sink that writes the rewritten text as it is.
pub(crate) struct Plain<W>(pub(crate) W);

impl<W: Write> TextSink for Plain<W> {
    fn keep(&mut self, text: &[u8], _end: u64) -> Result<(), RewriteError> {
        self.0.write_all(text).map_err(RewriteError::Write)
    }

    fn replace(&mut self, _matched: Range<u64>, replacement: &[u8]) -> Result<(), RewriteError> {
        self.0.write_all(replacement).map_err(RewriteError::Write)
    }
}

fn read_error(err: io::Error) -> RewriteError {
    if err.kind() == io::ErrorKind::InvalidData {
        RewriteError::Skip(SkipReason::Undecodable(err.to_string()))
    } else {
        RewriteError::Read(err)
    }
}

/// The file's text seen through a sliding window: `buf[..filled]` holds the text from `base`
/// on; the rest of `buf` is room for the next read, zeroed once, not at every read.
struct Window<R> {
    reader: R,
    buf: Vec<u8>,
    filled: usize,
    /// Offset in the text of `buf[0]`.
    base: u64,
    eof: bool,
}

impl<R: Read> Window<R> {
    fn new(reader: R) -> Self {
        Window {
            reader,
            buf: Vec::new(),
            filled: 0,
            base: 0,
            eof: false,
        }
    }

    fn end(&self) -> u64 {
        self.base + self.filled as u64
    }

    /// Reads the next chunk; false at the end. A NUL byte makes the file binary.
    fn read_more(&mut self) -> Result<bool, RewriteError> {
        if self.eof {
            return Ok(false);
        }
        // Room for a large read; a small file's first read, though, zeroes (and its free
        // gives back) only FIRST_CHUNK, and its last read, which finds the end, needs no more.
        let room = self.buf.len() - self.filled;
        if self.buf.is_empty() {
            self.buf.resize(FIRST_CHUNK, 0);
        } else if room < (CHUNK / 2).min(self.buf.len() / 2) {
            self.buf.resize(self.filled + CHUNK, 0);
        }
        let n = loop {
            match self.reader.read(&mut self.buf[self.filled..]) {
                Ok(n) => break n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(read_error(err)),
            }
        };
        let new = &self.buf[self.filled..self.filled + n];
        if memchr(0, new).is_some() {
            return Err(SkipReason::Binary.into());
        }
        self.filled += n;
        self.eof = n == 0;
        Ok(n > 0)
    }

    fn fill_to(&mut self, end: u64) -> Result<(), RewriteError> {
        while self.end() < end && self.read_more()? {}
        Ok(())
    }

    fn slice(&self, range: Range<u64>) -> &[u8] {
        &self.buf[(range.start - self.base) as usize..(range.end - self.base) as usize]
    }

    /// Lets go of the text before `at`, in large steps so that each byte moves at most once
    /// or twice.
    fn forget_before(&mut self, at: u64) {
        let drop = (at.saturating_sub(self.base) as usize).min(self.filled);
        if drop >= CHUNK && drop * 2 >= self.filled {
            self.buf.copy_within(drop..self.filled, 0);
            self.filled -= drop;
            self.base += drop as u64;
        }
    }
}

/// Copies the text `reader` gives to `out`, each of `matches` (in order, not overlapping)
/// replaced. `text_start` is where the searched text begins (after a UTF-8 byte-order mark,
/// which the search skipped but counts in offsets). Returns the number of replacements;
/// refuses (`Skip`) a file whose text at a match is not what the search saw.
pub(crate) fn rewrite<R: Read, S: TextSink>(
    reader: R,
    out: &mut S,
    matches: &[PlannedMatch],
    replacer: &Replacer,
    text_start: u64,
) -> Result<u64, RewriteError> {
    let mut window = Window::new(reader);
    let mut pos = 0u64;
    let mut replacement = Vec::new();
    let mut count = 0u64;
    for planned in matches {
        let (start, end) = (planned.offset, planned.offset + planned.length);
        if start < pos {
            return Err(SkipReason::Changed(format!(
                "its matches overlap at byte {start} (the plan is not one search's)"
            ))
            .into());
        }
        // Everything up to the context kept before this match goes out as it is read.
        let keep = start.saturating_sub(CONTEXT);
        while pos < keep {
            if window.end() <= pos {
                if !window.read_more()? {
                    return Err(shorter(start));
                }
                continue;
            }
            let upto = keep.min(window.end());
            out.keep(window.slice(pos..upto), upto)?;
            pos = upto;
            window.forget_before(pos);
        }
        window.fill_to(end.saturating_add(CONTEXT))?;
        if window.end() < end {
            return Err(shorter(start));
        }
        out.keep(window.slice(pos..start), start)?;
        let found = window.slice(start..end);
        if !planned.seen_in(found) {
            return Err(SkipReason::Changed(format!(
                "the text at byte {start} is no longer the match the search found"
            ))
            .into());
        }
        if !replacer.multiline() && memchr(b'\n', found).is_some() {
            // A line search never matches across a line's end.
            return Err(SkipReason::Changed(format!(
                "the text at byte {start} is no longer the match the search found"
            ))
            .into());
        }
        if start < text_start {
            return Err(SkipReason::Changed(format!(
                "a match at byte {start} is inside its byte-order mark"
            ))
            .into());
        }
        let context = context(&window, start, end, replacer.multiline(), text_start);
        replacement.clear();
        let text = window.slice(context.clone());
        let (at, to) = (
            (start - context.start) as usize,
            (end - context.start) as usize,
        );
        if !replacer.expand_at(text, at, to, &mut replacement) {
            return Err(SkipReason::Changed(format!(
                "the pattern no longer matches the same text at byte {start}"
            ))
            .into());
        }
        out.replace(start..end, &replacement)?;
        count += 1;
        pos = end;
        window.forget_before(pos.saturating_sub(CONTEXT));
    }
    loop {
        if window.end() > pos {
            out.keep(window.slice(pos..window.end()), window.end())?;
            pos = window.end();
            window.forget_before(pos);
        }
        if !window.read_more()? {
            break;
        }
    }
    Ok(count)
}

fn shorter(start: u64) -> RewriteError {
    SkipReason::Changed(format!("it now ends before the match at byte {start}")).into()
}

/// The text a match's pattern is run over: its line without its terminator (`\n`, and one
/// `\r` before it or at the end of the file), which is what the engine's line search ran it
/// over, or for a multiline search the text around it; each cut to [`CONTEXT`].
fn context<R: Read>(
    window: &Window<R>,
    start: u64,
    end: u64,
    multiline: bool,
    text_start: u64,
) -> Range<u64> {
    let lo = window
        .base
        .max(start.saturating_sub(CONTEXT))
        .max(text_start);
    let hi = window.end().min(end.saturating_add(CONTEXT));
    if multiline {
        return lo..hi;
    }
    let before = window.slice(lo..start);
    let line_start = memrchr(b'\n', before).map_or(lo, |i| lo + i as u64 + 1);
    let after = window.slice(end..hi);
    let (line_end, whole) = match memchr(b'\n', after) {
        Some(i) => (end + i as u64, true),
        None => (hi, window.eof && hi == window.end()),
    };
    let stripped = line_end > end && whole && window.slice(line_end - 1..line_end) == b"\r";
    line_start..line_end - u64::from(stripped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trawl_search::SearchOptions;

    /// A reader that hands out its bytes a few at a time, so the window's reads end anywhere.
    struct Dribble<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Dribble<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            self.step = self.step % 7 + 1;
            let n = self.step.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn planned(text: &[u8], regex: &regex::bytes::Regex) -> Vec<PlannedMatch> {
        regex
            .find_iter(text)
            .map(|m| PlannedMatch {
                offset: m.start() as u64,
                length: m.len() as u64,
                seen: String::from_utf8_lossy(m.as_bytes()).into(),
                seen_whole: true,
            })
            .collect()
    }

    #[test]
    fn matches_far_apart_close_together_and_on_long_lines_stream_through() {
        // Matches a few bytes apart, then hundreds of KiB apart, one inside a 300 KiB line,
        // and one at the very end.
        let mut text = b"foo1 foo2\r\nfoo3\n".to_vec();
        text.extend(b"x\n".repeat(200_000));
        text.extend(b"foo4 \xFF\n");
        text.extend(b"y".repeat(150_000));
        text.extend(b" foo5 ");
        text.extend(b"z".repeat(150_000));
        text.extend(b"\nfoo6");
        let regex = regex::bytes::Regex::new(r"foo(\d)").unwrap();
        let replacer = Replacer::new(&SearchOptions::default(), r"foo(\d)", "<$1>").unwrap();
        let matches = planned(&text, &regex);
        assert_eq!(matches.len(), 6);
        let mut out = Vec::new();
        let count = rewrite(
            Dribble {
                bytes: &text,
                step: 0,
            },
            &mut Plain(&mut out),
            &matches,
            &replacer,
            0,
        )
        .unwrap();
        assert_eq!(count, 6);
        assert_eq!(out, regex.replace_all(&text, &b"<$1>"[..]).into_owned());
    }

    #[test]
    fn a_file_shorter_or_other_than_planned_is_refused() {
        let replacer = Replacer::new(&SearchOptions::default(), "foo", "bar").unwrap();
        let plan = [PlannedMatch {
            offset: 4,
            length: 3,
            seen: "foo".into(),
            seen_whole: true,
        }];
        for text in [&b"abc"[..], b"abc fox", b"abc foo"] {
            let result = rewrite(text, &mut Plain(Vec::new()), &plan, &replacer, 0);
            if text == b"abc foo" {
                assert_eq!(result.unwrap(), 1);
            } else {
                assert!(matches!(
                    result,
                    Err(RewriteError::Skip(SkipReason::Changed(_)))
                ));
            }
        }
        let nul = rewrite(
            &b"abc foo\0"[..],
            &mut Plain(Vec::new()),
            &plan,
            &replacer,
            0,
        );
        assert!(matches!(nul, Err(RewriteError::Skip(SkipReason::Binary))));
    }
}
