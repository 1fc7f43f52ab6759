//! The preview: the selected match's line in its file, with a few lines of context around it.
//!
//! The file is read on a background thread (never on the UI thread: a file on a slow or network
//! disk may take seconds), and only around the match: the engine gave its byte offset, so one
//! chunk is read with the match in it, then more backwards and forwards, chunk by chunk, until
//! the context lines are found or [`SCAN_LIMIT`] bytes were scanned each way. A match 1 GB into
//! a log costs one chunk; huge lines cost at most the scan limit, and the context lines beyond
//! it are left out. A shown line keeps at most [`PREVIEW_MAX_CHARS`] characters, the same
//! columns on every line (the match's line a window around the match).
//!
//! Columns are the contract's: characters, an invalid UTF-8 byte counting as one. The window and
//! the highlight are found in the raw bytes, from the match's offset and byte length, then
//! mapped into the shown (lossy) text, so the highlight sits on the match whatever stray bytes
//! come before it. Nothing is matched again here.
//!
//! A member of an archive (`logs.tar.gz!/app.log`) is decompressed again through the engine
//! from its start, keeping in memory only the stretch the reads below can reach
//! ([`member_stretch`]), and then read the same way (`crate::app::member`).
//!
//! A file the search decoded (UTF-16 with its BOM, a legacy encoding named or detected: the
//! target's `encoding`) is decoded here the same way, as `crates/search/src/encoding.rs`
//! does: a byte-order mark skipped, the rest through encoding_rs's decoder. Its offsets are in
//! the decoded text, so it is decoded from its start, up to [`DECODE_READ_LIMIT`] bytes.

use std::fs::File;
use std::io::ErrorKind;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::app::job::{Job, Polled};
use crate::app::member::{Backing, MemberBytes};
use encoding_rs::{CoderResult, Decoder, Encoding};

use crate::search::text::{
    advance_chars, char_count, char_start, column_of, push_lossy_with_positions, range_ends,
    retreat_chars, shown_range,
};

/// A shown line keeps at most this many characters (the same as the results list's cut).
pub const PREVIEW_MAX_CHARS: usize = crate::app::state::WINDOW_MAX_COLUMNS;

/// At most this many lines before and after the match, whatever the saved setting says.
pub use crate::app::state::MAX_CONTEXT_LINES;

/// Bytes asked for per read: small enough that a cancel is noticed quickly.
const READ_CHUNK: usize = 64 * 1024;

/// Bytes scanned at most on each side of the match looking for its context lines: what keeps a
/// minified file's megabyte lines from being read whole.
pub const SCAN_LIMIT: u64 = 256 * 1024;

/// At most this many lines after its first are shown of a match that spans lines.
const MAX_MATCH_LINES: u64 = 50;

