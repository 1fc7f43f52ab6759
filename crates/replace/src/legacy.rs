//! A file the search decoded from a legacy encoding (Windows-1252, Shift_JIS, EUC-JP, GBK,
//! GB18030, Big5, EUC-KR, …) rewritten in that encoding, every byte outside the replaced
//! matches kept as it was.
//!
//! Decoding the whole text, replacing and encoding it back would not keep those bytes: a byte
//! the encoding does not map decodes to U+FFFD, which cannot be encoded back into it, and some
//! encodings have two byte forms of one character. So the file's own bytes are copied, and
//! only each replacement is encoded. That needs each match's start and end in the file's
//! bytes, while the search reported them in the decoded text: [`Decoding`] reads the file
//! through encoding_rs's decoder exactly as the search did and finds them on the way.
//!
//! What makes that exact is a property of these encodings, checked for every encoding this
//! writes by a test below: a byte below `0` (0x30: controls, `\n`, `\r`, space, most ASCII
//! punctuation) is never the second or a later byte of a character, so after it the decoder
//! holds nothing back, and the text decoded so far is exactly that of the bytes read so far.
//! Such a point is *clean*: decoding may start there afresh. A `\n` byte decodes to the one
//! `\n` character, so a line of the decoded text is found in the bytes by counting line ends;
//! within its line a match's offset is found by decoding again from the line's start, a stretch
//! ending at a clean byte at a time, then byte by byte within the stretch that holds it.
//!
//! And nothing is written on trust: the bytes written are decoded again as they are written
//! ([`Reread`]) and must give exactly the replaced text. This catches what no position can:
//! a byte beside a match that is not valid in the encoding (shown as U+FFFD) may join the first
//! byte of the replacement into another character. Such a file is left alone, and said why.
//!
//! The decoding reader and the writing sink share what the first learns ([`Track`]): the
//! bytes read but not yet written, the clean points and the matches' byte offsets. Memory is
//! the rewrite's window and the stretch since the last clean point, never the file.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::ops::Range;
use std::rc::Rc;

use encoding_rs::{CoderResult, Decoder, Encoding};
use memchr::{memchr, memrchr};

use crate::rewrite::{RewriteError, TextSink};
use crate::{PlannedMatch, SkipReason};

/// Bytes read from the file at a time.
const CHUNK: usize = 64 << 10;
/// A stretch without a line end is cut at its last clean byte once it is this long.
const LONG_STRETCH: usize = 64 << 10;
/// A file with this many bytes in a row without a clean byte is left alone: its bytes cannot
/// be copied until the next clean point, and memory is bounded.
const MAX_UNCLEAN: usize = 16 << 20;

/// Whether a file decoded from `encoding` can be written back here: an encoding that keeps
/// ASCII as it is and has no state across characters (not UTF-16, whose files are re-encoded
/// whole; not ISO-2022-JP, where a byte's character depends on the escape sequence before it;
/// not the "replacement" encoding, which decodes any file to one U+FFFD).
pub(crate) fn writable(encoding: &'static Encoding) -> bool {
    encoding.is_ascii_compatible()
        && encoding != encoding_rs::UTF_8
        && encoding.output_encoding() == encoding
}

/// A byte after which the decoder of `encoding` holds nothing back (see the module's doc).
fn clean(encoding: &'static Encoding, byte: u8) -> bool {
    byte < b'0' || encoding.is_single_byte()
}

/// What the reader has learnt and the sink needs.
#[derive(Default)]
struct Track {
    /// The file's bytes from `base` on, decoded but not yet written out.
    raw: Vec<u8>,
    base: u64,
    /// Clean points: (offset in the decoded text, offset in the file), in order.
    clean: VecDeque<(u64, u64)>,
    /// The matches' starts and ends: (offset in the decoded text, offset in the file).
    boundaries: VecDeque<(u64, u64)>,
    /// The file's end, once read: (its decoded length, its length).
    end: Option<(u64, u64)>,
}

/// The reader and the sink of a legacy file's rewrite: the reader gives the decoded text to
/// [`crate::rewrite::rewrite`], the sink writes the file's bytes and the encoded replacements
/// to `out`. `source` is the file from its first byte (it has no byte-order mark).
pub(crate) fn rewriter<R: Read, W: Write>(
    source: R,
    out: W,
    encoding: &'static Encoding,
    matches: &[PlannedMatch],
) -> (Decoding<R>, Sink<W>) {
    let mut wanted: Vec<u64> = matches
        .iter()
        .flat_map(|m| [m.offset, m.offset.saturating_add(m.length)])
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let track = Rc::new(RefCell::new(Track::default()));
    let reader = Decoding {
        inner: source,
        encoding,
        decoder: encoding.new_decoder_without_bom_handling(),
        track: Rc::clone(&track),
        wanted: wanted.into(),
        pending: Vec::new(),
        text: Vec::new(),
        served: 0,
        decoded: 0,
        consumed: 0,
        eof: false,
    };
    let sink = Sink {
        out,
        encoding,
        track,
        written_to: 0,
        encoded: Vec::new(),
        reread: Reread::new(encoding),
    };
    (reader, sink)
}

