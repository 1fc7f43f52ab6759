//! `-E/--encoding` against docs/CONTRACT.md ("Encodings"): one text, with French, Japanese,
//! Chinese and Korean in it, saved in UTF-8, UTF-8 with a BOM, UTF-16 LE and BE, Latin-1,
//! Windows-1252, Shift_JIS, EUC-JP, GBK, Big5 and EUC-KR, searched with `auto`, a named
//! encoding and `none`, through the engine; large files (read in parts, split into segments)
//! too.
//!
//! A Unicode file holds the whole text; a legacy file holds the ASCII lines and those of the
//! language its encoding is for, as such files do. (EUC-KR can also hold Japanese kana, but a
//! Korean file with a Japanese sentence is not what a detector is made for: chardetng takes
//! that mix for Big5.)

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[path = "support/decoding.rs"]
mod decoding;

use encoding_rs::Encoding;
use trawl::search::{self, SearchEvent, SearchRequest, TextEncoding};

/// The words looked for.
const WORDS: &[&str] = &["café", "naïve", "日本語", "中文", "한국어"];
const PATTERN: &str = "café|naïve|日本語|中文|한국어";

/// The languages of the text's lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lang {
    Ascii,
    French,
    Japanese,
    Simplified,
    Traditional,
    Korean,
    /// Every script on one line: only Unicode holds it.
    Mixed,
}

/// The text every file is saved from (see the module's comment for which lines a file holds).
const LINES: &[(Lang, &str)] = &[
    (Lang::Ascii, "A plain ASCII line to start with."),
    (
        Lang::French,
        "Le café est très bon, dit la naïve Zoé à l'hôtel. Un café, deux cafés.",
    ),
    (
        Lang::French,
        "Ça coûte 3 € au café du coin ; quelle idée naïve !",
    ),
    (
        Lang::Japanese,
        "日本語のテキストです。東京で会いましょう。日本語は難しいですが、面白いです。",
    ),
    (
        Lang::Japanese,
        "これは日本語の文章で、ひらがなとカタカナと漢字を使います。",
    ),
    (
        Lang::Simplified,
        "中文文本，我们明天在北京见面。我喜欢学习中文，中文很有意思。",
    ),
    (
        Lang::Traditional,
        "中文文本，我們明天在台北見面。我喜歡學習中文，中文很有意思。",
    ),
    (
        Lang::Korean,
        "한국어 텍스트입니다. 서울에서 만나요. 한국어를 배우는 것은 재미있어요.",
    ),
    (
        Lang::Korean,
        "모든 사람은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다. 한국어",
    ),
    (Lang::Mixed, "Mixed: café 日本語 中文 한국어 naïve"),
    (Lang::Ascii, "The end, plain again."),
];

