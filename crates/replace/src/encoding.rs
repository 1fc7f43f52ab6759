//! A file's encoding as the engine reads it, and the streams that turn a UTF-16 file into the
//! UTF-8 text the engine's offsets count in and back (a legacy encoding's are in
//! crate::legacy).
//!
//! A file is searched as its bytes (a UTF-8 mark skipped but counted in offsets) unless the
//! search decoded it: from UTF-16 (its mark, or `-E utf-16le`), or from a legacy encoding
//! (`-E auto` or `-E NAME`). A rewritten file is written back the same way, its mark included.

use std::io::{self, Read, Write};

/// How a file's bytes became the text the search saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes as they are (UTF-8, possibly with invalid bytes, or any ASCII-compatible text).
    Bytes,
    /// UTF-8 after a byte-order mark (offsets count the mark).
    Utf8Bom,
    /// UTF-16 little endian after its mark (offsets are in the decoded text).
    Utf16Le,
    /// UTF-16 big endian after its mark.
    Utf16Be,
    /// Decoded from a legacy encoding (Windows-1252, Shift_JIS, GBK, …; offsets are in the
    /// decoded text).
    Legacy(&'static encoding_rs::Encoding),
}

impl Encoding {
    /// The encoding a file starting with `head` is searched in.
    pub fn sniff(head: &[u8]) -> Encoding {
        if head.starts_with(b"\xEF\xBB\xBF") {
            Encoding::Utf8Bom
        } else if head.starts_with(b"\xFF\xFE") {
            Encoding::Utf16Le
        } else if head.starts_with(b"\xFE\xFF") {
            Encoding::Utf16Be
        } else {
            Encoding::Bytes
        }
    }

    /// The name shown to a person (`--diff`'s `# encoding:` line).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Bytes => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Legacy(encoding) => encoding.name(),
        }
    }

    /// Whether the file is UTF-16.
    pub fn is_utf16(self) -> bool {
        matches!(self, Encoding::Utf16Le | Encoding::Utf16Be)
    }

    /// Whether the file is decoded before the search (offsets are not the file's), so that
    /// its text is not its bytes.
    pub fn is_decoded(self) -> bool {
        !matches!(self, Encoding::Bytes | Encoding::Utf8Bom)
    }

    /// The byte-order mark of a UTF-16 file.
    pub(crate) fn utf16_bom(self) -> &'static [u8] {
        match self {
            Encoding::Utf16Le => b"\xFF\xFE",
            Encoding::Utf16Be => b"\xFE\xFF",
            _ => b"",
        }
    }
}

/// Decodes UTF-16 (after its mark, which the caller has read) into UTF-8, strictly: a lone
/// surrogate or an odd last byte is an error, since such a file could not be written back
/// byte for byte.
pub(crate) struct Utf16Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    decoded: Vec<u8>,
    served: usize,
    done: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub(crate) fn new(inner: R, encoding: Encoding) -> Self {
        let which = if encoding == Encoding::Utf16Be {
            encoding_rs::UTF_16BE
        } else {
            encoding_rs::UTF_16LE
        };
        Utf16Reader {
            inner,
            decoder: which.new_decoder_without_bom_handling(),
            raw: vec![0; 32 << 10],
            decoded: Vec::new(),
            served: 0,
            done: false,
        }
    }

    /// Decodes the next raw read into `decoded`; false at the end.
    fn refill(&mut self) -> io::Result<bool> {
        while !self.done {
            let n = loop {
                match self.inner.read(&mut self.raw) {
                    Ok(n) => break n,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    Err(err) => return Err(err),
                }
            };
            self.done = n == 0;
            let room = self
                .decoder
                .max_utf8_buffer_length_without_replacement(n)
                .unwrap_or(n * 3 + 16);
            self.decoded.clear();
            self.decoded.resize(room, 0);
            self.served = 0;
            let (result, _, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.raw[..n],
                &mut self.decoded,
                self.done,
            );
            self.decoded.truncate(written);
            if let encoding_rs::DecoderResult::Malformed(_, _) = result {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "its UTF-16 is not valid (a lone surrogate or an odd byte)",
                ));
            }
            if written > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.served == self.decoded.len() && !self.refill()? {
            return Ok(0);
        }
        let n = out.len().min(self.decoded.len() - self.served);
        out[..n].copy_from_slice(&self.decoded[self.served..self.served + n]);
        self.served += n;
        Ok(n)
    }
}

/// Encodes UTF-8 text as UTF-16 (no mark; the caller writes it). Text that is not valid UTF-8
/// (a replacement that split a character) is an error at the end.
pub(crate) struct Utf16Writer<W> {
    inner: W,
    big_endian: bool,
    pending: Vec<u8>,
    units: Vec<u8>,
}

impl<W: Write> Utf16Writer<W> {
    pub(crate) fn new(inner: W, encoding: Encoding) -> Self {
        Utf16Writer {
            inner,
            big_endian: encoding == Encoding::Utf16Be,
            pending: Vec::new(),
            units: Vec::new(),
        }
    }

    /// Checks nothing is left half-written and gives the inner writer back.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        if !self.pending.is_empty() {
            return Err(not_text());
        }
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn encode(&mut self, text: &str) -> io::Result<()> {
        self.units.clear();
        for unit in text.encode_utf16() {
            let bytes = if self.big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            self.units.extend_from_slice(&bytes);
        }
        self.inner.write_all(&self.units)
    }
}

fn not_text() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the replaced text is not valid Unicode, so it cannot be written as UTF-16",
    )
}

impl<W: Write> Write for Utf16Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let pending = std::mem::take(&mut self.pending);
        let valid = match std::str::from_utf8(&pending) {
            Ok(text) => text.len(),
            Err(err) if err.error_len().is_none() => err.valid_up_to(),
            Err(_) => return Err(not_text()),
        };
        // from_utf8 said so just above.
        let text = std::str::from_utf8(&pending[..valid]).map_err(|_| not_text())?;
        self.encode(text)?;
        self.pending = pending[valid..].to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_decodes_and_encodes_back() {
        for encoding in [Encoding::Utf16Le, Encoding::Utf16Be] {
            let text = "héllo 😀\r\nx";
            let raw: Vec<u8> = text
                .encode_utf16()
                .flat_map(|u| {
                    if encoding == Encoding::Utf16Be {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    }
                })
                .collect();
            let mut decoded = String::new();
            Utf16Reader::new(&raw[..], encoding)
                .read_to_string(&mut decoded)
                .unwrap();
            assert_eq!(decoded, text);
            let mut writer = Utf16Writer::new(Vec::new(), encoding);
            for byte in text.as_bytes() {
                writer.write_all(&[*byte]).unwrap();
            }
            assert_eq!(writer.finish().unwrap(), raw);
        }
    }

    #[test]
    fn a_lone_surrogate_or_odd_byte_is_an_error() {
        let mut out = Vec::new();
        assert!(
            Utf16Reader::new(&b"\x00\xD8a\x00"[..], Encoding::Utf16Le)
                .read_to_end(&mut out)
                .is_err()
        );
        assert!(
            Utf16Reader::new(&b"a\x00b"[..], Encoding::Utf16Le)
                .read_to_end(&mut out)
                .is_err()
        );
    }
}
