//! F3 / Shift+F3 over folded files and around the list's ends: a folded file's matches are not
//! skipped (the file is unfolded), and the selected match's file header is in view.

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{RowRef, SavedState, TrawlApp};

use crate::common::{enter_in, harness, wait_for_jobs, wait_for_search};

/// 30 files of 6 matches: far more rows than the list shows.
fn searched() -> (tempfile::TempDir, Harness<'static, TrawlApp>) {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..30 {
        std::fs::write(dir.path().join(format!("f{i:02}.rs")), "foo\n".repeat(6)).expect("write");
    }
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: dir.path().display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        search_as_you_type: false,
        ..SavedState::default()
    }));
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    (dir, harness)
}

/// The selected match as `file:line`.
fn selected(harness: &Harness<'_, TrawlApp>) -> String {
    let results = harness.state().results().expect("results");
    match harness.state().selected() {
        Some(RowRef::Match(index)) => {
            let view = results.occurrence(index).expect("occurrence");
            let file = results.file(view.file).expect("file");
            format!("{}:{}", file.display, view.line_number)
        }
        other => format!("{other:?}"),
    }
}

/// Whether the row labelled `label` is drawn inside the list (below its toolbar).
fn in_view(harness: &Harness<'_, TrawlApp>, label: &str) -> bool {
    let list_top = harness.get_by_label("Sort by").rect().bottom();
    harness
        .query_by_label(label)
        .is_some_and(|row| row.rect().top() >= list_top && row.rect().bottom() <= 800.0)
}

fn collapsed(harness: &Harness<'_, TrawlApp>, name: &str) -> bool {
    let results = harness.state().results().expect("results");
    (0..results.file_count())
        .filter_map(|file| results.file(file))
        .find(|file| file.display == name)
        .expect("the file")
        .collapsed
}

fn press(harness: &mut Harness<'_, TrawlApp>, modifiers: Modifiers) {
    harness.key_press_modifiers(modifiers, Key::F3);
    harness.run_steps(3);
}

#[test]
fn f3_unfolds_the_file_it_moves_into_and_shows_its_header() {
    let (_dir, mut harness) = searched();
    harness.get_by_label("Collapse all").click();
    harness.run_steps(2);
    wait_for_jobs(&mut harness);

    press(&mut harness, Modifiers::NONE);
    assert_eq!(selected(&harness), "f00.rs:1");
    assert!(in_view(&harness, "f00.rs (6)"));
    assert!(!collapsed(&harness, "f00.rs"), "unfolded");

    // Backwards from the first match: the last file, folded, is unfolded at its last match.
    press(&mut harness, Modifiers::SHIFT);
    assert_eq!(selected(&harness), "f29.rs:6");
    assert!(!collapsed(&harness, "f29.rs"), "unfolded");
    assert!(in_view(&harness, "f29.rs (6)"), "its header shows");

    // Forwards, around the end: the first match, with its header in view.
    press(&mut harness, Modifiers::NONE);
    assert_eq!(selected(&harness), "f00.rs:1");
    assert!(
        in_view(&harness, "f00.rs (6)"),
        "the header shows after wrapping"
    );

    // Into a folded file in the middle.
    for _ in 0..5 {
        press(&mut harness, Modifiers::NONE);
    }
    assert_eq!(selected(&harness), "f00.rs:6");
    press(&mut harness, Modifiers::NONE);
    assert_eq!(selected(&harness), "f01.rs:1");
    assert!(in_view(&harness, "f01.rs (6)"));
}

#[test]
fn f3_from_the_end_of_a_long_list_wraps_to_the_first_header() {
    let (_dir, mut harness) = searched();
    // The last match, selected with End; the list scrolled to the bottom.
    harness.get_by_label("f00.rs (6)").click();
    harness.run_steps(2);
    // The click folded f00.rs; unfold it again.
    harness.get_by_label("f00.rs (6)").click();
    harness.run_steps(2);
    harness.key_press(Key::End);
    harness.run_steps(3);
    assert_eq!(selected(&harness), "f29.rs:6");
    assert!(!in_view(&harness, "f00.rs (6)"));
    press(&mut harness, Modifiers::NONE);
    assert_eq!(selected(&harness), "f00.rs:1");
    assert!(
        in_view(&harness, "f00.rs (6)"),
        "the first file's header is not hidden above the selected row"
    );
}