/// How a file of the tree is saved.
#[derive(Clone, Copy, Debug)]
enum Form {
    Utf8,
    Utf8Bom,
    Utf16(&'static Encoding),
    /// Latin-1 proper: only characters up to U+00FF (WHATWG decodes it as windows-1252).
    Latin1,
    Legacy(&'static Encoding),
}

const FILES: &[(&str, Form)] = &[
    ("utf8.txt", Form::Utf8),
    ("utf8-bom.txt", Form::Utf8Bom),
    ("utf16le.txt", Form::Utf16(encoding_rs::UTF_16LE)),
    ("utf16be.txt", Form::Utf16(encoding_rs::UTF_16BE)),
    ("latin1.txt", Form::Latin1),
    ("windows-1252.txt", Form::Legacy(encoding_rs::WINDOWS_1252)),
    ("shift_jis.txt", Form::Legacy(encoding_rs::SHIFT_JIS)),
    ("euc-jp.txt", Form::Legacy(encoding_rs::EUC_JP)),
    ("gbk.txt", Form::Legacy(encoding_rs::GBK)),
    ("big5.txt", Form::Legacy(encoding_rs::BIG5)),
    ("euc-kr.txt", Form::Legacy(encoding_rs::EUC_KR)),
];

impl Form {
    /// Whether a file in this form holds lines of `lang`.
    fn holds(self, lang: Lang) -> bool {
        let languages: &[Lang] = match self {
            Form::Utf8 | Form::Utf8Bom | Form::Utf16(_) => return true,
            Form::Latin1 => &[Lang::French],
            Form::Legacy(e) if e == encoding_rs::WINDOWS_1252 => &[Lang::French],
            Form::Legacy(e) if e == encoding_rs::SHIFT_JIS || e == encoding_rs::EUC_JP => {
                &[Lang::Japanese]
            }
            Form::Legacy(e) if e == encoding_rs::GBK => &[Lang::Simplified],
            Form::Legacy(e) if e == encoding_rs::BIG5 => &[Lang::Traditional],
            Form::Legacy(_) => &[Lang::Korean],
        };
        lang == Lang::Ascii || languages.contains(&lang)
    }

    /// The line's bytes in this form, if it can hold every character of it.
    fn encode(self, line: &str) -> Option<Vec<u8>> {
        match self {
            Form::Utf8 | Form::Utf8Bom => Some(line.as_bytes().to_vec()),
            Form::Utf16(encoding) => Some(utf16(line, encoding == encoding_rs::UTF_16LE)),
            Form::Latin1 => line.chars().map(|c| u8::try_from(c).ok()).collect(),
            Form::Legacy(encoding) => {
                let (bytes, _, unmappable) = encoding.encode(line);
                (!unmappable).then(|| bytes.into_owned())
            }
        }
    }

    /// The encoding the engine reports for such a file with `-E auto`.
    fn decoded_from(self) -> Option<&'static Encoding> {
        match self {
            Form::Utf8 | Form::Utf8Bom => None,
            Form::Utf16(encoding) | Form::Legacy(encoding) => Some(encoding),
            Form::Latin1 => Some(encoding_rs::WINDOWS_1252),
        }
    }
}

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|unit| {
            if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            }
        })
        .collect()
}

/// A saved file: its name, form, the lines it holds (as text) and its bytes.
struct Saved {
    name: &'static str,
    form: Form,
    lines: Vec<&'static str>,
    bytes: Vec<u8>,
}

/// Each form's file, holding `lines` copies of the text (of the lines it can hold).
fn saved_files(copies: usize) -> Vec<Saved> {
    FILES
        .iter()
        .map(|&(name, form)| {
            let held: Vec<&str> = LINES
                .iter()
                .filter(|&&(lang, line)| form.holds(lang) && form.encode(line).is_some())
                .map(|&(_, line)| line)
                .collect();
            let lines: Vec<&str> = (0..copies).flat_map(|_| held.iter().copied()).collect();
            let mut bytes = match form {
                Form::Utf8Bom => b"\xEF\xBB\xBF".to_vec(),
                Form::Utf16(encoding) if encoding == encoding_rs::UTF_16LE => vec![0xFF, 0xFE],
                Form::Utf16(_) => vec![0xFE, 0xFF],
                _ => Vec::new(),
            };
            for line in &lines {
                bytes.extend(form.encode(line).unwrap_or_default());
                bytes.extend(form.encode("\n").unwrap_or_default());
            }
            Saved {
                name,
                form,
                lines,
                bytes,
            }
        })
        .collect()
}

/// One occurrence, and the encoding its file was decoded from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Hit {
    file: String,
    line: u64,
    column: u64,
    /// `None` for a request that did not ask for offsets.
    byte_offset: Option<u64>,
    text: String,
    encoding: Option<&'static str>,
}

/// Every occurrence of the words in `saved`, from its lines as text: what `-E auto` must find.
fn expected_hits(saved: &Saved) -> BTreeSet<Hit> {
    let mut hits = BTreeSet::new();
    // Offsets are in the decoded text, or the file's for UTF-8 (after its BOM).
    let mut offset = match saved.form {
        Form::Utf8Bom => 3,
        _ => 0,
    };
    for (number, line) in saved.lines.iter().enumerate() {
        for word in WORDS {
            for (at, _) in line.match_indices(word) {
                hits.insert(Hit {
                    file: saved.name.to_string(),
                    line: number as u64 + 1,
                    column: line[..at].chars().count() as u64 + 1,
                    byte_offset: Some(offset + at as u64),
                    text: line.to_string(),
                    encoding: saved.form.decoded_from().map(|e| e.name()),
                });
            }
        }
        offset += line.len() as u64 + 1;
    }
    hits
}

fn write_tree(files: &[Saved]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for saved in files {
        fs::write(dir.path().join(saved.name), &saved.bytes).expect("write");
    }
    dir
}