/// Reads a file's bytes and gives its decoded text, as the search decoded it (encoding_rs's
/// decoder, malformed bytes as U+FFFD), learning clean points and the matches' byte offsets.
pub(crate) struct Decoding<R> {
    inner: R,
    encoding: &'static Encoding,
    decoder: Decoder,
    track: Rc<RefCell<Track>>,
    /// Offsets in the decoded text whose byte offsets are still to be found, in order.
    wanted: VecDeque<u64>,
    /// Bytes read and not yet decoded: they do not end at a clean point yet.
    pending: Vec<u8>,
    /// Decoded text not yet given out, from `served`.
    text: Vec<u8>,
    served: usize,
    /// The decoded length and the byte length of what has been decoded.
    decoded: u64,
    consumed: u64,
    eof: bool,
}

impl<R: Read> Decoding<R> {
    /// Decodes the next stretch that ends at a clean point (or the file's end); false at the
    /// end.
    fn refill(&mut self) -> io::Result<bool> {
        loop {
            if self.eof {
                return Ok(false);
            }
            let had = self.pending.len();
            self.pending.resize(had + CHUNK, 0);
            let n = loop {
                match self.inner.read(&mut self.pending[had..]) {
                    Ok(n) => break n,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    Err(err) => {
                        self.pending.truncate(had);
                        return Err(err);
                    }
                }
            };
            self.pending.truncate(had + n);
            let last = n == 0;
            // Every byte of a single-byte encoding is a clean point.
            let cut = if last || self.encoding.is_single_byte() {
                self.pending.len()
            } else if let Some(at) = memrchr(b'\n', &self.pending[had..]) {
                // The bytes before `had` held no line end when they were read.
                had + at + 1
            } else if self.pending.len() >= LONG_STRETCH {
                // Bytes before `had` were looked through when they were this many already.
                let from = if had >= LONG_STRETCH { had } else { 0 };
                let last_clean = self.pending[from..]
                    .iter()
                    .rposition(|&b| clean(self.encoding, b));
                match last_clean {
                    Some(at) => from + at + 1,
                    None if self.pending.len() > MAX_UNCLEAN => {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!(
                                "its {} text has {} MiB in a row without a line end, a space \
                                 or other ASCII byte below '0', so its bytes cannot be matched \
                                 to the text the search saw",
                                self.encoding.name(),
                                MAX_UNCLEAN >> 20
                            ),
                        ));
                    }
                    None => 0,
                }
            } else {
                0
            };
            if cut == 0 && !last {
                continue;
            }
            self.decode_stretch(cut, last)?;
            self.eof = last;
            if !self.text.is_empty() || last {
                return Ok(!self.text.is_empty());
            }
        }
    }

    /// Decodes `pending[..cut]`, which ends at a clean point or, `last`, the file's end, and
    /// finds the byte offsets of the wanted offsets in it.
    fn decode_stretch(&mut self, cut: usize, last: bool) -> io::Result<()> {
        let bytes = &self.pending[..cut];
        self.text.clear();
        self.served = 0;
        self.text.resize(
            self.decoder
                .max_utf8_buffer_length(bytes.len())
                .unwrap_or(bytes.len().saturating_mul(3))
                + 16,
            0,
        );
        let mut read = 0;
        let mut written = 0;
        loop {
            let (result, r, w, _) =
                self.decoder
                    .decode_to_utf8(&bytes[read..], &mut self.text[written..], last);
            read += r;
            written += w;
            match result {
                CoderResult::InputEmpty => break,
                CoderResult::OutputFull => {
                    let room = self.text.len() + CHUNK;
                    self.text.resize(room, 0);
                }
            }
        }
        self.text.truncate(written);
        let (d0, r0) = (self.decoded, self.consumed);
        let d1 = d0 + written as u64;
        let mut found = Vec::new();
        let mut locator = Locator::new(self.encoding, bytes, &self.text, last);
        while let Some(&at) = self.wanted.front() {
            if at > d1 {
                break;
            }
            self.wanted.pop_front();
            let byte = at
                .checked_sub(d0)
                .and_then(|within| locator.locate(within as usize))
                .ok_or_else(|| unmapped(self.encoding, at))?;
            found.push((at, r0 + byte));
        }
        let mut track = self.track.borrow_mut();
        track.raw.extend_from_slice(bytes);
        track.boundaries.extend(found);
        track.clean.push_back((d1, r0 + cut as u64));
        if last {
            track.end = Some((d1, r0 + cut as u64));
        }
        drop(track);
        self.pending.drain(..cut);
        self.decoded = d1;
        self.consumed += cut as u64;
        Ok(())
    }
}

