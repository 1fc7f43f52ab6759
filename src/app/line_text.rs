//! The whole text of a line the results model keeps only windows of, read back from its file.
//!
//! The window stores at most [`WINDOW_MAX_COLUMNS`](crate::app::state::WINDOW_MAX_COLUMNS)
//! characters around each match of a long line, so that one minified file cannot fill memory.
//! What leaves the window (an export, a copied line) must carry the line as `trawl --json`
//! prints it, so those lines are read again from the file, by the match's byte offset: back to
//! the line's start, on to its end. That runs on the export's writer thread or a copy's
//! background job, never on the UI thread.
//!
//! The file may have changed since the search. The line read back is used only when the match
//! is still where the search found it: at the same column, with the same text. Otherwise the
//! caller keeps the window (marked `…`) and says so.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use crate::search::text::{column_of, push_lossy_with_positions};

/// Bytes read per step while looking for a line's ends.
const READ_CHUNK: usize = 256 * 1024;

/// A UTF-16 file is decoded whole to read a line back (its offsets are in the decoded text);
/// beyond this size it is not.
const UTF16_LIMIT: u64 = 256 << 20;

/// One match on a cut line: where it is, and what the model showed of it, to check the line
/// read back against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CutMatch {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line_number: u64,
    /// 1-based column, in characters.
    pub column: u32,
    /// 0-based byte offset of the match in the file (in the decoded text for UTF-16).
    pub byte_offset: u64,
    /// The match's length in bytes.
    pub length: u64,
    /// The match's text as the model shows it (clipped to its window for a long match).
    pub shown_match: String,
    /// The window's text with its `…` marks: what is used when the line cannot be read back.
    pub marked: String,
}

/// Why a line could not be read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadBackError {
    /// For the person: names the file and the line.
    pub message: String,
}

/// Reads whole lines back from their files, keeping the last line (and a decoded UTF-16 file)
/// so that the many matches of one long line read it once.
#[derive(Default)]
pub struct LineReader {
    /// The file of the last line: its path and its bytes' source.
    source: Option<(PathBuf, Haystack)>,
    /// The last line read: its bytes' range in the source, its raw bytes and its text.
    line: Option<CachedLine>,
}

struct CachedLine {
    start: u64,
    end: u64,
    raw: Vec<u8>,
    text: String,
}

/// Where a file's text is read from: the file, or its decoded text (UTF-16).
enum Haystack {
    File { file: File, size: u64, bom: u64 },
    Decoded(Vec<u8>),
}

impl Haystack {
    fn size(&self) -> u64 {
        match self {
            Haystack::File { size, .. } => *size,
            Haystack::Decoded(bytes) => bytes.len() as u64,
        }
    }

    /// Where line 1's text starts.
    fn text_start(&self) -> u64 {
        match self {
            Haystack::File { bom, .. } => *bom,
            Haystack::Decoded(_) => 0,
        }
    }

    /// Bytes `from..to` (fewer where the source ends sooner).
    fn read(&mut self, from: u64, to: u64) -> std::io::Result<Vec<u8>> {
        match self {
            Haystack::Decoded(bytes) => {
                let end = usize::try_from(to).map_or(bytes.len(), |to| to.min(bytes.len()));
                let start = usize::try_from(from).map_or(end, |from| from.min(end));
                Ok(bytes[start..end].to_vec())
            }
            Haystack::File { file, .. } => {
                let len = usize::try_from(to.saturating_sub(from)).unwrap_or(usize::MAX);
                let mut buf = vec![0; len];
                let mut filled = 0;
                while filled < len {
                    match read_at(file, &mut buf[filled..], from + filled as u64) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(err) if err.kind() == ErrorKind::Interrupted => {}
                        Err(err) => return Err(err),
                    }
                }
                buf.truncate(filled);
                Ok(buf)
            }
        }
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(not(any(unix, windows)))]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    use std::io::{Seek, SeekFrom};
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    file.read(buf)
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
            .is_none_or(|(path, _)| *path != cut.path)
        {
            self.line = None;
            self.source = None;
            let haystack = open(&cut.path).map_err(failed)?;
            self.source = Some((cut.path.clone(), haystack));
        }
        let Some((_, haystack)) = self.source.as_mut() else {
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

/// Opens `path` for reading lines back: a UTF-16 file (with its BOM) is decoded whole, as the
/// search decoded it.
fn open(path: &Path) -> std::io::Result<Haystack> {
    // Opening a FIFO that replaced the file would block for good.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("no longer a regular file"));
    }
    let mut file = File::open(path)?;
    let mut head = [0u8; 3];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    let encoding = match &head[..got.min(2)] {
        b"\xFF\xFE" => Some(encoding_rs::UTF_16LE),
        b"\xFE\xFF" => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    if let Some(encoding) = encoding {
        if meta.len() > UTF16_LIMIT {
            return Err(std::io::Error::other(format!(
                "a UTF-16 file over {} MiB is not read back",
                UTF16_LIMIT >> 20
            )));
        }
        let mut raw = Vec::new();
        File::open(path)?.read_to_end(&mut raw)?;
        let (decoded, _) = encoding.decode_without_bom_handling(raw.get(2..).unwrap_or_default());
        return Ok(Haystack::Decoded(decoded.into_owned().into_bytes()));
    }
    let bom = if got == 3 && head == *b"\xEF\xBB\xBF" {
        3
    } else {
        0
    };
    Ok(Haystack::File {
        file,
        size: meta.len(),
        bom,
    })
}

/// The line holding byte `offset`: back to the byte after the previous `\n` (or the text's
/// start), on to the next `\n` (a `\r` before it left out). `None` when `offset` lies past the
/// end (the file shrank).
fn read_line(haystack: &mut Haystack, offset: u64) -> std::io::Result<Option<CachedLine>> {
    let size = haystack.size();
    let text_start = haystack.text_start();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(path: &Path, line: u64, column: u32, offset: u64, text: &str) -> CutMatch {
        CutMatch {
            path: path.to_path_buf(),
            line_number: line,
            column,
            byte_offset: offset,
            length: text.len() as u64,
            shown_match: text.to_string(),
            marked: format!("…{text}…"),
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
        assert_eq!(
            reader.read(&cut(&path, 2, 4, 5, "foo")).expect("read"),
            "ab foo"
        );
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