fn request(root: &Path, pattern: &str, encoding: TextEncoding) -> SearchRequest {
    let mut request = SearchRequest::new(root, vec!["txt".into()], pattern);
    request.options.encoding = encoding;
    request
}

/// Every occurrence the engine finds, with its file's encoding; no file may fail.
fn search(request: SearchRequest) -> BTreeSet<Hit> {
    let handle = search::start(request).expect("the search starts");
    let mut hits = BTreeSet::new();
    loop {
        match handle
            .events()
            .recv_timeout(Duration::from_secs(60))
            .expect("the search ends")
        {
            SearchEvent::File(file) => {
                let name = file.path.file_name().expect("a file name");
                let name = name.to_string_lossy().into_owned();
                for line in &file.lines {
                    for occurrence in line.occurrences {
                        hits.insert(Hit {
                            file: name.clone(),
                            line: line.line_number,
                            column: occurrence.column,
                            byte_offset: occurrence.byte_offset,
                            text: line.text.to_string(),
                            encoding: file.encoding.map(|e| e.name()),
                        });
                    }
                }
            }
            SearchEvent::Error(error) => panic!("{error:?}"),
            SearchEvent::Finished(_) => return hits,
        }
    }
}

/// What the reference (tests/support/decoding.rs) finds with `choice`, file by file.
fn reference_hits(root: &Path, pattern: &str, choice: TextEncoding) -> BTreeSet<Hit> {
    let regex = regex::bytes::Regex::new(pattern).expect("a valid pattern");
    let mut hits = BTreeSet::new();
    for entry in fs::read_dir(root).expect("the tree") {
        let path: PathBuf = entry.expect("an entry").path();
        let decoded = decoding::decode(&fs::read(&path).expect("read"), choice);
        if decoded.text.contains(&0) {
            continue;
        }
        let name = path.file_name().expect("a name").to_string_lossy();
        let mut offset = decoded.base;
        for (number, line) in decoded.text.split(|&b| b == b'\n').enumerate() {
            for m in regex.find_iter(line) {
                hits.insert(Hit {
                    file: name.to_string(),
                    line: number as u64 + 1,
                    column: String::from_utf8_lossy(&line[..m.start()]).chars().count() as u64 + 1,
                    byte_offset: Some(offset + m.start() as u64),
                    text: String::from_utf8_lossy(line).into_owned(),
                    encoding: decoded.encoding.map(|e| e.name()),
                });
            }
            offset += line.len() as u64 + 1;
        }
    }
    hits
}

fn by_file(hits: &BTreeSet<Hit>, name: &str) -> Vec<Hit> {
    hits.iter().filter(|h| h.file == name).cloned().collect()
}

#[test]
fn auto_finds_every_word_in_every_encoding_that_holds_it() {
    let files = saved_files(1);
    let dir = write_tree(&files);
    // A binary file (a NUL byte) with the words in Latin-1 stays skipped.
    fs::write(dir.path().join("binary.txt"), b"caf\xE9 na\xEFve\0\n").expect("write");
    let found = search(request(dir.path(), PATTERN, TextEncoding::Auto));
    for saved in &files {
        let expected = expected_hits(saved);
        assert!(!expected.is_empty(), "{} holds some word", saved.name);
        assert_eq!(
            by_file(&found, saved.name),
            expected.into_iter().collect::<Vec<_>>(),
            "{}",
            saved.name
        );
    }
    assert!(by_file(&found, "binary.txt").is_empty());
    // Each script's words are found in the files of its encodings.
    let files_with = |word: &str| -> BTreeSet<String> {
        found
            .iter()
            .filter(|h| h.text.contains(word))
            .map(|h| h.file.clone())
            .collect()
    };
    for (word, name) in [
        ("café", "latin1.txt"),
        ("naïve", "windows-1252.txt"),
        ("日本語", "shift_jis.txt"),
        ("日本語", "euc-jp.txt"),
        ("中文", "gbk.txt"),
        ("中文", "big5.txt"),
        ("한국어", "euc-kr.txt"),
    ] {
        assert!(files_with(word).contains(name), "{word} in {name}");
    }
}