fn unmapped(encoding: &'static Encoding, at: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "the place of byte {at} of its decoded text in its {} bytes cannot be found \
             exactly (it is inside what the decoder read as one sequence)",
            encoding.name()
        ),
    )
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.served == self.text.len() && !self.refill()? {
            return Ok(0);
        }
        let n = out.len().min(self.text.len() - self.served);
        out[..n].copy_from_slice(&self.text[self.served..self.served + n]);
        self.served += n;
        Ok(n)
    }
}

/// Finds the byte offsets of offsets in a stretch's decoded text, in order, walking forward
/// only (a stretch may hold many matches): line by line, then within the line from the last
/// clean point passed.
struct Locator<'s> {
    encoding: &'static Encoding,
    /// A stretch starting at a clean point, and its decoded text.
    bytes: &'s [u8],
    text: &'s [u8],
    /// The stretch ends the file.
    last: bool,
    /// The current line's end (after its `\n`, or the stretch's end), in the text and bytes.
    line_end: (usize, usize),
    /// The last clean point passed in the current line, in the text and bytes.
    clean: (usize, usize),
    /// The stretch from `clean` to the next clean point, once an offset was looked for in it.
    stretch: Option<Stretch>,
    scratch: Vec<u8>,
}

impl<'s> Locator<'s> {
    fn new(encoding: &'static Encoding, bytes: &'s [u8], text: &'s [u8], last: bool) -> Self {
        let mut locator = Locator {
            encoding,
            bytes,
            text,
            last,
            line_end: (0, 0),
            clean: (0, 0),
            stretch: None,
            scratch: Vec::new(),
        };
        locator.line_end = locator.end_of_line((0, 0));
        locator
    }

    /// The end of the line starting at `start`: as many line ends in the bytes as in the text
    /// (a `\n` byte is always the `\n` character). A line end found in one and not the other
    /// ends both at the stretch's end (a later offset there is then not found).
    fn end_of_line(&self, start: (usize, usize)) -> (usize, usize) {
        match (
            memchr(b'\n', &self.text[start.0..]),
            memchr(b'\n', &self.bytes[start.1..]),
        ) {
            (Some(t), Some(b)) => (start.0 + t + 1, start.1 + b + 1),
            _ => (self.text.len(), self.bytes.len()),
        }
    }

    /// The byte offset of `at`, an offset in the text not before the last one asked; `None`
    /// when `at` is inside what the decoder read as one sequence and gave as several characters
    /// at once.
    fn locate(&mut self, at: usize) -> Option<u64> {
        // `text` is UTF-8: `at` must not be inside a character.
        if at > self.text.len() || self.text.get(at).is_some_and(|&b| b & 0xC0 == 0x80) {
            return None;
        }
        if self.encoding.is_single_byte() {
            // One character a byte.
            let (offset, start) = self.clean;
            let characters = self.text.get(offset..at)?;
            let characters = characters.iter().filter(|&&b| b & 0xC0 != 0x80).count();
            self.clean = (at, start + characters);
            return Some(self.clean.1 as u64);
        }
        while at >= self.line_end.0 && self.line_end.0 < self.text.len() {
            self.clean = self.line_end;
            self.line_end = self.end_of_line(self.line_end);
        }
        if at < self.clean.0 {
            return None;
        }
        loop {
            let (offset, start) = self.clean;
            if offset == at {
                return Some(start as u64);
            }
            if start == self.line_end.1 {
                return None;
            }
            let stretch = match &mut self.stretch {
                Some(stretch) if stretch.start == start => stretch,
                slot => {
                    let end = self.bytes[start..self.line_end.1]
                        .iter()
                        .position(|&b| clean(self.encoding, b))
                        .map_or(self.line_end.1, |i| start + i + 1);
                    let ends_file = self.last && end == self.bytes.len();
                    let mut decoder = self.encoding.new_decoder_without_bom_handling();
                    decode_into(
                        &mut decoder,
                        &self.bytes[start..end],
                        ends_file,
                        &mut self.scratch,
                    );
                    slot.insert(Stretch {
                        start,
                        end,
                        len: self.scratch.len(),
                        ends_file,
                        bytes: ByteByByte::new(self.encoding),
                    })
                }
            };
            if at < offset + stretch.len {
                // The next offset asked may be in this stretch too: it stays the last passed.
                let bytes = &self.bytes[start..stretch.end];
                return stretch
                    .bytes
                    .locate(bytes, stretch.ends_file, at - offset)
                    .map(|i| (start + i) as u64);
            }
            self.clean = (offset + stretch.len, stretch.end);
        }
    }
}

