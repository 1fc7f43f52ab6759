//! Arbitrary bytes and patterns through the per-file search, checked against a naive reference:
//! split on `\n`, strip one `\r`, run `regex` on each line, count columns in characters (an
//! invalid UTF-8 byte counting as one), in CRLF mode like the engine. Every (line, column, byte_offset, length) must agree, and
//! every highlight must be a valid range of the shown text.
#![no_main]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use libfuzzer_sys::fuzz_target;
use trawl::search::{CaseMode, FileSearcher, SearchRequest, build_matcher};

fuzz_target!(|input: &[u8]| {
    // Layout: flags byte, pattern length byte, pattern, contents.
    let [flags, len, rest @ ..] = input else { return };
    let len = (*len as usize).min(rest.len());
    let (pattern, contents) = rest.split_at(len);
    let Ok(pattern) = std::str::from_utf8(pattern) else { return };
    // A BOM switches on transcoding, which the reference does not model.
    if [&b"\xef\xbb\xbf"[..], b"\xff\xfe", b"\xfe\xff"].iter().any(|bom| contents.starts_with(bom)) {
        return;
    }
    let fixed = flags & 1 != 0;
    let insensitive = flags & 2 != 0;

    let mut request = SearchRequest::new(".", Vec::new(), pattern);
    request.fixed_strings = fixed;
    request.case = if insensitive { CaseMode::Insensitive } else { CaseMode::Sensitive };
    request.binary_as_text = true;
    // Short windows, so that cut lines and shared cut texts are exercised on small inputs.
    if flags & 4 != 0 {
        request.max_columns = Some(4 + usize::from(flags >> 4));
    }
    let Ok(matcher) = build_matcher(&request) else { return };
    let reference_pattern = if fixed { regex::escape(pattern) } else { pattern.to_string() };
    let Ok(reference) = regex::bytes::RegexBuilder::new(&reference_pattern)
        .case_insensitive(insensitive)
        .multi_line(true)
        // The engine's documented line mode (ripgrep's --crlf): `.` does not match `\r`, and
        // `^`/`$` also match next to `\r`, so `end$` finds "end" in "end\r\n".
        .crlf(true)
        .build()
    else {
        return;
    };

    let mut searcher = FileSearcher::new(&request, matcher, Arc::new(AtomicBool::new(false)));
    let found = searcher.search_bytes(contents).expect("searching memory cannot fail");
    // A large file is searched in segments: the same lines, numbers and offsets.
    let piece = 1 + len % 32;
    let in_segments = searcher
        .search_bytes_in_segments(contents, piece)
        .expect("searching memory cannot fail");
    assert_eq!(in_segments.lines, found.lines, "segments of {piece} bytes");

    let mut actual = Vec::new();
    for line in &found.lines {
        for occ in line.occurrences {
            assert!(occ.highlight.start <= occ.highlight.end && occ.highlight.end <= line.text.len());
            assert!(line.text.is_char_boundary(occ.highlight.start));
            assert!(line.text.is_char_boundary(occ.highlight.end));
            let excerpt = line.excerpt(occ);
            assert!(excerpt.highlight.start <= excerpt.highlight.end);
            assert!(excerpt.text.get(excerpt.highlight.clone()).is_some());
            if let Some(max) = request.max_columns {
                assert!(excerpt.text.chars().count() <= max, "{excerpt:?}");
            }
            actual.push((line.line_number, occ.column, occ.byte_offset, occ.length));
        }
    }

    let mut expected = Vec::new();
    let mut offset = 0usize;
    for (i, raw) in contents.split(|&b| b == b'\n').enumerate() {
        let line_len = raw.len();
        if raw.is_empty() && offset == contents.len() {
            break; // the empty "line" after a final newline (or of an empty file)
        }
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        for m in reference.find_iter(line) {
            // regex reports empty matches inside a UTF-8 sequence only in byte mode; grep does not
            // see those either when Unicode is on, so skip positions that split a character.
            if !is_char_start(line, m.start()) || !is_char_start(line, m.end()) {
                continue;
            }
            let column = char_count(&line[..m.start()]) as u64 + 1;
            expected.push((i as u64 + 1, column, (offset + m.start()) as u64, m.len() as u64));
        }
        offset += line_len + 1;
    }
    assert_eq!(actual, expected, "pattern {pattern:?} fixed {fixed} insensitive {insensitive}");
});

fn char_count(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + c.invalid().len())
        .sum()
}

/// Whether `pos` starts a character (or is the end), with invalid bytes each their own character.
fn is_char_start(bytes: &[u8], pos: usize) -> bool {
    if pos == 0 || pos >= bytes.len() {
        return true;
    }
    let mut at = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if at == pos {
                return true;
            }
            at += c.len_utf8();
            if at > pos {
                return false;
            }
        }
        for _ in chunk.invalid() {
            if at == pos {
                return true;
            }
            at += 1;
        }
    }
    at == pos
}