/// Bytes of a decoded file (UTF-16, a legacy encoding) decoded at most to reach the match.
pub const DECODE_READ_LIMIT: u64 = 64 * 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What to show: a match in a file, as the engine reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewTarget {
    /// The file.
    pub path: PathBuf,
    /// `path` names a member of an archive (or a compressed file) the search read inside:
    /// it is read back from the archive.
    pub inside_archive: bool,
    /// 1-based line of the match.
    pub line: u64,
    /// 1-based column of the match, in characters (an invalid byte counting as one).
    pub column: u32,
    /// 0-based byte offset of the match in the file (in the decoded text for a decoded file).
    pub byte_offset: u64,
    /// The match's length in bytes.
    pub length: u64,
    /// Lines shown before and after it.
    pub context: usize,
    /// The encoding the search decoded the file from; `None`: searched as its bytes.
    pub encoding: Option<&'static Encoding>,
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
    /// Bytes read from the file to find them (the tests check that a large file is not read
    /// whole).
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

/// Why reading stopped short.
#[derive(Debug)]
enum Stop {
    Cancelled,
    Io(std::io::Error),
    /// The match is not where the search found it.
    Changed,
    /// A decoded file's match lies beyond [`DECODE_READ_LIMIT`].
    TooFar,
}

/// Reads the lines around `target` from its file, giving up when `cancel` is set.
pub fn load(target: &PreviewTarget, cancel: &AtomicBool) -> Result<PreviewContent, PreviewError> {
    let path = &target.path;
    let shown = crate::app::results::shown_path(path);
    let failed = |err: std::io::Error| {
        PreviewError::Message(if err.kind() == ErrorKind::NotFound {
            format!("{shown}: the file is gone (deleted or moved since the search).")
        } else {
            format!(
                "{shown}: could not be read: {}.",
                crate::search::without_os_error(&err)
            )
        })
    };
    let (file, size) = if target.inside_archive {
        if cancel.load(Ordering::Relaxed) {
            return Err(PreviewError::Cancelled);
        }
        let member = MemberBytes::read(path, member_stretch(target), Some(cancel)).map_err(
            |err| match err.kind() {
                ErrorKind::Interrupted => PreviewError::Cancelled,
                _ => failed(err),
            },
        )?;
        // A member read in part ends, for the reads below, where they stop anyway.
        let size = member.end();
        (Backing::Member(member), size)
    } else {
        // Opening a FIFO that replaced the file would block this thread for good.
        let meta = std::fs::metadata(path).map_err(failed)?;
        if !meta.is_file() {
            return Err(PreviewError::Message(format!(
                "{shown}: no longer a regular file."
            )));
        }
        (Backing::Disk(File::open(path).map_err(failed)?), meta.len())
    };
    let mut source = Source {
        file,
        cancel,
        bytes_read: 0,
    };
    let lines = read_and_lay_out(&mut source, size, target);
    let bytes_read = source.bytes_read;
    match lines {
        Ok(lines) => Ok(PreviewContent { lines, bytes_read }),
        Err(Stop::Cancelled) => Err(PreviewError::Cancelled),
        Err(Stop::Io(err)) => Err(failed(err)),
        Err(Stop::Changed) => Err(PreviewError::Message(format!(
            "{shown}: the file changed since the search (the match is no longer where it \
             was). Search again to update the results."
        ))),
        Err(Stop::TooFar) => Err(PreviewError::Message(format!(
            "{shown}: preview not available this far into a {} file (past its first {} \
             MiB); open it in the editor.",
            target.encoding.map_or("decoded", Encoding::name),
            DECODE_READ_LIMIT >> 20
        ))),
    }
}

/// The stretch of an archive's member read back (decompressed from its start: a compressed
/// stream cannot be read from the middle; only the stretch is kept) for `target`: as far as
/// [`read_around`] or [`read_decoded`] can read, so that its ends are never taken for the
/// member's.
fn member_stretch(target: &PreviewTarget) -> Range<u64> {
    let chunk = READ_CHUNK as u64;
    match target.encoding {
        // Decoded from the start, up to the decode limit.
        Some(_) => 0..DECODE_READ_LIMIT + 2 * chunk,
        // Around the match: one chunk, then chunks up to the scan limit each way (and to the
        // end of a long match).
        None => {
            target.byte_offset.saturating_sub(SCAN_LIMIT + 2 * chunk)
                ..target
                    .byte_offset
                    .saturating_add(target.length.max(SCAN_LIMIT))
                    .saturating_add(2 * chunk)
        }
    }
}

fn read_and_lay_out(
    source: &mut Source<'_>,
    size: u64,
    target: &PreviewTarget,
) -> Result<Vec<PreviewLine>, Stop> {
    let mut head = [0u8; 3];
    let head_len = source.read_at(0, &mut head)?;
    let head = &head[..head_len];
    let region = match target.encoding {
        // As the engine's `decode_whole`: whatever byte-order mark there is, is skipped.
        Some(encoding) => {
            let bom = Encoding::for_bom(head).map_or(0, |(_, len)| len);
            read_decoded(source, encoding, bom as u64, target)?
        }
        None => read_around(source, size, head, target)?,
    };
    lay_out(&region, target)
}

/// The file, read at given offsets, counting what is read.
struct Source<'a> {
    file: Backing,
    cancel: &'a AtomicBool,
    bytes_read: u64,
}

impl Source<'_> {
    /// Fills `buf` from byte `pos` on (less of it only at the end of the file).
    fn read_at(&mut self, pos: u64, buf: &mut [u8]) -> Result<usize, Stop> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(Stop::Cancelled);
        }
        let filled = self.file.read_at(buf, pos).map_err(Stop::Io)?;
        self.bytes_read += filled as u64;
        Ok(filled)
    }

    /// Bytes `from..to` (fewer at the end of the file), a chunk at a time so that a cancel is
    /// seen.
    fn read_range(&mut self, from: u64, to: u64) -> Result<Vec<u8>, Stop> {
        let len = usize::try_from(to.saturating_sub(from)).map_err(|_| Stop::Changed)?;
        let mut bytes = vec![0; len];
        let mut filled = 0;
        while filled < len {
            let end = (filled + READ_CHUNK).min(len);
            let read = self.read_at(from + filled as u64, &mut bytes[filled..end])?;
            filled += read;
            if filled < end {
                break;
            }
        }
        bytes.truncate(filled);
        Ok(bytes)
    }
}

/// A stretch of the text around the match, as read (or decoded).
struct Region {
    bytes: Vec<u8>,
    /// Offset in the text of `bytes[0]`.
    start: u64,
    /// Where line 1 starts in `bytes` (after a BOM), when they reach back to it.
    text_start: Option<usize>,
    /// Newlines before `bytes`, when known: the match's line number is then checked.
    newlines_before: Option<u64>,
    /// `bytes` run to the end of the text.
    to_end: bool,
}

fn newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// The lines wanted on each side of the match's line, and newlines needed to find them.
fn context_of(target: &PreviewTarget) -> usize {
    target.context.min(MAX_CONTEXT_LINES)
}

