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

/// The window at 1200 × 800. Its fonts have no CJK glyphs (egui's bundled ones; the window
/// draws a box for each, as it does without this test): the text is checked, not its pixels.
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