/// The stretch (from a clean point to the next) a [`Locator`] is in.
struct Stretch {
    start: usize,
    end: usize,
    /// Its decoded length.
    len: usize,
    /// It ends the file.
    ends_file: bool,
    bytes: ByteByByte,
}

/// [`Locator::locate`] within a stretch that starts at a clean point: its bytes fed to a new
/// decoder one at a time, each offset's byte offset the byte before which the decoder had given
/// exactly that much text. When one byte makes the decoder give several characters at once (a
/// malformed sequence, then the ASCII bytes it did not take, read again) and an offset falls
/// among them, the characters after it must be those last ASCII bytes. Offsets are asked in
/// order, and the decoder goes on from where the last one left it.
struct ByteByByte {
    decoder: Decoder,
    /// Bytes fed.
    fed: usize,
    /// Text given for them.
    offset: usize,
    /// The text the last byte fed gave, which ends at `offset`.
    burst: Vec<u8>,
    flushed: bool,
}

impl ByteByByte {
    fn new(encoding: &'static Encoding) -> Self {
        ByteByByte {
            decoder: encoding.new_decoder_without_bom_handling(),
            fed: 0,
            offset: 0,
            burst: Vec::new(),
            flushed: false,
        }
    }

    /// The byte offset in `bytes` (the stretch; `last`: it ends the file) of `at`, an offset
    /// in its text not before the last one asked.
    fn locate(&mut self, bytes: &[u8], last: bool, at: usize) -> Option<usize> {
        loop {
            if at == self.offset {
                return Some(self.fed);
            }
            if at < self.offset {
                let burst_start = self.offset - self.burst.len();
                let after = self.burst.get(at.checked_sub(burst_start)?..)?;
                let read = &bytes[..self.fed];
                return (after.is_ascii() && read.ends_with(after))
                    .then(|| read.len() - after.len());
            }
            if self.fed < bytes.len() {
                let byte = &bytes[self.fed..=self.fed];
                decode_into(&mut self.decoder, byte, false, &mut self.burst);
                self.fed += 1;
            } else if last && !self.flushed {
                decode_into(&mut self.decoder, b"", true, &mut self.burst);
                self.flushed = true;
            } else {
                return None;
            }
            self.offset += self.burst.len();
        }
    }
}

/// Decodes `bytes` with `decoder` into `out` (cleared first), malformed bytes as U+FFFD.
fn decode_into(decoder: &mut Decoder, bytes: &[u8], last: bool, out: &mut Vec<u8>) {
    out.clear();
    let room = decoder
        .max_utf8_buffer_length(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3))
        + 16;
    out.resize(room, 0);
    let (mut read, mut written) = (0, 0);
    loop {
        let (result, r, w, _) = decoder.decode_to_utf8(&bytes[read..], &mut out[written..], last);
        read += r;
        written += w;
        match result {
            CoderResult::InputEmpty => break,
            CoderResult::OutputFull => out.resize(out.len() + 64, 0),
        }
    }
    out.truncate(written);
}

/// Writes a legacy file's bytes, each replaced match's bytes given way to its encoded
/// replacement, and checks that what it wrote decodes to the replaced text.
pub(crate) struct Sink<W> {
    out: W,
    encoding: &'static Encoding,
    track: Rc<RefCell<Track>>,
    /// The file's bytes before this offset are written out (or replaced).
    written_to: u64,
    encoded: Vec<u8>,
    reread: Reread,
}

impl<W: Write> Sink<W> {
    /// Writes the file's bytes after the last match, checks the whole and gives `out` back.
    pub(crate) fn finish(mut self) -> Result<W, RewriteError> {
        let end = self.track.borrow().end;
        let Some((_, end)) = end else {
            return Err(internal("the file was not read to its end"));
        };
        self.copy_to(end)?;
        self.reread.check(&[], true)?;
        self.reread.at_end()?;
        self.out.flush().map_err(RewriteError::Write)?;
        Ok(self.out)
    }

    /// The offset in the file of `at`, a match's start or end in the decoded text.
    fn byte_offset(&mut self, at: u64) -> Result<u64, RewriteError> {
        let mut track = self.track.borrow_mut();
        while track.boundaries.front().is_some_and(|&(text, _)| text < at) {
            track.boundaries.pop_front();
        }
        match track.boundaries.front() {
            Some(&(text, byte)) if text == at => Ok(byte),
            _ => Err(internal(
                "a match's place in the file's bytes was not found",
            )),
        }
    }

    /// Writes the file's bytes up to `to`.
    fn copy_to(&mut self, to: u64) -> Result<(), RewriteError> {
        if to <= self.written_to {
            return Ok(());
        }
        let track = Rc::clone(&self.track);
        let track = track.borrow();
        let from = (self.written_to - track.base) as usize;
        let upto = (to - track.base) as usize;
        let Some(bytes) = track.raw.get(from..upto) else {
            return Err(internal("the file's bytes to copy were not kept"));
        };
        self.out.write_all(bytes).map_err(RewriteError::Write)?;
        self.reread.check(bytes, false)?;
        drop(track);
        self.skip_to(to);
        Ok(())
    }

