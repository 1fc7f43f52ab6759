//! How a file's bytes become the text that is searched: its byte-order mark, the `-E` choice,
//! and for `-E auto` a UTF-8 check and, where it fails, detection (docs/CONTRACT.md,
//! "Encodings").
//!
//! The UTF-8 check costs no pass of its own: it runs block by block with the NUL search every
//! file gets anyway (binary files are skipped), each block still in the CPU cache. Only a file
//! that fails it is handed to the detector (chardetng, Firefox's) and searched decoded through
//! encoding_rs_io's streaming decoder, the one grep-searcher decodes UTF-16 with.

use std::io::{self, Read};
use std::sync::{Arc, Mutex, OnceLock};

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};
use memchr::memchr;

use crate::TextEncoding;

/// The detector reads a file from its first byte that is not ASCII (the ASCII before it says
/// nothing of the encoding) until it has seen this many such bytes, or [`DETECT_BYTES`]:
/// 128 CJK characters, or a Latin-1 text's first 256 accents. chardetng reads about 20 MB/s,
/// so reading 64 KiB of every file made detection ten times the cost of searching it, and
/// 1,024 such bytes still made it half the CPU of `-E auto` on a tree of legacy files, whose
/// every file it names right from 32 (scripts/bench-results.md, "Encodings").
pub(crate) const DETECT_NON_ASCII: usize = 256;

/// At most this many bytes are given to the detector.
pub(crate) const DETECT_BYTES: usize = 64 << 10;

/// The NUL check and the UTF-8 check go through a file this many bytes at a time, so that the
/// second finds each block in the cache the first brought it into.
const SCAN_BLOCK: usize = 32 << 10;

/// How one file is read, decided from its first bytes and the `-E` choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reading {
    /// A NUL byte, and binary files are skipped.
    Binary,
    /// Searched as its bytes, taken as UTF-8, after a UTF-8 byte-order mark of `bom` bytes
    /// (counted in byte offsets but not searched).
    Bytes {
        /// 3 for a UTF-8 byte-order mark that is skipped, else 0.
        bom: u64,
        /// Each later part of a file read in parts is checked for UTF-8 too (`-E auto`): one
        /// that fails has the file searched decoded instead.
        check_utf8: bool,
    },
    /// Decoded from this encoding; a byte-order mark, if any, is skipped.
    Decoded(&'static Encoding),
    /// Not UTF-8, and only the file's first part was given: read as [`detected`] says of the
    /// encoding [`detect_in`] finds in the file, which may need more of it than that part.
    Detect,
}

/// How `start`, a file's first bytes (all of them when `complete`), is read with `choice`.
/// `skip_binary`: a NUL byte makes the file [`Reading::Binary`]. A UTF-16 file's NUL bytes
/// are its text's: its decoded text is checked instead (by grep-searcher, as it decodes).
pub(crate) fn reading(
    start: &[u8],
    complete: bool,
    choice: TextEncoding,
    skip_binary: bool,
) -> Reading {
    let has_nul = |bytes: &[u8]| skip_binary && memchr(0, bytes).is_some();
    let bytes = |bom| Reading::Bytes {
        bom,
        check_utf8: false,
    };
    if choice == TextEncoding::Bytes {
        return if has_nul(start) {
            Reading::Binary
        } else {
            bytes(0)
        };
    }
    // A byte-order mark decides (ripgrep's rule; for -E NAME too).
    match Encoding::for_bom(start) {
        Some((encoding, _)) if encoding == UTF_8 => {
            return if has_nul(start) {
                Reading::Binary
            } else {
                bytes(3)
            };
        }
        Some((encoding, _)) => return Reading::Decoded(encoding),
        None => {}
    }
    match choice {
        TextEncoding::Named(encoding) if encoding == UTF_16LE || encoding == UTF_16BE => {
            Reading::Decoded(encoding)
        }
        TextEncoding::Named(encoding) if !has_nul(start) => Reading::Decoded(encoding),
        TextEncoding::Auto => match scan(start, complete, skip_binary) {
            Scan::Binary => Reading::Binary,
            Scan::Utf8 => Reading::Bytes {
                bom: 0,
                check_utf8: !complete,
            },
            Scan::NotUtf8 if complete => detected(detect(start)),
            Scan::NotUtf8 => Reading::Detect,
        },
        TextEncoding::Utf8 | TextEncoding::Bytes | TextEncoding::Named(_) => {
            if has_nul(start) {
                Reading::Binary
            } else {
                bytes(0)
            }
        }
    }
}

/// What one pass over a file's bytes found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scan {
    /// A NUL byte (only looked for when binary files are skipped).
    Binary,
    /// Valid UTF-8 (a character cut at the end of a file's first part included).
    Utf8,
    /// Not UTF-8 and no NUL byte.
    NotUtf8,
}

/// Looks for a NUL byte and checks UTF-8 in one pass, a block at a time: each block is looked
/// at twice while it is in the cache, never the whole file twice. `complete`: `bytes` is the
/// whole file (else a character cut at its end is not an error).
fn scan(bytes: &[u8], complete: bool, look_for_nul: bool) -> Scan {
    let mut utf8 = true;
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + SCAN_BLOCK).min(bytes.len());
        if end < bytes.len() {
            // End the block before a character's continuation bytes: valid UTF-8 then never
            // has a character across two blocks, so each block is checked on its own.
            end = char_boundary_before(bytes, start, end);
        } else if !complete {
            end = without_cut_char(bytes, start);
        }
        let block = &bytes[start..end];
        if look_for_nul && memchr(0, block).is_some() {
            return Scan::Binary;
        }
        if utf8 && simdutf8::basic::from_utf8(block).is_err() {
            if !look_for_nul {
                return Scan::NotUtf8;
            }
            utf8 = false;
        }
        if end == start {
            // A first part that ends inside its only character; the rest is not here.
            break;
        }
        start = end;
    }
    if utf8 { Scan::Utf8 } else { Scan::NotUtf8 }
}

/// `end`, or up to 3 bytes before it so that `bytes[end]` is no continuation byte, but never
/// before `start` (invalid UTF-8 may have any number of them: the check then fails anyway).
fn char_boundary_before(bytes: &[u8], start: usize, end: usize) -> usize {
    let mut at = end;
    while at > start && end - at < 3 && bytes.get(at).is_some_and(|&b| b & 0xC0 == 0x80) {
        at -= 1;
    }
    at
}

/// The end of `bytes` less a character its end cuts (the lead byte of a sequence longer than
/// the bytes after it), but never before `start`.
fn without_cut_char(bytes: &[u8], start: usize) -> usize {
    let len = bytes.len();
    for back in 1..=3.min(len - start) {
        let byte = bytes[len - back];
        if byte & 0xC0 == 0x80 {
            continue;
        }
        let needs = sequence_len(byte);
        return if needs > back { len - back } else { len };
    }
    len
}

/// A reader that checks that what it passes on is UTF-8, for a file streamed as UTF-8 by
/// `-E auto` because its first part was (a multiline search does not split a large file).
/// At the first byte that is not, it sets `failed` and fails the read: the search stops there
/// and the file is searched again as its detected encoding says.
pub(crate) struct Utf8Check<'f, R> {
    inner: R,
    /// The start of a character the last read cut, completed by the next.
    carry: Vec<u8>,
    failed: &'f std::cell::Cell<bool>,
}

impl<'f, R: Read> Utf8Check<'f, R> {
    pub(crate) fn new(inner: R, failed: &'f std::cell::Cell<bool>) -> Self {
        Utf8Check {
            inner,
            carry: Vec::with_capacity(4),
            failed,
        }
    }

