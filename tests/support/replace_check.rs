//! One input through search, replace and undo, checked against `regex` alone: the file is
//! searched by the engine, every match is replaced by the writer (trawl::replace), and the
//! written bytes must equal `regex`'s `replace_all` on the text (line by line, as the engine
//! matches lines; the whole text with multiline), re-encoded as the file was; the undo must
//! then give the original bytes back. A file the writer refuses must be one it should refuse
//! (binary, UTF-16 that is not valid) and must be untouched.
//!
//! Shared by the fuzz target (fuzz/fuzz_targets/replace.rs) and the seeded property test in
//! tests/replace.rs, which include this file by path.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use trawl::replace::{
    FilePlan, Journal, ReplacePlan, Replacer, SkipReason, WriteProgress, WriteReport, write_plan,
};
use trawl::search::{
    CaseMode, FileResult, FileSearcher, RegexMatcher, SearchRequest, build_matcher,
};

/// Bit 0: fixed strings; bit 1: case-insensitive; bit 2: multiline; bits 3–4: the file is
/// written as UTF-8 (0), UTF-8 with a BOM (1), UTF-16LE (2) or UTF-16BE (3), the contents
/// taken as its text (lossily, for UTF-16); bits 5–7, when 1 to 5, override bits 3–4: the file
/// is in a legacy encoding ([`LEGACY`]) and searched with `-E` it: the contents' characters
/// encoded in it (one it cannot hold as encoding_rs's `&#N;`), each invalid UTF-8 byte as one
/// the encoding does not map (0x82, a first byte missing its second, for 0xC3; else 0xFF).
pub struct Input<'a> {
    pub flags: u8,
    pub pattern: &'a str,
    pub template: &'a str,
    pub contents: &'a [u8],
}

/// Checks `input`, panicking on any difference. Returns false when nothing was checked (the
/// pattern does not compile, or nothing matched).
pub fn check(input: &Input<'_>) -> bool {
    let fixed = input.flags & 1 != 0;
    let insensitive = input.flags & 2 != 0;
    let multiline = input.flags & 4 != 0;
    let form = (input.flags >> 3) & 3;
    let legacy = match input.flags >> 5 {
        n @ 1..=5 => Some(
            trawl::search::Encoding::for_label(LEGACY[usize::from(n) - 1].as_bytes())
                .expect("a label encoding_rs knows"),
        ),
        _ => None,
    };
    if let Some(encoding) = legacy {
        return check_legacy(input, encoding);
    }
    if [&b"\xef\xbb\xbf"[..], b"\xff\xfe", b"\xfe\xff"]
        .iter()
        .any(|bom| input.contents.starts_with(bom))
    {
        return false;
    }
    let text_for_utf16 = String::from_utf8_lossy(input.contents).into_owned();
    let file_bytes: Vec<u8> = match form {
        0 => input.contents.to_vec(),
        1 => [&b"\xEF\xBB\xBF"[..], input.contents].concat(),
        _ => utf16(&text_for_utf16, form == 3),
    };

    let mut request = SearchRequest::new(".", Vec::new(), input.pattern);
    request.options.regex = !fixed;
    request.options.case = if insensitive {
        CaseMode::Insensitive
    } else {
        CaseMode::Sensitive
    };
    request.options.multiline = multiline;
    request.options.binary_as_text = true;
    let Ok(matcher) = build_matcher(&request) else {
        return false;
    };
    let Ok(replacer) = Replacer::new(&request.options, input.pattern, input.template) else {
        return false;
    };
    // The reference: regex's replace_all on the searched text, line by line unless multiline.
    let text: Vec<u8> = match form {
        0 | 1 => input.contents.to_vec(),
        _ => text_for_utf16.clone().into_bytes(),
    };
    let Some(replaced_text) = reference_replace(input, &text) else {
        return false;
    };

    let Some(Written {
        _dir,
        path,
        journal,
        report,
        written,
    }) = search_and_write(&request, matcher, &replacer, input.pattern, &file_bytes)
    else {
        return false;
    };
    if let Some(skipped) = report.skipped.first() {
        assert_eq!(written, file_bytes, "a skipped file is untouched");
        let binary = file_bytes.contains(&0) && form < 2 || text_for_utf16.contains('\0');
        match &skipped.reason {
            SkipReason::Binary => assert!(binary, "{:?}", input.contents),
            SkipReason::Undecodable(_) => assert!(form >= 2),
            other => panic!(
                "refused {other}: pattern {:?} template {:?} flags {} contents {:?}",
                input.pattern, input.template, input.flags, input.contents
            ),
        }
        return true;
    }

    let expected = match form {
        0 => replaced_text,
        1 => [&b"\xEF\xBB\xBF"[..], &replaced_text].concat(),
        _ => match String::from_utf8(replaced_text) {
            Ok(text) => utf16(&text, form == 3),
            Err(_) => panic!("the writer wrote UTF-16 from text that is not UTF-8"),
        },
    };
    assert_eq!(
        written, expected,
        "pattern {:?} template {:?} flags {} contents {:?}",
        input.pattern, input.template, input.flags, input.contents
    );

    let undo = journal.undo(None).expect("undo");
    assert!(undo.left.is_empty(), "{undo:?}");
    assert_eq!(
        std::fs::read(&path).expect("read"),
        file_bytes,
        "undo restores the original"
    );
    true
}

