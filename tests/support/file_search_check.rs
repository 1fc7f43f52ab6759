//! One input through the per-file search, checked against a naive reference: split on `\n`,
//! strip one `\r`, run `regex` on each line in CRLF mode like the engine, count columns in
//! characters (an invalid UTF-8 byte counting as one). Every (line, column, byte offset,
//! length) must agree, every highlight must be a valid range of the shown text, and searching
//! the same bytes in small segments, as a large file is, must give the same lines.
//!
//! The reference follows the engine's documented rule for matches that do not start on a
//! character (crates/search/src/text.rs, and tests/engine.rs's reference): an empty match between the
//! bytes of one character (`x*` on `日`) is no occurrence, while a byte-level match that starts
//! or ends inside a character (`(?-u:\xA9)` on `©`) is one, at the column of the character it
//! starts in.
//!
//! Shared by the fuzz target (fuzz/fuzz_targets/file_search.rs) and the seeded property test
//! in tests/engine.rs, which include this file by path.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use trawl::search::{CaseMode, FileSearcher, SearchRequest, build_matcher};

/// What one input sets: bit 0 fixed strings, bit 1 case-insensitive, bit 2 a short
/// `max_columns` (4 plus the top four bits), so that cut lines are exercised on small inputs.
pub struct Input<'a> {
    pub flags: u8,
    pub pattern: &'a str,
    pub contents: &'a [u8],
    /// The segment size for the split search, 1 to 32 bytes.
    pub piece: usize,
}

/// Checks `input`, panicking on any difference. Returns false when the input is not checked:
/// the pattern does not compile for the engine or for the reference, or the contents start
/// with a BOM (which switches on transcoding, which the reference does not model).
pub fn check(input: &Input<'_>) -> bool {
    let Input {
        flags,
        pattern,
        contents,
        piece,
    } = *input;
    if [&b"\xef\xbb\xbf"[..], b"\xff\xfe", b"\xfe\xff"]
        .iter()
        .any(|bom| contents.starts_with(bom))
    {
        return false;
    }
    let fixed = flags & 1 != 0;
    let insensitive = flags & 2 != 0;

    let mut request = SearchRequest::new(".", Vec::new(), pattern);
    request.options.regex = !fixed;
    request.options.case = if insensitive {
        CaseMode::Insensitive
    } else {
        CaseMode::Sensitive
    };
    request.options.binary_as_text = true;
    if flags & 4 != 0 {
        request.max_columns = Some(4 + usize::from(flags >> 4));
    }
    let Ok(matcher) = build_matcher(&request) else {
        return false;
    };
    let reference_pattern = if fixed {
        regex::escape(pattern)
    } else {
        pattern.to_string()
    };
    let Ok(reference) = regex::bytes::RegexBuilder::new(&reference_pattern)
        .case_insensitive(insensitive)
        .multi_line(true)
        // The engine's documented line mode (ripgrep's --crlf): `.` does not match `\r`, and
        // `^`/`$` also match next to `\r`, so `end$` finds "end" in "end\r\n".
        .crlf(true)
        .build()
    else {
        return false;
    };

    let mut searcher = FileSearcher::new(&request, matcher, Arc::new(AtomicBool::new(false)));
    let found = searcher
        .search_bytes(contents)
        .expect("searching memory cannot fail");
    let piece = piece.clamp(1, 32);
    let in_segments = searcher
        .search_bytes_in_segments(contents, piece)
        .expect("searching memory cannot fail");
    assert_eq!(
        in_segments.lines, found.lines,
        "segments of {piece} bytes: pattern {pattern:?} contents {contents:?}"
    );

    let mut actual = Vec::new();
    for line in &found.lines {
        for occ in line.occurrences {
            assert!(
                occ.highlight.start <= occ.highlight.end && occ.highlight.end <= line.text.len()
            );
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
            if m.is_empty() && char_start(line, m.start()) != m.start() {
                continue;
            }
            let column = char_count(&line[..char_start(line, m.start())]) as u64 + 1;
            expected.push((
                i as u64 + 1,
                column,
                Some((offset + m.start()) as u64),
                m.len() as u64,
            ));
        }
        offset += line_len + 1;
    }
    assert_eq!(
        actual, expected,
        "pattern {pattern:?} fixed {fixed} insensitive {insensitive} contents {contents:?}"
    );
    true
}

/// Characters in `bytes`, each invalid UTF-8 byte counting as one.
fn char_count(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + c.invalid().len())
        .sum()
}

/// The start of the valid character holding byte `pos` (`pos` itself when it starts one, is
/// an invalid byte, or is the end).
fn char_start(bytes: &[u8], pos: usize) -> usize {
    let mut at = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if pos > at && pos < at + c.len_utf8() {
                return at;
            }
            at += c.len_utf8();
        }
        at += chunk.invalid().len();
    }
    pos
}