    /// Checks `bytes`, the next ones read (none: the end), after those carried over.
    fn check(&mut self, bytes: &[u8]) -> bool {
        let mut from = 0;
        if !self.carry.is_empty() {
            let needs = sequence_len(self.carry[0]).saturating_sub(self.carry.len());
            let take = needs.min(bytes.len());
            self.carry.extend_from_slice(&bytes[..take]);
            from = take;
            if bytes.is_empty() || take == needs {
                let whole = std::mem::take(&mut self.carry);
                if !is_utf8(&whole) {
                    return false;
                }
            }
        }
        let rest = &bytes[from..];
        let end = without_cut_char(rest, 0);
        self.carry.extend_from_slice(&rest[end..]);
        is_utf8(&rest[..end])
    }
}

impl<R: Read> Read for Utf8Check<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if !self.check(&buf[..read]) {
            self.failed.set(true);
            return Err(io::Error::other("not UTF-8"));
        }
        Ok(read)
    }
}

/// The length of the UTF-8 sequence `lead` starts (1 for a byte that starts none).
fn sequence_len(lead: u8) -> usize {
    match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// Whether `text`, whole lines of a file read in parts, is valid UTF-8.
pub(crate) fn is_utf8(text: &[u8]) -> bool {
    simdutf8::basic::from_utf8(text).is_ok()
}

/// A file that is not valid UTF-8 is still UTF-8, searched as its bytes, when at least this
/// share of the non-ASCII bytes of its detection sample are parts of well-formed UTF-8
/// sequences (in percent): a UTF-8 file with a stray byte of another encoding (a Latin-1 `é`
/// pasted into a comment), as ripgrep searches it. Legacy CJK text forms valid UTF-8 pairs by
/// accident: at most 54 % of the sample's non-ASCII bytes in the 515 CJK files of the legacy
/// benchmark tree (`scripts/bench-encodings.sh`; EUC-JP the most, Windows-1252 none), at most
/// 47 % in the tests' legacy samples. 90 % leaves a sample of 256 non-ASCII bytes room for
/// 25 stray ones, and a short file room for one stray byte beside five accented UTF-8 letters
/// (99 % needed fifty: such a file was decoded as a legacy encoding and its UTF-8 text lost).
pub(crate) const MOSTLY_UTF8_PERCENT: usize = 90;

/// The encoding of `bytes`, the whole file, or at least [`DETECT_BYTES`] of it from its first
/// byte that is not ASCII, judged from the bytes from there to the [`DETECT_NON_ASCII`]th
/// non-ASCII one (or to [`DETECT_BYTES`], or to the end): UTF-8 when they are mostly UTF-8
/// ([`MOSTLY_UTF8_PERCENT`]), else chardetng's guess, never UTF-8. It is asked only about
/// files that are not valid UTF-8; [`detected`] says how its answer is read.
pub(crate) fn detect(bytes: &[u8]) -> &'static Encoding {
    let from = first_non_ascii(bytes).unwrap_or(bytes.len());
    let limit = bytes.len().min(from.saturating_add(DETECT_BYTES));
    let end = (bytes[from..limit].iter().enumerate())
        .filter(|(_, b)| !b.is_ascii())
        .nth(DETECT_NON_ASCII - 1)
        .map_or(limit, |(at, _)| from + at + 1);
    let complete = end == bytes.len();
    if mostly_utf8(&bytes[from..end], complete) {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    // Not the end of the file unless it is: a character cut at the sample's end is no error
    // (chardetng rules out an encoding for one).
    detector.feed(&without_idle_ascii(&bytes[from..end]), complete);
    detector.guess(None, false)
}

/// How many bytes of an ASCII run that follows a byte that is not ASCII are always given to
/// the detector (see [`without_idle_ascii`]).
const RUN_START_KEPT: usize = 2;

/// `sample` less the middle of its longer ASCII runs, which gives chardetng 0.1.17 exactly
/// the state and the scores the whole sample gives, so exactly its guess (chardetng's time is
/// spent per byte fed: a Latin-1 sample is mostly ASCII between its accents). Of an ASCII
/// run that follows a byte that is not ASCII, its first [`RUN_START_KEPT`] bytes are kept,
/// and its end from the last byte, if any, that [`resets_ordinals`] and has at least one byte
/// of the run after it. ASCII that starts `sample` is kept whole (chardetng reads it its own
/// way; [`detect`]'s samples start with a byte that is not ASCII).
///
/// Why that is exact, candidate by candidate (chardetng's lib.rs; the randomized test
/// `the_detector_guesses_and_scores_the_same_without_idle_ascii` checks it against
/// chardetng's scores):
/// - ISO-2022-JP is guessed only when no byte is not ASCII (`non_ascii_seen`, which counts
///   the same: those bytes are all kept; `esc_seen` is looked for only before the first).
/// - UTF-8, GBK, Big5, Shift_JIS, EUC-JP, EUC-KR (each a decoder fed a byte at a time): an
///   ASCII byte after a lead byte completes its character or is an error that rules the
///   candidate out or clears the decoder (encoding_rs gives such a byte back unread; chardetng
///   resets GBK's decoder in its Mac cases); only GB18030's four-byte form waits past an ASCII
///   digit, and a second ASCII byte then rules GBK out. So from the run's third byte each
///   candidate still in the running decodes every byte to itself and scores nothing for it:
///   the one score an ASCII byte can earn, the CJK-next-to-Latin penalty, needs `prev` to be
///   CJK, and from then `prev` is `AsciiLetter` or `Other`, set by an ASCII byte. Its state
///   (`prev`, `prev_byte`, `prev_prev_byte`, `pending_score` none, `half_width_katakana_state`
///   `DakutenForbidden`, `current_word_len` 0, `prev_was_euc_range` false) depends on the last
///   two bytes only.
/// - The single-byte candidates (Latin, NonLatinCased, Caseless, ArabicFrench, Logical,
///   Visual) score a pair of bytes or a case change, and count Hebrew punctuation, only when
///   one of the two is not ASCII (`ascii_pair`, `prev_non_ascii`): in a run, at its first. NonLatinCased's
///   per-word case score is paid there too: no ASCII byte is a non-Latin letter (their classes
///   are 0, 1 and 100), so after it `case_state` is `Space` or `Mix` with `current_word_len`
///   0, and `longest_word` no longer changes. Their state after the run (`prev`, `case_state`,
///   `prev_punctuation`, `prev_was_a0`) depends on its last two bytes, except for
///   windows-1252's `ordinal_state` (the " Nº " and "n.º" rules), which pays only on the byte
///   after an ª, º or © (not ASCII) but whose state can depend on a whole run (" 123" leaves
///   `Digit`, "x123" leaves `Other`): [`resets_ordinals`] sets it to `Space` from every state.
///
/// So the kept end, at least two bytes from such a byte, leaves every candidate in the state
/// the whole run leaves it in, and what is left out would have scored nothing. chardetng is
/// pinned to 0.1.17 (Cargo.toml): an upgrade must be checked against this again.
fn without_idle_ascii(sample: &[u8]) -> Vec<u8> {
    let mut fed = Vec::with_capacity(sample.len());
    let mut at = 0;
    while at < sample.len() {
        let Some(run) = sample[at..].iter().position(u8::is_ascii) else {
            fed.extend_from_slice(&sample[at..]);
            break;
        };
        let start = at + run;
        let end = sample[start..]
            .iter()
            .position(|b| !b.is_ascii())
            .map_or(sample.len(), |len| start + len);
        fed.extend_from_slice(&sample[at..start]);
        let ascii = &sample[start..end];
        let kept_end = (start > 0 && ascii.len() >= RUN_START_KEPT + 2)
            .then(|| {
                ascii[RUN_START_KEPT + 1..ascii.len() - 1]
                    .iter()
                    .rposition(|&b| resets_ordinals(b))
                    .map(|last| RUN_START_KEPT + 1 + last)
            })
            .flatten();
        match kept_end {
            Some(from) => {
                fed.extend_from_slice(&ascii[..RUN_START_KEPT]);
                fed.extend_from_slice(&ascii[from..]);
            }
            None => fed.extend_from_slice(ascii),
        }
        at = end;
    }
    fed
}

/// Whether the ASCII byte `byte` sets chardetng's windows-1252 ordinal state (`OrdinalState`)
/// to `Space` whatever it was: one of its class 0 (not a letter or a digit) but not the '.'
/// that "N." and "n." wait for.
fn resets_ordinals(byte: u8) -> bool {
    byte.is_ascii() && !byte.is_ascii_alphanumeric() && byte != b'.'
}

/// Whether at least [`MOSTLY_UTF8_PERCENT`] of the non-ASCII bytes of `sample` (the end of the
/// file when `complete`, else a character its end cuts is left out) are in well-formed UTF-8
/// sequences. Invalid bytes are counted as a UTF-8 decoder skips them, a maximal invalid
/// sequence at a time (`<[u8]>::utf8_chunks`).
fn mostly_utf8(sample: &[u8], complete: bool) -> bool {
    let (mut well_formed, mut invalid) = (0, 0);
    let mut chunks = sample.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        well_formed += chunk.valid().len() - ascii_count(chunk.valid().as_bytes());
        let bad = chunk.invalid();
        // The last chunk's invalid bytes end the sample: a character's start, cut there?
        let cut = !complete
            && chunks.peek().is_none()
            && std::str::from_utf8(bad).is_err_and(|error| error.error_len().is_none());
        if !cut {
            invalid += bad.len();
        }
    }
    let non_ascii = well_formed + invalid;
    non_ascii > 0 && well_formed * 100 >= non_ascii * MOSTLY_UTF8_PERCENT
}

