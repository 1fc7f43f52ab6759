//! Replace (docs/CONTRACT.md, "Replace"): `-r`, `--diff`, `--write`, `--undo`, `--undo-list`
//! through the real binary, and the writer's checks through the library. Every written file is
//! compared with an independent computation (`regex`'s `replace_all` on the original, or on
//! the decoded text for UTF-16), every undo with the original bytes, every skipped file with
//! its bytes before. Unix only: links, permissions and running as `nobody` are part of it.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use assert_cmd::Command;
use rand::{Rng, SeedableRng};
use tempfile::TempDir;

#[path = "support/unprivileged.rs"]
mod unprivileged;

use trawl::replace::{FilePlan, Journal, ReplacePlan, Replacer, SkipReason, WriteProgress};
use trawl::search::{SearchEvent, SearchRequest};

/// A tree to replace in, and a journal of its own.
struct Tree {
    dir: TempDir,
    journal: TempDir,
}

impl Tree {
    fn new() -> Self {
        Tree {
            dir: tempfile::Builder::new()
                .prefix("trawl-replace-")
                .tempdir()
                .expect("temporary folder"),
            journal: tempfile::Builder::new()
                .prefix("trawl-journal-")
                .tempdir()
                .expect("temporary folder"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn root(&self) -> String {
        self.path().to_str().expect("UTF-8 temp path").to_string()
    }

    fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create folders");
        }
        fs::write(&path, contents).expect("write file");
        path
    }

    /// trawl with this tree's journal.
    fn trawl(&self, args: &[&str]) -> std::process::Output {
        Command::cargo_bin("trawl")
            .expect("binary")
            .args(args)
            .env("TRAWL_JOURNAL_DIR", self.journal.path())
            .output()
            .expect("run trawl")
    }

    /// Every regular file's bytes, by path relative to the root; the writer's temporary
    /// files are listed too, so a leftover one shows.
    fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        let mut stack = vec![self.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).expect("read folder") {
                let entry = entry.expect("entry");
                let kind = entry.file_type().expect("type");
                if kind.is_dir() {
                    stack.push(entry.path());
                } else if kind.is_file() {
                    let rel = entry
                        .path()
                        .strip_prefix(self.path())
                        .expect("inside")
                        .to_string_lossy()
                        .into_owned();
                    files.insert(rel, fs::read(entry.path()).expect("read"));
                }
            }
        }
        files
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a replace of `pattern` by `template` makes of a UTF-8 (or byte) file, computed with
/// `regex` alone. The patterns used below match within a line and never touch a BOM.
fn expected_bytes(original: &[u8], pattern: &str, template: &str) -> Vec<u8> {
    regex::bytes::Regex::new(pattern)
        .expect("regex")
        .replace_all(original, template.as_bytes())
        .into_owned()
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

const PATTERN: &str = r"f(o+)(?P<tail>\w*)";
const TEMPLATE: &str = "<$1|${tail}|$$>";

/// The awkward files of the issue, each with its expected result.
fn awkward_tree(tree: &Tree) -> BTreeMap<String, (Vec<u8>, Vec<u8>)> {
    let mut files: BTreeMap<String, (Vec<u8>, Vec<u8>)> = BTreeMap::new();
    let plain: &[(&str, &[u8])] = &[
        ("bom.txt", b"\xEF\xBB\xBFfoo first\nsecond fooo\n"),
        ("crlf.txt", b"a foo\r\nb fooz\r\nc\r\n"),
        ("mixed.txt", b"foo\r\nfoo\nfoo\rfoo\r\n\nfoo"),
        ("no-final-newline.txt", b"x foo y\nlast foo"),
        ("invalid.txt", b"\xFFfoo\xFE\xC3\n\x80fooo\xE9 done\n"),
        ("unicode.txt", "héllo fooé wörld\nfoo😀\n".as_bytes()),
    ];
    for (name, bytes) in plain {
        tree.file(name, bytes);
        files.insert(
            name.to_string(),
            (bytes.to_vec(), expected_bytes(bytes, PATTERN, TEMPLATE)),
        );
    }
    let original = "one foo\r\ntwo foobar é\r\n";
    let replaced = regex::Regex::new(PATTERN)
        .expect("regex")
        .replace_all(original, TEMPLATE)
        .into_owned();
    for (name, big) in [("utf16le.txt", false), ("utf16be.txt", true)] {
        tree.file(name, utf16(original, big));
        files.insert(
            name.to_string(),
            (utf16(original, big), utf16(&replaced, big)),
        );
    }
    files
}

#[test]
fn write_then_undo_round_trips_awkward_files() {
    let tree = Tree::new();
    let files = awkward_tree(&tree);
    let out = tree.trawl(&[&tree.root(), "txt", PATTERN, "-r", TEMPLATE, "--write"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let now = tree.snapshot();
    for (name, (_, expected)) in &files {
        assert_eq!(
            text(&now[name]),
            text(expected),
            "{name} as written (lossy view)"
        );
        assert_eq!(&now[name], expected, "{name} byte for byte");
    }
    assert_eq!(now.len(), files.len(), "no temporary file is left: {now:?}");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("{}/crlf.txt: 2 replacements", tree.root())),
        "{stdout}"
    );
    assert!(stdout.contains("recorded as replace 1"), "{stdout}");

    let out = tree.trawl(&["--undo"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let now = tree.snapshot();
    for (name, (original, _)) in &files {
        assert_eq!(&now[name], original, "{name} restored byte for byte");
    }
}

#[test]
fn permissions_are_kept_and_read_only_and_binary_files_are_left_alone() {
    let tree = Tree::new();
    let script = tree.file("run.txt", "foo\n");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o751)).expect("chmod");
    let locked = tree.file("locked.txt", "foo\n");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).expect("chmod");
    tree.file("binary.txt", b"foo\0bar\n");
    let before = tree.snapshot();
    // -a searches the binary file, which is still never written.
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "-r", "bar", "--write", "-a"]);
    assert_eq!(out.status.code(), Some(2), "a file was left alone");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "trawl: {}/locked.txt: not written: it is read-only",
            tree.root()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "trawl: {}/binary.txt: not written: it is binary",
            tree.root()
        )),
        "{stderr}"
    );
    let now = tree.snapshot();
    assert_eq!(now["run.txt"], b"bar\n");
    assert_eq!(now["locked.txt"], before["locked.txt"]);
    assert_eq!(now["binary.txt"], before["binary.txt"]);
    let mode = fs::metadata(&script).expect("stat").permissions().mode() & 0o7777;
    assert_eq!(mode, 0o751, "the permissions are kept");
}

