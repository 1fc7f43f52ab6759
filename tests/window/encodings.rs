//! Files that are not UTF-8, searched with the window's default Encoding choice (Auto-detect):
//! the preview shows them decoded, with the match where the search found it, and names their
//! encoding (docs/CONTRACT.md, "Encodings").

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::preview::PreviewState;
use trawl::app::{SavedState, TrawlApp};

use crate::common::{absolute, enter_in, wait_for_search};

/// `a.txt` in Windows-1252, `b.txt` in Shift_JIS: in each, non-ASCII text before the match,
/// so that an offset in the decoded text is not the file's.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let (latin, _, _) =
        encoding_rs::WINDOWS_1252.encode("naïve first line\ncafé foo here\nthird\n");
    std::fs::write(dir.path().join("a.txt"), latin).expect("write");
    let (sjis, _, _) =
        encoding_rs::SHIFT_JIS.encode("日本語のテキストです。\n二行目 日本語 foo です\n三行目\n");
    std::fs::write(dir.path().join("b.txt"), sjis).expect("write");
    dir
}

/// The window at 1200 × 800. The harness has only egui's bundled fonts, without CJK glyphs
/// (the real window finds them in the system's fonts): the text is checked, not its pixels.
fn harness(app: TrawlApp) -> Harness<'static, TrawlApp> {
    Harness::builder()
        .with_size([1200.0, 800.0])
        .allow_missing_glyphs()
        .build_eframe(move |_cc| app)
}

/// The window after a search of `root`'s `.txt` files for `pattern` (Auto-detect, the
/// default Encoding choice).
fn searched(root: &Path, pattern: &str) -> Harness<'static, TrawlApp> {
    let state = SavedState {
        folder: root.display().to_string(),
        extensions: "txt".into(),
        pattern: pattern.into(),
        search_as_you_type: false,
        ..SavedState::default()
    };
    let mut app = TrawlApp::new(state);
    app.set_native_dialogs(false);
    let mut harness = harness(app);
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    harness
}

/// Clicks the match row labelled `row` and waits for its preview to load (or fail): one that
/// differs from what was shown before.
fn preview_of(harness: &mut Harness<'_, TrawlApp>, row: &str) -> PreviewState {
    let before = harness.state().preview_state().clone();
    harness.get_by_label(row).click();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        harness.step();
        let state = harness.state().preview_state().clone();
        if matches!(state, PreviewState::Ready(_) | PreviewState::Failed(_)) && state != before {
            harness.run_steps(2);
            return state;
        }
        assert!(Instant::now() < deadline, "the preview did not load");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn shown_lines(state: &PreviewState) -> Vec<(u64, String, Option<String>)> {
    let PreviewState::Ready(content) = state else {
        panic!("a preview, not {state:?}");
    };
    content
        .lines
        .iter()
        .map(|l| {
            let marked = l.highlight.clone().map(|h| l.text[h].to_string());
            (l.number, l.text.clone(), marked)
        })
        .collect()
}

#[test]
fn the_preview_of_a_legacy_encoded_file_shows_it_decoded_and_names_its_encoding() {
    let tree = tree();
    let root = absolute(tree.path());
    let mut harness = searched(&root, "foo");
    assert_eq!(harness.state().results().expect("results").match_count(), 2);

    let state = preview_of(&mut harness, "2:6 café foo here");
    assert_eq!(
        shown_lines(&state),
        [
            (1, "naïve first line".into(), None),
            (2, "café foo here".into(), Some("foo".to_string())),
            (3, "third".into(), None),
        ]
    );
    harness.get_by_label("windows-1252");
    assert!(harness.query_by_label_contains("changed since").is_none());

    let state = preview_of(&mut harness, "2:9 二行目 日本語 foo です");
    assert_eq!(
        shown_lines(&state),
        [
            (1, "日本語のテキストです。".into(), None),
            (2, "二行目 日本語 foo です".into(), Some("foo".to_string())),
            (3, "三行目".into(), None),
        ]
    );
    harness.get_by_label("Shift_JIS");
    assert!(harness.query_by_label("windows-1252").is_none());
}

#[test]
fn a_utf8_file_s_preview_names_no_encoding() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("u.txt"), "café foo\n").expect("write");
    let root = absolute(dir.path());
    let mut harness = searched(&root, "foo");
    let state = preview_of(&mut harness, "1:6 café foo");
    assert_eq!(
        shown_lines(&state),
        [(1, "café foo".into(), Some("foo".to_string()))]
    );
    assert!(harness.query_by_label("UTF-8").is_none());
    assert!(harness.query_by_label("windows-1252").is_none());
}

/// A tree of long lines (far over the 500 characters the window keeps of one) in legacy
/// encodings, beside short ones and a UTF-8 and a UTF-16 file: names that sort as paths do.
fn long_line_tree() -> (tempfile::TempDir, Vec<(&'static str, String)>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let line = |piece: &str, n: usize| {
        format!(
            "{} foo {}foo end",
            piece.repeat(200 + 10 * n),
            piece.repeat(150)
        )
    };
    let files = [
        ("a-cp1252.txt", encoding_rs::WINDOWS_1252, "Ça, café naïve "),
        (
            "b-sjis.txt",
            encoding_rs::SHIFT_JIS,
            "日本語のテキストです。",
        ),
        ("c-gbk.txt", encoding_rs::GBK, "中文的文本内容。"),
        ("d-euckr.txt", encoding_rs::EUC_KR, "한국어 텍스트입니다. "),
        ("e-utf8.txt", encoding_rs::UTF_8, "café 日本語 "),
    ];
    let mut texts = Vec::new();
    for (name, encoding, piece) in files {
        let text = format!(
            "short foo {piece}\r\n{}\r\nmiddle {piece} foo\n{}\n",
            line(piece, 1),
            line(piece, 2)
        );
        let (bytes, _, unmappable) = encoding.encode(&text);
        assert!(!unmappable, "{name}");
        std::fs::write(dir.path().join(name), bytes).expect("write");
        texts.push((name, text));
    }
    // UTF-16 LE with its byte-order mark.
    let text = format!("short foo\n{}\n", line("ünïcode ", 3));
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.path().join("f-utf16.txt"), bytes).expect("write");
    texts.push(("f-utf16.txt", text));
    (dir, texts)
}

