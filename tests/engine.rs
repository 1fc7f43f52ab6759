//! Behaviour tests of the search engine (`trawl::search`).
//!
//! Each test builds its own tree in a temporary folder and compares what the engine finds with a
//! small reference implementation written here from the contract (docs/CONTRACT.md): a plain
//! recursive `std::fs` walk, the file read whole, split on `\n`, and `regex` run on every line.
//! The comparison is on every occurrence: (path, line, column, byte offset, length, line text).
//!
//! Where the engine deliberately follows ripgrep rather than the simplest reading of the contract,
//! the reference models ripgrep and says so:
//! - `.gitignore` is honoured only inside a git repository (a `.git` folder in the root here);
//! - `-w` is ripgrep's word mode, `\b{start-half}(?:PATTERN)\b{end-half}`;
//! - smart case is case-insensitive unless the pattern has an upper-case literal;
//! - a BOM is sniffed and stripped: UTF-16 is searched as decoded UTF-8 (offsets in the decoded
//!   text), a UTF-8 BOM is not part of line 1's text or columns but is counted in byte offsets
//!   (they are "from the start of the file");
//! - `-E` decodes as the contract's "Encodings" says (tests/support/decoding.rs: encoding_rs
//!   and chardetng on the whole file), and each file's encoding is compared too.
//!
//! And where the contract leaves a corner open, the reference fixes one reading:
//! - an empty match between the bytes of one character (`x*` on `日`) is no occurrence, and one
//!   after the last line terminator (with `-U`) is on no line;
//! - a byte-level match starting inside a character (`(?-u:\xA9)`) has that character's column;
//! - `length` is the whole match's, also when a `-U` match runs onto the next lines.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
#[path = "support/decoding.rs"]
mod decoding;
#[path = "support/file_search_check.rs"]
mod file_search_check;

use trawl::search::{
    self, CaseMode, FileError, FileSearcher, Globs, SearchError, SearchEvent, SearchRequest,
    Summary, TextEncoding, build_matcher,
};

// ---------------------------------------------------------------------------------------------
// What is compared
// ---------------------------------------------------------------------------------------------

/// One occurrence, as the contract describes it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Hit {
    path: PathBuf,
    line: u64,
    column: u64,
    byte_offset: u64,
    length: u64,
    text: String,
    /// The encoding the file was decoded from, by name (none: searched as its bytes).
    encoding: Option<&'static str>,
}

/// Everything one engine search produced.
struct Outcome {
    hits: BTreeSet<Hit>,
    errors: Vec<FileError>,
    summary: Summary,
}

/// How long any test waits for a search before calling it hung.
const HANG: Duration = Duration::from_secs(60);

/// Runs the engine to the end and checks the invariants every search must keep: `Finished` comes
/// last and once, each file is sent once, lines are in order, highlights are valid ranges of the
/// shown text, no occurrence is reported twice, and the summary counts what was sent.
fn run_engine(request: SearchRequest) -> Outcome {
    let handle = search::start(request).expect("the search starts");
    let mut hits = BTreeSet::new();
    let mut occurrences = 0u64;
    let mut errors = Vec::new();
    let mut seen_paths = BTreeSet::new();
    let summary = loop {
        let event = handle.events().recv_timeout(HANG).expect("the search ends");
        match event {
            SearchEvent::File(file) => {
                assert!(
                    seen_paths.insert(file.path.clone()),
                    "{} sent twice",
                    file.path.display()
                );
                assert!(
                    !file.lines.is_empty(),
                    "{} sent without a match",
                    file.path.display()
                );
                let mut previous_line = 0;
                for line in &file.lines {
                    assert!(line.line_number >= 1, "line numbers are 1-based");
                    assert!(line.line_number >= previous_line, "lines are in file order");
                    previous_line = line.line_number;
                    assert!(!line.occurrences.is_empty(), "a line without occurrences");
                    for occ in line.occurrences {
                        assert!(occ.column >= 1, "columns are 1-based");
                        let h = occ.highlight.clone();
                        assert!(
                            h.start <= h.end && line.text.get(h.clone()).is_some(),
                            "highlight {h:?} is not a range of the text {:?}",
                            line.text
                        );
                        occurrences += 1;
                        let hit = Hit {
                            path: file.path.clone(),
                            line: line.line_number,
                            column: occ.column,
                            byte_offset: occ.byte_offset.expect("offsets asked for"),
                            length: occ.length,
                            text: line.excerpt(occ).to_marked().0.into_owned(),
                            encoding: file.encoding.map(|e| e.name()),
                        };
                        assert!(
                            hits.insert(hit.clone()),
                            "occurrence reported twice: {hit:?}"
                        );
                    }
                }
            }
            SearchEvent::Error(error) => errors.push(error),
            SearchEvent::Finished(summary) => break summary,
        }
    };
    assert!(
        handle
            .events()
            .recv_timeout(Duration::from_secs(5))
            .is_err(),
        "nothing follows Finished and the channel closes"
    );
    assert!(!summary.cancelled);
    assert_eq!(
        summary.matches, occurrences,
        "the summary counts every occurrence sent"
    );
    assert_eq!(summary.files_matched, seen_paths.len() as u64);
    assert_eq!(summary.errors, errors.len() as u64);
    Outcome {
        hits,
        errors,
        summary,
    }
}

/// Asserts that the engine and the reference find exactly the same occurrences.
fn assert_same(request: &SearchRequest) -> BTreeSet<Hit> {
    let expected = reference(request);
    let outcome = run_engine(request.clone());
    assert!(
        outcome.errors.is_empty(),
        "unexpected errors: {:?}",
        outcome.errors
    );
    assert_hits_eq(&outcome.hits, &expected, request);
    expected
}

fn assert_hits_eq(actual: &BTreeSet<Hit>, expected: &BTreeSet<Hit>, request: &SearchRequest) {
    if actual == expected {
        return;
    }
    let missing: Vec<_> = expected.difference(actual).take(15).collect();
    let extra: Vec<_> = actual.difference(expected).take(15).collect();
    panic!(
        "engine and reference differ for {request:#?}\n\
         expected {} occurrences, engine found {}\n\
         missing from the engine ({}):\n{missing:#?}\n\
         extra in the engine ({}):\n{extra:#?}",
        expected.len(),
        actual.len(),
        expected.difference(actual).count(),
        actual.difference(expected).count(),
    );
}

// ---------------------------------------------------------------------------------------------
// The reference implementation
// ---------------------------------------------------------------------------------------------

/// Every occurrence the contract says `request` finds, computed the plain way.
fn reference(request: &SearchRequest) -> BTreeSet<Hit> {
    let regex = reference_regex(request);
    let mut hits = BTreeSet::new();
    for path in reference_files(request) {
        let raw = fs::read(&path).unwrap();
        let decoded = decoding::decode(&raw, request.options.encoding);
        if !request.options.binary_as_text && decoded.text.contains(&0) {
            continue;
        }
        let mut found = BTreeSet::new();
        if request.options.multiline {
            reference_multiline(&path, &decoded.text, decoded.base, &regex, &mut found);
        } else {
            reference_by_line(&path, &decoded.text, decoded.base, &regex, &mut found);
        }
        let encoding = decoded.encoding.map(|e| e.name());
        hits.extend(found.into_iter().map(|hit| Hit { encoding, ..hit }));
    }
    hits
}

fn reference_regex(request: &SearchRequest) -> regex::bytes::Regex {
    let mut pattern = if !request.options.regex {
        regex::escape(&request.pattern)
    } else {
        request.pattern.clone()
    };
    if request.options.whole_word {
        // ripgrep's -w: a non-word character (or an edge) on the outer side of each end.
        pattern = format!(r"\b{{start-half}}(?:{pattern})\b{{end-half}}");
    }
    let insensitive = match request.options.case {
        CaseMode::Sensitive => false,
        CaseMode::Insensitive => true,
        // Only literal patterns are used with smart case here, so "has an upper-case literal" is
        // "has an upper-case character".
        CaseMode::Smart => !request.pattern.chars().any(char::is_uppercase),
    };
    regex::bytes::RegexBuilder::new(&pattern)
        .case_insensitive(insensitive)
        .multi_line(true)
        .build()
        .unwrap()
}

/// Characters in `bytes`, each invalid UTF-8 byte counting as one.
fn chars(bytes: &[u8]) -> u64 {
    bytes
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + c.invalid().len())
        .sum::<usize>() as u64
}