/// Reads a file that is not UTF-16 around the match: `head` is its first bytes, already read.
fn read_around(
    source: &mut Source<'_>,
    size: u64,
    head: &[u8],
    target: &PreviewTarget,
) -> Result<Region, Stop> {
    let offset = target.byte_offset;
    let wanted = context_of(target) + 1;
    if offset.saturating_add(target.length) > size {
        return Err(Stop::Changed);
    }
    // One chunk with the match a quarter in: for ordinary lines, all there is to read.
    let mut lo = offset.saturating_sub(READ_CHUNK as u64 / 4);
    let mut end = (lo + READ_CHUNK as u64).min(size);
    let mut bytes = Vec::new();
    let mut from = lo;
    if let Some(known) = head.get(usize::try_from(lo).unwrap_or(usize::MAX)..) {
        bytes.extend_from_slice(known);
        from += known.len() as u64;
    }
    bytes.extend(source.read_range(from, end.max(from))?);
    let mut to_end = lo + (bytes.len() as u64) < end || end == size;
    end = lo + bytes.len() as u64;
    // The file may have shrunk since its size was taken.
    if offset > end {
        return Err(Stop::Changed);
    }
    // Backwards, until the first context line's start is in.
    let mut before = newlines(&bytes[..(offset - lo) as usize]);
    while lo > 0 && before < wanted && offset - lo < SCAN_LIMIT {
        let from = lo.saturating_sub(READ_CHUNK as u64);
        let mut chunk = source.read_range(from, lo)?;
        if chunk.len() as u64 != lo - from {
            return Err(Stop::Changed);
        }
        before += newlines(&chunk);
        chunk.extend_from_slice(&bytes);
        bytes = chunk;
        lo = from;
    }
    // Forwards, until the last context line's end is in, and the match's end (a match may
    // span lines).
    let mut after = newlines(&bytes[(offset - lo) as usize..]);
    let match_end = offset.saturating_add(target.length);
    while !to_end && (after < wanted || end < match_end) && end - offset < SCAN_LIMIT {
        let to = (end + READ_CHUNK as u64).min(size);
        let chunk = source.read_range(end, to)?;
        to_end = end + (chunk.len() as u64) < to || to == size;
        after += newlines(&chunk);
        bytes.extend_from_slice(&chunk);
        end += chunk.len() as u64;
    }
    if to_end && offset.saturating_add(target.length) > end {
        return Err(Stop::Changed);
    }
    let at_start = lo == 0;
    Ok(Region {
        text_start: at_start.then(|| if bytes.starts_with(UTF8_BOM) { 3 } else { 0 }),
        newlines_before: at_start.then_some(0),
        bytes,
        start: lo,
        to_end,
    })
}

/// Decodes a file from `encoding`, from its start after a byte-order mark of `bom` bytes, up
/// to the match's context, keeping only [`SCAN_LIMIT`] bytes of decoded text before the match.
fn read_decoded(
    source: &mut Source<'_>,
    encoding: &'static Encoding,
    bom: u64,
    target: &PreviewTarget,
) -> Result<Region, Stop> {
    let offset = target.byte_offset;
    let match_end = offset.saturating_add(target.length);
    let wanted = context_of(target) + 1;
    let keep_from = offset.saturating_sub(SCAN_LIMIT);
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut region = Region {
        bytes: Vec::new(),
        start: 0,
        text_start: Some(0),
        newlines_before: Some(0),
        to_end: false,
    };
    let mut raw = vec![0u8; READ_CHUNK];
    let mut pos = bom;
    loop {
        let read = source.read_at(pos, &mut raw)?;
        pos += read as u64;
        let last = read < raw.len();
        decode(&mut decoder, &raw[..read], last, &mut region.bytes);
        if keep_from > region.start {
            let drop = usize::try_from(keep_from - region.start)
                .unwrap_or(usize::MAX)
                .min(region.bytes.len());
            if drop > 0 {
                let counted = newlines(&region.bytes[..drop]) as u64;
                region.newlines_before = region.newlines_before.map(|n| n + counted);
                region.bytes.drain(..drop);
                region.start += drop as u64;
                region.text_start = None;
            }
        }
        let end = region.start + region.bytes.len() as u64;
        if last {
            region.to_end = true;
            if match_end > end {
                return Err(Stop::Changed);
            }
            return Ok(region);
        }
        if end >= match_end {
            let after = &region.bytes[(offset - region.start) as usize..];
            if newlines(after) >= wanted || end - offset >= SCAN_LIMIT {
                return Ok(region);
            }
        }
        if pos - bom >= DECODE_READ_LIMIT {
            return if end >= match_end {
                Ok(region)
            } else {
                Err(Stop::TooFar)
            };
        }
    }
}

/// Appends `src` decoded to UTF-8 to `out`.
pub(crate) fn decode(decoder: &mut Decoder, mut src: &[u8], last: bool, out: &mut Vec<u8>) {
    loop {
        let start = out.len();
        let room = decoder
            .max_utf8_buffer_length(src.len())
            .unwrap_or(src.len().saturating_mul(3).saturating_add(16));
        out.resize(start + room, 0);
        let (result, read, written, _) = decoder.decode_to_utf8(src, &mut out[start..], last);
        out.truncate(start + written);
        src = &src[read..];
        if matches!(result, CoderResult::InputEmpty) {
            return;
        }
    }
}

/// A line of the region: where it lies, and what of it is there.
struct Span {
    number: u64,
    /// Its first byte in the region, when the region holds it.
    start: Option<usize>,
    /// The end of its text (before `\r\n` or `\n`).
    end: usize,
    /// The line goes on past the region's end.
    unfinished: bool,
}