/// What the writer must make of `text`, computed with `regex` alone: `replace_all` line by
/// line (a line without its `\n` and one `\r` before it), or over the whole text with
/// multiline. `None` when the pattern does not compile.
fn reference_replace(input: &Input<'_>, text: &[u8]) -> Option<Vec<u8>> {
    let fixed = input.flags & 1 != 0;
    let insensitive = input.flags & 2 != 0;
    let multiline = input.flags & 4 != 0;
    let reference_pattern = if fixed {
        regex::escape(input.pattern)
    } else {
        input.pattern.to_string()
    };
    let Ok(reference) = regex::bytes::RegexBuilder::new(&reference_pattern)
        .case_insensitive(insensitive)
        .multi_line(true)
        .crlf(!multiline)
        .build()
    else {
        return None;
    };

    // Each match as the engine's contract reports it: an empty match between the bytes of one
    // character is none, nor is one after a multiline text's final newline.
    let replace = |haystack: &[u8]| -> Vec<u8> {
        let starts = char_starts(haystack);
        let mut out = Vec::new();
        let mut last = 0;
        for captures in reference.captures_iter(haystack) {
            let Some(m) = captures.get(0) else { continue };
            if m.is_empty()
                && (!starts[m.start()]
                    || (multiline && m.start() == haystack.len() && haystack.ends_with(b"\n")))
            {
                continue;
            }
            out.extend_from_slice(&haystack[last..m.start()]);
            if fixed {
                out.extend_from_slice(input.template.as_bytes());
            } else {
                captures.expand(input.template.as_bytes(), &mut out);
            }
            last = m.end();
        }
        out.extend_from_slice(&haystack[last..]);
        out
    };
    Some(if multiline {
        replace(text)
    } else {
        // Lines end at `\n`; one `\r` before it (or at the end) is not part of the line.
        // The empty piece after a final `\n` is no line.
        let mut out = Vec::new();
        let pieces: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
        for (i, line) in pieces.iter().enumerate() {
            if i > 0 {
                out.push(b'\n');
            }
            if i + 1 == pieces.len() && i > 0 && line.is_empty() {
                break;
            }
            match line.strip_suffix(b"\r") {
                Some(line) => {
                    out.extend(replace(line));
                    out.push(b'\r');
                }
                None => out.extend(replace(line)),
            }
        }
        out
    })
}

/// The legacy encodings of bits 5–7.
pub const LEGACY: [&str; 5] = ["windows-1252", "shift_jis", "gbk", "big5", "euc-kr"];