    /// Lets go of the file's bytes before `to`, written or replaced.
    fn skip_to(&mut self, to: u64) {
        self.written_to = self.written_to.max(to);
        let mut track = self.track.borrow_mut();
        let done = (self.written_to - track.base) as usize;
        if done >= CHUNK && done * 2 >= track.raw.len() {
            track.raw.drain(..done);
            track.base += done as u64;
        }
    }
}

impl<W: Write> TextSink for Sink<W> {
    fn keep(&mut self, text: &[u8], end: u64) -> Result<(), RewriteError> {
        self.reread.expect(text);
        let mut upto = None;
        {
            let mut track = self.track.borrow_mut();
            while let Some(&(at, byte)) = track.clean.front() {
                if at > end {
                    break;
                }
                upto = Some(byte);
                track.clean.pop_front();
            }
        }
        match upto {
            Some(byte) => self.copy_to(byte),
            None => Ok(()),
        }
    }

    fn replace(&mut self, matched: Range<u64>, replacement: &[u8]) -> Result<(), RewriteError> {
        let start = self.byte_offset(matched.start)?;
        let end = self.byte_offset(matched.end)?;
        self.copy_to(start)?;
        self.skip_to(end);
        self.reread.last_match = Some(matched.start);
        encode(self.encoding, replacement, &mut self.encoded)?;
        self.reread.expect(replacement);
        self.out
            .write_all(&self.encoded)
            .map_err(RewriteError::Write)?;
        self.reread.check(&self.encoded, false)
    }
}

/// Encodes `text` (a replacement) into `out`, refusing a character `encoding` cannot hold
/// rather than writing a stand-in for it.
fn encode(encoding: &'static Encoding, text: &[u8], out: &mut Vec<u8>) -> Result<(), RewriteError> {
    let text = std::str::from_utf8(text).map_err(|_| {
        RewriteError::Skip(SkipReason::Undecodable(
            "the replacement is not valid Unicode".into(),
        ))
    })?;
    let mut encoder = encoding.new_encoder();
    out.clear();
    let room = encoder
        .max_buffer_length_from_utf8_without_replacement(text.len())
        .unwrap_or(text.len().saturating_mul(4))
        + 16;
    out.resize(room, 0);
    let (mut read, mut written) = (0, 0);
    loop {
        let (result, r, w) =
            encoder.encode_from_utf8_without_replacement(&text[read..], &mut out[written..], true);
        read += r;
        written += w;
        match result {
            encoding_rs::EncoderResult::InputEmpty => break,
            encoding_rs::EncoderResult::OutputFull => out.resize(out.len() + 64, 0),
            encoding_rs::EncoderResult::Unmappable(character) => {
                return Err(RewriteError::Skip(SkipReason::Unencodable {
                    character,
                    encoding: encoding.name(),
                }));
            }
        }
    }
    out.truncate(written);
    Ok(())
}

fn internal(what: &str) -> RewriteError {
    RewriteError::Skip(SkipReason::Undecodable(format!(
        "writing it back in its encoding went wrong ({what})"
    )))
}

/// Decodes the bytes as they are written and checks them against the replaced text: the file
/// written must read, decoded, exactly as the rewrite meant it to.
struct Reread {
    encoding: &'static Encoding,
    decoder: Decoder,
    /// The replaced text from `checked` on, not yet matched by bytes written.
    expected: Vec<u8>,
    checked: usize,
    /// The offset in the replaced text of `expected[checked]`, for a message.
    offset: u64,
    /// The original offset of the last match replaced, for a message.
    last_match: Option<u64>,
    scratch: Vec<u8>,
}

impl Reread {
    fn new(encoding: &'static Encoding) -> Self {
        Reread {
            encoding,
            decoder: encoding.new_decoder_without_bom_handling(),
            expected: Vec::new(),
            checked: 0,
            offset: 0,
            last_match: None,
            scratch: Vec::new(),
        }
    }

    fn expect(&mut self, text: &[u8]) {
        if self.checked >= CHUNK && self.checked * 2 >= self.expected.len() {
            self.expected.drain(..self.checked);
            self.checked = 0;
        }
        self.expected.extend_from_slice(text);
    }

    /// Decodes `bytes`, the next written, and checks their text.
    fn check(&mut self, bytes: &[u8], last: bool) -> Result<(), RewriteError> {
        decode_into(&mut self.decoder, bytes, last, &mut self.scratch);
        let got = &self.scratch[..];
        let want = &self.expected[self.checked..];
        let same = want.len() >= got.len() && want[..got.len()] == *got;
        if !same {
            let at = got.iter().zip(want).take_while(|(a, b)| a == b).count() as u64;
            return Err(self.differs(at));
        }
        self.checked += got.len();
        self.offset += got.len() as u64;
        Ok(())
    }