fn ascii_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| b.is_ascii()).count()
}

/// How a file that is not valid UTF-8 is read once [`detect`] has named `encoding`: UTF-8 (a
/// file whose bytes are nearly all UTF-8) as its bytes, exactly as without `-E`: an invalid
/// byte matches nothing and is kept as it is by a replace, and offsets are the file's. It
/// has no byte-order mark (one decides before detection) and is checked no further.
pub(crate) fn detected(encoding: &'static Encoding) -> Reading {
    if encoding == UTF_8 {
        Reading::Bytes {
            bom: 0,
            check_utf8: false,
        }
    } else {
        Reading::Decoded(encoding)
    }
}

/// The encoding of the file `reader` reads, as [`detect`] guesses it from its start: the
/// reader is read up to [`DETECT_BYTES`] past its first byte that is not ASCII, a buffer at a
/// time (memory stays bounded however long the ASCII before it).
pub(crate) fn detect_in(mut reader: impl Read) -> io::Result<&'static Encoding> {
    let mut sample = Vec::new();
    let mut chunk = vec![0; SCAN_BLOCK];
    // Past the sample, one byte more says whether the file ends with it.
    while sample.len() <= DETECT_BYTES {
        let read = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        let chunk = &chunk[..read];
        let from = if sample.is_empty() {
            match first_non_ascii(chunk) {
                Some(from) => from,
                None => continue,
            }
        } else {
            0
        };
        let take = (DETECT_BYTES + 1 - sample.len()).min(chunk.len() - from);
        sample.extend_from_slice(&chunk[from..from + take]);
    }
    Ok(detect(&sample))
}

fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    // `is_ascii` runs a word at a time; only the block holding the byte is looked at bytewise.
    let block = bytes.chunks(256).position(|block| !block.is_ascii())?;
    let at = bytes[block * 256..].iter().position(|b| !b.is_ascii())?;
    Some(block * 256 + at)
}

/// A reader of `encoding`'s text as UTF-8 from `source`, the file's bytes from its start; a
/// byte-order mark is skipped (and would win over `encoding`, which was decided by it or found
/// none). `buffer` is its scratch space, reused from file to file.
pub(crate) fn decoder<'b, R: Read>(
    encoding: &'static Encoding,
    source: R,
    buffer: &'b mut [u8],
) -> DecodeReaderBytes<R, &'b mut [u8]> {
    DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(true)
        .strip_bom(true)
        .build_with_buffer(source, buffer)
        .expect("the decode buffer is larger than the decoder's minimum")
}

/// Decodes `bytes`, a whole file, from `encoding` into `text` (cleared first): a byte-order
/// mark, if any, is skipped, as [`decoder`] skips it. A file read whole is decoded at once
/// and searched as one slice, without the stream's rolling buffer.
pub(crate) fn decode_whole(encoding: &'static Encoding, bytes: &[u8], text: &mut String) {
    decode_part(encoding, &bytes[bom_len(bytes)..], text);
}

/// The length of the byte-order mark `bytes` starts with, skipped by [`decode_whole`].
pub(crate) fn bom_len(bytes: &[u8]) -> usize {
    Encoding::for_bom(bytes).map_or(0, |(_, len)| len)
}

/// Decodes `bytes` from `encoding` into `text` (cleared first), as a decoder would that starts
/// at their first byte and ends at their last: a whole file without its byte-order mark, or
/// (in an ASCII-compatible encoding) its lines from one line's start to another's end with
/// its `\n`, which always leaves the decoder as it starts (see [`DecodedLength`]).
pub(crate) fn decode_part(encoding: &'static Encoding, bytes: &[u8], text: &mut String) {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    text.clear();
    text.reserve(
        decoder
            .max_utf8_buffer_length(bytes.len())
            .unwrap_or(bytes.len().saturating_mul(3)),
    );
    // With the room reserved above, one call decodes everything.
    let (_, read, _) = decoder.decode_to_string(bytes, text, true);
    debug_assert_eq!(read, bytes.len());
}

/// Counts how many bytes of UTF-8 a stretch of a file in an ASCII-compatible encoding
/// decodes to, without keeping the text: the byte offsets of a decoded file's lines, when only
/// the lines that can match are decoded (`crate::file_searcher`).
///
/// A stretch starts at a line's start and ends after a `\n` or at the file's end. In every
/// ASCII-compatible encoding the WHATWG decoders (encoding_rs) give `\n` for each `\n` byte
/// and nowhere else, and return to their first state after any ASCII byte they give back, so
/// a stretch decodes alone exactly as it does in the whole file.
#[derive(Default)]
pub(crate) struct DecodedLength {
    /// The tables of the encodings met so far (a tree holds few), taken from [`TABLES`] at
    /// this measure's first file of each.
    tables: Vec<(&'static Encoding, SharedTable)>,
    /// Where what the tables do not cover is decoded to be measured, a block at a time.
    scratch: Vec<u8>,
}

/// Every [`LengthTable`] asked for so far, shared by the search threads: one costs about half
/// a millisecond to make, once per process rather than once per thread. Each is made in its
/// own cell, outside the list's lock: two threads that meet two encodings make both at once.
static TABLES: Mutex<Vec<(&'static Encoding, SharedTable)>> = Mutex::new(Vec::new());

/// A table shared by the threads, made by the first that needs it.
type SharedTable = Arc<OnceLock<LengthTable>>;

/// For each byte that is not ASCII and each byte after it: how many bytes the decoder reads
/// from there as one whole character (or two, for a few Big5 pairs) and ends in its first
/// state, and the UTF-8 length it gives: the length alone for a pair, [`SINGLE`] with the
/// length for a byte alone, [`OTHER`] where neither is so (a pair with an error in it, the
/// start of a longer sequence: EUC-JP's 0x8F, GB18030's four bytes). Made from encoding_rs's
/// own decoding of every byte and pair. Where [`OTHER`] is met, the line is decoded to its end
/// by encoding_rs. A pair's entry being below [`SINGLE`], four entries' sum is below it only
/// when all four are pairs.
struct LengthTable {
    /// Rows for 0x80 to 0xFF, of 256 each.
    units: Vec<u8>,
    /// Every byte is a character of its own (a single-byte encoding).
    single_byte: bool,
}

/// A [`LengthTable`] entry of a byte that is a character alone, with its length in
/// [`LENGTH`].
const SINGLE: u8 = 0x40;
/// A [`LengthTable`] entry where the table has no answer.
const OTHER: u8 = 0x80;
/// The length bits of a [`SINGLE`] entry.
const LENGTH: u8 = 0x3F;

impl LengthTable {
    /// The cell of `encoding`'s table, made at its first use in the process.
    fn shared(encoding: &'static Encoding) -> SharedTable {
        let mut tables = TABLES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, table)) = tables.iter().find(|(known, _)| *known == encoding) {
            return Arc::clone(table);
        }
        let table = Arc::new(OnceLock::new());
        tables.push((encoding, Arc::clone(&table)));
        table
    }