/// The start of the valid character holding byte `pos` (`pos` itself when it starts one).
fn char_start(haystack: &[u8], pos: usize) -> usize {
    let mut at = 0;
    for chunk in haystack.utf8_chunks() {
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

/// An empty match between the bytes of one valid character: the regex reports it (like
/// grep-regex), but it has no column and is not an occurrence.
fn splits_char(haystack: &[u8], m: &regex::bytes::Match) -> bool {
    m.is_empty() && char_start(haystack, m.start()) != m.start()
}

/// The column of a match starting at byte `start` of `line`: the column of the character it
/// starts in (a byte-level pattern may start inside one).
fn column(line: &[u8], start: usize) -> u64 {
    chars(&line[..char_start(line, start)]) + 1
}

/// A line without its terminator: a trailing `\r` goes too.
fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn reference_by_line(
    path: &Path,
    content: &[u8],
    base: u64,
    regex: &regex::bytes::Regex,
    hits: &mut BTreeSet<Hit>,
) {
    let mut line_start = 0usize;
    let mut line_number = 0u64;
    while line_start < content.len() {
        line_number += 1;
        let end = content[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(content.len(), |i| line_start + i);
        let line = strip_cr(&content[line_start..end]);
        let text = String::from_utf8_lossy(line).into_owned();
        for m in regex.find_iter(line).filter(|m| !splits_char(line, m)) {
            hits.insert(Hit {
                path: path.to_path_buf(),
                line: line_number,
                column: column(line, m.start()),
                byte_offset: base + (line_start + m.start()) as u64,
                length: m.len() as u64,
                text: text.clone(),
                encoding: None,
            });
        }
        line_start = end + 1;
    }
}

/// With `-U` a match may cross lines; it is reported on the line where it starts.
fn reference_multiline(
    path: &Path,
    content: &[u8],
    base: u64,
    regex: &regex::bytes::Regex,
    hits: &mut BTreeSet<Hit>,
) {
    // A match starting after the last line terminator (or in an empty file) is on no line.
    let past_last_line = |m: &regex::bytes::Match| {
        m.start() == content.len() && (content.is_empty() || content.ends_with(b"\n"))
    };
    for m in regex
        .find_iter(content)
        .filter(|m| !splits_char(content, m) && !past_last_line(m))
    {
        let line_start = content[..m.start()]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = content[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(content.len(), |i| line_start + i);
        let line = strip_cr(&content[line_start..line_end]);
        hits.insert(Hit {
            path: path.to_path_buf(),
            line: content[..m.start()].iter().filter(|&&b| b == b'\n').count() as u64 + 1,
            column: column(line, (m.start() - line_start).min(line.len())),
            byte_offset: base + m.start() as u64,
            length: m.len() as u64,
            text: String::from_utf8_lossy(line).into_owned(),
            encoding: None,
        });
    }
}

/// A `.gitignore` line in the simple model: `name`, `*.ext`, `dir/`, `/anchored/path`.
struct IgnoreRule {
    glob: String,
    dir_only: bool,
    anchored: bool,
}

fn parse_gitignore(text: &str) -> Vec<IgnoreRule> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let dir_only = l.ends_with('/');
            let l = l.trim_end_matches('/');
            let anchored = l.contains('/');
            IgnoreRule {
                glob: l.trim_start_matches('/').to_string(),
                dir_only,
                anchored,
            }
        })
        .collect()
}

/// `*` any run of characters but `/`, `?` one character but `/`.
fn wildcard(glob: &[char], name: &[char]) -> bool {
    match glob.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => (0..=name.len())
            .take_while(|&i| i == 0 || name[i - 1] != '/')
            .any(|i| wildcard(rest, &name[i..])),
        Some(('?', rest)) => name.first().is_some_and(|&c| c != '/') && wildcard(rest, &name[1..]),
        Some((c, rest)) => name.first() == Some(c) && wildcard(rest, &name[1..]),
    }
}

fn ignored(rules: &[IgnoreRule], rel: &str, name: &str, is_dir: bool) -> bool {
    rules.iter().any(|rule| {
        if rule.dir_only && !is_dir {
            return false;
        }
        let glob: Vec<char> = rule.glob.chars().collect();
        let subject: Vec<char> = if rule.anchored {
            rel.chars().collect()
        } else {
            name.chars().collect()
        };
        wildcard(&glob, &subject)
    })
}

/// The files searched: regular files with one of the extensions (any when none), not hidden
/// unless asked, not ignored by the root `.gitignore` when the root is a git repository.
fn reference_files(request: &SearchRequest) -> Vec<PathBuf> {
    let root = &request.root;
    let rules = if request.options.respect_ignore_files && root.join(".git").is_dir() {
        fs::read_to_string(root.join(".gitignore"))
            .map(|t| parse_gitignore(&t))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut files = Vec::new();
    visit(request, &rules, root, "", &mut files);
    files
}

fn visit(
    request: &SearchRequest,
    rules: &[IgnoreRule],
    dir: &Path,
    rel: &str,
    files: &mut Vec<PathBuf>,
) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !request.options.hidden && name.starts_with('.') {
            continue;
        }
        let meta = fs::symlink_metadata(entry.path()).unwrap();
        let rel = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if ignored(rules, &rel, &name, meta.is_dir()) {
            continue;
        }
        if meta.is_dir() {
            visit(request, rules, &entry.path(), &rel, files);
        } else if meta.is_file()
            && (request.extensions.is_empty()
                || request
                    .extensions
                    .iter()
                    .any(|ext| name.ends_with(&format!(".{ext}"))))
        {
            files.push(entry.path());
        }
    }
}

#[test]
fn reference_wildcards_and_rules_behave_like_gitignore() {
    let w = |g: &str, n: &str| {
        wildcard(
            &g.chars().collect::<Vec<_>>(),
            &n.chars().collect::<Vec<_>>(),
        )
    };
    assert!(w("*.md", "a.md"));
    assert!(w("notes.*", "notes.txt"));
    assert!(!w("*.md", "a/b.md"));
    assert!(w("src/deep/er", "src/deep/er"));
    let rules = parse_gitignore("build/\n/target\n# c\n*.gz\n");
    assert!(ignored(&rules, "x/build", "build", true));
    assert!(!ignored(&rules, "x/build", "build", false));
    assert!(ignored(&rules, "target", "target", true));
    assert!(!ignored(&rules, "x/target", "target", true));
    assert!(ignored(&rules, "x/a.tar.gz", "a.tar.gz", false));
}

// ---------------------------------------------------------------------------------------------
// Trees
// ---------------------------------------------------------------------------------------------

fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn request(root: &Path, extensions: &[&str], pattern: &str) -> SearchRequest {
    let mut request = SearchRequest::new(
        root,
        extensions.iter().map(|e| e.to_string()).collect(),
        pattern,
    );
    request.options.threads = "2".into();
    request
}

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut bytes = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    bytes
}

/// A small tree with most of what the contract talks about, used by the fixed tests.
fn fixed_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.rs",
        "fn foo() { foo(); }\nlet foofoo = Foo::FOO;\n\nno match here\n",
    );
    write(root, "crlf.rs", "foo\r\nbar foo\r\n\r\nfoo bar\r\n");
    write(root, "nofinal.rs", "first foo\nlast foo");
    write(root, "empty.rs", "");
    write(root, "only_newlines.rs", "\n\n\n");
    write(
        root,
        "utf8.rs",
        "café foo naïve\n日本語 foo 日本\nStraße FOO ß\n🦀foo🦀foo\n",
    );
    write(root, "invalid.rs", b"a\xffb foo \xc3 foo\n\xe2\x82foo\n");
    write(root, "nested/b.rs", "  foo\n");
    write(root, "nested/deeper/still/c.rs", "x foo y foo z\n");
    write(root, "nested/notes.txt", "foo in a text file\n");
    write(root, "nested/README.md", "# foo\n");
    write(root, "archive.tar.gz", "foo compressed? no\n");
    write(root, "Makefile", "foo:\n\techo foo\n");
    write(root, "upper.RS", "foo in upper-case extension\n");
    write(root, ".hidden.rs", "foo hidden\n");
    write(root, ".hiddendir/d.rs", "foo in hidden dir\n");
    write(root, "binary.rs", b"foo\x00bar\nfoo\n");
    write(root, "regex.rs", "a.b axb a+b aab (x) x [y] $z ^w \\d\n");
    write(
        root,
        "words.rs",
        "foo foobar barfoo foo_bar foo-bar -foo- é foo é fooé éfoo\n",
    );
    write(root, "utf16le.rs", utf16("héllo foo\r\nbar foo\n", true));
    write(root, "utf16be.rs", utf16("日本 foo\nfoo", false));
    write(root, "bom8.rs", b"\xEF\xBB\xBFfoo at the start\nand foo\n");
    #[cfg(unix)]
    {
        // A Latin-1 file name, not valid UTF-8: still found, by its extension.
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xE9.rs");
        fs::write(root.join("nested").join(name), "foo in a Latin-1 name\n").unwrap();
    }
    dir
}

// ---------------------------------------------------------------------------------------------
// Fixed trees
// ---------------------------------------------------------------------------------------------