/// The command line asks for no byte offsets where it prints lines and columns only: a
/// decoded file's offsets are measured (the decoded length of everything before a match),
/// which is most of a rare literal's cost over a legacy tree. Everything else is the same.
#[test]
fn without_byte_offsets_every_occurrence_is_found_the_same_with_no_offset() {
    let dir = write_tree(&saved_files(3));
    // ASCII alone (a legacy file's bytes searched, only matching lines decoded), and not.
    for pattern in ["plain", "[A-Z][a-z]+", "end[.,]", PATTERN] {
        let with = request(dir.path(), pattern, TextEncoding::Auto);
        let found = search(with.clone());
        assert_eq!(
            found,
            reference_hits(dir.path(), pattern, TextEncoding::Auto),
            "{pattern}"
        );
        assert!(
            found
                .iter()
                .any(|hit| hit.encoding == Some("Shift_JIS") && hit.line > 1),
            "{pattern} finds a decoded file's later lines"
        );
        let without = SearchRequest {
            byte_offsets: false,
            ..with
        };
        let unmeasured: BTreeSet<Hit> = found
            .into_iter()
            .map(|hit| Hit {
                byte_offset: None,
                ..hit
            })
            .collect();
        assert_eq!(search(without), unmeasured, "{pattern}");
    }
}

#[test]
fn without_e_legacy_files_are_bytes_and_only_utf_files_match() {
    let dir = write_tree(&saved_files(1));
    let found = search(request(dir.path(), PATTERN, TextEncoding::Utf8));
    let files: BTreeSet<&str> = found.iter().map(|h| h.file.as_str()).collect();
    assert_eq!(
        files,
        BTreeSet::from(["utf8.txt", "utf8-bom.txt", "utf16le.txt", "utf16be.txt"])
    );
    assert_eq!(
        found,
        reference_hits(dir.path(), PATTERN, TextEncoding::Utf8)
    );
}

#[test]
fn a_named_encoding_decodes_every_file_but_a_bom_still_wins() {
    let dir = write_tree(&saved_files(1));
    let shift_jis = TextEncoding::parse("shift_jis").expect("a known label");
    let found = search(request(dir.path(), PATTERN, shift_jis));
    assert_eq!(found, reference_hits(dir.path(), PATTERN, shift_jis));
    for hit in &found {
        let expected = match hit.file.as_str() {
            "utf8-bom.txt" => None,
            "utf16le.txt" => Some("UTF-16LE"),
            "utf16be.txt" => Some("UTF-16BE"),
            _ => Some("Shift_JIS"),
        };
        assert_eq!(hit.encoding, expected, "{hit:?}");
    }
    let in_file = |name: &str, word: &str| {
        found
            .iter()
            .any(|h| h.file == name && h.text.contains(word))
    };
    assert!(in_file("shift_jis.txt", "日本語"));
    assert!(in_file("utf8-bom.txt", "한국어") && in_file("utf16be.txt", "café"));
    assert!(
        !in_file("euc-jp.txt", "日本語"),
        "EUC-JP read as Shift_JIS is not Japanese"
    );
}

#[test]
fn none_matches_raw_bytes() {
    let dir = write_tree(&saved_files(1));
    // UTF-8 bytes match in UTF-8 files only; UTF-16's NUL bytes make those files binary.
    let found = search(request(dir.path(), PATTERN, TextEncoding::Bytes));
    let files: BTreeSet<&str> = found.iter().map(|h| h.file.as_str()).collect();
    assert_eq!(files, BTreeSet::from(["utf8.txt", "utf8-bom.txt"]));
    assert!(found.iter().all(|h| h.encoding.is_none()));
    // A byte pattern finds Latin-1's `é` (0xE9), an invalid byte counting as one column.
    let latin1 = r"(?-u:caf\xE9)";
    let found = search(request(dir.path(), latin1, TextEncoding::Bytes));
    let files: BTreeSet<&str> = found.iter().map(|h| h.file.as_str()).collect();
    assert_eq!(files, BTreeSet::from(["latin1.txt", "windows-1252.txt"]));
    let first = found.iter().next().expect("a hit");
    assert_eq!(
        (first.line, first.column, first.byte_offset),
        (2, 4, Some(37))
    );
    // The UTF-8 BOM is text with `none`: a character of line 1.
    let found = search(request(dir.path(), "^A plain", TextEncoding::Bytes));
    assert!(by_file(&found, "utf8-bom.txt").is_empty());
    assert_eq!(by_file(&found, "utf8.txt").len(), 1);
}