    fn new(encoding: &'static Encoding) -> LengthTable {
        let mut out = [0; 32];
        let mut length = |bytes: &[u8]| {
            let mut decoder = encoding.new_decoder_without_bom_handling();
            let (result, _, written, replaced) = decoder.decode_to_utf8(bytes, &mut out, true);
            if replaced || result != encoding_rs::CoderResult::InputEmpty {
                0
            } else {
                written as u8
            }
        };
        let mut units = vec![0; 128 * 256];
        for (row, lead) in units.chunks_mut(256).zip(0x80..=0xFFu8) {
            // A single-byte encoding's bytes are a character each, U+FFFD where it maps none;
            // in another, a byte that decodes alone without an error is no lead byte.
            let single = if encoding.is_single_byte() {
                encoding.decode_without_bom_handling(&[lead]).0.len() as u8
            } else {
                length(&[lead])
            };
            for (unit, trail) in row.iter_mut().zip(0..=0xFFu8) {
                *unit = match single {
                    // A pair gives four bytes at most (an astral character, or Big5's two),
                    // and four pairs' sum stays below `SINGLE`.
                    0 => match length(&[lead, trail]) {
                        pair @ 1..8 => pair,
                        _ => OTHER,
                    },
                    single => SINGLE | single,
                };
            }
        }
        LengthTable {
            units,
            single_byte: encoding.is_single_byte(),
        }
    }

    /// The entry of `byte`, not ASCII, followed by `next`.
    fn unit(&self, byte: u8, next: u8) -> u8 {
        self.units[usize::from(byte & 0x7F) << 8 | usize::from(next)]
    }
}

/// The block [`DecodedLength`] decodes into: small enough to stay in the CPU cache.
const MEASURE_BLOCK: usize = 16 << 10;

/// For the high bits of eight bytes (bit k: byte k is not ASCII), and whether the first of
/// them ends a pair that started before them: the bytes that start a pair (bit k) if every
/// byte that is not ASCII and does not end a pair starts one, as in a double-byte encoding's
/// text, and how many of them are in no pair (ASCII, each one byte of UTF-8).
static PAIR_STARTS: [[(u8, u8); 256]; 2] = pair_starts();

const fn pair_starts() -> [[(u8, u8); 256]; 2] {
    let mut table = [[(0, 0); 256]; 2];
    let mut ends_pair = 0;
    while ends_pair < 2 {
        let mut high = 0;
        while high < 256 {
            let (mut starts, mut alone, mut second, mut k) = (0u8, 0u8, ends_pair == 1, 0);
            while k < 8 {
                if second {
                    second = false;
                } else if high >> k & 1 == 1 {
                    starts |= 1 << k;
                    second = true;
                } else {
                    alone += 1;
                }
                k += 1;
            }
            table[ends_pair][high] = (starts, alone);
            high += 1;
        }
        ends_pair += 1;
    }
    table
}

/// The high bit of each of the eight bytes of `word` (little-endian), as bit k for byte k.
fn high_bits(word: u64) -> usize {
    // Each byte's high bit moved to its lowest, then all eight gathered in the top byte.
    (((word >> 7) & 0x0101_0101_0101_0101).wrapping_mul(0x0102_0408_1020_4080) >> 56) as usize
}

impl DecodedLength {
    /// The length of `bytes`, a stretch of a file in `encoding` as above, decoded to UTF-8.
    ///
    /// Eight bytes at a time (twice as fast as a character at a time on the CJK files of
    /// scripts/bench-results.md's legacy tree): ASCII alone counts eight; otherwise every byte
    /// that is not ASCII and does not end a pair is taken for a pair's first ([`PAIR_STARTS`]),
    /// and the pairs' entries are added, with one sum and one test for four pairs side by
    /// side, CJK text's usual eight bytes. When one is not a pair (a single-byte katakana, an
    /// error, a longer sequence) those eight bytes are measured a character at a time. In a
    /// single-byte encoding every byte is a character: [`single_byte_length`].
    pub(crate) fn of(&mut self, encoding: &'static Encoding, bytes: &[u8]) -> usize {
        let cell = match self.tables.iter().find(|(known, _)| *known == encoding) {
            Some((_, cell)) => Arc::clone(cell),
            None => {
                let cell = LengthTable::shared(encoding);
                self.tables.push((encoding, Arc::clone(&cell)));
                cell
            }
        };
        let table = cell.get_or_init(|| LengthTable::new(encoding));
        if table.single_byte {
            return single_byte_length(table, bytes);
        }
        // `second`: 1 when `bytes[at]` ends a pair counted already.
        let (mut total, mut at, mut second) = (0, 0, 0);
        // Eight bytes, and the one after them for a pair their last starts.
        while let Some(chunk) = bytes.get(at..at + 9) {
            let word = u64::from_le_bytes([
                chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
            ]);
            let high = high_bits(word);
            if high == 0 && second == 0 {
                total += 8;
                at += 8;
                continue;
            }
            let (starts, alone) = PAIR_STARTS[second][high];
            if starts == 0x55 << second {
                // Four pairs: their first bytes, all high, and their second bytes, any.
                let pairs = u64::from_be_bytes([
                    chunk[second],
                    chunk[second + 1],
                    chunk[second + 2],
                    chunk[second + 3],
                    chunk[second + 4],
                    chunk[second + 5],
                    chunk[second + 6],
                    chunk[second + 7],
                ]);
                let unit = |shift: u32| table.units[(pairs >> shift) as usize & 0x7FFF];
                let sum: usize = [48, 32, 16, 0]
                    .into_iter()
                    .map(|shift| usize::from(unit(shift)))
                    .sum();
                // A single byte or another sequence adds at least `SINGLE`.
                if sum < usize::from(SINGLE) {
                    total += sum;
                    at += 8;
                    continue;
                }
            }
            let mut length = usize::from(alone);
            let mut kinds = 0;
            let mut rest = starts;
            while rest != 0 {
                let k = rest.trailing_zeros() as usize;
                let unit = table.unit(chunk[k], chunk[k + 1]);
                length += usize::from(unit);
                kinds |= unit;
                rest &= rest - 1;
            }
            if kinds < SINGLE {
                total += length;
                at += 8;
                second = usize::from(starts >> 7);
                continue;
            }
            let (end, length) = by_character(table, encoding, bytes, at + second, at + 8, self);
            total += length;
            at = end;
            second = 0;
        }
        let (_, length) = by_character(table, encoding, bytes, at + second, bytes.len(), self);
        total + length
    }
}