#[test]
fn literal_search_finds_every_occurrence_with_line_column_and_offset() {
    let dir = fixed_tree();
    let hits = assert_same(&request(dir.path(), &["rs"], "foo"));
    // A few exact expectations, so that a shared misreading of the contract would also show.
    let at = |file: &str, line: u64| -> Vec<(u64, u64)> {
        hits.iter()
            .filter(|h| h.path == dir.path().join(file) && h.line == line)
            .map(|h| (h.column, h.byte_offset))
            .collect()
    };
    assert_eq!(at("a.rs", 1), vec![(4, 3), (12, 11)]);
    assert_eq!(
        at("a.rs", 2),
        vec![(5, 24), (8, 27)],
        "several matches per line, even adjacent"
    );
    assert_eq!(
        at("utf8.rs", 1),
        vec![(6, 6)],
        "columns count characters, offsets bytes"
    );
    assert_eq!(at("utf8.rs", 4), vec![(2, 57), (6, 64)]);
    assert_eq!(
        at("invalid.rs", 1),
        vec![(5, 4), (11, 10)],
        "an invalid byte counts as one column"
    );
    assert_eq!(at("invalid.rs", 2), vec![(3, 16)]);
    assert_eq!(at("crlf.rs", 2), vec![(5, 9)]);
    assert_eq!(at("nofinal.rs", 2), vec![(6, 15)]);
    assert_eq!(
        at("bom8.rs", 1),
        vec![(1, 3)],
        "a UTF-8 BOM is no column but is a byte of the file"
    );
    let crlf = hits.iter().find(|h| h.path.ends_with("crlf.rs")).unwrap();
    assert_eq!(crlf.text, "foo", "the text has no \\r");
    #[cfg(unix)]
    assert!(hits.iter().any(|h| h.text == "foo in a Latin-1 name"));
    assert!(
        hits.iter().all(|h| !h.path.ends_with("binary.rs")),
        "binary files are skipped"
    );
    assert!(
        hits.iter()
            .all(|h| !h.path.to_string_lossy().contains(".hidden")),
        "hidden files are skipped"
    );
    assert!(
        hits.iter().all(|h| !h.path.ends_with("upper.RS")),
        "extensions are case-sensitive"
    );
}

#[test]
fn case_insensitive_and_smart_case_match_the_reference() {
    let dir = fixed_tree();
    let mut req = request(dir.path(), &["rs"], "foo");
    req.options.case = CaseMode::Insensitive;
    let insensitive = assert_same(&req);
    assert!(
        insensitive
            .iter()
            .any(|h| h.text.contains("FOO") && h.length == 3)
    );

    req.options.case = CaseMode::Smart;
    let smart_lower = assert_same(&req);
    assert_eq!(
        smart_lower, insensitive,
        "smart case with a lower-case pattern is insensitive"
    );

    req.pattern = "Foo".to_string();
    let smart_upper = assert_same(&req);
    assert_eq!(
        smart_upper.len(),
        1,
        "smart case with an upper-case letter is sensitive"
    );

    // Unicode case folding: ß/ẞ and É/é.
    req.options.case = CaseMode::Insensitive;
    req.pattern = "STRASSE|CAFÉ|NAÏVE".to_string();
    assert_eq!(assert_same(&req).len(), 2);
}

#[test]
fn fixed_strings_treat_regex_metacharacters_literally() {
    let dir = fixed_tree();
    for pattern in ["a.b", "a+b", "(x)", "[y]", "$z", "^w", "\\d", "."] {
        let mut req = request(dir.path(), &["rs"], pattern);
        req.options.regex = false;
        let hits = assert_same(&req);
        assert!(!hits.is_empty(), "-F {pattern} finds itself");
    }
    let mut req = request(dir.path(), &["rs"], "a.b");
    let as_regex = assert_same(&req);
    req.options.regex = false;
    let as_literal = assert_same(&req);
    assert!(
        as_regex.len() > as_literal.len(),
        "a.b as a regex also matches axb and aab"
    );
}

#[test]
fn whole_word_matches_ripgrep_word_semantics() {
    let dir = fixed_tree();
    for pattern in ["foo", "é", "foo_bar", "-foo-", "ba.", "日本"] {
        let mut req = request(dir.path(), &["rs"], pattern);
        req.options.whole_word = true;
        assert_same(&req);
    }
    let mut req = request(dir.path(), &["rs"], "foo");
    req.options.whole_word = true;
    let hits = assert_same(&req);
    let words: Vec<_> = hits
        .iter()
        .filter(|h| h.path.ends_with("words.rs"))
        .map(|h| h.column)
        .collect();
    // foo, foo-bar, -foo-, the foo between é's; not foobar, barfoo, foo_bar, fooé, éfoo.
    assert_eq!(words, vec![1, 27, 36, 43]);
}

#[test]
fn regexes_with_classes_alternations_and_anchors_match_the_reference() {
    let dir = fixed_tree();
    for pattern in [
        r"f[aeiou]+",
        r"\bfoo\b",
        r"^foo",
        r"foo$",
        r"\w+ß",
        r"[^\x00-\x7F]+",
        r"o|é|日",
        r"\d+|x",
        // Byte-level patterns may match inside a character; the highlight still covers whole
        // characters of the text (checked in `run_engine`).
        r"(?-u:\xA9)",
        r"(?-u:\x9C)",
    ] {
        assert_same(&request(dir.path(), &["rs"], pattern));
    }
}

#[test]
fn empty_matches_are_reported_at_character_positions_only() {
    let dir = fixed_tree();
    for pattern in [r"x*", r"^", r"$", r"\b", r"(?:)"] {
        let hits = assert_same(&request(dir.path(), &["rs"], pattern));
        assert!(hits.iter().all(|h| h.length == 0 || pattern == r"x*"));
    }
    // On `日本 foo` (UTF-16 decoded) `x*` matches before each of the 7 characters and at the end.
    let hits = assert_same(&request(dir.path(), &["rs"], r"x*"));
    let columns: Vec<u64> = hits
        .iter()
        .filter(|h| h.path.ends_with("utf16be.rs") && h.line == 1)
        .map(|h| h.column)
        .collect();
    assert_eq!(columns, (1..=7).collect::<Vec<_>>());
    for pattern in [r"x*", r"^", r"$", r"\n", r"\n\n", r"(?s).", r"[^a]\nb"] {
        let mut req = request(dir.path(), &["rs"], pattern);
        req.options.multiline = true;
        assert_same(&req);
    }
}

#[test]
fn several_extensions_and_every_file() {
    let dir = fixed_tree();
    let hits = assert_same(&request(dir.path(), &["rs", "txt", "md"], "foo"));
    assert!(hits.iter().any(|h| h.path.ends_with("nested/notes.txt")));
    assert!(hits.iter().any(|h| h.path.ends_with("nested/README.md")));

    let every = assert_same(&request(dir.path(), &[], "foo"));
    assert!(
        every.iter().any(|h| h.path.ends_with("Makefile")),
        "files without an extension too"
    );
    assert!(every.iter().any(|h| h.path.ends_with("upper.RS")));

    let gz = assert_same(&request(dir.path(), &["gz"], "foo"));
    let tar_gz = assert_same(&request(dir.path(), &["tar.gz"], "foo"));
    assert_eq!(gz, tar_gz);
    assert_eq!(gz.len(), 1);
}

#[test]
fn hidden_files_are_found_only_when_asked() {
    let dir = fixed_tree();
    let mut req = request(dir.path(), &["rs"], "hidden");
    assert!(assert_same(&req).is_empty());
    req.options.hidden = true;
    let hits = assert_same(&req);
    assert!(hits.iter().any(|h| h.path.ends_with(".hidden.rs")));
    assert!(hits.iter().any(|h| h.path.ends_with(".hiddendir/d.rs")));
}

#[test]
fn gitignore_is_honoured_inside_a_git_repository_only() {
    let dir = fixed_tree();
    let root = dir.path();
    write(
        root,
        ".gitignore",
        "nested/deeper/\n*.txt\n/a.rs\nnofinal.*\n",
    );
    write(root, "sub/a.rs", "foo not anchored\n");

    // No `.git`: like ripgrep, the .gitignore is not read.
    let all = assert_same(&request(root, &["rs", "txt"], "foo"));
    assert!(all.iter().any(|h| h.path.ends_with("nested/notes.txt")));

    fs::create_dir(root.join(".git")).unwrap();
    let mut req = request(root, &["rs", "txt"], "foo");
    let hits = assert_same(&req);
    assert!(hits.len() < all.len());
    for gone in ["nested/notes.txt", "nested/deeper/still/c.rs", "nofinal.rs"] {
        assert!(
            hits.iter().all(|h| !h.path.ends_with(gone)),
            "{gone} is ignored"
        );
    }
    assert!(
        hits.iter().all(|h| h.path != root.join("a.rs")),
        "/a.rs is anchored to the root"
    );
    assert!(hits.iter().any(|h| h.path.ends_with("sub/a.rs")));

    req.options.respect_ignore_files = false;
    assert_eq!(
        assert_same(&req),
        all,
        "--no-ignore searches the ignored files again"
    );
}

