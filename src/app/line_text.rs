//! The whole text of a line the results model keeps only windows of, read back from its file.
//!
//! The window stores at most [`WINDOW_MAX_COLUMNS`](crate::app::state::WINDOW_MAX_COLUMNS)
//! characters around each match of a long line, so that one minified file cannot fill memory.
//! What leaves the window (an export, a copied line) must carry the line as `trawl --json`
//! prints it, so those lines are read again from the file, by the match's byte offset: back to
//! the line's start, on to its end. That runs on the export's writer thread or a copy's
//! background job, never on the UI thread.
//!
//! A file the search decoded (UTF-16 with its BOM, a legacy encoding named or detected) has its
//! offsets in the decoded text: it is decoded again as the engine decoded it
//! (`crates/search/src/encoding.rs`: a byte-order mark skipped, encoding_rs's decoder), streaming
//! from its start to the line asked for, keeping only that line's text. Lines asked for in file
//! order (an export, Copy all) decode the file once.
//!
//! A member of an archive (`a.zip!/x.min.js`) is decompressed again through the engine from
//! its start, keeping in memory only the stretch its line can take ([`MEMBER_READ_AROUND`]
//! each side of the match; `crate::app::member`).
//!
//! The file may have changed since the search. The line read back is used only when the match
//! is still where the search found it: at the same column, with the same text. Otherwise the
//! caller keeps the window (marked `…`) and says so.

use std::fs::File;
use std::io::ErrorKind;
use std::ops::Range;
use std::path::PathBuf;

use encoding_rs::{Decoder, Encoding};

use crate::app::member::{Backing, MemberBytes};
use crate::search::text::{column_of, push_lossy_with_positions};

/// Bytes read per step while looking for a line's ends.
const READ_CHUNK: usize = 256 * 1024;

/// One match on a cut line: where it is, and what the model showed of it, to check the line
/// read back against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CutMatch {
    /// The file.
    pub path: PathBuf,
    /// `path` names a member of an archive (or a compressed file) the search read inside:
    /// its bytes are read back from the archive.
    pub inside_archive: bool,
    /// 1-based line number.
    pub line_number: u64,
    /// 1-based column, in characters.
    pub column: u32,
    /// 0-based byte offset of the match in the file (in the decoded text for a decoded file).
    pub byte_offset: u64,
    /// The match's length in bytes.
    pub length: u64,
    /// The match's text as the model shows it (clipped to its window for a long match).
    pub shown_match: String,
    /// The window's text with its `…` marks: what is used when the line cannot be read back.
    pub marked: String,
    /// The encoding the search decoded the file from; `None`: searched as its bytes.
    pub encoding: Option<&'static Encoding>,
}

/// Why a line could not be read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadBackError {
    /// For the person: names the file and the line.
    pub message: String,
}

/// Reads whole lines back from their files, keeping the last line (and where a decoded file's
/// decoding got to) so that the many matches of one long line read it once.
#[derive(Default)]
pub struct LineReader {
    /// The file of the last line: its path, its encoding and its text's source.
    source: Option<(PathBuf, Option<&'static Encoding>, Haystack)>,
    /// The last line read: its bytes' range in the source, its raw bytes and its text.
    line: Option<CachedLine>,
}

struct CachedLine {
    start: u64,
    end: u64,
    raw: Vec<u8>,
    text: String,
}

/// Where a file's text is read from: the file's bytes, or its decoded text.
enum Haystack {
    File(RawFile),
    Decoded(DecodedText),
}

/// A file searched as its bytes: its lines are read at their offsets.
struct RawFile {
    file: Backing,
    size: u64,
    /// 3 after a UTF-8 byte-order mark (counted in offsets, no part of line 1), else 0.
    bom: u64,
}

impl RawFile {
    /// Bytes `from..to` (fewer where the file ends sooner).
    fn read(&mut self, from: u64, to: u64) -> std::io::Result<Vec<u8>> {
        let len = usize::try_from(to.saturating_sub(from)).unwrap_or(usize::MAX);
        let mut buf = vec![0; len];
        let filled = self.file.read_at(&mut buf, from)?;
        buf.truncate(filled);
        Ok(buf)
    }
}

/// A decoded file's text, decoded from the file's start as far as the lines asked for: only
/// the text from the start of the last line asked for on is kept, so memory stays that line's
/// and a chunk's, however large the file.
struct DecodedText {
    file: Backing,
    encoding: &'static Encoding,
    /// The byte-order mark's length, skipped before decoding.
    bom: u64,
    decoder: Decoder,
    /// The file's bytes decoded so far end here.
    raw_pos: u64,
    /// Decoded text from offset `start` (a line's start) on.
    text: Vec<u8>,
    start: u64,
    /// The whole file is decoded.
    done: bool,
}

impl DecodedText {
    fn new(file: Backing, encoding: &'static Encoding, bom: u64) -> Self {
        DecodedText {
            file,
            encoding,
            bom,
            decoder: encoding.new_decoder_without_bom_handling(),
            raw_pos: bom,
            text: Vec::new(),
            start: 0,
            done: false,
        }
    }