/// The length of `bytes` in a single-byte encoding, decoded to UTF-8: one byte for each
/// ASCII byte, two or three for each other, as `table` says.
fn single_byte_length(table: &LengthTable, bytes: &[u8]) -> usize {
    let mut words = bytes.chunks_exact(8);
    let mut total = 0;
    for word in words.by_ref() {
        let mut high = high_bits(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        total += 8;
        while high != 0 {
            let k = high.trailing_zeros() as usize;
            total += usize::from(table.unit(word[k], 0) & LENGTH) - 1;
            high &= high - 1;
        }
    }
    let rest = words.remainder().iter();
    total
        + rest
            .map(|&byte| match byte.is_ascii() {
                true => 1,
                false => usize::from(table.unit(byte, 0) & LENGTH),
            })
            .sum::<usize>()
}

/// Measures `bytes` from `from`, a character's start, a character at a time as the table
/// says, up to `until` or the first character's end past it; returns that end and the length.
fn by_character(
    table: &LengthTable,
    encoding: &'static Encoding,
    bytes: &[u8],
    from: usize,
    until: usize,
    measure: &mut DecodedLength,
) -> (usize, usize) {
    let (mut total, mut i) = (0, from);
    while i < until {
        let byte = bytes[i];
        if byte.is_ascii() {
            let run = ascii_prefix(&bytes[i..until]);
            total += run;
            i += run;
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        let unit = table.unit(byte, next);
        // Steps by constants, not by the unit: the processor predicts the branch and reads on
        // before the table answers (twice as fast on CJK text).
        if unit < SINGLE && i + 2 <= bytes.len() {
            total += usize::from(unit);
            i += 2;
            continue;
        }
        if unit & !LENGTH == SINGLE {
            total += usize::from(unit & LENGTH);
            i += 1;
            continue;
        }
        // The decoder is in its first state here, and is again after the line's `\n`.
        let end = memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |nl| i + nl + 1);
        total += decoded_length(encoding, &bytes[i..end], &mut measure.scratch);
        i = end;
    }
    (i, total)
}

/// The decoded length of `bytes` by encoding_rs itself, decoded into `scratch` a block at a
/// time.
fn decoded_length(encoding: &'static Encoding, bytes: &[u8], scratch: &mut Vec<u8>) -> usize {
    if scratch.is_empty() {
        scratch.resize(MEASURE_BLOCK, 0);
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let (mut total, mut rest) = (0, bytes);
    loop {
        let (result, read, written, _) = decoder.decode_to_utf8(rest, scratch, true);
        total += written;
        rest = &rest[read..];
        if result == encoding_rs::CoderResult::InputEmpty {
            return total;
        }
    }
}

/// How many bytes `bytes` starts with are ASCII, looked at eight at a time.
fn ascii_prefix(bytes: &[u8]) -> usize {
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let high = word & 0x8080_8080_8080_8080;
        if high != 0 {
            return at + high.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    at + bytes[at..].iter().take_while(|b| b.is_ascii()).count()
}

/// The scratch size for [`decoder`]: encoding_rs_io's default.
pub(crate) const DECODE_BUFFER: usize = 8 << 10;

#[cfg(test)]
mod tests {
    use super::*;

    /// The next number of the tests' random sequence (a 64-bit LCG: reproducible, no crate).
    /// The randomized tests' seeds, one xorshift step each round.
    fn xorshift(mut seed: u64) -> u64 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }

    fn next_random(state: u64) -> u64 {
        state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407)
    }

    /// `measure` gives `bytes` the length encoding_rs's own decoding of them has.
    fn assert_measured_as_decoded(
        measure: &mut DecodedLength,
        encoding: &'static Encoding,
        bytes: &[u8],
    ) {
        let (expected, _) = encoding.decode_without_bom_handling(bytes);
        assert_eq!(
            measure.of(encoding, bytes),
            expected.len(),
            "{}: {bytes:?}",
            encoding.name()
        );
    }

    fn read(start: &[u8], choice: TextEncoding) -> Reading {
        reading(start, true, choice, true)
    }

    #[test]
    fn a_bom_decides_unless_bytes_are_asked_for() {
        let bytes = |bom| Reading::Bytes {
            bom,
            check_utf8: false,
        };
        for choice in [
            TextEncoding::Utf8,
            TextEncoding::Auto,
            TextEncoding::Named(encoding_rs::SHIFT_JIS),
        ] {
            assert_eq!(read(b"\xEF\xBB\xBFcaf\xE9", choice), bytes(3), "{choice}");
            assert_eq!(read(b"\xFF\xFEa\0", choice), Reading::Decoded(UTF_16LE));
            assert_eq!(read(b"\xFE\xFF\0a", choice), Reading::Decoded(UTF_16BE));
        }
        assert_eq!(read(b"\xFF\xFEa\0", TextEncoding::Bytes), Reading::Binary);
        assert_eq!(read(b"\xEF\xBB\xBFa", TextEncoding::Bytes), bytes(0));
    }

    #[test]
    fn auto_keeps_utf8_as_bytes_and_detects_the_rest() {
        let auto = TextEncoding::Auto;
        let utf8 = Reading::Bytes {
            bom: 0,
            check_utf8: false,
        };
        assert_eq!(read("café 日本".as_bytes(), auto), utf8);
        assert_eq!(read(b"", auto), utf8);
        assert_eq!(read(b"a\0b", auto), Reading::Binary);
        assert_eq!(reading(b"a\0b", true, auto, false), utf8);
        assert_eq!(
            read(b"caf\xE9 na\xEFve", auto),
            Reading::Decoded(encoding_rs::WINDOWS_1252)
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("日本語のテキストです。");
        assert_eq!(read(&sjis, auto), Reading::Decoded(encoding_rs::SHIFT_JIS));
        // A binary file stays binary whatever comes first.
        assert_eq!(read(b"caf\xE9\0", auto), Reading::Binary);
    }

    #[test]
    fn a_character_cut_by_the_end_of_a_first_part_or_a_block_is_no_error() {
        let text = "é".repeat(SCAN_BLOCK); // 2 bytes each: blocks end inside characters
        assert_eq!(scan(text.as_bytes(), true, true), Scan::Utf8);
        let cut = &text.as_bytes()[..text.len() - 1];
        assert_eq!(scan(cut, false, true), Scan::Utf8);
        assert_eq!(scan(cut, true, true), Scan::NotUtf8);
        assert_eq!(
            reading(cut, false, TextEncoding::Auto, true),
            Reading::Bytes {
                bom: 0,
                check_utf8: true
            }
        );
        let cut = &text.as_bytes()[..3];
        assert_eq!(without_cut_char(cut, 0), 2);
        assert_eq!(without_cut_char("日".as_bytes(), 0), 3);
        assert_eq!(without_cut_char(&"日".as_bytes()[..2], 0), 0);
        let mut late_nul = text.clone().into_bytes();
        late_nul[0] = 0xE9;
        late_nul.push(0);
        assert_eq!(scan(&late_nul, true, true), Scan::Binary);
        assert_eq!(scan(&late_nul, true, false), Scan::NotUtf8);
    }

    #[test]
    fn a_stream_is_checked_across_its_reads() {
        let check = |bytes: &[u8], piece: usize| {
            let failed = std::cell::Cell::new(false);
            let mut reader = Utf8Check::new(bytes, &failed);
            let mut buf = vec![0; piece];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => return true,
                    Ok(_) => {}
                    Err(_) => return !failed.get(),
                }
            }
        };
        let text = "aé日本𝄞z".as_bytes();
        for piece in 1..=text.len() {
            assert!(check(text, piece), "reads of {piece}");
            assert!(
                !check(&text[..text.len() - 2], piece),
                "a cut end, reads of {piece}"
            );
            assert!(!check(b"ab\xE9cd", piece), "Latin-1, reads of {piece}");
        }
    }

    #[test]
    fn a_character_cut_by_the_sample_s_end_does_not_rule_its_encoding_out() {
        // A half-width katakana is one byte in Shift_JIS, the other characters two: the
        // sample ends after the first byte of one.
        let text = format!("ｱ{}", "日本語のテキストです。".repeat(200));
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
        let cut = &sjis[..DETECT_NON_ASCII];
        assert!(cut.last().is_some_and(|&b| b >= 0x81) && sjis[DETECT_NON_ASCII] >= 0x40);
        assert_eq!(detect(&sjis), encoding_rs::SHIFT_JIS);
        assert_eq!(detect_in(&sjis[..]).unwrap(), encoding_rs::SHIFT_JIS);
    }

    #[test]
    fn detection_reads_from_the_first_byte_that_is_not_ascii() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("日本語のテキストです。");
        let mut bytes = b"x".repeat(3 * DETECT_BYTES);
        bytes.extend_from_slice(&sjis);
        assert_eq!(detect(&bytes), encoding_rs::SHIFT_JIS);
        assert_eq!(detect_in(&bytes[..]).unwrap(), encoding_rs::SHIFT_JIS);
        assert_eq!(first_non_ascii(&bytes), Some(3 * DETECT_BYTES));
        assert_eq!(first_non_ascii(b"abc"), None);
    }

    #[test]
    fn detection_guesses_only_ascii_compatible_encodings() {
        // What lets a file without a required ASCII literal be passed over before detection
        // (file_searcher.rs): whatever the bytes, ISO-2022-JP escapes included, once one is
        // not ASCII.
        let (iso, _, _) = encoding_rs::ISO_2022_JP.encode("日本語のテキストです。");
        assert!(iso.contains(&0x1B) && iso.is_ascii());
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..3000 {
            seed = xorshift(seed);
            let mut bytes = iso.repeat((seed % 3) as usize);
            let len = (seed >> 8) as usize % 200;
            let mut state = seed;
            for _ in 0..len {
                state = next_random(state);
                bytes.push((state >> 56) as u8);
            }
            bytes.insert(
                (seed >> 20) as usize % (bytes.len() + 1),
                0x80 | (seed >> 40) as u8,
            );
            let guessed = detect(&bytes);
            assert!(
                guessed.is_ascii_compatible(),
                "round {round}: {}",
                guessed.name()
            );
        }
    }

    #[test]
    fn decoded_lengths_are_encoding_rs_s_for_any_bytes() {
        let encodings = [
            encoding_rs::SHIFT_JIS,
            encoding_rs::EUC_JP,
            encoding_rs::GBK,
            encoding_rs::GB18030,
            encoding_rs::BIG5,
            encoding_rs::EUC_KR,
            encoding_rs::WINDOWS_1252,
            encoding_rs::WINDOWS_874,
            encoding_rs::UTF_8,
        ];
        let mut measure = DecodedLength::default();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..20_000 {
            seed = xorshift(seed);
            let encoding = encodings[round % encodings.len()];
            // Text of the encoding's own, cut anywhere, with any bytes between.
            let (text, _, _) = encoding.encode("表ソ日本語 中文 功許 한국어 ¥ ｱ café €\n");
            let mut bytes = Vec::new();
            let mut state = seed;
            for _ in 0..seed % 40 {
                state = next_random(state);
                match state >> 61 {
                    0 | 1 => bytes.push((state >> 40) as u8),
                    2 => bytes.push(b'\n'),
                    _ => {
                        let from = (state >> 20) as usize % text.len();
                        let to = from + (state >> 30) as usize % (text.len() - from + 1);
                        bytes.extend_from_slice(&text[from..to]);
                    }
                }
            }
            assert_measured_as_decoded(&mut measure, encoding, &bytes);
        }
    }

    #[test]
    fn high_bits_are_each_byte_s_top_bit() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..10_000 {
            seed = xorshift(seed);
            let expected = (0..8)
                .filter(|k| seed.to_le_bytes()[*k] >= 0x80)
                .fold(0, |bits, k| bits | 1 << k);
            assert_eq!(high_bits(seed), expected, "{seed:#x}");
        }
        assert_eq!(PAIR_STARTS[0][0xFF], (0x55, 0));
        assert_eq!(PAIR_STARTS[1][0xFF], (0xAA, 0));
        assert_eq!(PAIR_STARTS[0][0b1000_0110], (0b1000_0010, 5));
        assert_eq!(PAIR_STARTS[1][0b0000_0011], (0b0000_0010, 5));
    }

    #[test]
    fn decoded_lengths_of_long_stretches_are_encoding_rs_s() {
        // Long enough for the eight bytes at a time, in every ASCII-compatible encoding: runs
        // of the encoding's own text (pairs side by side, cut anywhere), ASCII, any bytes.
        let encodings = [
            encoding_rs::SHIFT_JIS,
            encoding_rs::EUC_JP,
            encoding_rs::GBK,
            encoding_rs::GB18030,
            encoding_rs::BIG5,
            encoding_rs::EUC_KR,
            encoding_rs::UTF_8,
            encoding_rs::WINDOWS_1250,
            encoding_rs::WINDOWS_1251,
            encoding_rs::WINDOWS_1252,
            encoding_rs::WINDOWS_1253,
            encoding_rs::WINDOWS_1254,
            encoding_rs::WINDOWS_1255,
            encoding_rs::WINDOWS_1256,
            encoding_rs::WINDOWS_1257,
            encoding_rs::WINDOWS_1258,
            encoding_rs::WINDOWS_874,
            encoding_rs::ISO_8859_2,
            encoding_rs::ISO_8859_5,
            encoding_rs::ISO_8859_7,
            encoding_rs::ISO_8859_8,
            encoding_rs::KOI8_R,
            encoding_rs::KOI8_U,
            encoding_rs::IBM866,
            encoding_rs::MACINTOSH,
            encoding_rs::X_MAC_CYRILLIC,
            encoding_rs::X_USER_DEFINED,
        ];
        let text = "日本語のテキストです。ｱｲｳ ﾞ 中文文本，我們明天在台北見面。纸张 한국어 텍스트입니다. \
                    café naïve Zoé € œ Ÿ Привет Ελλάδα שלום مرحبا ไทย Tiếng Việt ÿ 𠀋 ⿰ ㊤\n";
        let mut measure = DecodedLength::default();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..20_000 {
            seed = xorshift(seed);
            let encoding = encodings[round % encodings.len()];
            let (own, _, _) = encoding.encode(text);
            let mut bytes = Vec::new();
            let mut state = seed;
            for _ in 0..seed % 24 {
                state = next_random(state);
                match state >> 60 {
                    0 => bytes.push((state >> 40) as u8),
                    1 => bytes.push(0x80 | (state >> 40) as u8),
                    2 => bytes.push(b'\n'),
                    3 | 4 => bytes.extend(std::iter::repeat_n(b'a', (state >> 32) as usize % 20)),
                    _ => {
                        let from = (state >> 20) as usize % own.len();
                        let to = from + (state >> 30) as usize % (own.len() - from + 1);
                        bytes.extend_from_slice(&own[from..to]);
                    }
                }
            }
            assert_measured_as_decoded(&mut measure, encoding, &bytes);
        }
    }

    #[test]
    fn a_file_mostly_utf8_is_read_as_its_bytes() {
        let utf8_bytes = Reading::Bytes {
            bom: 0,
            check_utf8: false,
        };
        let auto = TextEncoding::Auto;
        // A stray Latin-1 byte after 300 lines of UTF-8, out of the sample, or in it.
        let mut late = "café au lait\n".repeat(300).into_bytes();
        late.extend_from_slice(b"caf\xE9 latin\n");
        assert_eq!(detect(&late), UTF_8);
        assert_eq!(detect_in(&late[..]).unwrap(), UTF_8);
        assert_eq!(read(&late, auto), utf8_bytes);
        let mut early = b"caf\xE9 latin\n".to_vec();
        early.extend_from_slice("café au lait\n".repeat(300).as_bytes());
        assert_eq!(read(&early, auto), utf8_bytes);
        // 90 %: 25 stray bytes of 256 are UTF-8, 26 are not.
        let strays = |count: usize| {
            let mut bytes = b"\xE9\n".repeat(count);
            bytes.extend_from_slice("é".repeat(DETECT_NON_ASCII).as_bytes());
            detect(&bytes)
        };
        assert_eq!(strays(25), UTF_8);
        assert_ne!(strays(26), UTF_8);
        // Few non-ASCII bytes, two of them stray: not UTF-8.
        assert_ne!(detect(b"caf\xE9 na\xEFve, caf\xC3\xA9"), UTF_8);
        // A character cut by the sample's end is no invalid byte.
        let cut = "日本".repeat(DETECT_NON_ASCII);
        let mut cut = cut.into_bytes();
        cut.push(0xFF);
        assert_eq!(detect(&cut), UTF_8);
        assert!(!mostly_utf8(&"日".as_bytes()[..2], false));
    }

    #[test]
    fn legacy_text_with_accidental_utf8_pairs_is_still_detected() {
        // Each text has some pairs that are valid UTF-8 by accident (GBK's 中 is 0xD6 0xD0,
        // no pair; its 纸 0xD6 0xBD is one), far fewer than the threshold asks.
        for (encoding, text) in [
            (encoding_rs::GBK, "中文纸张，我们明天在北京见面。"),
            (
                encoding_rs::SHIFT_JIS,
                "日本語のテキストです。東京で会いましょう。",
            ),
            (
                encoding_rs::EUC_JP,
                "日本語の文書を検索するためのテストです。",
            ),
            (encoding_rs::EUC_KR, "한국어 텍스트입니다. 서울에서 만나요."),
            (encoding_rs::BIG5, "中文文本，我們明天在台北見面。"),
        ] {
            let text = text.repeat(40);
            let (bytes, _, _) = encoding.encode(&text);
            let accidental: usize = (bytes.utf8_chunks())
                .map(|chunk| chunk.valid().len() - ascii_count(chunk.valid().as_bytes()))
                .sum();
            assert!(accidental > 0, "{}: some accidental UTF-8", encoding.name());
            assert_eq!(detect(&bytes), encoding, "{}", encoding.name());
        }
    }

    #[test]
    fn a_named_utf16_file_has_its_nul_bytes_checked_once_decoded() {
        let named = TextEncoding::Named(UTF_16LE);
        assert_eq!(read(b"a\0b\0", named), Reading::Decoded(UTF_16LE));
        let sjis = TextEncoding::Named(encoding_rs::SHIFT_JIS);
        assert_eq!(read(b"a\0b", sjis), Reading::Binary);
    }

    /// Text in the encodings chardetng tells apart, for the detector tests' random samples:
    /// cased and caseless scripts, Hebrew punctuation, half-width katakana, GB18030's
    /// four-byte form (the emoji), and Spanish and Italian ordinals.
    const DETECTOR_TEXT: &[(&str, &str)] = &[
        (
            "windows-1252",
            "Le café est très bon, dit la naïve Zoé à l'hôtel ; Ça coûte 3 € !",
        ),
        (
            "windows-1252",
            "Über den Wolken, sagt Jürgen. El niño, n.º 5, Nº 7, 3º piso, Mª José, XIIª, © 2024",
        ),
        (
            "shift_jis",
            "日本語のテキストです。東京で会いましょう。ｶﾞｷﾞ ﾊﾟ ｱｲｳ",
        ),
        ("euc-jp", "日本語の文書を検索するためのテストです。ｶﾞ ﾊﾟ"),
        ("gbk", "中文文本，我们明天在北京见面。我喜欢学习中文。"),
        ("gb18030", "中文 😀 文本 ÿ 见面 ǹ"),
        ("big5", "中文文本，我們明天在台北見面。我喜歡學習中文。"),
        ("euc-kr", "한국어 텍스트입니다. 서울에서 만나요. 權利"),
        (
            "windows-1251",
            "Съешь же ещё этих мягких французских булок. ПРИВЕТ Мир",
        ),
        (
            "koi8-u",
            "Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів!",
        ),
        ("ibm866", "Съешь же ещё этих мягких булок, да выпей чаю."),
        (
            "windows-1253",
            "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. Καλημέρα ΚΟΣΜΕ",
        ),
        (
            "windows-1255",
            "דג סקרן שט בים, מאוכזב ולפתע מצא חברה. שלום!",
        ),
        ("iso-8859-8", "!םולש .הרבח אצמ עתפלו בזכואמ ,םיב טש ןרקס גד"),
        ("windows-1256", "صِف خَلقَ خَودِ كَمِثلِ الشَمسِ إِذ بَزَغَت، le café"),
        ("windows-874", "เป็นมนุษย์สุดประเสริฐเลิศคุณค่า กว่าบรรดาฝูงสัตว์"),
        (
            "windows-1250",
            "Příliš žluťoučký kůň úpěl ďábelské ódy. Zażółć gęślą jaźń",
        ),
        (
            "windows-1254",
            "Pijamalı hasta yağız şoföre çabucak güvendi. İstanbul",
        ),
        (
            "windows-1257",
            "Įlinkdama fechtuotojo špaga sublykčiojusi pragręžė",
        ),
        ("windows-1258", "Tiếng Việt có dấu, Hà Nội"),
    ];

    /// Every encoding a chardetng candidate stands for (`find_score` gives the first
    /// candidate's score: windows-1252's Western one, not its Icelandic one).
    const CANDIDATE_ENCODINGS: &[&str] = &[
        "utf-8",
        "iso-2022-jp",
        "iso-8859-8",
        "gbk",
        "euc-jp",
        "euc-kr",
        "shift_jis",
        "big5",
        "windows-1252",
        "windows-1251",
        "windows-1250",
        "iso-8859-2",
        "windows-1256",
        "windows-1254",
        "windows-874",
        "windows-1255",
        "windows-1253",
        "iso-8859-7",
        "windows-1257",
        "iso-8859-13",
        "koi8-u",
        "ibm866",
        "iso-8859-6",
        "windows-1258",
        "iso-8859-4",
        "iso-8859-5",
    ];

    /// What the detector makes of `bytes`, fed at once.
    fn detector_fed(bytes: &[u8], last: bool) -> chardetng::EncodingDetector {
        let mut detector = chardetng::EncodingDetector::new();
        detector.feed(bytes, last);
        detector
    }

    /// Panics unless `a` and `b` are alike as far as chardetng's API shows: every candidate's
    /// score and every guess (with the top-level domains that favour one candidate or
    /// another, and with UTF-8 allowed).
    fn assert_detected_alike(
        a: &chardetng::EncodingDetector,
        b: &chardetng::EncodingDetector,
        what: &dyn Fn() -> String,
    ) {
        for label in CANDIDATE_ENCODINGS {
            let encoding = Encoding::for_label(label.as_bytes()).expect("a known label");
            assert_eq!(
                a.find_score(encoding),
                b.find_score(encoding),
                "{label}: {}",
                what()
            );
        }
        let tlds: [Option<&[u8]>; 8] = [
            None,
            Some(&b"is"[..]),
            Some(&b"jp"[..]),
            Some(&b"il"[..]),
            Some(&b"ru"[..]),
            Some(&b"cn"[..]),
            Some(&b"tw"[..]),
            Some(&b"vn"[..]),
        ];
        for tld in tlds {
            for allow_utf8 in [false, true] {
                assert_eq!(
                    a.guess_assess(tld, allow_utf8),
                    b.guess_assess(tld, allow_utf8),
                    "{tld:?} {allow_utf8}: {}",
                    what()
                );
            }
        }
    }

    /// An ASCII run for the detector tests: words, punctuation, digits, any ASCII byte
    /// (control characters, ESC), ordinal-like fragments, ISO-2022-JP escapes, or a mix;
    /// mostly short, sometimes long.
    fn push_ascii_run(bytes: &mut Vec<u8>, state: &mut u64) {
        const FRAGMENTS: &[&[u8]] = &[
            b" N.", b" n.", b"N.1", b" n.2", b"N.M", b"n.IV", b"N", b"n", b" 3", b" 12", b"1",
            b" XI", b" iv", b" M", b" D", b" S", b".", b" ", b"x", b"a", b"\x1b$B", b"\x1b(B",
            b"\x1b(J", b"\x0e", b"\x0f", b"\n", b"\t", b"Mc", b"ABC", b"abC", b", ", b"; ",
        ];
        let mut next = || {
            *state = next_random(*state);
            (*state >> 33) as usize
        };
        let style = next() % 7;
        let len = if next() % 8 == 0 {
            next() % 300
        } else {
            next() % 24
        };
        let start = bytes.len();
        while bytes.len() - start < len {
            let style = if style == 6 { next() % 6 } else { style };
            match style {
                0 => {
                    let letters = b"etaoinshrdluETAOINSHRDLUqxzQXZ";
                    bytes.push(if next() % 5 == 0 {
                        b' '
                    } else {
                        letters[next() % letters.len()]
                    });
                }
                1 => {
                    let punctuation = b".,;:!?()[]{}\"'-_/\\@#$%^&*+=<>|~` ";
                    bytes.push(punctuation[next() % punctuation.len()]);
                }
                2 => bytes.push(b'0' + (next() % 10) as u8),
                3 => bytes.push((next() % 128) as u8),
                _ => bytes.extend_from_slice(FRAGMENTS[next() % FRAGMENTS.len()]),
            }
        }
    }

    /// A random detection sample, as `detect` takes it: from a byte that is not ASCII, pieces
    /// of legacy text (mostly of one language), ASCII runs, bytes that are not ASCII (the
    /// ordinal indicators, no-break space, lead bytes and Mac extensions above all), and lead
    /// bytes followed by ASCII (CJK trail bytes, or errors).
    fn random_sample(state: &mut u64) -> Vec<u8> {
        let mut next = || {
            *state = next_random(*state);
            (*state >> 33) as usize
        };
        let main = next() % DETECTOR_TEXT.len();
        let pieces = 1 + next() % 40;
        let mut bytes = Vec::new();
        for piece in 0..pieces {
            let kind = if piece == 0 { next() % 2 } else { next() % 5 };
            match kind {
                0 => {
                    let (label, text) = if next() % 10 < 7 {
                        DETECTOR_TEXT[main]
                    } else {
                        DETECTOR_TEXT[next() % DETECTOR_TEXT.len()]
                    };
                    let encoding = Encoding::for_label(label.as_bytes()).expect("a known label");
                    let chars: Vec<char> = text.chars().collect();
                    let from = next() % chars.len();
                    let to = from + 1 + next() % (chars.len() - from);
                    let part: String = chars[from..to].iter().collect();
                    let (encoded, _, _) = encoding.encode(&part);
                    bytes.extend_from_slice(&encoded);
                }
                1 => {
                    const FAVOURED: &[u8] = &[
                        0xA0, 0xAA, 0xBA, 0xA9, 0x80, 0x81, 0x84, 0x8E, 0x8F, 0xC9, 0xFD, 0xFE,
                        0xFF, 0xE9, 0xD7, 0xA4,
                    ];
                    for _ in 0..1 + next() % 4 {
                        bytes.push(if next() % 2 == 0 {
                            FAVOURED[next() % FAVOURED.len()]
                        } else {
                            0x80 | (next() % 128) as u8
                        });
                    }
                }
                2 => {
                    bytes.push(0x81 + (next() % 0x7E) as u8);
                    bytes.push(0x30 + (next() % 0x4F) as u8);
                }
                _ => {}
            }
            let mut run_state = next() as u64;
            push_ascii_run(&mut bytes, &mut run_state);
        }
        match first_non_ascii(&bytes) {
            Some(from) => bytes.split_off(from),
            None => vec![0xE9],
        }
    }

    #[test]
    fn the_detector_guesses_and_scores_the_same_without_idle_ascii() {
        let mut state = 0x16_7e57_u64;
        let (mut shortened, mut fed, mut whole) = (0, 0, 0);
        for round in 0..10_000 {
            let sample = random_sample(&mut state);
            let reduced = without_idle_ascii(&sample);
            shortened += usize::from(reduced.len() < sample.len());
            (fed, whole) = (fed + reduced.len(), whole + sample.len());
            for last in [false, true] {
                assert_detected_alike(
                    &detector_fed(&sample, last),
                    &detector_fed(&reduced, last),
                    &|| format!("round {round}, last {last}: {sample:?} as {reduced:?}"),
                );
            }
        }
        // Not alike for want of anything left out.
        assert!(
            shortened > 5000 && fed * 3 < whole * 2,
            "{shortened}, {fed} of {whole}"
        );
    }

    #[test]
    fn the_detector_is_given_the_start_and_the_end_of_an_ascii_run_from_a_space() {
        let sample = b"\xE9ab1 x23456789\xBA end";
        assert_eq!(without_idle_ascii(sample), b"\xE9ab x23456789\xBA end");
        // Cut at the middle's digits instead, windows-1252 would score an ordinal (" 6789º ")
        // the whole run does not have ("x23456789º ").
        let naive = b"\xE9ab1 6789\xBA end";
        let full = detector_fed(sample, true);
        let windows_1252 = encoding_rs::WINDOWS_1252;
        assert_ne!(
            detector_fed(naive, true).find_score(windows_1252),
            full.find_score(windows_1252)
        );
        assert_detected_alike(
            &full,
            &detector_fed(&without_idle_ascii(sample), true),
            &|| String::new(),
        );
        // Short runs, runs with no such byte before their last, and ASCII before any byte
        // that is not are given whole.
        for whole in [
            &b"\xE9abc\xE9"[..],
            b"\xE9a b\xE9",
            b"\xE9ab123456789\xE9",
            b"\xE9ab.cdef\xE9",
            b"\xE9abcdef \xE9",
            b"ab cd ef\xE9",
        ] {
            assert_eq!(without_idle_ascii(whole), whole);
        }
    }
}