#[test]
fn globs_and_max_file_size_narrow_the_files() {
    let dir = fixed_tree();
    let root = dir.path();
    let files = |req: SearchRequest| -> BTreeSet<PathBuf> {
        let outcome = run_engine(req);
        outcome
            .hits
            .into_iter()
            .map(|h| h.path.strip_prefix(root).unwrap().to_path_buf())
            .collect()
    };
    let all = files(request(root, &["rs"], "foo"));

    let mut req = request(root, &["rs"], "foo");
    req.options.globs = Globs::Each(vec!["!nested/**".to_string()]);
    let without_nested = files(req.clone());
    assert!(!without_nested.is_empty());
    assert!(without_nested.iter().all(|p| !p.starts_with("nested")));
    let nested: BTreeSet<PathBuf> = all
        .iter()
        .filter(|p| p.starts_with("nested"))
        .cloned()
        .collect();
    assert!(nested.len() >= 2);
    assert_eq!(
        all.difference(&without_nested)
            .cloned()
            .collect::<BTreeSet<_>>(),
        nested
    );

    req.options.globs = Globs::Each(vec!["a.*".to_string(), "crlf.rs".to_string()]);
    let only = files(req.clone());
    assert_eq!(
        only,
        BTreeSet::from([PathBuf::from("a.rs"), PathBuf::from("crlf.rs")])
    );

    let mut small = request(root, &["rs"], "foo");
    small.options.max_file_size = "20".into();
    let small_files = files(small);
    assert!(!small_files.is_empty());
    for path in &all {
        let size = fs::metadata(root.join(path)).unwrap().len();
        assert_eq!(
            small_files.contains(path),
            size <= 20,
            "{} ({size} bytes)",
            path.display()
        );
    }
}

#[test]
fn utf16_files_with_a_bom_are_searched_as_text() {
    let dir = fixed_tree();
    let hits = assert_same(&request(dir.path(), &["rs"], "foo"));
    let le: Vec<_> = hits
        .iter()
        .filter(|h| h.path.ends_with("utf16le.rs"))
        .collect();
    assert_eq!(le.len(), 2);
    assert_eq!(
        (
            le[0].line,
            le[0].column,
            le[0].byte_offset,
            le[0].text.as_str()
        ),
        (1, 7, 7, "héllo foo")
    );
    assert_eq!((le[1].line, le[1].column, le[1].byte_offset), (2, 5, 16));
    let be: Vec<_> = hits
        .iter()
        .filter(|h| h.path.ends_with("utf16be.rs"))
        .collect();
    assert_eq!(be.len(), 2);
    assert_eq!((be[0].column, be[0].byte_offset), (4, 7));
}

#[test]
fn binary_files_are_skipped_unless_searched_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "early.rs", b"foo\x00\nfoo\n");
    write(
        root,
        "late_on_match_line.rs",
        [b"foo\n".repeat(30_000), b"foo\x00\n".to_vec()].concat(),
    );
    // A NUL far from the start and on no matching line: still a binary file.
    write(
        root,
        "late_elsewhere.rs",
        [b"foo\n".repeat(30_000), b"\x00\n".to_vec()].concat(),
    );
    write(root, "text.rs", "foo\n");
    let mut req = request(root, &["rs"], "foo");
    let outcome = run_engine(req.clone());
    assert_hits_eq(&outcome.hits, &reference(&req), &req);
    assert_eq!(
        outcome.hits.len(),
        1,
        "only text.rs: {:?}",
        outcome
            .hits
            .iter()
            .map(|h| &h.path)
            .collect::<BTreeSet<_>>()
    );
    assert_eq!(
        outcome.summary.files_searched, 4,
        "binary files count as searched"
    );

    req.options.binary_as_text = true;
    let hits = assert_same(&req);
    assert_eq!(hits.len(), 2 + 30_001 + 30_000 + 1);
}

#[test]
fn files_over_the_whole_read_limit_are_streamed_with_exact_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // 9.6 MB: past the 8 MiB read at once, so the rest streams through grep-searcher.
    let mut big = Vec::new();
    for i in 0..400_000u32 {
        match i % 50_000 {
            0 => big.extend_from_slice("é foo at the start of a block\r\n".as_bytes()),
            49_999 => big.extend_from_slice(b"a block ends with foo foo\n"),
            _ => big.extend_from_slice(b"plain text, nothing\n"),
        }
    }
    big.extend_from_slice(b"last foo");
    write(root, "big.rs", &big);
    write(root, "big_bom.rs", [&b"\xEF\xBB\xBF"[..], &big].concat());
    write(root, "big_nul_at_end.rs", [&big[..], b"\n\x00"].concat());
    let req = request(root, &["rs"], "foo");
    let hits = assert_same(&req);
    assert_eq!(hits.len(), 2 * (8 * 3 + 1), "big_nul_at_end.rs is binary");
}

#[test]
fn long_lines_are_cut_around_the_match() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let long = format!(
        "{}foo{}foo{}\n",
        "é".repeat(300),
        "x".repeat(300),
        "日".repeat(10)
    );
    write(root, "long.rs", &long);
    write(root, "short.rs", "short foo line\n");
    let mut req = request(root, &["rs"], "foo");
    req.max_columns = Some(40);
    let outcome = run_engine(req.clone());

    // Everything but the text is as without cutting.
    let strip = |hits: &BTreeSet<Hit>| -> BTreeSet<(PathBuf, u64, u64, u64, u64)> {
        hits.iter()
            .map(|h| (h.path.clone(), h.line, h.column, h.byte_offset, h.length))
            .collect()
    };
    assert_eq!(strip(&outcome.hits), strip(&reference(&req)));
    assert_eq!(outcome.hits.len(), 3);

    let handle = search::start(req).unwrap();
    let mut cut_lines = 0;
    for event in handle.events().iter() {
        let SearchEvent::File(file) = event else {
            continue;
        };
        for line in &file.lines {
            for occ in line.occurrences {
                let excerpt = line.excerpt(occ);
                assert_eq!(
                    &excerpt.text[excerpt.highlight.clone()],
                    "foo",
                    "the highlight points at the match: {line:?}"
                );
                if file.path.ends_with("long.rs") {
                    assert!(
                        excerpt.ellipsis_before || excerpt.ellipsis_after,
                        "a cut line is marked: {excerpt:?}"
                    );
                    assert!(
                        excerpt.text.chars().count() <= 40,
                        "{:?} is too long",
                        excerpt.text
                    );
                    // A quarter of the window before the match, as far as the line allows.
                    let before = excerpt.text[..excerpt.highlight.start].chars().count();
                    assert_eq!(before, 10, "{excerpt:?}");
                }
            }
            if file.path.ends_with("long.rs") {
                cut_lines += 1;
                assert!(line.cut.is_some(), "{line:?}");
                assert_eq!(
                    line.occurrences.len(),
                    1,
                    "occurrences 300 characters apart do not share a 40-column window"
                );
            } else {
                assert_eq!(line.text, "short foo line", "a short line is not cut");
                assert_eq!(line.cut, None);
            }
        }
    }
    assert_eq!(
        cut_lines, 2,
        "one cut text per occurrence far from the others"
    );
}

/// On a long line, occurrences whose windows overlap share one stored text (a minified file
/// with thousands of matches on one line is not stored thousands of times), and each one's
/// excerpt is exactly the window it would have on its own.
#[test]
fn close_occurrences_on_a_long_line_share_one_cut_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let long = format!(
        "{}{}{}foo{}\n",
        "é".repeat(100),
        "a foo b".repeat(20),
        "x".repeat(200),
        "日".repeat(100)
    );
    write(root, "long.rs", &long);
    let mut req = request(root, &["rs"], "foo");
    req.max_columns = Some(40);
    let handle = search::start(req).unwrap();
    let mut files = Vec::new();
    for event in handle.events().iter() {
        if let SearchEvent::File(file) = event {
            files.push(file);
        }
    }
    let lines: Vec<_> = files.iter().flat_map(|file| file.lines.iter()).collect();
    let counts: Vec<usize> = lines.iter().map(|l| l.occurrences.len()).collect();
    assert_eq!(counts, vec![20, 1], "{lines:#?}");
    let shared = &lines[0];
    assert!(
        shared.text.chars().count() < 20 * 7 + 40,
        "the shared text is the windows' union, not the line: {:?}",
        shared.text
    );
    let cut = shared.cut.expect("a long line is cut");
    assert!(cut.before && cut.after, "{cut:?}");
    let line_chars: Vec<char> = long.trim_end().chars().collect();
    for occ in shared.occurrences {
        let excerpt = shared.excerpt(occ);
        assert_eq!(&excerpt.text[excerpt.highlight.clone()], "foo");
        // The window cut from the whole line: 10 characters before the match, 40 in all.
        let at = occ.column as usize - 1;
        let expected: String = line_chars[at - 10..at + 30].iter().collect();
        assert_eq!(excerpt.text, expected);
        assert!(excerpt.ellipsis_before && excerpt.ellipsis_after);
    }
}