    /// Decodes from the file's start again (a line before the last one asked for is wanted).
    fn restart(&mut self) {
        self.decoder = self.encoding.new_decoder_without_bom_handling();
        self.raw_pos = self.bom;
        self.text.clear();
        self.start = 0;
        self.done = false;
    }

    /// Decodes the next chunk of the file onto `text`.
    fn decode_more(&mut self) -> std::io::Result<()> {
        let mut raw = vec![0; READ_CHUNK];
        let read = self.file.read_at(&mut raw, self.raw_pos)?;
        self.raw_pos += read as u64;
        self.done = read < raw.len();
        crate::app::preview::decode(&mut self.decoder, &raw[..read], self.done, &mut self.text);
        Ok(())
    }

    /// Forgets the text before the line holding offset `at` (or, when `at` is not decoded yet,
    /// before the last line decoded).
    fn drop_lines_before(&mut self, at: u64) {
        let rel =
            usize::try_from(at - self.start).map_or(self.text.len(), |r| r.min(self.text.len()));
        if let Some(newline) = memchr::memrchr(b'\n', &self.text[..rel]) {
            self.text.drain(..=newline);
            self.start += newline as u64 + 1;
        }
    }

    /// The line holding decoded offset `offset`: its start and its text up to its `\n` (or
    /// the end). `None` when `offset` lies past the end (the file shrank).
    fn line(&mut self, offset: u64) -> std::io::Result<Option<(u64, Vec<u8>)>> {
        if offset < self.start {
            self.restart();
        }
        loop {
            self.drop_lines_before(offset);
            let rel = offset - self.start;
            if let Some(rel) = usize::try_from(rel).ok().filter(|&r| r <= self.text.len()) {
                if let Some(newline) = memchr::memchr(b'\n', &self.text[rel..]) {
                    return Ok(Some((self.start, self.text[..rel + newline].to_vec())));
                }
                if self.done {
                    return Ok(Some((self.start, self.text.clone())));
                }
            } else if self.done {
                return Ok(None);
            }
            self.decode_more()?;
        }
    }
}

impl LineReader {
    /// The whole text of `cut`'s line (without its terminator, invalid UTF-8 replaced by
    /// U+FFFD, as `trawl --json` writes it), or why it could not be read back as the search
    /// saw it.
    pub fn read(&mut self, cut: &CutMatch) -> Result<&str, ReadBackError> {
        let shown = crate::app::results::shown_path(&cut.path);
        let changed = || ReadBackError {
            message: format!(
                "{shown}: line {} changed since the search (the match is no longer where it was)",
                cut.line_number
            ),
        };
        let failed = |err: std::io::Error| ReadBackError {
            message: if err.kind() == ErrorKind::NotFound {
                format!("{shown}: the file is gone (deleted or moved since the search)")
            } else {
                format!(
                    "{shown}: could not be read: {}",
                    crate::search::without_os_error(&err)
                )
            },
        };
        if self
            .source
            .as_ref()
            .is_none_or(|(path, encoding, haystack)| {
                *path != cut.path || *encoding != cut.encoding || !haystack.reaches(cut)
            })
        {
            self.line = None;
            self.source = None;
            let haystack = open(cut).map_err(failed)?;
            self.source = Some((cut.path.clone(), cut.encoding, haystack));
        }
        let Some((_, _, haystack)) = self.source.as_mut() else {
            return Err(changed());
        };
        let offset = cut.byte_offset;
        let cached = self
            .line
            .as_ref()
            .is_some_and(|line| line.start <= offset && offset <= line.end);
        if !cached {
            self.line = None;
            let line = read_line(haystack, offset).map_err(failed)?;
            self.line = line;
        }
        let line = self.line.as_ref().ok_or_else(changed)?;
        let m = usize::try_from(offset - line.start).map_err(|_| changed())?;
        if m > line.raw.len() || column_of(&line.raw, m) != u64::from(cut.column.max(1)) {
            return Err(changed());
        }
        // The match's own text must be what the search found there.
        let length = usize::try_from(cut.length).unwrap_or(usize::MAX);
        let matched = &line.raw[m..m.saturating_add(length).min(line.raw.len())];
        if !String::from_utf8_lossy(matched).starts_with(cut.shown_match.as_str()) {
            return Err(changed());
        }
        Ok(&line.text)
    }
}

/// A line read back from an archive's member may run this far before and past its match: the
/// member is decompressed from its start (it cannot be read from the middle), keeping only
/// that stretch in memory. A whole number of [`READ_CHUNK`]s, the steps back to a line's start.
const MEMBER_READ_AROUND: u64 = 64 * READ_CHUNK as u64;

/// The stretch of an archive's member read back for `cut`'s line. A decoded member is decoded
/// from its start, and its offsets are in its decoded text: four bytes of the member per byte
/// of it are read (UTF-16 takes two; a line past that is not read back, and the caller keeps
/// its window and says so).
fn member_stretch(cut: &CutMatch) -> Range<u64> {
    let end = cut.byte_offset.saturating_add(cut.length);
    if cut.encoding.is_some() {
        return 0..end.saturating_mul(4).saturating_add(MEMBER_READ_AROUND);
    }
    cut.byte_offset.saturating_sub(MEMBER_READ_AROUND)..end.saturating_add(MEMBER_READ_AROUND)
}

impl Haystack {
    /// Whether `cut`'s line can be read from what this holds: a member read back only in
    /// part is read again, further, for a line past its part.
    fn reaches(&self, cut: &CutMatch) -> bool {
        let backing = match self {
            Haystack::File(file) => &file.file,
            Haystack::Decoded(text) => &text.file,
        };
        match backing {
            Backing::Member(member) => {
                let wanted = member_stretch(cut);
                member.start() <= wanted.start && (member.complete() || member.end() >= wanted.end)
            }
            Backing::Disk(_) => true,
        }
    }
}

/// Opens `cut`'s file for reading lines back: a file the search decoded from its encoding is
/// decoded as it was (a byte-order mark skipped, as the engine's `decode_whole` skips it). A
/// member of an archive is read back into memory, its [`member_stretch`].
fn open(cut: &CutMatch) -> std::io::Result<Haystack> {
    let (file, size) = if cut.inside_archive {
        let member = MemberBytes::read(&cut.path, member_stretch(cut), None)?;
        // A member read in part has no known end: reading past the part is an error.
        let size = if member.complete() {
            member.end()
        } else {
            u64::MAX
        };
        (Backing::Member(member), size)
    } else {
        // Opening a FIFO that replaced the file would block for good.
        let meta = std::fs::metadata(&cut.path)?;
        if !meta.is_file() {
            return Err(std::io::Error::other("no longer a regular file"));
        }
        (Backing::Disk(File::open(&cut.path)?), meta.len())
    };
    let mut head = [0u8; 3];
    let got = file.read_at(&mut head, 0)?;
    if let Some(encoding) = cut.encoding {
        let bom = Encoding::for_bom(&head[..got]).map_or(0, |(_, len)| len);
        return Ok(Haystack::Decoded(DecodedText::new(
            file, encoding, bom as u64,
        )));
    }
    let bom = if got == 3 && head == *b"\xEF\xBB\xBF" {
        3
    } else {
        0
    };
    Ok(Haystack::File(RawFile { file, size, bom }))
}

/// The line holding byte `offset`: back to the byte after the previous `\n` (or the text's
/// start), on to the next `\n` (a `\r` before it left out). `None` when `offset` lies past the
/// end (the file shrank).
fn read_line(haystack: &mut Haystack, offset: u64) -> std::io::Result<Option<CachedLine>> {
    let (start, raw) = match haystack {
        Haystack::File(file) => match read_raw_line(file, offset)? {
            Some(line) => line,
            None => return Ok(None),
        },
        Haystack::Decoded(text) => match text.line(offset)? {
            Some(line) => line,
            None => return Ok(None),
        },
    };
    let mut raw = raw;
    // A `\r` before the `\n` (or ending the file) is no part of the line (docs/CONTRACT.md).
    if raw.last() == Some(&b'\r') {
        raw.pop();
    }
    let mut text = String::with_capacity(raw.len());
    push_lossy_with_positions(&mut text, &raw, &mut []);
    Ok(Some(CachedLine {
        start,
        end: start + raw.len() as u64,
        raw,
        text,
    }))
}

/// The line of a file searched as its bytes holding byte `offset`: its start and its bytes up
/// to its `\n` (or the end).
fn read_raw_line(haystack: &mut RawFile, offset: u64) -> std::io::Result<Option<(u64, Vec<u8>)>> {
    let size = haystack.size;
    let text_start = haystack.bom;
    if offset > size || offset < text_start {
        return Ok(None);
    }
    // Backwards to the line's start, the chunks put in order at the end.
    let mut start = offset;
    let mut before = Vec::new();
    while start > text_start {
        let from = start.saturating_sub(READ_CHUNK as u64).max(text_start);
        let mut chunk = haystack.read(from, start)?;
        if chunk.len() as u64 != start - from {
            return Ok(None);
        }
        if let Some(at) = memchr::memrchr(b'\n', &chunk) {
            chunk.drain(..=at);
            start = from + at as u64 + 1;
            before.push(chunk);
            break;
        }
        start = from;
        before.push(chunk);
    }
    // Forwards to its end.
    let mut raw = Vec::with_capacity(before.iter().map(Vec::len).sum::<usize>());
    for chunk in before.iter().rev() {
        raw.extend_from_slice(chunk);
    }
    let mut pos = offset;
    loop {
        let to = pos.saturating_add(READ_CHUNK as u64).min(size);
        if pos >= to {
            break;
        }
        let chunk = haystack.read(pos, to)?;
        if chunk.is_empty() {
            break;
        }
        if let Some(at) = memchr::memchr(b'\n', &chunk) {
            raw.extend_from_slice(&chunk[..at]);
            break;
        }
        pos += chunk.len() as u64;
        raw.extend_from_slice(&chunk);
    }
    Ok(Some((start, raw)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn cut(path: &Path, line: u64, column: u32, offset: u64, text: &str) -> CutMatch {
        CutMatch {
            path: path.to_path_buf(),
            inside_archive: false,
            line_number: line,
            column,
            byte_offset: offset,
            length: text.len() as u64,
            shown_match: text.to_string(),
            marked: format!("…{text}…"),
            encoding: None,
        }
    }

    #[test]
    fn a_long_line_is_read_back_whole_from_any_of_its_matches() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.rs");
        let long = format!("{}foo{}", "é".repeat(300_000), "x".repeat(300_000));
        std::fs::write(&path, format!("first\r\n{long}\r\nlast\n")).expect("write");
        let mut reader = LineReader::default();
        let offset = 7 + 600_000;
        let line = reader
            .read(&cut(&path, 2, 300_001, offset, "foo"))
            .expect("read back");
        assert_eq!(line, long);
        // A wrong column or text means the file changed.
        assert!(reader.read(&cut(&path, 2, 300_002, offset, "foo")).is_err());
        assert!(reader.read(&cut(&path, 2, 300_001, offset, "fox")).is_err());
        std::fs::write(&path, "short now\n").expect("write");
        let mut reader = LineReader::default();
        let err = reader
            .read(&cut(&path, 2, 300_001, offset, "foo"))
            .expect_err("changed");
        assert!(err.message.contains("line 2 changed"), "{}", err.message);
    }

    #[test]
    fn a_bom_is_no_part_of_line_one_and_utf16_is_decoded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bom.rs");
        std::fs::write(&path, "\u{feff}ab foo\n").expect("write");
        let mut reader = LineReader::default();
        assert_eq!(
            reader.read(&cut(&path, 1, 4, 6, "foo")).expect("read"),
            "ab foo"
        );
        let path = dir.path().join("u16.rs");
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "x\nab foo\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        std::fs::write(&path, bytes).expect("write");
        let mut reader = LineReader::default();
        let mut utf16 = cut(&path, 2, 4, 5, "foo");
        utf16.encoding = Some(encoding_rs::UTF_16LE);
        assert_eq!(reader.read(&utf16).expect("read"), "ab foo");
    }

    #[test]
    fn a_legacy_encoded_file_s_lines_are_read_back_decoded_in_any_order() {
        // Long lines of Shift_JIS (two bytes a kanji, three decoded) and Windows-1252 (one
        // byte, two decoded for `é`): decoded chunks end inside characters and lines.
        let dir = tempfile::tempdir().expect("temp dir");
        for (encoding, piece) in [
            (encoding_rs::SHIFT_JIS, "日本語テキスト"),
            (encoding_rs::WINDOWS_1252, "café naïve"),
        ] {
            let lines: Vec<String> = (0..12)
                .map(|n| match n % 3 {
                    0 => format!("{} foo {n}", piece.repeat(20_000 + n * 1_000)),
                    1 => format!("short {n} foo"),
                    _ => String::new(),
                })
                .collect();
            let text = lines.join("\r\n") + "\n";
            let (bytes, _, unmappable) = encoding.encode(&text);
            assert!(!unmappable);
            let path = dir.path().join(format!("{}.txt", encoding.name()));
            std::fs::write(&path, &bytes).expect("write");
            // Every match as the search reports it: decoded offsets, character columns.
            let mut found = Vec::new();
            let mut offset = 0;
            for (n, line) in lines.iter().enumerate() {
                if let Some(at) = line.find("foo") {
                    let column = line[..at].chars().count() as u32 + 1;
                    let mut m = cut(&path, n as u64 + 1, column, (offset + at) as u64, "foo");
                    m.encoding = Some(encoding);
                    found.push((m, line));
                }
                offset += line.len() + 2;
            }
            let mut reader = LineReader::default();
            // In file order, as an export asks, then backwards, then one line twice.
            for (m, line) in found.iter().chain(found.iter().rev()).chain(&found[3..4]) {
                assert_eq!(reader.read(m).expect("read back"), line.as_str(), "{m:?}");
            }
            // Read as bytes, the offsets are not the file's: the match is not found there.
            let mut as_bytes = found[3].0.clone();
            as_bytes.encoding = None;
            assert!(LineReader::default().read(&as_bytes).is_err());
            // Past the end of a file that shrank.
            std::fs::write(&path, &bytes[..1000]).expect("shrink");
            let err = LineReader::default()
                .read(&found[6].0)
                .expect_err("changed");
            assert!(
                err.message.contains("changed since the search"),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn a_missing_file_is_named() {
        let mut reader = LineReader::default();
        let err = reader
            .read(&cut(Path::new("/no/such/file.rs"), 1, 1, 0, "x"))
            .expect_err("missing");
        assert!(err.message.contains("the file is gone"), "{}", err.message);
    }
}