/// What `trawl --json -E auto ROOT txt PATTERN` prints, each file's lines kept together and in
/// order, the files in path order (the walk's order varies; the window lists them by path).
fn cli_json_by_path(root: &Path, pattern: &str) -> String {
    let output = assert_cmd::Command::cargo_bin("trawl")
        .expect("the trawl binary")
        .args(["--json", "-E", "auto"])
        .arg(root)
        .args(["txt", pattern])
        .output()
        .expect("trawl runs");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let mut lines: Vec<&str> = stdout.lines().collect();
    let summary = lines.pop().expect("a summary");
    let mut blocks: Vec<(String, Vec<&str>)> = Vec::new();
    for line in lines {
        let record: serde_json::Value = serde_json::from_str(line).expect("json");
        let path = record["path"].as_str().expect("a path").to_string();
        match blocks.last_mut() {
            Some((last, block)) if *last == path => block.push(line),
            _ => {
                assert!(
                    blocks.iter().all(|(p, _)| *p != path),
                    "a file's matches come together"
                );
                blocks.push((path, vec![line]));
            }
        }
    }
    blocks.sort_by(|a, b| a.0.cmp(&b.0));
    let mut jsonl = String::new();
    for line in blocks.iter().flat_map(|(_, b)| b).chain([&summary]) {
        jsonl.push_str(line);
        jsonl.push('\n');
    }
    jsonl
}

#[test]
fn the_export_of_legacy_encoded_long_lines_is_what_trawl_json_auto_prints() {
    let (tree, texts) = long_line_tree();
    let root = absolute(tree.path());
    let pattern = "foo";
    let mut harness = searched(&root, pattern);
    let results = harness.state().results().expect("results");
    assert_eq!(results.match_count(), 5 * 6 + 3);
    assert!(
        (0..results.match_count()).any(|i| results.occurrence(i).is_some_and(|v| v.line_cut)),
        "the model keeps windows of the long lines"
    );
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("found.jsonl");
    crate::long_lines::export_to(&mut harness, &target);
    let message = format!("Exported 33 matches to {}", target.display());
    assert_eq!(harness.state().export_outcome(), Some(message.as_str()));
    let written = std::fs::read_to_string(&target).expect("the export");
    let expected = cli_json_by_path(&root, pattern);
    assert_eq!(
        crate::export::without_elapsed(&written),
        crate::export::without_elapsed(&expected)
    );
    // And that is the files' decoded text: the whole long lines, each file's encoding named.
    let records: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    for (name, text) in &texts {
        let long = text
            .lines()
            .nth(1)
            .expect("a long line")
            .trim_end_matches('\r');
        let record = records
            .iter()
            .find(|r| r["path"].as_str().is_some_and(|p| p.ends_with(name)) && r["line"] == 2)
            .expect("a match on the long line");
        assert_eq!(record["text"].as_str(), Some(long), "{name}");
        assert!(long.chars().count() > 2000);
    }
    // "Copy line text" of a long line of the Shift_JIS file: its whole decoded line.
    let japanese = &texts[1].1;
    let long = japanese
        .lines()
        .nth(1)
        .expect("a long line")
        .trim_end_matches('\r');
    let column = long.find(" foo ").map(|at| long[..at].chars().count() + 2);
    let location = format!("2:{}", column.expect("a match"));
    crate::long_lines::context_menu(&mut harness, &location, "Copy line text");
    assert_eq!(
        crate::long_lines::copied_after_read_back(&mut harness),
        vec![long.to_string()]
    );

    for (name, encoding) in [
        ("a-cp1252.txt", Some("windows-1252")),
        ("b-sjis.txt", Some("Shift_JIS")),
        ("c-gbk.txt", Some("GBK")),
        ("d-euckr.txt", Some("EUC-KR")),
        ("e-utf8.txt", None),
        ("f-utf16.txt", Some("UTF-16LE")),
    ] {
        let file_records = records
            .iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with(name)));
        for record in file_records {
            assert_eq!(record["encoding"].as_str(), encoding, "{name}");
        }
    }
}

#[test]
fn a_file_header_names_the_encoding_of_a_file_that_was_not_utf8() {
    let tree = tree();
    std::fs::write(tree.path().join("c.txt"), "café foo\n").expect("write");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("ok foo\n".encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(tree.path().join("d.txt"), utf16).expect("write");
    let root = absolute(tree.path());
    let harness = searched(&root, "foo");
    harness.get_by_label("a.txt · windows-1252 (1)");
    harness.get_by_label("b.txt · Shift_JIS (1)");
    harness.get_by_label("d.txt · UTF-16LE (1)");
    // A UTF-8 file is named alone.
    harness.get_by_label("c.txt (1)");
}