#[test]
fn multiline_matches_cross_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.rs",
        "fn foo(\n    bar: u8,\n) {}\nfoo\nbar foo\nbar\n",
    );
    write(root, "crlf.rs", "foo\r\nbar\r\nfoo \r\n  bar");
    write(root, "utf8.rs", "é foo\nbar é foo\n\nbar\n");
    write(root, "binary.rs", b"foo\nbar\x00\n");
    for pattern in [
        r"foo\s+bar",
        r"foo\(\n\s*bar",
        r"\(\n[^)]*\)",
        r"o\r?\nb",
        r"foo",
        r"u8,\n\) \{\}$",
    ] {
        let mut req = request(root, &["rs"], pattern);
        req.options.multiline = true;
        let hits = assert_same(&req);
        assert!(!hits.is_empty(), "{pattern} matches");
    }

    let mut req = request(root, &["rs"], r"foo\s+bar");
    req.options.multiline = true;
    let handle = search::start(req).unwrap();
    let mut spanning = 0;
    for event in handle.events().iter() {
        let SearchEvent::File(file) = event else {
            continue;
        };
        for line in &file.lines {
            assert!(
                line.spans_lines,
                "every occurrence of foo\\s+bar here continues on the next line"
            );
            for occ in line.occurrences {
                let shown = &line.text[occ.highlight.clone()];
                assert_eq!(
                    shown.trim_end(),
                    "foo",
                    "highlight clipped to the line: {line:?}"
                );
                spanning += 1;
            }
        }
    }
    assert_eq!(spanning, 6);
}

#[test]
fn only_regular_files_are_searched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "real.rs", "foo\n");
    write(root, "outside/target.rs", "foo outside\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("outside/target.rs"), root.join("link.rs")).unwrap();
        let fifo = std::ffi::CString::new(root.join("fifo.rs").to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        // A link to the FIFO: with -L its target is still no regular file.
        std::os::unix::fs::symlink(root.join("fifo.rs"), root.join("fifo_link.rs")).unwrap();
    }
    let req = request(root, &["rs"], "foo");
    let hits = assert_same(&req);
    assert_eq!(
        hits.len(),
        2,
        "the link is not followed and the FIFO is not opened"
    );

    #[cfg(unix)]
    {
        let mut follow = req.clone();
        follow.options.follow_symlinks = true;
        let outcome = run_engine(follow);
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        assert_eq!(
            outcome.hits.len(),
            3,
            "with -L the link's target is searched as link.rs, and no FIFO is opened"
        );
        assert!(outcome.hits.iter().any(|h| h.path == root.join("link.rs")));
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_and_the_search_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "a/file.rs", "foo\n");
    std::os::unix::fs::symlink(root.join("a"), root.join("a/loop")).unwrap();
    let mut req = request(root, &["rs"], "foo");
    req.options.follow_symlinks = true;
    let outcome = run_engine(req);
    assert_eq!(outcome.hits.len(), 1);
    assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
    assert!(
        outcome.errors[0].message.contains("loop"),
        "{:?}",
        outcome.errors[0]
    );
}

#[test]
fn a_file_given_as_root_is_searched_alone() {
    let dir = fixed_tree();
    let file = dir.path().join("Makefile");
    let outcome = run_engine(request(&file, &["rs"], "foo"));
    let lines: Vec<_> = outcome
        .hits
        .iter()
        .map(|h| (h.path.clone(), h.line, h.column))
        .collect();
    assert_eq!(
        lines,
        vec![(file.clone(), 1, 1), (file, 2, 7)],
        "whatever its extension"
    );
}

#[test]
fn missing_root_and_bad_pattern_are_rejected_before_the_search_runs() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder");
    match search::start(request(&missing, &["rs"], "foo")) {
        Err(SearchError::RootNotFound(path)) => assert_eq!(path, missing),
        Err(other) => panic!("expected RootNotFound, got {other:?}"),
        Ok(_) => panic!("a missing root must not start a search"),
    }
    for bad in ["a(b", "[z-a]", "foo\\", "x{2,1}"] {
        match search::start(request(dir.path(), &["rs"], bad)) {
            Err(SearchError::InvalidPattern(message)) => assert!(!message.is_empty()),
            Err(other) => panic!("{bad}: expected InvalidPattern, got {other:?}"),
            Ok(_) => panic!("{bad}: an invalid regex must not start a search"),
        }
    }
    // The same bad pattern as a literal is fine.
    let mut literal = request(dir.path(), &["rs"], "a(b");
    literal.options.regex = false;
    assert!(search::start(literal).is_ok());
}

#[test]
fn in_memory_search_agrees_with_the_reference() {
    let req = request(Path::new("."), &[], "foo|é");
    let matcher = build_matcher(&req).unwrap();
    let mut searcher = FileSearcher::new(&req, matcher, Arc::new(AtomicBool::new(false)));
    let content = ["é foo\r\nfoofoo\nno\n".as_bytes(), b"\xC3x foo"].concat();
    let found = searcher.search_bytes(&content).unwrap();
    let mut expected = BTreeSet::new();
    reference_by_line(
        Path::new("mem"),
        &content,
        0,
        &reference_regex(&req),
        &mut expected,
    );
    assert_hits_eq(&hits_in_memory(&found), &expected, &req);
    assert_eq!(found.matches, expected.len() as u64);
    assert!(searcher.search_bytes(b"foo\x00").unwrap().binary);
}

/// The occurrences of an in-memory search, as the reference gives them for a file `mem`.
fn hits_in_memory(found: &search::FileMatches) -> BTreeSet<Hit> {
    let encoding = found.encoding.map(|e| e.name());
    found
        .lines
        .iter()
        .flat_map(|l| {
            l.occurrences.iter().map(move |o| Hit {
                path: PathBuf::from("mem"),
                line: l.line_number,
                column: o.column,
                byte_offset: o.byte_offset.expect("offsets asked for"),
                length: o.length,
                text: l.text.to_string(),
                encoding,
            })
        })
        .collect()
}

