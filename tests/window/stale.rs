//! Results that no longer answer the fields never pass for the answer: with search as you type
//! off, after a recent folder is picked or the folder edited, they are dimmed with a line that
//! says to press Enter; the "Exported …" line goes when a new search starts; and a search the
//! person cancels before it finds anything shows that, not another folder's rows.

use std::time::{Duration, Instant};

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{SavedState, TrawlApp};

use crate::common::{
    absolute, enter_in, harness, replace_in, small_tree, type_into, wait_for_search,
};

const PRESS_ENTER: &str = "press Enter to search";

fn searched_with(state: SavedState) -> Harness<'static, TrawlApp> {
    let mut harness = harness(TrawlApp::new(state));
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    harness
}

fn stale(harness: &Harness<'_, TrawlApp>) -> bool {
    harness.state().results_outdated() && harness.query_by_label_contains(PRESS_ENTER).is_some()
}

#[test]
fn a_changed_pattern_with_search_as_you_type_off_dims_the_results_until_enter() {
    let tree = small_tree();
    let mut harness = searched_with(SavedState {
        folder: tree.path().display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        search_as_you_type: false,
        ..SavedState::default()
    });
    assert_eq!(harness.state().results().map(|r| r.match_count()), Some(3));
    assert!(!stale(&harness));

    type_into(&mut harness, "Pattern", "d");
    harness.run_steps(2);
    assert!(
        stale(&harness),
        "the rows are for `foo`, the field says `food`"
    );
    harness.get_by_label_contains("Earlier search: 3 matches in 2 files");

    // Typing it back makes them the answer again.
    harness.key_press(Key::Backspace);
    harness.run_steps(2);
    assert!(!stale(&harness));

    type_into(&mut harness, "Pattern", "d");
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    assert!(!stale(&harness));
    assert_eq!(harness.state().results().map(|r| r.match_count()), Some(0));
}

#[test]
fn a_recent_folder_picked_or_typed_dims_the_other_folder_s_results() {
    let first = small_tree();
    let second = tempfile::tempdir().expect("temp dir");
    std::fs::write(second.path().join("z.rs"), "foo\n").expect("write");
    let mut harness = searched_with(SavedState {
        folder: absolute(second.path()).display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        ..SavedState::default()
    });
    replace_in(
        &mut harness,
        "Folder",
        &absolute(first.path()).display().to_string(),
    );
    enter_in(&mut harness, "Folder");
    wait_for_search(&mut harness);
    assert!(!stale(&harness));
    assert_eq!(harness.state().results().map(|r| r.match_count()), Some(3));

    // Recent → the second folder: search as you type does not search a folder by itself.
    harness.get_by_label("Recent").click();
    harness.run_steps(2);
    harness
        .get_by_label(&absolute(second.path()).display().to_string())
        .click();
    harness.run_steps(3);
    assert!(stale(&harness), "the rows are the first folder's");
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    assert!(!stale(&harness));
    assert_eq!(harness.state().results().map(|r| r.match_count()), Some(1));
}

#[test]
fn the_exported_line_goes_when_a_new_search_starts() {
    let tree = small_tree();
    let out = tempfile::tempdir().expect("temp dir");
    let mut app = TrawlApp::new(SavedState {
        folder: tree.path().display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        ..SavedState::default()
    });
    app.set_native_dialogs(false);
    let mut harness = harness(app);
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    harness.get_by_label("Export…").click();
    harness.run_steps(2);
    replace_in(
        &mut harness,
        "Save to",
        &out.path().join("x.jsonl").display().to_string(),
    );
    harness.get_by_label("Export").click();
    let deadline = Instant::now() + Duration::from_secs(30);
    while harness.state().export_outcome().is_none() {
        assert!(Instant::now() < deadline);
        harness.step();
    }
    harness.get_by_label_contains("Exported 3 matches");
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    assert_eq!(harness.state().export_outcome(), None);
    assert!(harness.query_by_label_contains("Exported").is_none());
}
