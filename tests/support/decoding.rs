//! The tests' reference for how a file's bytes become the text that is searched, written from
//! docs/CONTRACT.md ("Defaults" and "Encodings") with encoding_rs and chardetng called
//! directly, the whole file in memory: no blocks, no streaming, no segments.

use trawl::search::{Encoding, TextEncoding};

/// The detector reads at most this many bytes from a file's first byte that is not ASCII
/// (docs/CONTRACT.md, "Encodings").
pub const DETECT_BYTES: usize = 64 << 10;

/// A file's text as the contract says it is searched.
pub struct Decoded {
    /// The text searched: the file's bytes, or its decoded UTF-8 text.
    pub text: Vec<u8>,
    /// Bytes of the file before `text` that count in byte offsets (a skipped UTF-8 BOM).
    pub base: u64,
    /// The encoding the file was decoded from; none when searched as its bytes.
    pub encoding: Option<&'static Encoding>,
}

/// How `raw`, a whole file, is searched with `choice`.
pub fn decode(raw: &[u8], choice: TextEncoding) -> Decoded {
    let as_bytes = |text: &[u8], base| Decoded {
        text: text.to_vec(),
        base,
        encoding: None,
    };
    if choice == TextEncoding::Bytes {
        return as_bytes(raw, 0);
    }
    // A byte-order mark decides.
    if let Some(rest) = raw.strip_prefix(b"\xEF\xBB\xBF") {
        return as_bytes(rest, 3);
    }
    if let Some(rest) = raw.strip_prefix(b"\xFF\xFE") {
        return decoded(encoding_rs::UTF_16LE, rest);
    }
    if let Some(rest) = raw.strip_prefix(b"\xFE\xFF") {
        return decoded(encoding_rs::UTF_16BE, rest);
    }
    match choice {
        TextEncoding::Utf8 | TextEncoding::Bytes => as_bytes(raw, 0),
        TextEncoding::Named(encoding) => decoded(encoding, raw),
        TextEncoding::Auto if std::str::from_utf8(raw).is_ok() => as_bytes(raw, 0),
        TextEncoding::Auto => decoded(detect(raw), raw),
    }
}

/// chardetng's guess from at most [`DETECT_BYTES`] from the first byte that is not ASCII.
pub fn detect(raw: &[u8]) -> &'static Encoding {
    let from = raw.iter().position(|b| !b.is_ascii()).unwrap_or(raw.len());
    let sample = &raw[from..raw.len().min(from + DETECT_BYTES)];
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(sample, true);
    detector.guess(None, false)
}

fn decoded(encoding: &'static Encoding, bytes: &[u8]) -> Decoded {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned().into_bytes(),
        base: 0,
        encoding: Some(encoding),
    }
}