/// Searched whole and in segments (a large file's way: a later segment that is not UTF-8 has
/// the file searched again as detected), bytes in memory are decoded as the reference decodes
/// them.
#[test]
fn in_memory_searches_decode_as_the_reference_does() {
    let mut late_latin1 = "foo é\n".repeat(300).into_bytes();
    late_latin1.extend_from_slice(b"caf\xE9 foo\n");
    let encoded = |encoding: &'static encoding_rs::Encoding, text: &str| {
        encoding.encode(&text.repeat(40)).0.into_owned()
    };
    let sjis = encoded(encoding_rs::SHIFT_JIS, "日本語 foo のテキストです。\n");
    let gbk = encoded(encoding_rs::GBK, "中文 foo 我们明天见面。\n");
    let contents: Vec<Vec<u8>> = vec![
        late_latin1,
        sjis,
        gbk,
        b"\xEF\xBB\xBFfoo caf\xE9\n".to_vec(),
        utf16("x foo é\n", true),
        b"foo caf\xE9\0\n".to_vec(),
        "plain foo é\n".into(),
    ];
    let choices = [
        TextEncoding::Utf8,
        TextEncoding::Auto,
        TextEncoding::Bytes,
        TextEncoding::Named(encoding_rs::SHIFT_JIS),
        TextEncoding::Named(encoding_rs::WINDOWS_1252),
        TextEncoding::Named(encoding_rs::UTF_16BE),
    ];
    for choice in choices {
        let mut req = request(Path::new("."), &[], "foo|é|日本語|中文");
        req.options.encoding = choice;
        let matcher = build_matcher(&req).unwrap();
        let mut searcher = FileSearcher::new(&req, matcher, Arc::new(AtomicBool::new(false)));
        for content in &contents {
            let decoded = decoding::decode(content, choice);
            let binary = decoded.text.contains(&0);
            let mut expected = BTreeSet::new();
            if !binary {
                let path = Path::new("mem");
                let regex = reference_regex(&req);
                reference_by_line(path, &decoded.text, decoded.base, &regex, &mut expected);
            }
            let encoding = decoded.encoding.map(|e| e.name());
            let expected = expected
                .into_iter()
                .map(|hit| Hit { encoding, ..hit })
                .collect();
            let whole = searcher.search_bytes(content).unwrap();
            assert_eq!(whole.binary, binary, "{choice}: {content:?}");
            assert_hits_eq(&hits_in_memory(&whole), &expected, &req);
            for segment in [16, 64, 1000] {
                let split = searcher.search_bytes_in_segments(content, segment).unwrap();
                assert_eq!(split.binary, binary, "{choice}, {segment}: {content:?}");
                assert_hits_eq(&hits_in_memory(&split), &expected, &req);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Randomized trees
// ---------------------------------------------------------------------------------------------

const WORDS: &[&str] = &[
    "foo",
    "Foo",
    "FOO",
    "bar",
    "foobar",
    "barfoo",
    "foo_bar",
    "café",
    "Café",
    "CAFÉ",
    "naïve",
    "日本語",
    "fooé",
    "éfoo",
    "a.b",
    "axb",
    "a+b",
    "(x)",
    "Straße",
    "ω",
    "Ω",
    "x1",
    "_foo",
    "foo1",
    "-2",
    "🦀",
    "foo🦀",
    "bär",
];
const SEPARATORS: &[&str] = &[
    " ", " ", " ", "  ", "\t", ",", ".", "-", "é", "", "/", "(", ")",
];
const DIRS: &[&str] = &[
    "",
    "",
    "src",
    "src/deep",
    "src/deep/er",
    "lib",
    ".hidden",
    ".hidden/in",
    "build",
    "target",
    "ñ",
    "a b",
    "docs/.cache",
    "x/build",
];
const STEMS: &[&str] = &[
    "main", "lib", "mod", "ignored", "notes", ".secret", "README", "x", "ünï",
];
const EXTENSIONS: &[&str] = &[
    "rs", "rs", "rs", "txt", "md", "RS", "tar.gz", "gz", "", "rs.bak",
];
const IGNORE_RULES: &[&str] = &[
    "*.md",
    "build/",
    "/target",
    "ignored.rs",
    "deep",
    "*.gz",
    "/src/deep/er",
    "notes.*",
    "ñ/",
];

fn random_line(rng: &mut StdRng) -> Vec<u8> {
    let mut line = Vec::new();
    for i in 0..rng.random_range(0..9) {
        if i > 0 {
            line.extend_from_slice(SEPARATORS.choose(rng).unwrap().as_bytes());
        }
        if rng.random_bool(0.03) {
            line.extend_from_slice(
                [&b"\xFF"[..], b"\xC3", b"\xE2\x82", b"\x80"]
                    .choose(rng)
                    .unwrap(),
            );
        }
        line.extend_from_slice(WORDS.choose(rng).unwrap().as_bytes());
    }
    line
}

fn random_content(rng: &mut StdRng) -> Vec<u8> {
    let crlf = rng.random_range(0..3); // 0: LF, 1: CRLF, 2: mixed
    let mut content = Vec::new();
    let lines = rng.random_range(0..14);
    for i in 0..lines {
        content.extend(random_line(rng));
        if i + 1 < lines || rng.random_bool(0.7) {
            let cr = crlf == 1 || (crlf == 2 && rng.random_bool(0.5));
            content.extend_from_slice(if cr { b"\r\n" } else { b"\n" });
        }
    }
    match rng.random_range(0..40) {
        0 | 1 if !content.is_empty() => {
            let at = rng.random_range(0..content.len());
            content.insert(at, 0);
        }
        2 => content.splice(0..0, *b"\xEF\xBB\xBF").for_each(drop),
        3 | 4 => {
            if let Ok(text) = std::str::from_utf8(&content) {
                content = utf16(text, rng.random_bool(0.5));
            }
        }
        5..=8 => {
            // Saved in a legacy encoding (a character it cannot hold becomes `&#N;`).
            if let Ok(text) = std::str::from_utf8(&content) {
                let encoding = LEGACY.choose(rng).unwrap();
                content = encoding.encode(text).0.into_owned();
            }
        }
        _ => {}
    }
    content
}

/// The encodings random files are saved in besides UTF-8 and UTF-16.
const LEGACY: &[&encoding_rs::Encoding] = &[
    encoding_rs::WINDOWS_1252,
    encoding_rs::SHIFT_JIS,
    encoding_rs::EUC_JP,
    encoding_rs::GBK,
    encoding_rs::BIG5,
    encoding_rs::EUC_KR,
];

/// `-E` for a random search: mostly the default and `auto`.
fn random_encoding(rng: &mut StdRng) -> TextEncoding {
    match rng.random_range(0..10) {
        0..=3 => TextEncoding::Utf8,
        4..=7 => TextEncoding::Auto,
        8 => TextEncoding::Bytes,
        _ => TextEncoding::Named(LEGACY.choose(rng).unwrap()),
    }
}

fn random_tree(rng: &mut StdRng) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for _ in 0..rng.random_range(20..50) {
        let folder = DIRS.choose(rng).unwrap();
        let ext = EXTENSIONS.choose(rng).unwrap();
        let stem = STEMS.choose(rng).unwrap();
        let name = if ext.is_empty() {
            stem.to_string()
        } else {
            format!("{stem}.{ext}")
        };
        let rel = if folder.is_empty() {
            name
        } else {
            format!("{folder}/{name}")
        };
        let content = random_content(rng);
        // A name already taken by a folder (or a folder by a file) is skipped.
        let path = root.join(&rel);
        if fs::create_dir_all(path.parent().unwrap()).is_ok() && !path.is_dir() {
            fs::write(path, content).unwrap();
        }
    }
    if rng.random_bool(0.7) {
        let rules: Vec<&str> = IGNORE_RULES
            .iter()
            .copied()
            .filter(|_| rng.random_bool(0.35))
            .collect();
        write(root, ".gitignore", rules.join("\n") + "\n");
        // Sometimes the .gitignore lies outside a repository and must not count.
        if rng.random_bool(0.8) {
            fs::create_dir(root.join(".git")).unwrap();
        }
    }
    dir
}

struct Query {
    pattern: &'static str,
    fixed: bool,
    case: CaseMode,
    word: bool,
    multiline: bool,
}

const fn q(pattern: &'static str, fixed: bool, case: CaseMode, word: bool) -> Query {
    Query {
        pattern,
        fixed,
        case,
        word,
        multiline: false,
    }
}

const QUERIES: &[Query] = &[
    q("foo", false, CaseMode::Sensitive, false),
    q("foo", false, CaseMode::Insensitive, false),
    q("foo", false, CaseMode::Smart, false),
    q("Foo", false, CaseMode::Smart, false),
    q("café", false, CaseMode::Insensitive, false),
    q("straße", false, CaseMode::Smart, false),
    q("a.b", true, CaseMode::Sensitive, false),
    q("(x)", true, CaseMode::Sensitive, false),
    q("a+b", true, CaseMode::Insensitive, false),
    q("foo", false, CaseMode::Sensitive, true),
    q("foo", false, CaseMode::Insensitive, true),
    q("café", false, CaseMode::Sensitive, true),
    q("x1", true, CaseMode::Sensitive, true),
    q("-2", true, CaseMode::Sensitive, true),
    q("a.b", true, CaseMode::Sensitive, true),
    q("foo", false, CaseMode::Smart, true),
    q("ω", false, CaseMode::Insensitive, true),
    q("o+", false, CaseMode::Sensitive, false),
    q(r"[a-z]+é", false, CaseMode::Sensitive, false),
    q(r"é|日|🦀", false, CaseMode::Sensitive, false),
    q(r"\bbar\b", false, CaseMode::Sensitive, false),
    q(r"^foo|foo$", false, CaseMode::Sensitive, false),
    q(r"\w+", false, CaseMode::Sensitive, false),
    // ASCII literals every match starts or ends with: a decoded file without them is passed
    // over undecoded (crates/search/src/required.rs); these must find what decoding finds.
    q(r"ba[rz]|oob", false, CaseMode::Sensitive, false),
    q(r"(?i)fo", false, CaseMode::Sensitive, false),
    q(r"\w+_bar", false, CaseMode::Sensitive, false),
    q("Foo", false, CaseMode::Sensitive, true),
    Query {
        pattern: r"foo\s+bar",
        fixed: false,
        case: CaseMode::Sensitive,
        word: false,
        multiline: true,
    },
    Query {
        pattern: r"o\r?\n[a-zé]",
        fixed: false,
        case: CaseMode::Insensitive,
        word: false,
        multiline: true,
    },
];

const EXTENSION_SETS: &[&[&str]] = &[
    &["rs"],
    &["rs", "txt"],
    &[],
    &["gz"],
    &["tar.gz", "md"],
    &["RS"],
];

#[test]
fn randomized_trees_match_the_reference() {
    // Occurrences found in files decoded from a legacy encoding: the trees must have some.
    let mut legacy_hits = 0;
    for seed in 0..8u64 {
        let mut rng = StdRng::seed_from_u64(0x7472_6177_6c00 + seed);
        let dir = random_tree(&mut rng);
        for (index, query) in QUERIES.iter().enumerate() {
            let extensions = EXTENSION_SETS.choose(&mut rng).unwrap();
            let mut req = request(dir.path(), extensions, query.pattern);
            // Both ways of searching, without a draw from the generator (the trees stay the
            // same): the walk handing files to search threads, and walker threads searching.
            req.walk_ahead = (seed as usize + index).is_multiple_of(2);
            req.options.regex = !query.fixed;
            req.options.case = query.case;
            req.options.whole_word = query.word;
            req.options.multiline = query.multiline;
            req.options.hidden = rng.random_bool(0.3);
            req.options.respect_ignore_files = rng.random_bool(0.8);
            req.options.binary_as_text = rng.random_bool(0.2);
            req.options.threads = rng.random_range(1..=3).to_string();
            req.options.encoding = random_encoding(&mut rng);
            let expected = reference(&req);
            let outcome = run_engine(req.clone());
            assert!(
                outcome.errors.is_empty(),
                "seed {seed}: {:?}",
                outcome.errors
            );
            if outcome.hits != expected {
                // Keep the tree for a look; the paths in the message point into it.
                eprintln!("seed {seed} differs; tree kept at {}", dir.keep().display());
                assert_hits_eq(&outcome.hits, &expected, &req);
                unreachable!();
            }
            legacy_hits += (outcome.hits.iter())
                .filter(|h| h.encoding.is_some_and(|name| !name.starts_with("UTF-16")))
                .count();
        }
    }
    assert!(
        legacy_hits > 0,
        "no legacy-encoded file was searched decoded"
    );
}

/// The fuzz target's check (tests/support/file_search_check.rs) on seeded random inputs, so
/// that `cargo test` runs it too: bytes biased towards what is hard (multi-byte and invalid
/// UTF-8, `\r`, `\n`) and patterns put together from pieces that match inside characters,
/// match empty, or anchor, with every flag combination.
#[test]
fn random_bytes_and_patterns_agree_with_the_fuzz_reference() {
    // As many as take a few seconds in a test build: searching in memory allocates no read
    // buffer and gathers no more of a long line than the input holds.
    const INPUTS: usize = 10_000;
    const BYTES: &[&[u8]] = &[
        b"a",
        b"b",
        b"x",
        b" ",
        b"\n",
        b"\n",
        b"\r",
        b"\r\n",
        "é".as_bytes(),
        "日".as_bytes(),
        "🦀".as_bytes(),
        "©".as_bytes(),
        b"\xff",
        b"\xc3",
        b"\xa9",
        b"\x80",
        b"\xe2\x82",
        b"foo",
        b"A",
    ];
    const PIECES: &[&str] = &[
        "a",
        "b",
        "x",
        "é",
        "日",
        "foo",
        "x*",
        ".",
        "$",
        "^",
        r"\b",
        r"(?-u:\xA9)",
        r"(?-u:\xC3)",
        r"(?-u:\x9C)",
        r"(?-u:\x80)",
        r"(?-u:.)",
        "[a-z]+",
        r"\w",
        r"\s",
        "a|é",
        "(?:)",
        r"\r",
        "[^a]",
        "é+",
        "A",
        r"\d*",
    ];
    let mut rng = StdRng::seed_from_u64(0x6675_7a7a);
    let mut checked = 0;
    for _ in 0..INPUTS {
        let mut contents = Vec::new();
        for _ in 0..rng.random_range(0..40) {
            contents.extend_from_slice(BYTES.choose(&mut rng).unwrap());
        }
        let mut pattern = String::new();
        for _ in 0..rng.random_range(1..=3) {
            pattern.push_str(PIECES.choose(&mut rng).unwrap());
        }
        if rng.random_bool(0.2) {
            pattern = format!("{pattern}|{}", PIECES.choose(&mut rng).unwrap());
        }
        let input = file_search_check::Input {
            flags: rng.random(),
            pattern: &pattern,
            contents: &contents,
            piece: rng.random_range(1..=32),
        };
        if file_search_check::check(&input) {
            checked += 1;
        }
    }
    assert!(
        checked > INPUTS * 3 / 5,
        "only {checked} of {INPUTS} inputs were checked"
    );
}

/// Matches that start inside a character: the reference keeps them (at the character's
/// column) and drops only empty ones between a character's bytes, as the engine does.
#[test]
fn the_fuzz_reference_reports_byte_level_matches_inside_characters() {
    for (pattern, contents) in [
        (r"(?-u:\xA9)", "a ©".as_bytes()),
        (r"(?-u:\xA9)x", b"\xc2\xa9x".as_slice()),
        (r"x*", "日x".as_bytes()),
        (r"(?-u:\x97)", "日本".as_bytes()),
    ] {
        let input = file_search_check::Input {
            flags: 0,
            pattern,
            contents,
            piece: 1,
        };
        assert!(file_search_check::check(&input), "{pattern} was checked");
    }
}

// ---------------------------------------------------------------------------------------------
// Cancellation
// ---------------------------------------------------------------------------------------------
//
// These check what a cancel does, not how fast: the latencies are measured by
// `cargo bench --bench cancel` (benches/cancel.rs). Each test makes sure the search was still
// running when it was cancelled: it cannot have finished (more matching files than the
// engine's event queue holds, 4,096, while the test takes none of them), or it waits at a gate
// the test holds closed, or it is inside a file that a test build takes tens of seconds to
// search, as the progress counters show.

/// Waits for the `Finished` event and returns its summary.
fn wait_finished(handle: &search::SearchHandle) -> Summary {
    loop {
        match handle
            .events()
            .recv_timeout(HANG)
            .expect("Finished arrives")
        {
            SearchEvent::Finished(summary) => return summary,
            _ => continue,
        }
    }
}

/// Waits until the search's threads have ended and asserts that the counters are still what
/// they were when `Finished` arrived (`at_finish`): nothing moved after the final event.
fn assert_counters_final(handle: search::SearchHandle, at_finish: search::ProgressSnapshot) {
    assert!(at_finish.finished, "{at_finish:?}");
    let progress = Arc::clone(handle.progress());
    handle.join();
    assert_eq!(
        progress.snapshot(),
        at_finish,
        "progress moved after the search finished"
    );
}

/// More matching files than the event queue holds: with the test taking only the first
/// result, the search cannot finish before the cancel, which must end it early, say so, and
/// leave the counters still.
#[test]
fn cancel_ends_a_search_that_cannot_have_finished() {
    const FILES: usize = 6000;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for i in 0..FILES {
        write(
            root,
            &format!("d{}/f{i}.rs", i % 10),
            "let foo = bar(foo);\n",
        );
    }
    let handle = search::start(request(root, &["rs"], "foo")).unwrap();
    match handle.events().recv_timeout(HANG).expect("a first result") {
        SearchEvent::File(_) => {}
        SearchEvent::Finished(_) => panic!("finished before the first result"),
        SearchEvent::Error(e) => panic!("{e:?}"),
    }
    // At most the queue, the one taken and one file per thread are searched until the test
    // takes more: far from all.
    handle.cancel();
    let summary = wait_finished(&handle);
    let at_finish = handle.progress().snapshot();
    assert!(summary.cancelled);
    assert!(
        summary.files_searched < FILES as u64,
        "the search stopped early: {summary:?}"
    );
    assert_eq!(at_finish.files_searched, summary.files_searched);
    assert_counters_final(handle, at_finish);
}

#[test]
fn cancel_inside_a_large_file_ends_the_search_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Over the whole-file read limit, so it is read in parts; every line matches many times,
    // which takes a test build tens of seconds to search to the end.
    let line = "foo bar foo baz foo qux foo ".repeat(4) + "\n";
    let big = line.repeat((48 << 20) / line.len());
    write(root, "big.rs", &big);
    // Found by the walk, and given as the root (opened by its path, no folder); searched on
    // a search thread the walk handed it to, and on the walker thread that found it.
    for (searched, walk_ahead) in [
        (root.to_path_buf(), true),
        (root.join("big.rs"), true),
        (root.to_path_buf(), false),
    ] {
        let mut req = request(&searched, &["rs"], "foo");
        req.walk_ahead = walk_ahead;
        let handle = search::start(req).unwrap();
        let started = Instant::now();
        while handle.progress().snapshot().streaming_read == 0 {
            assert!(started.elapsed() < HANG, "the file was never read");
            std::thread::sleep(Duration::from_millis(1));
        }
        let before = handle.progress().snapshot();
        assert!(!before.finished, "the file is still being searched");
        handle.cancel();
        // What the file's search found before the cancel is sent (tests/cancel_keeps.rs checks
        // its lines); the summary counts exactly what was sent.
        let (mut sent_files, mut sent_matches) = (0, 0);
        let summary = loop {
            match handle
                .events()
                .recv_timeout(HANG)
                .expect("Finished arrives")
            {
                SearchEvent::File(file) => {
                    sent_files += 1;
                    sent_matches += file.match_count() as u64;
                }
                SearchEvent::Finished(summary) => break summary,
                SearchEvent::Error(e) => panic!("{e:?}"),
            }
        };
        let at_finish = handle.progress().snapshot();
        assert!(summary.cancelled);
        assert!(
            summary.bytes_searched < big.len() as u64,
            "it stopped inside the file: {summary:?}"
        );
        assert_eq!(summary.files_matched, sent_files);
        assert_eq!(summary.matches, sent_matches);
        assert_counters_final(handle, at_finish);
    }
}

/// A gate for [`search::start_prepared`]'s conversion, which runs on the search thread: the
/// first file to reach it waits there, holding its thread, until the test opens it.
struct Gate {
    reached: crossbeam_channel::Receiver<PathBuf>,
    open: crossbeam_channel::Sender<()>,
}

/// A search of `req` whose search threads stop at a closed [`Gate`] with their first result.
fn gated_search(req: SearchRequest) -> (search::SearchHandle<()>, Gate) {
    let (reached_tx, reached) = crossbeam_channel::unbounded();
    let (open, open_rx) = crossbeam_channel::bounded::<()>(0);
    let matcher = build_matcher(&req).unwrap();
    let handle = search::start_prepared(req, matcher, Arc::new(|_| {}), move |file| {
        let _ = reached_tx.send(file.path);
        // Opened by a send, or by the test dropping its end.
        let _ = open_rx.recv();
    })
    .unwrap();
    (handle, Gate { reached, open })
}

/// Dropping the handle cancels a running search. A second receiver of its events, kept past
/// the drop, keeps the channel open (so the search is not stopped by its consumer going away)
/// and receives the search's own account of how it ended.
#[test]
fn dropping_the_handle_cancels_the_search() {
    const FILES: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    for i in 0..FILES {
        write(dir.path(), &format!("f{i:03}.rs"), "foo\n");
    }
    let mut req = request(dir.path(), &["rs"], "foo");
    req.options.threads = "1".into();
    let (handle, gate) = gated_search(req);
    let progress = Arc::clone(handle.progress());
    let events = handle.events().clone();
    // Its one search thread holds a result at the gate: the search is running and cannot end.
    gate.reached
        .recv_timeout(HANG)
        .expect("a file reaches the gate");
    assert!(!progress.snapshot().finished);
    drop(handle);
    drop(gate.open);
    let summary = loop {
        match events.recv_timeout(HANG).expect("the search ends") {
            SearchEvent::Finished(summary) => break summary,
            _ => continue,
        }
    };
    assert!(summary.cancelled, "{summary:?}");
    assert!(
        summary.files_searched < FILES as u64,
        "it ended early: {summary:?}"
    );
    assert!(progress.snapshot().finished);
}

/// A file too large to read at once is cut into segments that every search thread takes
/// (`search::split`). Whatever the thread count, found by the walk or given as the root, and
/// with lines longer than a segment crossing their boundaries, the occurrences are the
/// reference's; lines cut to 80 columns are the same on one thread and on three. A NUL byte in
/// a late segment makes the whole file binary.
#[test]
fn a_large_file_split_between_threads_finds_what_the_reference_finds() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    let words = [
        "foo", "bar", "é", "Foo", "x", "a foo b", "", "quux", "baz", "bars", "ab",
    ];
    let mut text = String::new();
    // Lines of 300 KiB (longer than a segment) and of 70 KiB (longer than a segment's reach
    // past its end), each at a few places.
    let mut long_lines = vec![1 << 19, 1 << 20, 3 << 19, 7 << 18];
    while text.len() < 2 << 20 {
        let line: Vec<&str> = (0..rng.random_range(0..8))
            .map(|_| *words.choose(&mut rng).unwrap())
            .collect();
        text.push_str(&line.join(" "));
        if long_lines.first().is_some_and(|&at| text.len() >= at) {
            let len = if long_lines.len() % 2 == 0 { 300 } else { 70 } << 10;
            long_lines.remove(0);
            text.push_str(&"y".repeat(len));
            text.push_str(" foo");
        }
        text.push_str(if rng.random_bool(0.1) { "\r\n" } else { "\n" });
    }
    write(dir.path(), "big.txt", &text);
    let file = dir.path().join("big.txt");
    for pattern in ["foo", r"(?i)\bx\b"] {
        let expected = reference(&request(dir.path(), &["txt"], pattern));
        assert!(expected.len() > 1000, "{pattern}: {} hits", expected.len());
        for threads in [1, 3] {
            for root in [dir.path(), &file] {
                for walk_ahead in [true, false] {
                    let mut req = request(root, &["txt"], pattern);
                    req.options.threads = threads.to_string();
                    req.walk_ahead = walk_ahead;
                    let outcome = run_engine(req.clone());
                    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
                    assert_hits_eq(&outcome.hits, &expected, &req);
                }
            }
        }
        let cut = |threads: usize| {
            let mut req = request(dir.path(), &["txt"], pattern);
            req.options.threads = threads.to_string();
            req.max_columns = Some(80);
            run_engine(req).hits
        };
        assert_eq!(cut(1), cut(3), "{pattern}: lines cut to 80 columns");
    }

    let mut binary = text.into_bytes();
    let at = binary.len() - 1000;
    binary[at] = 0;
    write(dir.path(), "big.txt", &binary);
    let mut req = request(dir.path(), &["txt"], "foo");
    req.options.threads = "3".into();
    let outcome = run_engine(req);
    assert!(outcome.hits.is_empty() && outcome.errors.is_empty());
}