/// [`check`] for a file in a legacy encoding. The writer may refuse it only for a reason it
/// names and that holds: a NUL (binary), a character of the replaced text the encoding
/// cannot hold, or, where the text has a byte the encoding does not map (U+FFFD) or is Big5
/// (some of whose byte pairs decode to two characters), bytes it cannot write back exactly.
/// A written file must decode to the reference's replaced text, and be exactly its encoding
/// when the original was exactly its text's.
fn check_legacy(input: &Input<'_>, encoding: &'static trawl::search::Encoding) -> bool {
    let fixed = input.flags & 1 != 0;
    let insensitive = input.flags & 2 != 0;
    let multiline = input.flags & 4 != 0;
    let mut file_bytes = Vec::new();
    for chunk in input.contents.utf8_chunks() {
        file_bytes.extend_from_slice(&encoding.encode(chunk.valid()).0);
        for &byte in chunk.invalid() {
            file_bytes.push(if byte == 0xC3 { 0x82 } else { 0xFF });
        }
    }
    if trawl::search::Encoding::for_bom(&file_bytes).is_some() {
        return false;
    }
    let text = encoding
        .decode_without_bom_handling(&file_bytes)
        .0
        .into_owned();
    let mut request = SearchRequest::new(".", Vec::new(), input.pattern);
    request.options.regex = !fixed;
    request.options.case = if insensitive {
        CaseMode::Insensitive
    } else {
        CaseMode::Sensitive
    };
    request.options.multiline = multiline;
    request.options.binary_as_text = true;
    request.options.encoding = trawl::search::TextEncoding::Named(encoding);
    let Ok(matcher) = build_matcher(&request) else {
        return false;
    };
    let Ok(replacer) = Replacer::new(&request.options, input.pattern, input.template) else {
        return false;
    };
    let Some(replaced_text) = reference_replace(input, text.as_bytes()) else {
        return false;
    };
    let Some(Written {
        _dir,
        path,
        journal,
        report,
        written,
    }) = search_and_write(&request, matcher, &replacer, input.pattern, &file_bytes)
    else {
        return false;
    };
    let what = format!(
        "{} pattern {:?} template {:?} flags {} file {:?}",
        encoding.name(),
        input.pattern,
        input.template,
        input.flags,
        file_bytes
    );
    if let Some(skipped) = report.skipped.first() {
        assert_eq!(written, file_bytes, "a skipped file is untouched: {what}");
        let replaced = String::from_utf8_lossy(&replaced_text);
        match &skipped.reason {
            SkipReason::Binary => assert!(text.contains('\0'), "{what}"),
            SkipReason::Unencodable { character, .. } => {
                assert!(replaced.contains(*character), "{character:?}: {what}");
                assert!(encoding.encode(&character.to_string()).2, "{what}");
            }
            SkipReason::Undecodable(_) => assert!(
                text.contains('\u{FFFD}') || encoding == big5(),
                "{}: {what}",
                skipped.reason
            ),
            other => panic!("refused {other}: {what}"),
        }
        return true;
    }
    assert_eq!(
        encoding.decode_without_bom_handling(&written).0,
        String::from_utf8_lossy(&replaced_text),
        "decoded: {what}"
    );
    let (canonical, _, unmappable) = encoding.encode(&text);
    if !unmappable && *canonical == *file_bytes {
        let replaced = String::from_utf8(replaced_text).expect("UTF-8 text");
        assert_eq!(written, encoding.encode(&replaced).0.into_owned(), "{what}");
    }
    let undo = journal.undo(None).expect("undo");
    assert!(undo.left.is_empty(), "{undo:?}");
    assert_eq!(
        std::fs::read(&path).expect("read"),
        file_bytes,
        "undo restores the original"
    );
    true
}

/// Big5, some of whose byte pairs decode to two characters.
fn big5() -> &'static trawl::search::Encoding {
    trawl::search::Encoding::for_label(b"big5").expect("Big5")
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

/// Which positions of `bytes` start a character (an invalid byte is a character of its own),
/// its end included.
fn char_starts(bytes: &[u8]) -> Vec<bool> {
    let mut starts = vec![false; bytes.len() + 1];
    let mut at = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            starts[at] = true;
            at += c.len_utf8();
        }
        for _ in chunk.invalid() {
            starts[at] = true;
            at += 1;
        }
    }
    starts[bytes.len()] = true;
    starts
}

/// A file holding `file_bytes`, searched and replaced as the product does, and what came of it.
struct Written {
    /// The file's and the journal's folders, kept until the check's undo.
    _dir: (tempfile::TempDir, tempfile::TempDir),
    path: std::path::PathBuf,
    journal: Journal,
    report: WriteReport,
    written: Vec<u8>,
}

/// Writes `file_bytes` to a file, searches it with `request` and rewrites every match with
/// `replacer`; `None` when the search finds no match.
fn search_and_write(
    request: &SearchRequest,
    matcher: RegexMatcher,
    replacer: &Replacer,
    pattern: &str,
    file_bytes: &[u8],
) -> Option<Written> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let journal_dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("f.txt");
    std::fs::write(&path, file_bytes).expect("write");
    let mut searcher = FileSearcher::new(request, matcher, Arc::new(AtomicBool::new(false)));
    let found = searcher.search_path(&path).expect("search");
    if found.matches == 0 {
        return None;
    }
    let result = FileResult {
        path: path.clone(),
        encoding: found.encoding,
        binary: found.has_nul,
        lines: found.lines,
        modified: None,
    };
    let plan = ReplacePlan {
        root: dir.path().into(),
        pattern: pattern.into(),
        files: vec![FilePlan::from_result(&result).expect("offsets asked for")],
    };
    let journal = Journal::at(journal_dir.path());
    let report = write_plan(
        &plan,
        replacer,
        &journal,
        &WriteProgress::default(),
        &AtomicBool::new(false),
    )
    .expect("journal");
    let written = std::fs::read(&path).expect("read");
    Some(Written {
        _dir: (dir, journal_dir),
        path,
        journal,
        report,
        written,
    })
}