#[test]
fn a_symlink_stays_a_link_to_the_rewritten_file() {
    let tree = Tree::new();
    let elsewhere = TempDir::new().expect("temporary folder");
    let target = elsewhere.path().join("target.txt");
    fs::write(&target, "foo\n").expect("write");
    std::os::unix::fs::symlink(&target, tree.path().join("link.txt")).expect("symlink");
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "-r", "bar", "--write", "-L"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let link = tree.path().join("link.txt");
    assert!(
        fs::symlink_metadata(&link)
            .expect("lstat")
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_link(&link).expect("readlink"), target);
    assert_eq!(fs::read(&target).expect("read"), b"bar\n");
    let out = tree.trawl(&["--undo"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(fs::read(&target).expect("read"), b"foo\n");
    assert!(
        fs::symlink_metadata(&link)
            .expect("lstat")
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_hard_linked_file_is_left_alone() {
    let tree = Tree::new();
    let file = tree.file("a.txt", "foo\n");
    let other = TempDir::new().expect("temporary folder");
    fs::hard_link(&file, other.path().join("b.txt")).expect("hard link");
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "-r", "bar", "--write"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("it has 2 hard links; replacing it would split them"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read(&file).expect("read"), b"foo\n");
}

/// A piece of a legacy-encoded test file: text, encoded in the file's encoding (the pattern's
/// matches are inside such pieces), or bytes as they are, which the encoding does not map.
enum Part<'a> {
    Text(&'a str),
    Raw(&'a [u8]),
}

fn encode_in(encoding: &'static encoding_rs::Encoding, text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable, "{text:?} in {}", encoding.name());
    bytes.into_owned()
}

/// The file `parts` make in `encoding`, and what replacing `pattern` by `template` makes of
/// it, computed piece by piece: each text piece replaced by `regex` and encoded, each raw
/// piece kept.
fn legacy_file(
    encoding: &'static encoding_rs::Encoding,
    parts: &[Part<'_>],
    pattern: &str,
    template: &str,
) -> (Vec<u8>, Vec<u8>, usize) {
    let regex = regex::Regex::new(pattern).expect("regex");
    let (mut file, mut expected, mut matches) = (Vec::new(), Vec::new(), 0);
    for part in parts {
        match part {
            Part::Text(text) => {
                file.extend(encode_in(encoding, text));
                expected.extend(encode_in(encoding, &regex.replace_all(text, template)));
                matches += regex.find_iter(text).count();
            }
            Part::Raw(bytes) => {
                file.extend_from_slice(bytes);
                expected.extend_from_slice(bytes);
            }
        }
    }
    (file, expected, matches)
}

/// Legacy-encoded files with non-ASCII text around and in the matches, CRLF, no final
/// newline, and bytes the encoding does not map (a lone first byte of a two-byte character,
/// a byte that starts none) right beside matches: `--write` gives, byte for byte, the
/// piece-by-piece computation, in every encoding, and `--undo` gives the originals back.
#[test]
fn legacy_encoded_files_round_trip_byte_for_byte_and_undo_restores_them() {
    use Part::*;
    let cases: &[(&str, &str, &str, &str, &[u8])] = &[
        // label, text around, a text holding matches, the template, a byte not mapped
        (
            "windows-1252",
            "naïve façade",
            "café crème, cafés",
            "«$1»",
            b"\x81",
        ),
        (
            "shift_jis",
            "日本語のテキスト",
            "東京(と京都)、東京",
            "[$1]",
            b"\xFD",
        ),
        (
            "euc-jp",
            "日本語のテキスト",
            "東京(と京都)、東京",
            "[$1]",
            b"\xFF",
        ),
        ("gbk", "中文文本", "北京和上海，北京", "（$1）", b"\xFF"),
        ("big5", "中文文本", "北京和上海，北京", "（$1）", b"\xFF"),
        (
            "euc-kr",
            "한국어 텍스트",
            "서울과 부산, 서울",
            "<$1>",
            b"\xFF",
        ),
    ];
    let patterns = [
        ("windows-1252", r"caf(é)"),
        ("shift_jis", r"東(京)"),
        ("euc-jp", r"東(京)"),
        ("gbk", r"北(京)"),
        ("big5", r"北(京)"),
        ("euc-kr", r"서(울)"),
    ];
    let tree = Tree::new();
    let mut files = BTreeMap::new();
    for &(label, around, holding, template, unmapped) in cases {
        let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).expect("label");
        let pattern = patterns
            .iter()
            .find(|(l, _)| *l == label)
            .expect("pattern")
            .1;
        let parts = [
            Text(holding),
            Text(" "),
            Text(around),
            Text("\r\n"),
            Raw(unmapped),
            Text(holding),
            Raw(unmapped),
            Text("\n"),
            Text(around),
            Raw(b"\x82"),
            Text("\r\n\r\n"),
            Text(holding),
            Text(around),
            Text(holding),
        ];
        let (original, expected, matches) = legacy_file(encoding, &parts, pattern, template);
        assert!(matches >= 6);
        let name = format!("{label}/file.txt");
        tree.file(&name, &original);
        let out = tree.trawl(&[
            &format!("{}/{label}", tree.root()),
            "txt",
            pattern,
            "-E",
            label,
            "-r",
            template,
            "--write",
        ]);
        assert_eq!(out.status.code(), Some(0), "{label}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains(&format!("file.txt: {matches} replacements")),
            "{label}: {}",
            text(&out.stdout)
        );
        // A second, independent view: the written file decodes to regex's replace_all on the
        // original's decoded text.
        let written = fs::read(tree.path().join(&name)).expect("read");
        let decoded = encoding
            .decode_without_bom_handling(&original)
            .0
            .into_owned();
        assert_eq!(
            encoding.decode_without_bom_handling(&written).0,
            regex::Regex::new(pattern)
                .expect("regex")
                .replace_all(&decoded, template),
            "{label}: decoded"
        );
        assert!(written == expected, "{label}: written byte for byte");
        files.insert(name, original);
    }
    for _ in cases {
        let out = tree.trawl(&["--undo"]);
        assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    }
    let now = tree.snapshot();
    for (name, original) in &files {
        assert!(now[name] == *original, "{name} restored byte for byte");
    }
}

/// `-E auto` decodes each file as its detector says, and each is written back in its own
/// encoding: a mixed tree of Windows-1252, Shift_JIS, GBK and UTF-8 files in one replace.
#[test]
fn a_mixed_tree_searched_with_auto_is_written_back_file_by_file() {
    let tree = Tree::new();
    let texts: &[(&str, &str)] = &[
        (
            "windows-1252",
            "Le café naïve de la façade, à côté: token. ",
        ),
        ("shift_jis", "日本語の文章です。東京と大阪、token。"),
        ("gbk", "这是中文的文本，北京和上海，token。"),
        ("utf-8", "plain UTF-8 with ü and token. "),
    ];
    let mut files = BTreeMap::new();
    for &(label, line) in texts {
        let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).expect("label");
        let body = format!("{line}\r\n").repeat(40);
        let original = encode_in(encoding, &body);
        let expected = encode_in(encoding, &body.replace("token", "jeton"));
        tree.file(&format!("{label}.txt"), &original);
        files.insert(format!("{label}.txt"), (original, expected));
    }
    let out = tree.trawl(&[
        &tree.root(),
        "txt",
        "token",
        "-E",
        "auto",
        "-r",
        "jeton",
        "--write",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let now = tree.snapshot();
    for (name, (_, expected)) in &files {
        assert!(
            now[name] == *expected,
            "{name} written back in its encoding"
        );
    }
    let out = tree.trawl(&["--undo"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let now = tree.snapshot();
    for (name, (original, _)) in &files {
        assert!(now[name] == *original, "{name} restored");
    }
}

/// A replacement holding a character the file's encoding cannot hold: the file is refused
/// with the character named and left untouched (never a `?` in its place); a UTF-8 file in
/// the same replace is written. `--diff` refuses it the same way.
#[test]
fn an_unencodable_replacement_is_refused_for_that_file_and_the_file_is_untouched() {
    let tree = Tree::new();
    // "café foo" in Windows-1252: not UTF-8, so -E auto decodes it.
    let legacy = b"caf\xe9 foo\r\nna\xefve foo\n".to_vec();
    let file = tree.file("a.txt", &legacy);
    let utf8 = tree.file("b.txt", "café foo\n");
    let args = |mode: &'static str| {
        [
            tree.root(),
            "txt".into(),
            "foo".into(),
            "-E".into(),
            "auto".into(),
            "-r".into(),
            "日本".into(),
            mode.into(),
        ]
    };
    let diff = tree.trawl(&args("--diff").each_ref().map(String::as_str));
    assert_eq!(diff.status.code(), Some(2), "{}", text(&diff.stderr));
    assert_eq!(
        text(&diff.stderr),
        format!(
            "trawl: {}/a.txt: '日' (U+65E5) cannot be written in windows-1252\n",
            tree.root()
        )
    );
    let out = tree.trawl(&args("--write").each_ref().map(String::as_str));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        format!(
            "trawl: {}/a.txt: not written: '日' (U+65E5) cannot be written in windows-1252\n",
            tree.root()
        )
    );
    assert_eq!(fs::read(&file).expect("read"), legacy, "untouched");
    assert_eq!(fs::read(&utf8).expect("read"), "café 日本\n".as_bytes());
    assert_eq!(tree.snapshot().len(), 2, "no temporary file is left");
}

/// What cannot be written back exactly is still left alone and named, by `--diff` and
/// `--write`: a file decoded from ISO-2022-JP (its bytes mean one character or another after
/// its escape sequences), and a file whose byte beside a match, not valid Shift_JIS, would join
/// the replacement into another character. A Windows-1252 file in the same tree is written
/// back in Windows-1252, and `--diff` shows it decoded after its encoding's name.
#[test]
fn a_file_whose_bytes_cannot_be_written_back_exactly_is_left_alone_and_named() {
    let tree = Tree::new();
    // "こんにちは 1" in ISO-2022-JP.
    let iso = encode_in(encoding_rs::ISO_2022_JP, "こんにちは 1\n");
    let iso_file = tree.file("iso-2022-jp/a.txt", &iso);
    // "x", U+FFFD (0x82 cannot start a character with '1'), "1"; 0x82 0x4F is '０'.
    let joined = b"x\x821\n".to_vec();
    let joined_file = tree.file("shift_jis/a.txt", &joined);
    let cp1252 = b"caf\xe9 1\n".to_vec();
    let cp1252_file = tree.file("windows-1252/a.txt", &cp1252);
    for mode in ["--diff", "--write"] {
        for (label, reason) in [
            (
                "iso-2022-jp",
                "it was decoded from ISO-2022-JP, which trawl cannot write back byte for byte"
                    .to_string(),
            ),
            (
                "shift_jis",
                "written back in Shift_JIS, the text beside the match at byte 4 would read \
                 otherwise (a byte next to it that is not valid Shift_JIS would join the \
                 replacement into another character)"
                    .to_string(),
            ),
        ] {
            let folder = format!("{}/{label}", tree.root());
            let out = tree.trawl(&[&folder, "txt", "1", "-E", label, "-r", "O", mode]);
            assert_eq!(out.status.code(), Some(2), "{label} {mode}");
            let written = if mode == "--write" {
                "not written: "
            } else {
                ""
            };
            assert_eq!(
                text(&out.stderr),
                format!("trawl: {folder}/a.txt: {written}{reason}\n"),
                "{label} {mode}"
            );
            assert!(out.stdout.is_empty() || mode == "--write", "{label} {mode}");
        }
    }
    let folder = format!("{}/windows-1252", tree.root());
    let diff = tree.trawl(&[
        &folder,
        "txt",
        "1",
        "-E",
        "windows-1252",
        "-r",
        "²",
        "--diff",
    ]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff.stderr));
    assert_eq!(
        text(&diff.stdout),
        "# encoding: windows-1252\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-café 1\n+café ²\n"
    );
    let out = tree.trawl(&[
        &folder,
        "txt",
        "1",
        "-E",
        "windows-1252",
        "-r",
        "²",
        "--write",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(fs::read(&cp1252_file).expect("read"), b"caf\xe9 \xb2\n");
    assert_eq!(fs::read(&iso_file).expect("read"), iso);
    assert_eq!(fs::read(&joined_file).expect("read"), joined);
}

/// The folder's missing write permission is a real check for any user but root, so as root
/// the binary runs as `nobody`, over a tree `nobody` owns.
#[test]
fn a_file_in_a_folder_without_write_permission_is_left_alone() {
    let scratch = tempfile::Builder::new()
        .prefix("trawl-replace-nobody-")
        .tempdir()
        .expect("temporary folder");
    unprivileged::open_to_everyone(scratch.path());
    let root = scratch.path().join("tree");
    let journal = scratch.path().join("journal");
    fs::create_dir_all(root.join("locked")).expect("mkdir");
    fs::create_dir_all(&journal).expect("mkdir");
    fs::write(root.join("open.txt"), "foo\n").expect("write");
    fs::write(root.join("locked/inside.txt"), "foo\n").expect("write");
    if unprivileged::is_root() {
        for path in [
            &root,
            &journal,
            &root.join("locked"),
            &root.join("open.txt"),
            &root.join("locked/inside.txt"),
        ] {
            std::os::unix::fs::chown(path, Some(65534), Some(65534)).expect("chown to nobody");
        }
    }
    fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o555)).expect("chmod");
    let out = unprivileged::trawl_command(scratch.path())
        .args([
            root.to_str().expect("UTF-8"),
            "txt",
            "foo",
            "-r",
            "bar",
            "--write",
        ])
        .env("TRAWL_JOURNAL_DIR", &journal)
        .output()
        .expect("run trawl");
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(out.status.code(), Some(2), "stderr: {}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("locked/inside.txt: not written: cannot create a temporary file in its folder: Permission denied"),
        "{stderr}"
    );
    assert_eq!(fs::read(root.join("open.txt")).expect("read"), b"bar\n");
    assert_eq!(
        fs::read(root.join("locked/inside.txt")).expect("read"),
        b"foo\n"
    );
}

/// The plans of a search, as the command line and the window make them.
fn plans(request: SearchRequest) -> Vec<FilePlan> {
    let handle = trawl::search::start(request).expect("search starts");
    let mut files = Vec::new();
    for event in handle.events() {
        match event {
            SearchEvent::File(result) => {
                files.push(FilePlan::from_result(&result).expect("offsets asked for"))
            }
            SearchEvent::Error(error) => panic!("{error:?}"),
            SearchEvent::Finished(_) => break,
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

#[test]
fn a_file_changed_between_search_and_replace_is_left_alone() {
    let tree = Tree::new();
    let grown = tree.file("grown.txt", "foo\n");
    let same_size = tree.file("same-size.txt", "foo bar\n");
    let untouched = tree.file("untouched.txt", "foo\n");
    let mut request = SearchRequest::new(tree.path(), vec!["txt".into()], "foo");
    request.modified_times = true;
    let files = plans(request.clone());
    assert_eq!(files.len(), 3);
    fs::write(&grown, "foo foo\n").expect("write");
    // Same size and modified time, other bytes at the match: only the match check sees it.
    let time = fs::metadata(&same_size)
        .expect("stat")
        .modified()
        .expect("mtime");
    fs::write(&same_size, "fox bar\n").expect("write");
    fs::File::options()
        .write(true)
        .open(&same_size)
        .expect("open")
        .set_modified(time)
        .expect("set time");
    let replacer = Replacer::new(&request.options, "foo", "X").expect("replacer");
    let report = trawl::replace::write_plan(
        &ReplacePlan {
            root: tree.path().into(),
            pattern: "foo".into(),
            files,
        },
        &replacer,
        &Journal::at(tree.journal.path()),
        &WriteProgress::default(),
        &AtomicBool::new(false),
    )
    .expect("journal");
    assert_eq!(report.written.len(), 1);
    assert_eq!(report.written[0].path, untouched);
    assert_eq!(report.skipped.len(), 2);
    assert!(matches!(report.skipped[0].reason, SkipReason::Changed(_)));
    assert_eq!(
        report.skipped[1].reason.to_string(),
        "it changed since the search: the text at byte 0 is no longer the match the search found"
    );
    assert_eq!(fs::read(&grown).expect("read"), b"foo foo\n");
    assert_eq!(fs::read(&same_size).expect("read"), b"fox bar\n");
    assert_eq!(fs::read(&untouched).expect("read"), b"X\n");
}

#[test]
fn undo_leaves_a_file_changed_since_the_replace_alone() {
    let tree = Tree::new();
    let a = tree.file("a.txt", "foo\n");
    let b = tree.file("b.txt", "foo\n");
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "-r", "bar", "--write"]);
    assert_eq!(out.status.code(), Some(0));
    fs::write(&b, "edited\n").expect("write");
    let out = tree.trawl(&["--undo", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        format!(
            "trawl: {}: left alone: it changed since the replace\n",
            b.display()
        )
    );
    assert_eq!(fs::read(&a).expect("read"), b"foo\n");
    assert_eq!(fs::read(&b).expect("read"), b"edited\n");
    let list = text(&tree.trawl(&["--undo-list"]).stdout);
    let fields: Vec<&str> = list.trim_end().split('\t').collect();
    assert_eq!(fields[0], "1");
    assert_eq!(fields[2], tree.root());
    assert_eq!(fields[3..], ["foo", "2 files", "2 replacements", "undone"]);
    let out = tree.trawl(&["--undo"]);
    assert_eq!(out.status.code(), Some(2), "nothing left to undo");
    assert_eq!(
        text(&out.stderr),
        "trawl: there is no replace left to undo\n"
    );
    let out = tree.trawl(&["--undo", "9"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn replace_alone_prints_the_lines_as_they_would_be_and_writes_nothing() {
    let tree = Tree::new();
    tree.file("a.txt", "one foo two fooo\nnone\n");
    let out = tree.trawl(&[&tree.root(), "txt", "f(o+)", "-r", "[$1]", "--no-heading"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        format!("{}/a.txt:1:5:one [oo] two [ooo]\n", tree.root())
    );
    assert_eq!(
        fs::read(tree.path().join("a.txt")).expect("read"),
        b"one foo two fooo\nnone\n"
    );
    assert!(!tree.journal.path().join("1").exists());
}

#[test]
fn a_literal_pattern_takes_the_template_literally() {
    let tree = Tree::new();
    let file = tree.file("a.txt", "a.b axb\n");
    let out = tree.trawl(&[&tree.root(), "txt", "a.b", "-F", "-r", "$1$$", "--write"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(fs::read(&file).expect("read"), b"$1$$ axb\n");
}

#[test]
fn a_multiline_match_spanning_lines_is_replaced() {
    let tree = Tree::new();
    let original = b"start\r\nfoo\r\nbar end\r\nfoo\nbar\n".to_vec();
    let file = tree.file("a.txt", &original);
    let out = tree.trawl(&[
        &tree.root(),
        "txt",
        r"foo(\r?\n)bar",
        "-U",
        "-r",
        "joined$1",
        "--write",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(
        fs::read(&file).expect("read"),
        expected_bytes(&original, r"foo(\r?\n)bar", "joined$1")
    );
}

#[test]
fn no_match_writes_nothing_and_exits_1() {
    let tree = Tree::new();
    tree.file("a.txt", "nothing\n");
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "-r", "x", "--write"]);
    assert_eq!(out.status.code(), Some(1));
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "-r", "x", "--diff"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

/// A `--write` that wrote no file (every matching file left alone) keeps no record: nothing
/// in `--undo-list`, nothing for `--undo`, and it says so instead of naming an ID.
#[test]
fn a_write_that_wrote_nothing_leaves_no_record() {
    let tree = Tree::new();
    let locked = tree.file("locked.txt", "foo\n");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).expect("chmod");
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "-r", "x", "--write"]);
    assert_eq!(out.status.code(), Some(2), "stderr: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not written: it is read-only"));
    assert_eq!(
        text(&out.stdout),
        "0 replacements in 0 files; nothing to record\n"
    );
    let list = tree.trawl(&["--undo-list"]);
    assert_eq!(list.status.code(), Some(0));
    assert_eq!(text(&list.stdout), "");
    assert_eq!(
        fs::read_dir(tree.journal.path()).expect("journal").count(),
        0,
        "no record folder is left"
    );
    assert_eq!(tree.trawl(&["--undo"]).status.code(), Some(2));
    // The next replace that writes is recorded as usual.
    tree.file("open.txt", "foo\n");
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "-r", "x", "--write"]);
    assert!(text(&out.stdout).contains("1 replacement in 1 file; recorded as replace 1"));
    assert_eq!(
        tree.trawl(&["--undo-list"])
            .stdout
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        1
    );
}

#[test]
fn the_diff_applied_with_patch_gives_what_write_gives() {
    let diffed = Tree::new();
    let written = Tree::new();
    for tree in [&diffed, &written] {
        tree.file(
            "crlf.txt",
            b"a foo\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng\r\nh foo\r\n",
        );
        tree.file("sub/no-final.txt", b"x\nfoo");
        tree.file("sub/invalid.txt", b"\xFFfoo\xFE\n\xC3(\n");
        tree.file("bom.txt", b"\xEF\xBB\xBFfoo\n");
        tree.file("lone-cr.txt", b"foo\rbar\nbaz foo\n");
        tree.file("same.txt", b"nothing here\n");
    }
    let out = diffed.trawl(&[&diffed.root(), "txt", "fo(o)", "-r", "[$1]", "--diff"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let diff = out.stdout;
    assert!(diff.starts_with(b"--- a/bom.txt\n+++ b/bom.txt\n@@ -1 +1 @@\n"));
    let before = diffed.snapshot();
    let mut patch = std::process::Command::new("patch")
        .args(["-p1", "--quiet", "--batch"])
        .current_dir(diffed.path())
        .stdin(Stdio::piped())
        .spawn()
        .expect("patch is installed");
    std::io::Write::write_all(patch.stdin.as_mut().expect("stdin"), &diff).expect("feed patch");
    assert!(patch.wait().expect("patch").success());
    let out = written.trawl(&[&written.root(), "txt", "fo(o)", "-r", "[$1]", "--write"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let patched = diffed.snapshot();
    assert_ne!(patched, before);
    assert_eq!(patched, written.snapshot());
}

/// A `--write` killed at random points leaves each file wholly old or wholly new; the next
/// run (`--undo`) removes the temporary files the killed one left, and no file of the
/// person's, and restores every file the journal recorded.
#[test]
fn a_killed_write_leaves_every_file_whole_and_undo_restores_it() {
    let tree = Tree::new();
    let mut originals = BTreeMap::new();
    for i in 0..60 {
        let name = format!("d{}/f{i}.txt", i % 6);
        let body = format!("line foo {i}\r\n").repeat(200 + i * 50);
        tree.file(&name, &body);
        originals.insert(name, body.into_bytes());
    }
    let mut replaced: BTreeMap<String, Vec<u8>> = originals
        .iter()
        .map(|(name, body)| (name.clone(), expected_bytes(body, "foo", "barbaz")))
        .collect();
    // A person's files named like temporary files (no match in them: `foo` is not there).
    for name in [
        "d0/.trawl-mine.tmp",
        "d1/.trawl-0123456789abcdef-abc123.tmp",
    ] {
        tree.file(name, "keep me\n");
        originals.insert(name.to_string(), b"keep me\n".to_vec());
        replaced.insert(name.to_string(), b"keep me\n".to_vec());
    }
    // One whole run first, undone, to learn how long one takes here: the kills then land
    // anywhere in that span (a calibration, not an assertion on time).
    let started = std::time::Instant::now();
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "-r", "barbaz", "--write"]);
    let span = started.elapsed().as_micros().max(1_000) as u64;
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(tree.snapshot(), replaced);
    assert_eq!(tree.trawl(&["--undo"]).status.code(), Some(0));
    assert_eq!(tree.snapshot(), originals);
    let mut rng = rand::rngs::StdRng::seed_from_u64(15);
    let mut killed_midway = 0;
    let mut left_temporaries = 0;
    for _ in 0..30 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trawl"))
            .args([&tree.root(), "txt", "foo", "-r", "barbaz", "--write"])
            .env("TRAWL_JOURNAL_DIR", tree.journal.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_micros(rng.random_range(0..span)));
        let _ = child.kill();
        let _ = child.wait();
        let now = tree.snapshot();
        let mut new = 0;
        for (name, original) in &originals {
            let bytes = &now[name];
            assert!(
                bytes == original || *bytes == replaced[name],
                "{name} is neither old nor new"
            );
            new += usize::from(*bytes == replaced[name] && *bytes != *original);
        }
        if new > 0 && new < originals.len() - 2 {
            killed_midway += 1;
        }
        // Temporary files a kill left behind are the only other files.
        left_temporaries += usize::from(now.len() > originals.len());
        for name in now.keys() {
            assert!(
                originals.contains_key(name)
                    || name
                        .rsplit('/')
                        .next()
                        .is_some_and(|n| n.starts_with(".trawl-")),
                "unexpected file {name}"
            );
        }
        let out = tree.trawl(&["--undo"]);
        if new > 0 {
            assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
        } else {
            // Killed before a rename: its entries, if any, are of files still as before;
            // without any, there is no replace to undo.
            assert!(
                out.status.code() == Some(0)
                    || text(&out.stderr).contains("there is no replace left to undo"),
                "stderr: {}",
                text(&out.stderr)
            );
        }
        let now = tree.snapshot();
        for (name, original) in &originals {
            assert_eq!(&now[name], original, "{name} restored");
        }
        // The killed run's temporary files are gone, the person's are not, and no file is
        // left linked to the journal (an original kept by a link before a rename that never
        // came).
        assert_eq!(now.len(), originals.len(), "left: {:?}", now.keys());
        for name in originals.keys() {
            let meta = fs::metadata(tree.path().join(name)).expect("meta");
            assert_eq!(std::os::unix::fs::MetadataExt::nlink(&meta), 1, "{name}");
        }
    }
    // Not an assertion on timing: the count shows in the log whether kills landed midway.
    eprintln!("kills that landed between the first and the last file: {killed_midway} of 30");
    eprintln!("kills that left temporary files for the next run to remove: {left_temporaries}");
}

#[path = "support/replace_check.rs"]
mod replace_check;

/// The fuzz target's check (tests/support/replace_check.rs) on seeded random inputs: search,
/// replace and undo of small awkward texts in every encoding against `regex`'s `replace_all`.
#[test]
fn seeded_random_replaces_equal_regex_replace_all_and_undo_restores() {
    const PIECES: &[&str] = &[
        "f", "o", "oo", "a", " ", "\n", "\r\n", "\r", "é", "😀", "$", "\u{FEFF}", "x",
    ];
    const BYTES: &[&[u8]] = &[b"\xFF", b"\xC3", b"\x80", b"\0"];
    const PATTERNS: &[&str] = &[
        "fo+",
        "o",
        "f(o*)",
        "^f",
        "o$",
        r"\bfo",
        "a|fo",
        "(?P<n>o)+",
        "x*",
        ".",
        r"\s",
        "é",
        "(?-u:\\xFF)",
        r"o\r?\n",
        r"(?s)f.*?o",
        "$",
        "^",
        r"\w+",
        "(?i)F",
    ];
    const TEMPLATES: &[&str] = &["X", "$1", "${n}", "$$", "", "[$0]", "a\nb", "é$1é"];
    let mut rng = rand::rngs::StdRng::seed_from_u64(1515);
    let mut checked = 0;
    for _ in 0..600 {
        let mut contents = Vec::new();
        for _ in 0..rng.random_range(0..24) {
            if rng.random_ratio(1, 12) {
                contents.extend_from_slice(BYTES[rng.random_range(0..BYTES.len())]);
            } else {
                contents.extend_from_slice(PIECES[rng.random_range(0..PIECES.len())].as_bytes());
            }
        }
        let input = replace_check::Input {
            flags: rng.random(),
            pattern: PATTERNS[rng.random_range(0..PATTERNS.len())],
            template: TEMPLATES[rng.random_range(0..TEMPLATES.len())],
            contents: &contents,
        };
        if replace_check::check(&input) {
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} inputs were checked");
}

#[test]
fn a_file_reached_through_a_link_in_the_tree_too_is_written_once() {
    let tree = Tree::new();
    let target = tree.file("real.txt", "foo foo\n");
    std::os::unix::fs::symlink(&target, tree.path().join("link.txt")).expect("symlink");
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "-r", "bar", "--write", "-L"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(fs::read(&target).expect("read"), b"bar bar\n");
    assert_eq!(
        text(&out.stderr),
        format!(
            "trawl: {root}/real.txt: not written again: it is the same file as {root}/link.txt, written once\n",
            root = tree.root()
        )
    );
}

#[test]
fn diff_and_write_together_or_without_replace_are_refused() {
    let tree = Tree::new();
    let file = tree.file("a.txt", "foo\n");
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "-r", "x", "--diff", "--write"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "trawl: --diff shows a replace and --write makes it: give one of them\n"
    );
    let out = tree.trawl(&[&tree.root(), "txt", "foo", "--write"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--replace"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read(&file).expect("read"), b"foo\n");
}

/// A 300 MB file: streamed, not read whole, by the writer; the bytes written and restored are
/// compared whole here.
#[test]
fn a_300_mb_file_round_trips() {
    let tree = Tree::new();
    let line = b"filler without the word, a line of about sixty-four bytes....\r\n";
    let mut original = Vec::with_capacity(300 << 20);
    let mut i = 0u64;
    while original.len() < 300 << 20 {
        // A match every 16,384 lines (about 1 MiB), one on a 200 KiB line, and invalid bytes.
        if i % 16_384 == 7 {
            original.extend_from_slice(b"x needle\xFF y\r\n");
        } else if i == 100_000 {
            original.extend(b"z".repeat(200 << 10));
            original.extend_from_slice(b" needle \n");
        } else {
            original.extend_from_slice(line);
        }
        i += 1;
    }
    original.extend_from_slice(b"last needle");
    let path = tree.file("big.txt", &original);
    let expected = expected_bytes(&original, "needle", "pin");
    let out = tree.trawl(&[&tree.root(), "txt", "needle", "-r", "pin", "--write"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(
        fs::read(&path).expect("read") == expected,
        "written as expected"
    );
    let out = tree.trawl(&["--undo"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(fs::read(&path).expect("read") == original, "restored");
}

/// Runs `command` and returns its exit code and its peak memory, the last `VmHWM` of
/// /proc/PID/status read while it ran (polled; `wait4`'s `ru_maxrss` would count the memory of
/// this test process, which the child started as a copy of).
fn run_measured(command: &mut std::process::Command) -> (Option<i32>, u64) {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return (status.code(), peak);
        }
        let hwm = fs::read_to_string(&status_file).ok().and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
        if let Some(kib) = hwm {
            peak = peak.max(kib * 1024);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A 64 MB Shift_JIS file is rewritten streaming: a match every 16,384 lines, one inside a
/// 200 KiB stretch of Japanese text without a line end, a space or any other ASCII byte, an
/// unmapped byte beside one, and one at the very end; the bytes written and restored are
/// compared whole, and the writer's peak memory is far below the file's size.
#[test]
fn a_64_mb_shift_jis_file_round_trips_streaming() {
    let tree = Tree::new();
    let sjis = |text: &str| encode_in(encoding_rs::SHIFT_JIS, text);
    let filler = sjis("日本語の文章が続く行です。ここには何もありません。\r\n");
    let (with_match, with_replacement) = (sjis("前 東京 後"), sjis("前 大阪 後"));
    let long = sjis(&"長い行の文章、".repeat(15_000));
    let mut original = Vec::with_capacity(65 << 20);
    let mut expected = Vec::with_capacity(65 << 20);
    let mut i = 0u64;
    while original.len() < 64 << 20 {
        let (a, b): (&[u8], &[u8]) = if i % 16_384 == 7 {
            (&with_match, &with_replacement)
        } else {
            (&filler, &filler)
        };
        original.extend_from_slice(a);
        expected.extend_from_slice(b);
        if i % 16_384 == 7 {
            original.extend_from_slice(b"\xFD\r\n");
            expected.extend_from_slice(b"\xFD\r\n");
        }
        if i == 100_000 {
            for (out, word) in [(&mut original, "東京"), (&mut expected, "大阪")] {
                out.extend_from_slice(&long);
                out.extend(sjis(word));
                out.extend_from_slice(&long);
                out.extend_from_slice(b"\n");
            }
        }
        i += 1;
    }
    original.extend(sjis("最後の東京"));
    expected.extend(sjis("最後の大阪"));
    let path = tree.file("big.txt", &original);
    let (code, peak) = run_measured(
        std::process::Command::new(env!("CARGO_BIN_EXE_trawl"))
            .args([
                &tree.root(),
                "txt",
                "東京",
                "-E",
                "shift_jis",
                "-r",
                "大阪",
                "-j",
                "1",
            ])
            .arg("--write")
            .env("TRAWL_JOURNAL_DIR", tree.journal.path()),
    );
    assert_eq!(code, Some(0));
    assert!(
        fs::read(&path).expect("read") == expected,
        "written as expected"
    );
    eprintln!(
        "peak memory of --write on a 64 MB Shift_JIS file: {} MiB",
        peak >> 20
    );
    assert!(peak < 32 << 20, "peak memory {peak} bytes");
    let out = tree.trawl(&["--undo"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(fs::read(&path).expect("read") == original, "restored");
}

/// `-E utf-16le` (or `utf-16be`) decodes a file without a byte-order mark too: it is written
/// back in UTF-16, still without one.
#[test]
fn a_utf16_file_without_a_mark_is_written_back_without_one() {
    let tree = Tree::new();
    let original = "one foo\r\ntwo é fooo";
    let replaced = regex::Regex::new(PATTERN)
        .expect("regex")
        .replace_all(original, TEMPLATE)
        .into_owned();
    for (label, big) in [("utf-16le", false), ("utf-16be", true)] {
        let path = tree.file(&format!("{label}/a.txt"), &utf16(original, big)[2..]);
        let folder = format!("{}/{label}", tree.root());
        let out = tree.trawl(&[
            &folder, "txt", PATTERN, "-E", label, "-r", TEMPLATE, "--write",
        ]);
        assert_eq!(out.status.code(), Some(0), "{label}: {}", text(&out.stderr));
        assert_eq!(fs::read(&path).expect("read"), utf16(&replaced, big)[2..]);
    }
}

/// A replace given a relative folder records absolute paths: `--undo` run from another folder
/// restores the files.
#[test]
fn a_replace_in_a_relative_folder_is_undone_from_anywhere() {
    let tree = Tree::new();
    let file = tree.file("sub/a.txt", "foo\n");
    let run = |cwd: &Path, args: &[&str]| {
        Command::cargo_bin("trawl")
            .expect("binary")
            .args(args)
            .current_dir(cwd)
            .env("TRAWL_JOURNAL_DIR", tree.journal.path())
            .output()
            .expect("run trawl")
    };
    let out = run(
        tree.path(),
        &["./sub", "txt", "foo", "-r", "bar", "--write"],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).lines().next(),
        Some("./sub/a.txt: 1 replacement")
    );
    assert_eq!(fs::read(&file).expect("read"), b"bar\n");
    let out = run(Path::new("/"), &["--undo"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    // Named as the replace named it.
    assert_eq!(
        text(&out.stdout).lines().next(),
        Some("./sub/a.txt: restored")
    );
    assert_eq!(fs::read(&file).expect("read"), b"foo\n");
}

/// The journal keeps each original by a hard link when it is on the files' file system (no
/// byte copied, and the file system frees nothing when the new file is renamed over it), and
/// copies it when it is on another (`/dev/shm` here); undo restores both ways, and no file
/// is left hard-linked to the journal.
#[test]
fn originals_are_kept_by_a_link_on_the_same_file_system_and_copied_on_another() {
    use std::os::unix::fs::MetadataExt;
    let other_fs = Path::new("/dev/shm");
    let journals = [
        tempfile::Builder::new()
            .prefix("trawl-journal-")
            .tempdir()
            .expect("journal"),
        tempfile::Builder::new()
            .prefix("trawl-journal-")
            .tempdir_in(if other_fs.is_dir() {
                other_fs
            } else {
                Path::new("/tmp")
            })
            .expect("journal"),
    ];
    for journal in &journals {
        let tree = Tree::new();
        let original = b"foo one\r\nfoo two\n".to_vec();
        let a = tree.file("a.txt", &original);
        let b = tree.file("sub/b.txt", &original);
        let run = |args: &[&str]| {
            Command::cargo_bin("trawl")
                .expect("binary")
                .args(args)
                .env("TRAWL_JOURNAL_DIR", journal.path())
                .output()
                .expect("run trawl")
        };
        let out = run(&[&tree.root(), "txt", "foo", "-r", "bar", "--write"]);
        assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
        let record = journal.path().join("1");
        let same_fs = fs::metadata(journal.path()).expect("journal").dev()
            == fs::metadata(tree.path()).expect("tree").dev();
        let kept: Vec<_> = fs::read_dir(record.join("kept"))
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        let copies = fs::metadata(record.join("copies.bin"))
            .expect("copies")
            .len();
        if same_fs {
            // Two identical originals: one is kept by a link, the other copied.
            assert_eq!(kept.len(), 1, "{kept:?}");
            assert_eq!(fs::read(&kept[0]).expect("kept"), original);
            assert_eq!(copies, original.len() as u64);
        } else {
            assert!(kept.is_empty(), "{kept:?}");
            assert_eq!(copies, 2 * original.len() as u64);
        }
        for file in [&a, &b] {
            assert_eq!(fs::read(file).expect("read"), b"bar one\r\nbar two\n");
            assert_eq!(fs::metadata(file).expect("meta").nlink(), 1);
        }
        let out = run(&["--undo"]);
        assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
        for file in [&a, &b] {
            assert_eq!(fs::read(file).expect("read"), original);
            assert_eq!(fs::metadata(file).expect("meta").nlink(), 1);
        }
    }
}

/// A file's plan that counts how many of its kind are alive (made and not yet dropped).
struct Counted {
    plan: FilePlan,
    alive: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl std::borrow::Borrow<FilePlan> for Counted {
    fn borrow(&self) -> &FilePlan {
        &self.plan
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.alive
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn write_each_takes_each_file_s_plan_when_it_reaches_it_and_drops_it_after() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use trawl::replace::PlannedMatch;
    const FILES: usize = 300;
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = tempfile::tempdir().expect("temp dir");
    for i in 0..FILES {
        fs::write(dir.path().join(format!("f{i:03}.txt")), "one foo\n").expect("write");
    }
    let alive = Arc::new(AtomicUsize::new(0));
    let most_alive = AtomicUsize::new(0);
    let files = (0..FILES).map(|i| {
        let now = alive.fetch_add(1, Ordering::Relaxed) + 1;
        most_alive.fetch_max(now, Ordering::Relaxed);
        Counted {
            plan: FilePlan {
                path: dir.path().join(format!("f{i:03}.txt")),
                matches: vec![PlannedMatch {
                    offset: 4,
                    length: 3,
                    seen: "foo".into(),
                    seen_whole: true,
                }],
                stamp: None,
                decoded_from: None,
            },
            alive: Arc::clone(&alive),
        }
    });
    let replacer =
        Replacer::new(&trawl::search::SearchOptions::default(), "foo", "bar").expect("replacer");
    let report = trawl::replace::write_each(
        dir.path(),
        "foo",
        files,
        &replacer,
        &Journal::at(journal.path()),
        &WriteProgress::default(),
        &AtomicBool::new(false),
    )
    .expect("journal");
    assert_eq!(report.written.len(), FILES);
    // One plan at a time: the writer holds the file, never the plans of a batch.
    assert_eq!(most_alive.load(Ordering::Relaxed), 1);
    assert_eq!(alive.load(Ordering::Relaxed), 0);
    for i in 0..FILES {
        assert_eq!(
            fs::read(dir.path().join(format!("f{i:03}.txt"))).expect("read"),
            b"one bar\n"
        );
    }
}