/// A window's search (`background`) runs every thread that queues results as `SCHED_BATCH`, so
/// the UI thread preempts it the moment it wakes for a frame; the command line's search and the
/// caller's own thread keep the normal policy.
#[cfg(target_os = "linux")]
#[test]
fn a_background_search_runs_its_threads_as_batch_work_and_the_caller_s_does_not() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..20 {
        write(dir.path(), &format!("d{}/f{i}.rs", i % 3), "foo\n");
    }
    // SAFETY: no pointers; pid 0 is the calling thread.
    let policy = || unsafe { libc::sched_getscheduler(0) };
    for background in [true, false] {
        let seen = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
        let record = Arc::clone(&seen);
        let notify: search::Notify = Arc::new(move |_| {
            record.lock().unwrap().insert(policy());
        });
        let mut req = request(dir.path(), &["rs"], "foo");
        req.background = background;
        req.options.threads = "2".into();
        let handle = search::start_with_notifier(req, notify).unwrap();
        let events: Vec<_> = handle.events().iter().collect();
        assert_eq!(events.len(), 21, "20 files and the summary");
        let expected = if background {
            libc::SCHED_BATCH
        } else {
            libc::SCHED_OTHER
        };
        assert_eq!(*seen.lock().unwrap(), BTreeSet::from([expected]));
    }
    assert_eq!(
        policy(),
        libc::SCHED_OTHER,
        "the caller's thread is unchanged"
    );
}