#[test]
fn detection_is_deterministic() {
    let files = saved_files(1);
    let dir = write_tree(&files);
    let once = search(request(dir.path(), PATTERN, TextEncoding::Auto));
    for threads in ["1", "2", "4", "1", "3"] {
        let mut again = request(dir.path(), PATTERN, TextEncoding::Auto);
        again.options.threads = threads.into();
        assert_eq!(search(again), once, "-j {threads}");
    }
    assert_eq!(
        once,
        reference_hits(dir.path(), PATTERN, TextEncoding::Auto)
    );
}

/// A pattern whose matches are ASCII alone is searched in a legacy file's bytes, and only the
/// lines it matches there are decoded (crates/search/src/file_searcher.rs, `MatchingLines`): a
/// Shift_JIS, GBK or Big5 trail byte that is `A`, `@`, `\` or a digit there is no match, and
/// lines, columns, offsets and texts are those of the decoded text.
#[test]
fn an_ascii_pattern_finds_no_trail_byte_that_looks_like_ascii() {
    use encoding_rs::{BIG5, EUC_JP, EUC_KR, GBK, SHIFT_JIS, WINDOWS_1252};
    // 表 ソ 能 are 0x95 0x5C, 0x83 0x5C, 0x94 0x5C in Shift_JIS, ア 0x83 0x41; 丂 is 0x81 0x40
    // in GBK; 功 許 are 0xA5 0x5C, 0xB3 0x5C in Big5.
    let files: [(&str, &'static Encoding, &str, &[u8]); 6] = [
        (
            "sjis.txt",
            SHIFT_JIS,
            "日本語のテキストです。表示、ソフト、能力、アイス。東京で会いましょう。",
            b"\x95\x5C",
        ),
        (
            "gbk.txt",
            GBK,
            "中文文本，我们明天在北京见面。丂，我喜欢学习中文。",
            b"\x81\x40",
        ),
        (
            "big5.txt",
            BIG5,
            "中文文本，我們明天在台北見面。功能，許可，我喜歡學習中文。",
            b"\xA5\x5C",
        ),
        (
            "euc-jp.txt",
            EUC_JP,
            "日本語の文書を検索するためのテストです。",
            b"",
        ),
        (
            "euc-kr.txt",
            EUC_KR,
            "한국어 텍스트입니다. 서울에서 만나요.",
            b"",
        ),
        (
            "windows-1252.txt",
            WINDOWS_1252,
            "Le café est très bon, dit la naïve Zoé à l'hôtel.",
            b"",
        ),
    ];
    let dir = tempfile::tempdir().expect("temporary folder");
    for (name, encoding, sentence, lookalike) in files {
        let text: String = (0..60)
            .map(|n| match n % 4 {
                0 => format!("{sentence}\n"),
                1 => format!("{sentence} needle {n} A@\\\n"),
                // (A `\r` before `\n` is the line's in the reference, not in the engine.)
                2 => format!("  let x = {n};\n"),
                _ => format!("{sentence}{sentence}\n"),
            })
            .collect();
        let (bytes, _, unmappable) = encoding.encode(&text);
        assert!(!unmappable, "{name}");
        assert!(
            lookalike.is_empty() || bytes.windows(2).any(|pair| pair == lookalike),
            "{name} has a trail byte that looks like ASCII"
        );
        fs::write(dir.path().join(name), &bytes).expect("write");
    }
    for pattern in [
        r"A",
        r"\\",
        "@",
        "[0-9]+",
        "needle [0-9]",
        "^  let",
        "= [0-9]+;",
        "x|@",
        "中文",
    ] {
        for choice in [TextEncoding::Auto, TextEncoding::Named(SHIFT_JIS)] {
            let found = search(request(dir.path(), pattern, choice));
            assert_eq!(
                found,
                reference_hits(dir.path(), pattern, choice),
                "{pattern} with {choice}"
            );
            if choice == TextEncoding::Auto && pattern == "@" {
                // One `@` on every other line, none from a trail byte.
                assert_eq!(found.len(), 6 * 15, "{pattern}");
            }
        }
    }
}

/// Files over the engine's whole-read limit (1 MiB): a legacy file is streamed decoded; a file
/// whose first megabytes are UTF-8 is split into segments until one is not, and then searched
/// again decoded; with `-U` the same file is streamed and checked as it is read.
#[test]
fn large_files_are_decoded_whether_streamed_or_split() {
    let files = saved_files(10_000);
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut expected = BTreeSet::new();
    for saved in files
        .iter()
        .filter(|s| ["shift_jis.txt", "big5.txt"].contains(&s.name))
    {
        assert!(saved.bytes.len() > 1 << 20, "{} is large", saved.name);
        fs::write(dir.path().join(saved.name), &saved.bytes).expect("write");
        expected.extend(expected_hits(saved));
    }
    // Three megabytes of ASCII, then Latin-1.
    let mut late = "nothing to see here, just ASCII\n"
        .repeat(100_000)
        .into_bytes();
    late.extend_from_slice(b"un caf\xE9 na\xEFf\n");
    fs::write(dir.path().join("late.txt"), &late).expect("write");
    let late_line = 100_001;
    let late_offset = 32 * 100_000;
    expected.insert(Hit {
        file: "late.txt".into(),
        line: late_line,
        column: 4,
        byte_offset: Some(late_offset + 3),
        text: "un café naïf".into(),
        encoding: Some("windows-1252"),
    });
    for multiline in [false, true] {
        let mut req = request(dir.path(), PATTERN, TextEncoding::Auto);
        req.options.multiline = multiline;
        assert_eq!(search(req), expected, "multiline {multiline}");
    }
}

/// A UTF-8 text with a stray Windows-1252 byte: `lines` lines of `café au lait`, and the
/// stray `caf\xE9` line first or last.
fn mostly_utf8(lines: usize, stray_first: bool) -> Vec<u8> {
    let utf8 = "café au lait\n".repeat(lines).into_bytes();
    let stray = b"caf\xE9 latin\n".to_vec();
    if stray_first {
        [stray, utf8].concat()
    } else {
        [utf8, stray].concat()
    }
}

/// A short UTF-8 file with one stray byte is UTF-8 too: five accented letters beside the stray
/// `\xE9` are 91 % well-formed (docs/CONTRACT.md, "Encodings": 90 %), so its `café` is found
/// as without `-E`; four are 89 %, and the file is decoded as a legacy encoding.
#[test]
fn a_short_utf8_file_with_one_stray_byte_is_searched_as_utf8() {
    let dir = tempfile::tempdir().expect("temporary folder");
    fs::write(
        dir.path().join("five.txt"),
        ["café crème brûlée à\ncaf".as_bytes(), b"\xE9\n"].concat(),
    )
    .expect("write");
    fs::write(
        dir.path().join("four.txt"),
        b"caf\xC3\xA9 cr\xC3\xA8me br\xC3\xBBl\xC3\xA9\ncaf\xE9 \n".as_slice(),
    )
    .expect("write");
    let found = search(request(dir.path(), "café", TextEncoding::Auto));
    let five: Vec<_> = found
        .iter()
        .filter(|hit| hit.file.ends_with("five.txt"))
        .collect();
    assert_eq!(five.len(), 1, "the UTF-8 café, not the stray byte's line");
    assert_eq!((five[0].line, five[0].encoding), (1, None));
    let four: Vec<_> = found
        .iter()
        .filter(|hit| hit.file.ends_with("four.txt"))
        .collect();
    assert_eq!(four.len(), 1, "decoded: the stray byte's line is the café");
    assert_eq!(four[0].line, 2);
    assert!(four[0].encoding.is_some());
    assert_eq!(
        found,
        reference_hits(dir.path(), "café", TextEncoding::Auto)
    );
}

/// A file that is UTF-8 but for a stray byte is searched with `-E auto` as its bytes, exactly
/// as without `-E` (docs/CONTRACT.md, "Encodings"): read whole, read in parts and split into
/// segments (the stray byte in its first part, or in a later segment, which has the file
/// searched again), or streamed (`-U`).
#[test]
fn a_file_utf8_but_for_a_stray_byte_is_searched_as_utf8() {
    let dir = tempfile::tempdir().expect("temporary folder");
    fs::write(dir.path().join("m.txt"), mostly_utf8(300, false)).expect("write");
    let found = search(request(dir.path(), "café", TextEncoding::Auto));
    assert_eq!(found.len(), 300, "every UTF-8 café, none in the stray line");
    assert!(found.iter().all(|hit| hit.encoding.is_none()));
    assert_eq!(
        found,
        search(request(dir.path(), "café", TextEncoding::Utf8))
    );
    assert_eq!(
        found,
        reference_hits(dir.path(), "café", TextEncoding::Auto)
    );
    // Over the whole-read limit (1 MiB).
    let dir = tempfile::tempdir().expect("temporary folder");
    fs::write(dir.path().join("late.txt"), mostly_utf8(100_000, false)).expect("write");
    fs::write(dir.path().join("early.txt"), mostly_utf8(100_000, true)).expect("write");
    let pattern = "café|latin";
    let without_e = search(request(dir.path(), pattern, TextEncoding::Utf8));
    assert_eq!(without_e.len(), 2 * 100_000 + 2);
    assert_eq!(
        without_e,
        reference_hits(dir.path(), pattern, TextEncoding::Auto)
    );
    for multiline in [false, true] {
        let mut req = request(dir.path(), pattern, TextEncoding::Auto);
        req.options.multiline = multiline;
        assert_eq!(search(req), without_e, "multiline {multiline}");
    }
}

/// Legacy CJK text has pairs of bytes that are valid UTF-8 by accident (GBK's 纸 is 0xD6 0xBD,
/// EUC-JP's 文 0xCA 0xB8): such a file is still decoded.
#[test]
fn a_legacy_file_with_accidental_utf8_pairs_is_still_decoded() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let files = [
        (
            "gbk.txt",
            encoding_rs::GBK,
            "中文纸张，我们明天在北京见面。\n",
        ),
        (
            "euc-jp.txt",
            encoding_rs::EUC_JP,
            "日本語の文書を検索するためのテストです。\n",
        ),
    ];
    for (name, encoding, line) in files {
        let text = line.repeat(50);
        let (bytes, _, _) = encoding.encode(&text);
        let accidental: usize = (bytes.utf8_chunks())
            .map(|chunk| chunk.valid().bytes().filter(|b| !b.is_ascii()).count())
            .sum();
        assert!(accidental > 0, "{name} has valid UTF-8 pairs");
        fs::write(dir.path().join(name), &bytes).expect("write");
    }
    let pattern = "纸张|文書";
    let found = search(request(dir.path(), pattern, TextEncoding::Auto));
    assert_eq!(by_file(&found, "gbk.txt").len(), 50);
    assert_eq!(by_file(&found, "euc-jp.txt").len(), 50);
    for (name, encoding, _) in files {
        assert!(
            by_file(&found, name)
                .iter()
                .all(|hit| hit.encoding == Some(encoding.name())),
            "{name}"
        );
    }
    assert_eq!(
        found,
        reference_hits(dir.path(), pattern, TextEncoding::Auto)
    );
}

