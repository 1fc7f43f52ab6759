//! Cancel keeps what was found, inside a large file too, and the results on screen belong to
//! the folder and pattern shown: a search cancelled before it found anything shows that, not
//! the previous search's rows from another folder.

use std::path::Path;
use std::time::{Duration, Instant};

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{SavedState, TrawlApp};

use crate::common::{absolute, harness, replace_in, search_to_end, small_tree, wait_for_search};

/// One large `.rs` file of `lines` numbered lines; every line holds `word` when given.
fn large_file(dir: &Path, lines: usize, word: &str) {
    let mut text = String::with_capacity(lines * 24);
    for n in 1..=lines {
        text.push_str(&format!("{n:09} {word} tail\n"));
    }
    std::fs::write(dir.join("big.rs"), text).expect("write");
}

/// Starts a search of `folder` for `pattern` from the fields (replacing what they held).
fn start(harness: &mut Harness<'_, TrawlApp>, folder: &Path, pattern: &str) {
    replace_in(harness, "Folder", &folder.display().to_string());
    replace_in(harness, "Extensions", "rs");
    replace_in(harness, "Pattern", pattern);
    harness.get_by_label("Search").click();
    harness.step();
}

#[test]
fn esc_inside_a_large_file_keeps_the_matches_found_in_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 6 million lines, 120 MB: a debug build is far from its end after the wait below.
    large_file(dir.path(), 6_000_000, "foo");
    let mut harness = harness(TrawlApp::new(SavedState {
        search_as_you_type: false,
        ..SavedState::default()
    }));
    start(&mut harness, &absolute(dir.path()), "foo");
    // Until the bar counts matches in the file.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        harness.step();
        let counting = harness
            .state()
            .live_progress()
            .is_some_and(|p| p.snapshot().matches > 1000);
        if counting {
            break;
        }
        assert!(Instant::now() < deadline, "no match counted within 60 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.key_press(Key::Escape);
    harness.step();
    wait_for_search(&mut harness);

    let results = harness.state().results().expect("results");
    let summary = results.summary().expect("a summary");
    assert!(summary.cancelled);
    let kept = results.match_count();
    eprintln!("kept {kept} matches of 6,000,000");
    assert!(kept > 0 && kept < 6_000_000, "kept {kept}");
    assert_eq!(
        summary.matches, kept as u64,
        "the summary counts what is shown"
    );
    // Lines 1 to N, in order.
    for index in [0, kept / 2, kept - 1] {
        let view = results.occurrence(index).expect("occurrence");
        assert_eq!(view.line_number, index as u64 + 1);
        assert_eq!(view.text, format!("{:09} foo tail", index + 1));
    }
    harness.get_by_label_contains("Cancelled after");
}

#[test]
fn a_search_cancelled_before_it_found_anything_shows_none_of_the_previous_rows() {
    let first = small_tree();
    let second = tempfile::tempdir().expect("temp dir");
    // Nothing matches in it, and it takes a while to read.
    large_file(second.path(), 6_000_000, "bar");
    let mut harness = harness(TrawlApp::new(SavedState {
        search_as_you_type: false,
        ..SavedState::default()
    }));
    search_to_end(&mut harness, first.path(), "rs", "foo");
    harness.get_by_label("1:4 // foo here");

    start(&mut harness, &absolute(second.path()), "foo");
    assert!(harness.state().is_searching());
    harness.key_press(Key::Escape);
    harness.step();
    wait_for_search(&mut harness);

    let results = harness.state().results().expect("results");
    assert_eq!(results.root(), absolute(second.path()));
    assert_eq!(results.match_count(), 0);
    assert!(results.summary().is_some_and(|s| s.cancelled));
    assert!(!harness.state().results_outdated());
    assert!(
        harness.query_by_label("1:4 // foo here").is_none(),
        "the first folder's rows are gone"
    );
    harness.get_by_label("Cancelled before anything was found.");
}