    fn at_end(&self) -> Result<(), RewriteError> {
        if self.checked == self.expected.len() {
            Ok(())
        } else {
            Err(self.differs(0))
        }
    }

    fn differs(&self, at: u64) -> RewriteError {
        let name = self.encoding.name();
        RewriteError::Skip(SkipReason::Undecodable(match self.last_match {
            Some(start) => format!(
                "written back in {name}, the text beside the match at byte {start} would read \
                 otherwise (a byte next to it that is not valid {name} would join the \
                 replacement into another character)"
            ),
            None => format!(
                "written back in {name}, its text at byte {} would read otherwise",
                self.offset + at
            ),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Replacer;
    use crate::rewrite::rewrite;
    use memchr::memchr_iter;
    use trawl_search::SearchOptions;

    const ALL: &[&Encoding] = &[
        encoding_rs::BIG5,
        encoding_rs::EUC_JP,
        encoding_rs::EUC_KR,
        encoding_rs::GBK,
        encoding_rs::GB18030,
        encoding_rs::IBM866,
        encoding_rs::ISO_2022_JP,
        encoding_rs::ISO_8859_2,
        encoding_rs::ISO_8859_3,
        encoding_rs::ISO_8859_5,
        encoding_rs::ISO_8859_7,
        encoding_rs::ISO_8859_8,
        encoding_rs::KOI8_R,
        encoding_rs::MACINTOSH,
        encoding_rs::REPLACEMENT,
        encoding_rs::SHIFT_JIS,
        encoding_rs::UTF_16BE,
        encoding_rs::UTF_16LE,
        encoding_rs::UTF_8,
        encoding_rs::WINDOWS_874,
        encoding_rs::WINDOWS_1250,
        encoding_rs::WINDOWS_1251,
        encoding_rs::WINDOWS_1252,
        encoding_rs::WINDOWS_1253,
        encoding_rs::WINDOWS_1255,
        encoding_rs::WINDOWS_1256,
        encoding_rs::WINDOWS_1258,
        encoding_rs::X_MAC_CYRILLIC,
        encoding_rs::X_USER_DEFINED,
    ];

    #[test]
    fn the_stateful_and_unicode_encodings_are_not_written_here() {
        for encoding in ALL {
            let expected = ![
                encoding_rs::ISO_2022_JP,
                encoding_rs::REPLACEMENT,
                encoding_rs::UTF_16BE,
                encoding_rs::UTF_16LE,
                encoding_rs::UTF_8,
            ]
            .contains(encoding);
            assert_eq!(writable(encoding), expected, "{}", encoding.name());
        }
    }

    /// Whether the decoder of `encoding`, after `bytes`, holds nothing back and goes on as a
    /// new one would, and whether the text of `bytes` has as many `\n` as they have.
    fn clean_after(encoding: &'static Encoding, bytes: &[u8]) -> bool {
        const PROBE: &[u8] = b"\x82\xa0a\x8f\xa1\xa1\x81\x30\x81\x30\xa4\xa2";
        let (mut text, mut held, mut after, mut fresh) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut decoder = encoding.new_decoder_without_bom_handling();
        decode_into(&mut decoder, bytes, false, &mut text);
        decode_into(&mut decoder, b"", true, &mut held);
        let lines = memchr_iter(b'\n', &text).count() == memchr_iter(b'\n', bytes).count();
        let mut going_on = encoding.new_decoder_without_bom_handling();
        decode_into(&mut going_on, bytes, false, &mut text);
        decode_into(&mut going_on, PROBE, true, &mut after);
        let mut new = encoding.new_decoder_without_bom_handling();
        decode_into(&mut new, PROBE, true, &mut fresh);
        held.is_empty() && lines && after == fresh
    }

    /// The property the whole module stands on (see its doc), for every multi-byte encoding
    /// it writes: every byte followed by every byte below `0`; every two bytes starting with
    /// a non-ASCII one followed by the lowest and highest bytes below `0` and `\n`; and the
    /// three-byte starts of GB18030's and EUC-JP's longer characters followed by `\n`. (No
    /// encoding's second or later bytes start below 0x30, so the bytes between behave alike.)
    #[test]
    fn after_a_byte_below_0_the_decoder_holds_nothing_back() {
        let clean_bytes: Vec<u8> = (0..b'0').collect();
        let some_clean = [0x00, b'\n', b'/'];
        let thirds = [0x30, 0x39, 0x40, 0x7E, 0x81, 0xA1, 0xFE, 0xFF];
        for &encoding in ALL {
            if !writable(encoding) || encoding.is_single_byte() {
                continue;
            }
            for first in 0..=255u8 {
                for &c in &clean_bytes {
                    assert!(
                        clean_after(encoding, &[first, c]),
                        "{} {first:#x} {c:#x}",
                        encoding.name()
                    );
                }
                if first < 0x80 {
                    continue;
                }
                for second in 0..=255u8 {
                    for &c in &some_clean {
                        let bytes = [first, second, c];
                        assert!(
                            clean_after(encoding, &bytes),
                            "{} {bytes:x?}",
                            encoding.name()
                        );
                    }
                    if !(second.is_ascii_digit() || second >= 0xA1) {
                        continue;
                    }
                    for third in thirds {
                        let bytes = [first, second, third, b'\n'];
                        assert!(
                            clean_after(encoding, &bytes),
                            "{} {bytes:x?}",
                            encoding.name()
                        );
                    }
                }
            }
        }
    }

    /// A reader that hands out its bytes a few at a time, so reads end anywhere.
    struct Dribble<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Dribble<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            self.step = self.step % 11 + 1;
            let n = (self.step * 997 % 70_001 + 1)
                .min(out.len())
                .min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// A piece of a test file: text (encoded), a match of the pattern (encoded; replaced in
    /// the expected file), or bytes as they are (malformed in the encoding).
    enum Part<'a> {
        Text(&'a str),
        Match(&'a str),
        Raw(&'a [u8]),
    }

    fn encoded(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{text:?} in {}", encoding.name());
        bytes.into_owned()
    }

    /// The file `parts` make, and what replacing each `Match` by `replacement` makes of it,
    /// computed part by part.
    fn file_and_expected(
        encoding: &'static Encoding,
        parts: &[Part<'_>],
        replacement: &str,
    ) -> (Vec<u8>, Vec<u8>, usize) {
        let (mut file, mut expected, mut matches) = (Vec::new(), Vec::new(), 0);
        for part in parts {
            match part {
                Part::Text(text) => {
                    file.extend(encoded(encoding, text));
                    expected.extend(encoded(encoding, text));
                }
                Part::Match(text) => {
                    file.extend(encoded(encoding, text));
                    expected.extend(encoded(encoding, replacement));
                    matches += 1;
                }
                Part::Raw(bytes) => {
                    file.extend_from_slice(bytes);
                    expected.extend_from_slice(bytes);
                }
            }
        }
        (file, expected, matches)
    }

    /// Rewrites `file` as the writer does, the matches found by `pattern` in its decoded text.
    fn rewritten(
        encoding: &'static Encoding,
        file: &[u8],
        pattern: &str,
        replacement: &str,
    ) -> Result<(Vec<u8>, u64), RewriteError> {
        let text = encoding.decode_without_bom_handling(file).0;
        let planned: Vec<PlannedMatch> = regex::Regex::new(pattern)
            .unwrap()
            .find_iter(&text)
            .map(|m| PlannedMatch {
                offset: m.start() as u64,
                length: m.len() as u64,
                seen: m.as_str().into(),
                seen_whole: true,
            })
            .collect();
        let replacer = Replacer::new(&SearchOptions::default(), pattern, replacement).unwrap();
        let (reader, mut sink) = rewriter(
            Dribble {
                bytes: file,
                step: 0,
            },
            Vec::new(),
            encoding,
            &planned,
        );
        let count = rewrite(reader, &mut sink, &planned, &replacer, 0)?;
        Ok((sink.finish()?, count))
    }

    fn round_trip(encoding: &'static Encoding, parts: &[Part<'_>], pattern: &str, with: &str) {
        let (file, expected, matches) = file_and_expected(encoding, parts, with);
        let (written, count) = rewritten(encoding, &file, pattern, with)
            .unwrap_or_else(|err| panic!("{}: {err:?}", encoding.name()));
        assert_eq!(count, matches as u64, "{}", encoding.name());
        assert!(
            written == expected,
            "{}: written byte for byte",
            encoding.name()
        );
    }

    #[test]
    fn legacy_files_round_trip_byte_for_byte() {
        use Part::*;
        let cases: &[(&'static Encoding, &str, &str)] = &[
            (encoding_rs::SHIFT_JIS, "日本語のテキスト、", "置換"),
            (encoding_rs::EUC_JP, "日本語のテキスト、", "置換"),
            (encoding_rs::GBK, "中文文本，", "替换"),
            (encoding_rs::GB18030, "中文文本😀，", "替换€"),
            (encoding_rs::BIG5, "中文文本，", "替換"),
            (encoding_rs::EUC_KR, "한국어 텍스트, ", "바꿈"),
            (encoding_rs::WINDOWS_1252, "café naïve, ", "bär"),
            (encoding_rs::WINDOWS_1251, "Привет, ", "мир"),
        ];
        let long_plain = "word ".repeat(20_000);
        for &(encoding, native, with) in cases {
            let long_native = native.repeat(4_000);
            let parts = [
                Match("foo"),
                Text(native),
                Match("fooo"),
                Text(native),
                Text("\r\n"),
                Raw(b"\xFF"),
                Match("foo"),
                Raw(b"\xFF"),
                Text(" x\n"),
                Text(&long_plain),
                Match("foo"),
                Text(&long_native),
                Match("foo"),
                Text(&long_native),
                Text("\n"),
                Text(native),
                Match("fo"),
                Match("foo"),
                Text("\r\n\r\n"),
                Text(native),
                Match("foo"),
            ];
            round_trip(encoding, &parts, "fo+", with);
        }
    }

    #[test]
    fn many_matches_on_one_line_and_on_many_lines_round_trip() {
        use Part::*;
        for (encoding, native) in [
            (encoding_rs::SHIFT_JIS, "日本"),
            (encoding_rs::WINDOWS_1252, "é"),
        ] {
            let mut parts = Vec::new();
            for _ in 0..3_000 {
                parts.extend([Text(native), Match("foo"), Raw(b"\x81")]);
            }
            for _ in 0..3_000 {
                parts.extend([Text("\r\n"), Match("foo"), Text(" "), Text(native)]);
            }
            round_trip(encoding, &parts, "fo+", native);
        }
    }

    #[test]
    fn a_file_with_too_long_a_stretch_without_a_clean_byte_is_refused() {
        // Past 16 MiB without a line end, a space or any other byte below '0', the file's
        // bytes would have to be held: it is left alone, and says why.
        let mut file = encoded(encoding_rs::SHIFT_JIS, "東京");
        file.extend(encoded(encoding_rs::SHIFT_JIS, "日本").repeat((MAX_UNCLEAN >> 2) + 1));
        match rewritten(encoding_rs::SHIFT_JIS, &file, "東京", "大阪") {
            Err(RewriteError::Skip(SkipReason::Undecodable(message))) => assert_eq!(
                message,
                "its Shift_JIS text has 16 MiB in a row without a line end, a space or other \
                 ASCII byte below '0', so its bytes cannot be matched to the text the search saw"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_match_among_the_characters_one_malformed_byte_gave_is_found() {
        use Part::*;
        // 0x82 starts a two-byte character; '1' cannot end one: U+FFFD, then '1' read again.
        round_trip(
            encoding_rs::SHIFT_JIS,
            &[
                Text("x"),
                Raw(b"\x82"),
                Match("1"),
                Raw(b"\x82"),
                Match("1"),
            ],
            "1",
            "2",
        );
        // At the file's end, a lone first byte.
        round_trip(
            encoding_rs::BIG5,
            &[Match("foo"), Raw(b"\x81")],
            "foo",
            "中",
        );
    }

    #[test]
    fn a_character_the_encoding_cannot_hold_is_refused_and_named() {
        let file = encoded(encoding_rs::WINDOWS_1252, "café foo\n");
        let refused = rewritten(encoding_rs::WINDOWS_1252, &file, "foo", "日本");
        match refused {
            Err(RewriteError::Skip(reason)) => assert_eq!(
                reason.to_string(),
                "'日' (U+65E5) cannot be written in windows-1252"
            ),
            other => panic!("{other:?}"),
        }
        let file = encoded(encoding_rs::SHIFT_JIS, "日本 foo\n");
        let refused = rewritten(encoding_rs::SHIFT_JIS, &file, "foo", "x€");
        assert!(matches!(
            refused,
            Err(RewriteError::Skip(SkipReason::Unencodable {
                character: '€',
                encoding: "Shift_JIS"
            }))
        ));
    }

    #[test]
    fn a_replacement_taking_a_malformed_byte_from_its_match_is_refused_and_says_so() {
        // `$0` of "a", U+FFFD (0xFF is no GBK), "b".
        let refused = rewritten(encoding_rs::GBK, b"a\xFFb\n", "a.b", "[$0]");
        match refused {
            Err(RewriteError::Skip(reason)) => assert_eq!(
                reason.to_string(),
                "'\u{FFFD}' (U+FFFD, for bytes that were not valid GBK) cannot be written in GBK"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_malformed_byte_that_would_join_the_replacement_is_refused() {
        // "x", U+FFFD (0x82 cannot start a character with '1'), "1". 0x82 0x4F is '０'.
        let refused = rewritten(encoding_rs::SHIFT_JIS, b"x\x821\n", "1", "O");
        match refused {
            Err(RewriteError::Skip(SkipReason::Undecodable(message))) => assert_eq!(
                message,
                "written back in Shift_JIS, the text beside the match at byte 4 would read \
                 otherwise (a byte next to it that is not valid Shift_JIS would join the \
                 replacement into another character)"
            ),
            other => panic!("{other:?}"),
        }
    }
}