/// A caller that has each file converted (a window putting it into its model's form) gets,
/// file for file, what the plain search sends, converted on a search thread rather than its own.
#[test]
fn files_converted_on_the_search_threads_are_the_plain_search_s_files() {
    let dir = fixed_tree();
    let req = request(dir.path(), &["rs"], "foo");
    let caller = std::thread::current().id();
    let matcher = build_matcher(&req).unwrap();
    let handle = search::start_prepared(req.clone(), matcher, Arc::new(|_| {}), move |file| {
        let on_caller = std::thread::current().id() == caller;
        let counted = (file.path.clone(), file.match_count(), file.lines.len());
        (counted, on_caller)
    })
    .unwrap();
    let mut converted = BTreeSet::new();
    let summary = loop {
        match handle.events().recv_timeout(HANG).expect("the search ends") {
            SearchEvent::File((counted, on_caller)) => {
                assert!(!on_caller, "converted on the caller's thread");
                converted.insert(counted);
            }
            SearchEvent::Error(_) => {}
            SearchEvent::Finished(summary) => break summary,
        }
    };
    let plain = search::start(req).unwrap();
    let mut expected = BTreeSet::new();
    while let Ok(event) = plain.events().recv_timeout(HANG) {
        match event {
            SearchEvent::File(file) => {
                expected.insert((file.path.clone(), file.match_count(), file.lines.len()));
            }
            SearchEvent::Error(_) => {}
            SearchEvent::Finished(_) => break,
        }
    }
    assert!(!expected.is_empty());
    assert_eq!(converted, expected);
    assert_eq!(summary.files_matched, expected.len() as u64);
}

#[test]
fn a_file_with_a_nul_searched_as_text_is_flagged_binary_for_a_replace() {
    let dir = tempfile::tempdir().unwrap();
    let mut req = request(dir.path(), &[], "foo");
    req.options.binary_as_text = true;
    let matcher = build_matcher(&req).unwrap();
    let mut searcher = FileSearcher::new(&req, matcher, Arc::new(AtomicBool::new(false)));
    let mut has_nul = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let found = searcher.search_path(&path).unwrap();
        assert!(found.matches > 0 && !found.binary, "{name}: found as text");
        found.has_nul
    };
    assert!(has_nul("small", b"foo\0bin\n"));
    assert!(!has_nul("text", b"foo text\n"));
    // A file read in parts: a NUL in its first part (its first MiB) is seen.
    let mut large = b"foo\0".to_vec();
    large.resize(3 << 20, b'x');
    assert!(has_nul("large", &large));
    // UTF-16's NUL bytes are its text's.
    assert!(!has_nul("utf16", &utf16("foo text\n", true)));
}