/// Where the text of the line holding byte `from` ends (`line_start` is its start, if known),
/// and where the next line starts.
fn line_end(region: &Region, from: usize, line_start: usize) -> (usize, bool, Option<usize>) {
    let bytes = &region.bytes;
    let (newline, unfinished) = match memchr::memchr(b'\n', &bytes[from..]) {
        Some(at) => (from + at, false),
        None => (bytes.len(), !region.to_end),
    };
    // A `\r` before the `\n` (or ending the file) is no part of the line (docs/CONTRACT.md).
    let end = if !unfinished && newline > line_start && bytes[newline - 1] == b'\r' {
        newline - 1
    } else {
        newline
    };
    (
        end,
        unfinished,
        (newline < bytes.len()).then_some(newline + 1),
    )
}

/// The lines to show, from the region read around the match.
fn lay_out(region: &Region, target: &PreviewTarget) -> Result<Vec<PreviewLine>, Stop> {
    let bytes = &region.bytes[..];
    let m = target
        .byte_offset
        .checked_sub(region.start)
        .and_then(|m| usize::try_from(m).ok())
        .filter(|&m| m <= bytes.len())
        .ok_or(Stop::Changed)?;
    if let Some(before) = region.newlines_before
        && before + newlines(&bytes[..m]) as u64 + 1 != target.line
    {
        return Err(Stop::Changed);
    }
    let context = context_of(target);
    // `starts[k]` is where line `target.line - k` starts.
    let mut starts = Vec::with_capacity(context + 1);
    let mut pos = m;
    while starts.len() <= context {
        match memchr::memrchr(b'\n', &bytes[..pos]) {
            Some(newline) => {
                starts.push(newline + 1);
                pos = newline;
            }
            None => {
                starts.extend(region.text_start);
                break;
            }
        }
    }
    let number = |k: usize| {
        target
            .line
            .checked_sub(k as u64)
            .filter(|&n| n > 0)
            .ok_or(Stop::Changed)
    };
    let mut spans = Vec::with_capacity(2 * context + 1);
    for k in (1..starts.len()).rev() {
        let (end, _, _) = line_end(region, starts[k], starts[k]);
        spans.push(Span {
            number: number(k)?,
            start: Some(starts[k]),
            end,
            unfinished: false,
        });
    }
    let match_start = starts.first().copied();
    if match_start.is_some_and(|s| s > m) {
        return Err(Stop::Changed);
    }
    let (end, unfinished, mut next) = line_end(region, m, match_start.unwrap_or(0));
    let matched = Span {
        number: number(0)?,
        start: match_start,
        end,
        unfinished,
    };
    // Where the line starts is known: the column must be the one the search found.
    if let Some(s) = matched.start
        && column_of(&bytes[s..matched.end.max(s)], m - s) != u64::from(target.column.max(1))
    {
        return Err(Stop::Changed);
    }
    let matched_index = spans.len();
    spans.push(matched);
    // The lines after the match's: its context, and every line a multiline match runs onto
    // (up to a bound).
    let match_end_at = m.saturating_add(usize::try_from(target.length).unwrap_or(usize::MAX));
    for k in 1.. {
        // Nothing of a line past the region's end (or past the file's last newline) is shown.
        let Some(start) = next.filter(|&s| s < bytes.len()) else {
            break;
        };
        let in_match = start < match_end_at && k <= MAX_MATCH_LINES;
        if k > context as u64 && !in_match {
            break;
        }
        let (end, unfinished, after) = line_end(region, start, start);
        spans.push(Span {
            number: target.line.saturating_add(k),
            start: Some(start),
            end,
            unfinished,
        });
        next = after;
    }

    // The match in raw bytes of its line, and the characters every line keeps.
    let line = &spans[matched_index];
    let match_at = char_start(&bytes[..line.end], m.min(line.end));
    let length = usize::try_from(target.length).unwrap_or(usize::MAX);
    let match_end = m.saturating_add(length).min(line.end).max(match_at);
    // Counting a huge match's characters is pointless past what a line shows.
    let counted_end = match_end.min(match_at.saturating_add(4 * PREVIEW_MAX_CHARS));
    let match_chars = char_count(&bytes[match_at..counted_end]).min(PREVIEW_MAX_CHARS);
    let column = (target.column.max(1) - 1) as usize;
    let window_start = if column + match_chars <= PREVIEW_MAX_CHARS {
        0
    } else {
        column - (PREVIEW_MAX_CHARS - match_chars) / 3
    };

    Ok(spans
        .iter()
        .enumerate()
        .map(|(i, span)| {
            let line = &bytes[..span.end];
            let (from, cut_before) = match span.start {
                _ if i == matched_index => {
                    let from = retreat_chars(bytes, match_at, column - window_start)
                        .max(span.start.unwrap_or(0));
                    (from, window_start > 0)
                }
                Some(start) => (
                    advance_chars(line, start, window_start),
                    window_start > 0 && span.end > start,
                ),
                None => (span.end, false),
            };
            let from = from.min(span.end);
            let to = advance_chars(line, from, PREVIEW_MAX_CHARS);
            let cut_after = to < span.end || span.unfinished;
            let highlight = if i == matched_index {
                // An empty match is shown on the character after it.
                let end = if match_end > match_at {
                    match_end
                } else {
                    advance_chars(line, match_at, 1)
                };
                Some((match_at.clamp(from, to) - from, end.clamp(from, to) - from))
            } else {
                // A line a multiline match runs onto is marked up to the match's end.
                span.start
                    .filter(|&start| i > matched_index && start < match_end_at)
                    .map(|start| {
                        let end = match_end_at.min(span.end);
                        (start.clamp(from, to) - from, end.clamp(from, to) - from)
                    })
                    .filter(|(start, end)| end > start)
            };
            shown_line(
                span.number,
                &bytes[from..to],
                cut_before,
                cut_after,
                highlight,
            )
        })
        .collect())
}

