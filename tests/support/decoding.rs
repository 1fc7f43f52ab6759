//! The tests' reference for how a file's bytes become the text that is searched, written from
//! docs/CONTRACT.md ("Defaults" and "Encodings") with encoding_rs and chardetng called
//! directly, the whole file in memory: no blocks, no streaming, no segments.

use trawl::search::{Encoding, TextEncoding};

/// The detector reads from a file's first byte that is not ASCII to the 256th such byte, and
/// at most this many bytes (docs/CONTRACT.md, "Encodings").
pub const DETECT_BYTES: usize = 64 << 10;
const DETECT_NON_ASCII: usize = 256;

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
        // Not valid UTF-8, but mostly: its bytes, as without `-E`.
        TextEncoding::Auto if detect(raw) == encoding_rs::UTF_8 => as_bytes(raw, 0),
        TextEncoding::Auto => decoded(detect(raw), raw),
    }
}

/// The encoding of a file that is not valid UTF-8, judged from its first byte that is not
/// ASCII to the 256th, at most [`DETECT_BYTES`]: UTF-8 when at least 90 % of the sample's
/// non-ASCII bytes are in well-formed UTF-8 characters (a character cut by the sample's end
/// left out), else chardetng's guess.
pub fn detect(raw: &[u8]) -> &'static Encoding {
    let from = raw.iter().position(|b| !b.is_ascii()).unwrap_or(raw.len());
    let mut end = raw.len().min(from + DETECT_BYTES);
    let mut non_ascii = 0;
    for (at, byte) in raw.iter().enumerate().take(end).skip(from) {
        if !byte.is_ascii() {
            non_ascii += 1;
            if non_ascii == DETECT_NON_ASCII {
                end = at + 1;
                break;
            }
        }
    }
    // The end of the sample is the end of the stream only when the file ends there.
    let at_end = end == raw.len();
    if mostly_utf8(&raw[from..end], at_end) {
        return encoding_rs::UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(&raw[from..end], at_end);
    detector.guess(None, false)
}

/// Whether 90 % of `sample`'s non-ASCII bytes are in characters `str::from_utf8` accepts,
/// the rest counted as it rejects them, a maximal invalid sequence at a time.
fn mostly_utf8(sample: &[u8], at_end: bool) -> bool {
    let (mut well_formed, mut invalid, mut rest) = (0, 0, sample);
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                well_formed += text.bytes().filter(|b| !b.is_ascii()).count();
                break;
            }
            Err(error) => {
                let valid = &rest[..error.valid_up_to()];
                well_formed += valid.iter().filter(|b| !b.is_ascii()).count();
                match error.error_len() {
                    Some(len) => {
                        invalid += len;
                        rest = &rest[error.valid_up_to() + len..];
                    }
                    // A character cut by the end: an error only at the file's end.
                    None => {
                        if at_end {
                            invalid += rest.len() - error.valid_up_to();
                        }
                        break;
                    }
                }
            }
        }
    }
    let non_ascii = well_formed + invalid;
    non_ascii > 0 && well_formed * 100 >= non_ascii * 90
}

fn decoded(encoding: &'static Encoding, bytes: &[u8]) -> Decoded {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned().into_bytes(),
        base: 0,
        encoding: Some(encoding),
    }
}