/// Through the binary: `-E auto` finds the 300 UTF-8 occurrences with no `encoding` in the
/// JSON, and `-r --write` keeps the stray byte and every byte but the replaced ones.
#[test]
fn the_binary_searches_and_replaces_a_mostly_utf8_file_as_utf8() {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().expect("temporary folder");
    let journal = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("m.txt");
    let original = mostly_utf8(300, false);
    fs::write(&file, &original).expect("write");
    let root = dir.path().to_str().expect("a UTF-8 temporary path");
    let trawl = |args: &[&str]| {
        Command::cargo_bin("trawl")
            .expect("the binary")
            .args(args)
            .env("TRAWL_JOURNAL_DIR", journal.path())
            .output()
            .expect("trawl runs")
    };
    let out = trawl(&[root, "txt", "café", "-E", "auto", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 JSON");
    let matches: Vec<&str> = (stdout.lines())
        .filter(|line| line.contains(r#""type":"match""#))
        .collect();
    assert_eq!(matches.len(), 300);
    assert!(matches.iter().all(|line| !line.contains("encoding")));
    let out = trawl(&[
        root,
        "txt",
        "café|latin",
        "-E",
        "auto",
        "-r",
        "tea",
        "--write",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    let expected = regex::bytes::Regex::new("café|latin")
        .expect("a valid pattern")
        .replace_all(&original, &b"tea"[..])
        .into_owned();
    let written = fs::read(&file).expect("read");
    assert!(
        written.ends_with(b"caf\xE9 tea\n"),
        "the stray byte is kept"
    );
    assert!(written == expected, "every other byte is kept");
}