/// A line as shown: `raw` as lossy text, with `…` marks, and the raw range `highlight` mapped
/// onto the characters that show it.
fn shown_line(
    number: u64,
    raw: &[u8],
    cut_before: bool,
    cut_after: bool,
    highlight: Option<(usize, usize)>,
) -> PreviewLine {
    let (start, end) = highlight.unwrap_or((0, 0));
    let mut positions = range_ends(start, end);
    let mut text = String::with_capacity(raw.len() + 6);
    if cut_before {
        text.push('…');
    }
    let prefix = text.len();
    push_lossy_with_positions(&mut text, raw, &mut positions);
    let kept_end = text.len();
    if cut_after {
        text.push('…');
    }
    let highlight = highlight.map(|_| {
        let shown = shown_range(&text[prefix..kept_end], positions, end <= start);
        prefix + shown.start..prefix + shown.end
    });
    PreviewLine {
        number,
        text,
        highlight,
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
    /// The load under way; dropping it cancels it.
    answer: Option<Job<Result<PreviewContent, PreviewError>>>,
    /// New content arrived: the view scrolls the match into sight once.
    pub(crate) scroll_to_match: bool,
    /// The lines' viewport height last frame: when it changes the match is centred again.
    pub(crate) viewport_height: f32,
    /// Frames in which the view still puts the match's line in the middle.
    pub(crate) center_frames: u8,
    /// The panel's height last frame, in points.
    pub(crate) panel_height: u32,
    /// The remembered panel height was applied (once the window had its size).
    pub(crate) height_restored: bool,
}

impl Default for Preview {
    fn default() -> Self {
        Preview {
            target: None,
            state: PreviewState::Empty,
            answer: None,
            scroll_to_match: false,
            viewport_height: 0.0,
            center_frames: 0,
            panel_height: 0,
            height_restored: false,
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
        // Dropping the load under way cancels it.
        self.answer = None;
        self.target = target.clone();
        let Some(target) = target else {
            self.state = PreviewState::Empty;
            return;
        };
        let job = Job::spawn("trawl-preview", ctx, move |cancel| load(&target, cancel));
        self.state = match job {
            Some(job) => {
                self.answer = Some(job);
                PreviewState::Loading
            }
            None => {
                PreviewState::Failed("The preview could not start (no thread); try again.".into())
            }
        };
    }

    /// Takes the loaded lines in once the thread has sent them.
    pub fn poll(&mut self) {
        let Some(answer) = self.answer.as_ref() else {
            return;
        };
        let outcome = match answer.poll() {
            Polled::Done(outcome) => outcome,
            Polled::Running | Polled::Update(_) => return,
            Polled::Lost => Err(PreviewError::Message(
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
        // Compared field by field: nothing is allocated while the selection stays.
        let same = self.target.as_ref().is_some_and(|t| {
            t.line == view.line_number
                && t.column == view.column
                && t.byte_offset == view.byte_offset
                && t.length == view.length
                && t.context == context
                && t.path == file.path
                && t.inside_archive == results.found().inside_archive(view.file)
                && t.encoding == results.found().encoding(view.file)
        });
        if !same {
            self.show(
                Some(PreviewTarget {
                    path: file.path.to_path_buf(),
                    inside_archive: results.found().inside_archive(view.file),
                    line: view.line_number,
                    column: view.column,
                    byte_offset: view.byte_offset,
                    length: view.length,
                    context,
                    encoding: results.found().encoding(view.file),
                }),
                ctx,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{FileSearcher, SearchRequest, build_matcher};
    use std::io::Write;
    use std::io::{Seek, SeekFrom};
    use std::path::Path;
    use std::sync::Arc;

    /// Every occurrence of `pattern` in `path` as the engine reports it, as the window asks
    /// for its preview (two context lines).
    fn found_all(path: &Path, pattern: &str) -> Vec<PreviewTarget> {
        found_all_as(path, pattern, crate::search::TextEncoding::default())
    }

    /// [`found_all`] with `-E encoding`.
    fn found_all_as(
        path: &Path,
        pattern: &str,
        encoding: crate::search::TextEncoding,
    ) -> Vec<PreviewTarget> {
        let mut request = SearchRequest::new(".", Vec::new(), pattern);
        request.options.encoding = encoding;
        let matcher = build_matcher(&request).expect("pattern");
        let mut searcher = FileSearcher::new(&request, matcher, Arc::new(AtomicBool::new(false)));
        let found = searcher.search_path(path).expect("searched");
        let encoding = found.encoding;
        found
            .lines
            .iter()
            .flat_map(|line| {
                line.occurrences.iter().map(move |o| PreviewTarget {
                    path: path.to_path_buf(),
                    inside_archive: false,
                    line: line.line_number,
                    column: u32::try_from(o.column).expect("small column"),
                    byte_offset: o.byte_offset.expect("offsets asked for"),
                    length: o.length,
                    context: 2,
                    encoding,
                })
            })
            .collect()
    }

    fn found(path: &Path, pattern: &str) -> PreviewTarget {
        found_all(path, pattern)
            .into_iter()
            .next()
            .expect("the pattern is in the file")
    }

    /// A target given by hand, for files too large to search in a unit test.
    fn at(path: &Path, line: u64, column: u32, byte_offset: u64, length: u64) -> PreviewTarget {
        PreviewTarget {
            path: path.to_path_buf(),
            inside_archive: false,
            line,
            column,
            byte_offset,
            length,
            context: 2,
            encoding: None,
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

    fn message(outcome: Result<PreviewContent, PreviewError>) -> String {
        match outcome {
            Err(PreviewError::Message(message)) => message,
            other => panic!("a message, not {other:?}"),
        }
    }

    #[test]
    fn context_lines_surround_the_match_and_it_is_highlighted() {
        let file = file_with(b"one\ntwo\nthree foo\r\nfour\nfive\nsix\n");
        let content = load(&found(file.path(), "foo"), &never()).expect("loads");
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
        let targets = found_all(file.path(), "foo");
        let first = load(&targets[0], &never()).expect("loads");
        assert_eq!(lines(&first), [(1, "é foo"), (2, "b"), (3, "c")]);
        assert_eq!(highlighted(&first), ["foo"]);
        let last = load(&targets[1], &never()).expect("loads");
        assert_eq!(lines(&last), [(3, "c"), (4, "d"), (5, "last foo")]);
        assert_eq!(highlighted(&last), ["foo"]);
    }

    #[test]
    fn a_long_line_is_cut_around_the_match() {
        let long = format!("{}needle{}", "a".repeat(10_000), "b".repeat(10_000));
        let file = file_with(format!("short\n{long}\n{}\n", "c".repeat(600)).as_bytes());
        let content = load(&found(file.path(), "needle"), &never()).expect("loads");
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
        let content = load(&found(file.path(), "d"), &never()).expect("loads");
        assert_eq!(
            content.lines[0].text,
            format!("{}…", "c".repeat(PREVIEW_MAX_CHARS))
        );
    }

    #[test]
    fn a_missing_file_says_it_is_gone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gone.rs");
        let message = message(load(&at(&path, 1, 1, 0, 1), &never()));
        assert!(message.contains("gone.rs: the file is gone"), "{message}");
    }

    #[test]
    fn a_file_that_got_shorter_says_it_changed() {
        let file = file_with(b"a\nb\nlast foo\n");
        let target = found(file.path(), "foo");
        std::fs::write(file.path(), b"a\nb\n").expect("shrink");
        let message = message(load(&target, &never()));
        assert!(
            message.contains("the file changed since the search"),
            "{message}"
        );
        // Still long enough, but the match's line moved: the line and column are checked.
        std::fs::write(file.path(), b"a\nb\nc\nlast foo\n").expect("rewrite");
        let message = self::message(load(&target, &never()));
        assert!(
            message.contains("the file changed since the search"),
            "{message}"
        );
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
        let content = load(&at(file.path(), 3, 1, 200, 1), &never()).expect("loads");
        assert_eq!(content.lines.len(), 5);
        assert!(
            content.bytes_read <= READ_CHUNK as u64,
            "read {} bytes",
            content.bytes_read
        );
        // A single 20 MB line: the match's window is kept, only a bounded part read.
        let huge = file_with(format!("{}needle\n", "y".repeat(20_000_000)).as_bytes());
        let content =
            load(&at(huge.path(), 1, 20_000_001, 20_000_000, 6), &never()).expect("loads");
        assert_eq!(highlighted(&content), ["needle"]);
        assert!(content.lines[0].text.len() < 4 * PREVIEW_MAX_CHARS);
        assert!(content.bytes_read < 1 << 20, "read {}", content.bytes_read);
    }

    #[test]
    fn a_match_near_the_end_of_a_200_mb_file_reads_only_around_it() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        // Sparse: no newline in the first 200 MB, so the lines below are lines 1 to 6.
        let hole = 200 * 1024 * 1024;
        file.as_file().set_len(hole).expect("set_len");
        file.as_file_mut()
            .seek(SeekFrom::Start(hole))
            .expect("seek");
        file.write_all(b"one\ntwo\nthree\nthe needle here\nfive\nsix\nseven\n")
            .expect("write");
        let offset = hole + b"one\ntwo\nthree\nthe ".len() as u64;
        let content = load(&at(file.path(), 4, 5, offset, 6), &never()).expect("loads");
        assert_eq!(
            lines(&content),
            [
                (2, "two"),
                (3, "three"),
                (4, "the needle here"),
                (5, "five"),
                (6, "six")
            ]
        );
        assert_eq!(highlighted(&content), ["needle"]);
        assert!(content.bytes_read < 1 << 20, "read {}", content.bytes_read);
    }

    #[test]
    fn context_around_matches_equals_reading_the_whole_file() {
        // Lines of varied lengths (some over the cut, some several chunks long), with
        // multi-byte characters, CRLFs and stray bytes, and a needle on some of them.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let pieces: [&[u8]; 5] = [b"a", b"bc ", "é".as_bytes(), "日".as_bytes(), b"\xff"];
        let mut text = Vec::new();
        for i in 0..400 {
            let len = match next(10) {
                0 => next(70_000),
                1..=2 => next(700),
                _ => next(80),
            };
            for _ in 0..len {
                text.extend_from_slice(pieces[next(5) as usize]);
            }
            if (150..250).contains(&i) && i % 7 == 0 {
                text.extend_from_slice(b"needle");
            }
            text.extend_from_slice(if next(4) == 0 { b"\r\n" } else { b"\n" });
        }
        let file = file_with(&text);
        let whole: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
        let targets = found_all(file.path(), "needle");
        assert!(targets.len() > 10);
        for mut target in targets {
            target.context = MAX_CONTEXT_LINES;
            let content = load(&target, &never()).expect("loads");
            let match_line = target.line as usize;
            let column = target.column as usize - 1;
            for line in &content.lines {
                let raw = whole[line.number as usize - 1];
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                // The reference: the line's characters in the match's window, by a plain walk.
                let chars: Vec<&[u8]> = raw
                    .utf8_chunks()
                    .flat_map(|c| {
                        let valid = c.valid();
                        valid
                            .char_indices()
                            .map(move |(i, ch)| &valid.as_bytes()[i..i + ch.len_utf8()])
                            .chain(c.invalid().chunks(1))
                    })
                    .collect();
                let start = if column + 6 <= PREVIEW_MAX_CHARS {
                    0
                } else {
                    column - (PREVIEW_MAX_CHARS - 6) / 3
                };
                let end = (start + PREVIEW_MAX_CHARS).min(chars.len());
                let mut expected = String::new();
                if start > 0 && !chars.is_empty() {
                    expected.push('…');
                }
                if start < end {
                    expected.push_str(&String::from_utf8_lossy(&chars[start..end].concat()));
                }
                if end < chars.len() {
                    expected.push('…');
                }
                assert_eq!(
                    line.text, expected,
                    "line {} of match {target:?}",
                    line.number
                );
            }
            let numbers: Vec<u64> = content.lines.iter().map(|l| l.number).collect();
            let first = match_line.saturating_sub(MAX_CONTEXT_LINES).max(1) as u64;
            let last = (match_line + MAX_CONTEXT_LINES).min(whole.len() - 1) as u64;
            // Lines beyond the scan limit may be left out, never lines within it.
            let reachable: Vec<u64> = (first..=last)
                .filter(|&n| {
                    let from: usize = whole[..n as usize - 1].iter().map(|l| l.len() + 1).sum();
                    let to = from + whole[n as usize - 1].len();
                    let offset = target.byte_offset as usize;
                    offset.abs_diff(from) < SCAN_LIMIT as usize / 2
                        && offset.abs_diff(to) < SCAN_LIMIT as usize / 2
                })
                .collect();
            assert!(
                reachable.iter().all(|n| numbers.contains(n)),
                "{numbers:?} holds {reachable:?}"
            );
            assert_eq!(highlighted(&content), ["needle"], "{target:?}");
        }
    }

    #[test]
    fn a_ten_megabyte_line_shows_a_window_around_the_match_reading_a_bounded_part() {
        let half = 5_000_000;
        let file = file_with(
            format!(
                "before\n{}needle{}\nafter\n",
                "y".repeat(half),
                "z".repeat(half)
            )
            .as_bytes(),
        );
        let offset = 7 + half as u64;
        let content =
            load(&at(file.path(), 2, half as u32 + 1, offset, 6), &never()).expect("loads");
        let line = content
            .lines
            .iter()
            .find(|l| l.number == 2)
            .expect("the match's line");
        assert!(line.text.starts_with('…') && line.text.ends_with('…'));
        assert_eq!(line.text.chars().count(), PREVIEW_MAX_CHARS + 2);
        assert_eq!(highlighted(&content), ["needle"]);
        assert!(
            content.bytes_read <= 2 * SCAN_LIMIT + 2 * READ_CHUNK as u64,
            "read {}",
            content.bytes_read
        );
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            bytes.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        bytes
    }

    #[test]
    fn utf16_files_show_decoded_lines_with_the_highlight() {
        for big_endian in [false, true] {
            let text = "first é line\r\nsecond\n日本 and foo here\nfourth\nfifth\nsixth\n";
            let file = file_with(&utf16(text, big_endian));
            let content = load(&found(file.path(), "foo"), &never()).expect("loads");
            assert_eq!(
                lines(&content),
                [
                    (1, "first é line"),
                    (2, "second"),
                    (3, "日本 and foo here"),
                    (4, "fourth"),
                    (5, "fifth")
                ],
                "big endian: {big_endian}"
            );
            assert_eq!(highlighted(&content), ["foo"]);
        }
    }

    #[test]
    fn a_utf16_match_past_the_read_limit_says_so_instead_of_decoding_the_file() {
        use std::io::{Seek, SeekFrom};
        // A BOM, 66 MiB of (sparse) zero units, then the match: past DECODE_READ_LIMIT.
        let mut file = file_with(b"\xFF\xFE");
        let zeros = DECODE_READ_LIMIT + (2 << 20);
        file.as_file().set_len(2 + zeros).expect("sparse file");
        file.seek(SeekFrom::End(0)).expect("seek");
        file.write_all(&utf16("foo\n", false)[2..]).expect("write");
        // Offsets are in the decoded text: one byte per zero unit.
        let offset = zeros / 2;
        let mut target = at(file.path(), 1, offset as u32 + 1, offset, 3);
        target.encoding = Some(encoding_rs::UTF_16LE);
        let message = message(load(&target, &never()));
        assert!(
            message.contains("preview not available this far into a UTF-16LE file")
                && message.contains("64 MiB"),
            "{message}"
        );
    }

    #[test]
    fn a_legacy_encoded_file_is_shown_decoded_with_the_highlight_on_the_match() {
        use crate::search::TextEncoding;
        // Windows-1252: one byte per character, so offsets in the decoded text (two bytes for
        // `é`) run ahead of the file's; Shift_JIS: two bytes per kanji, three decoded.
        let latin = "caf\u{e9} na\u{ef}ve\r\nline two caf\u{e9} foo\nthird\nfourth\n";
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(latin);
        let japanese = "日本語のテキスト\n二行目 日本語 foo です\n三行目\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(japanese);
        for (bytes, encoding, expected) in [
            (
                cp1252.into_owned(),
                encoding_rs::WINDOWS_1252,
                vec![
                    (1, "café naïve"),
                    (2, "line two café foo"),
                    (3, "third"),
                    (4, "fourth"),
                ],
            ),
            (
                sjis.into_owned(),
                encoding_rs::SHIFT_JIS,
                vec![
                    (1, "日本語のテキスト"),
                    (2, "二行目 日本語 foo です"),
                    (3, "三行目"),
                ],
            ),
        ] {
            let file = file_with(&bytes);
            for choice in [TextEncoding::Auto, TextEncoding::Named(encoding)] {
                let targets = found_all_as(file.path(), "foo", choice);
                let [target] = &targets[..] else {
                    panic!("one match: {targets:?}");
                };
                assert_eq!(target.encoding, Some(encoding), "{choice}");
                let content = load(target, &never()).expect("loads");
                assert_eq!(lines(&content), expected, "{choice}");
                assert_eq!(highlighted(&content), ["foo"]);
            }
            // A non-ASCII match, and one on the first line.
            let word = if encoding == encoding_rs::SHIFT_JIS {
                "日本語"
            } else {
                "café"
            };
            let targets = found_all_as(file.path(), word, TextEncoding::Auto);
            assert_eq!(targets.len(), 2);
            for target in &targets {
                let content = load(target, &never()).expect("loads");
                assert_eq!(highlighted(&content), [word]);
            }
        }
    }

    #[test]
    fn a_utf8_bom_is_not_shown() {
        let file = file_with(b"\xEF\xBB\xBFfirst foo\nsecond foo\n");
        let targets = found_all(file.path(), "foo");
        let content = load(&targets[0], &never()).expect("loads");
        assert_eq!(lines(&content), [(1, "first foo"), (2, "second foo")]);
        assert_eq!(highlighted(&content), ["foo"]);
        let content = load(&targets[1], &never()).expect("loads");
        assert_eq!(content.lines[0].text, "first foo");
        assert_eq!(content.lines[1].highlight, Some(7..10));
    }

    #[test]
    fn the_highlight_sits_on_the_match_after_invalid_bytes() {
        // `\xe6\x97` is one U+FFFD shown but two columns counted.
        let file = file_with(b"ok\na\xff\xfe\xe6\x97 foo x\n");
        let target = found(file.path(), "foo");
        assert_eq!(target.column, 7, "each invalid byte is a column");
        let content = load(&target, &never()).expect("loads");
        assert_eq!(content.lines[1].text, "a\u{fffd}\u{fffd}\u{fffd} foo x");
        assert_eq!(highlighted(&content), ["foo"]);
        // Far right, where the line is cut to a window.
        let mut long = b"a\xff\xfe\xe6\x97".repeat(300);
        long.extend_from_slice(b"foo\n");
        let file = file_with(&long);
        let content = load(&found(file.path(), "foo"), &never()).expect("loads");
        assert_eq!(highlighted(&content), ["foo"]);
    }

    #[test]
    fn a_cancelled_load_stops() {
        let file = file_with(b"a\n");
        let cancelled = AtomicBool::new(true);
        assert_eq!(
            load(&at(file.path(), 1, 1, 0, 1), &cancelled),
            Err(PreviewError::Cancelled)
        );
    }
}
