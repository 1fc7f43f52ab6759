//! The results list's tools, driven headlessly through egui_kittest on the real app: the
//! filter box, sorting by modification time, F3 / Shift+F3, Ctrl+Shift+C and the marker of
//! matches that span lines.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use crate::common::{harness, search_state, wait_for_jobs};
use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{RowRef, SavedState, SortOrder, TrawlApp};
use trawl::search::CaseMode;

/// A search of `folder` for `pattern` in `.rs` files, started with Enter in the pattern field,
/// then run to its end.
fn searched(
    folder: &Path,
    pattern: &str,
    edit: impl FnOnce(&mut SavedState),
) -> Harness<'static, TrawlApp> {
    searched_in(harness, folder, pattern, edit)
}

/// [`searched`] in the window `window` makes.
fn searched_in(
    window: impl FnOnce(TrawlApp) -> Harness<'static, TrawlApp>,
    folder: &Path,
    pattern: &str,
    edit: impl FnOnce(&mut SavedState),
) -> Harness<'static, TrawlApp> {
    let mut harness = window(TrawlApp::new(search_state(folder, pattern, edit)));
    harness.get_by_label("Pattern").focus();
    harness.step();
    harness.key_press(Key::Enter);
    harness.step();
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().is_searching() || harness.state().results().is_none() {
        assert!(Instant::now() < deadline, "the search did not end");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.run_steps(3);
    harness
}

/// Three files: the word `foo` on lines that also hold `alpha`, `beta` or nothing else.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("one.rs"), "alpha foo\nbeta foo\n").expect("write");
    std::fs::write(dir.path().join("two.rs"), "foo alone\n").expect("write");
    std::fs::write(dir.path().join("three.rs"), "BETA foo\nfoo\n").expect("write");
    dir
}

/// The labels of the rows the list shows, top to bottom.
fn rows(harness: &Harness<'_, TrawlApp>) -> Vec<String> {
    let results = harness.state().results().expect("results");
    (0..results.row_count())
        .map(|row| match results.row(row) {
            Some(RowRef::File(file)) => results.file(file).expect("file").display.to_string(),
            Some(RowRef::Match(index)) => {
                let view = results.occurrence(index).expect("occurrence");
                format!("  {}:{} {}", view.line_number, view.column, view.text)
            }
            None => "?".into(),
        })
        .collect()
}

#[test]
fn the_filter_box_narrows_rows_by_text_or_path_without_searching_again() {
    let dir = tree();
    let mut harness = searched(dir.path(), "foo", |_| {});
    assert_eq!(harness.state().results().expect("results").match_count(), 5);

    // By text, in any case: only the lines holding "beta", in their files.
    harness.get_by_label("Filter").focus();
    harness.step();
    harness.get_by_label("Filter").type_text("beta");
    harness.run_steps(2);
    wait_for_jobs(&mut harness);
    assert_eq!(
        rows(&harness),
        vec!["one.rs", "  2:6 beta foo", "three.rs", "  1:6 BETA foo"]
    );
    harness.get_by_label_contains("2 of 5 matches in 2 of 3 files shown");
    harness.get_by_label("three.rs (1 of 2)");
    assert!(!harness.state().is_searching(), "filtering does not search");

    // A path that matches shows all of that file's rows.
    harness.get_by_label("Clear").click();
    harness.run_steps(2);
    wait_for_jobs(&mut harness);
    assert_eq!(rows(&harness).len(), 8);
    harness.get_by_label("Filter").focus();
    harness.step();
    harness.get_by_label("Filter").type_text("TWO");
    harness.run_steps(2);
    wait_for_jobs(&mut harness);
    assert_eq!(rows(&harness), vec!["two.rs", "  1:1 foo alone"]);

    // Copy all copies what is shown.
    harness.get_by_label("Copy all").click();
    harness.step();
    let all = wait_for_jobs(&mut harness);
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0].ends_with("two.rs:1:1:foo alone\n"), "{all:?}");
    assert_eq!(all[0].lines().count(), 1);

    // Nothing contains it: the list says so.
    harness.get_by_label("Filter").focus();
    harness.step();
    harness.get_by_label("Filter").type_text("zzz");
    harness.run_steps(2);
    wait_for_jobs(&mut harness);
    harness.get_by_label("No result contains the filter's text.");
}

#[test]
fn f3_and_shift_f3_walk_the_matches_and_wrap_around() {
    let dir = tree();
    let mut harness = searched(dir.path(), "foo", |_| {});
    let selected_line = |harness: &Harness<'_, TrawlApp>| {
        let results = harness.state().results().expect("results");
        match harness.state().selected() {
            Some(RowRef::Match(index)) => {
                let view = results.occurrence(index).expect("occurrence");
                let file = results.file(view.file).expect("file").display.to_string();
                format!("{file}:{}", view.line_number)
            }
            other => format!("{other:?}"),
        }
    };
    // In path order: one.rs (2), three.rs (2), two.rs (1); headers are skipped.
    let mut seen = Vec::new();
    for _ in 0..6 {
        harness.key_press(Key::F3);
        harness.step();
        seen.push(selected_line(&harness));
    }
    assert_eq!(
        seen,
        [
            "one.rs:1",
            "one.rs:2",
            "three.rs:1",
            "three.rs:2",
            "two.rs:1",
            "one.rs:1"
        ]
    );
    harness.key_press_modifiers(Modifiers::SHIFT, Key::F3);
    harness.step();
    assert_eq!(
        selected_line(&harness),
        "two.rs:1",
        "Shift+F3 wraps backwards"
    );

    // A folded file's matches are not skipped: F3 unfolds the file it moves into.
    harness.get_by_label("three.rs (2)").click();
    harness.run_steps(2);
    let mut seen = Vec::new();
    for _ in 0..3 {
        harness.key_press(Key::F3);
        harness.step();
        seen.push(selected_line(&harness));
    }
    assert_eq!(
        seen,
        ["three.rs:1", "three.rs:2", "two.rs:1"],
        "from the folded header, into its matches"
    );
    let results = harness.state().results().expect("results");
    let three = (0..results.file_count())
        .filter_map(|file| results.file(file))
        .find(|file| file.display == "three.rs")
        .expect("three.rs");
    assert!(!three.collapsed, "unfolded");
}

#[test]
fn ctrl_shift_c_copies_every_result() {
    let dir = tree();
    let mut harness = searched(dir.path(), "foo", |_| {});
    // What egui-winit sends for Ctrl+Shift+C: the modifiers, then a Copy event. One event per
    // frame, so that each frame's output can be looked at.
    harness.get_by_label("Pattern").focus();
    harness.step();
    harness.event(Event::ModifiersChanged(
        Modifiers::COMMAND | Modifiers::SHIFT,
    ));
    harness.step();
    harness.event(Event::Copy);
    harness.step();
    let all = wait_for_jobs(&mut harness);
    harness.event(Event::ModifiersChanged(Modifiers::NONE));
    harness.step();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].lines().count(), 5, "{}", all[0]);
    assert!(all[0].contains("one.rs:2:6:beta foo\n"), "{}", all[0]);
    harness.get_by_label_contains("Copied all 5 results");
}

#[test]
fn sorting_by_last_modified_puts_the_newest_file_first() {
    let dir = tree();
    let now = SystemTime::now();
    for (name, age) in [("one.rs", 300), ("two.rs", 10), ("three.rs", 100)] {
        let file = std::fs::File::options()
            .write(true)
            .open(dir.path().join(name))
            .expect("open");
        file.set_modified(now - Duration::from_secs(age))
            .expect("set mtime");
    }
    let mut harness = searched(dir.path(), "foo", |state| state.sort = SortOrder::Modified);
    let headers: Vec<String> = rows(&harness)
        .into_iter()
        .filter(|r| !r.starts_with(' '))
        .collect();
    assert_eq!(headers, vec!["two.rs", "three.rs", "one.rs"]);

    // And back to path order from the drop-down.
    harness.get_by_label("Sort by").click();
    harness.run_steps(2);
    harness.get_by_label("Path").click();
    harness.run_steps(2);
    wait_for_jobs(&mut harness);
    let headers: Vec<String> = rows(&harness)
        .into_iter()
        .filter(|r| !r.starts_with(' '))
        .collect();
    assert_eq!(headers, vec!["one.rs", "three.rs", "two.rs"]);
}

#[test]
fn a_multiline_match_shows_its_first_line_marked_as_continuing() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.rs"), "fn foo(\n    bar: u8,\n) {}\n").expect("write");
    let mut harness = searched(dir.path(), r"foo\(\n\s*bar", |state| {
        state.options.regex = true;
        state.options.multiline = true;
        state.options.case = CaseMode::Sensitive;
    });
    let results = harness.state().results().expect("results");
    assert_eq!(results.match_count(), 1);
    let view = results.occurrence(0).expect("occurrence");
    assert!(view.spans_lines);
    assert_eq!(&view.text[view.highlight.clone()], "foo(");
    harness.get_by_label("1:4 fn foo( (continues on the next lines)");

    // The option is in the Options panel, with the CLI's meaning.
    harness.get_by_label("Options").click();
    harness.step();
    harness.get_by_label("Multiline");
}

/// "Not copied: …" is about the rows shown when Copy all was pressed: it goes when the filter
/// changes them, and while it shows, the list's first row stays in view under it.
/// Presses Copy all with the clipboard's limit at 8 bytes, so that "Not copied: …" shows.
fn copy_all_past_an_8_byte_limit(harness: &mut Harness<'_, TrawlApp>) {
    harness.state_mut().set_copy_limit(8);
    harness.get_by_label("Copy all").click();
    harness.step();
    assert!(wait_for_jobs(harness).is_empty());
    harness.run_steps(2);
}

#[test]
fn the_not_copied_notice_keeps_the_first_row_in_view_and_goes_when_the_filter_changes() {
    let dir = tree();
    let mut harness = searched(dir.path(), "foo", |_| {});
    let first = rows(&harness)[0].clone();
    let first_row = || first.clone() + " (";
    let top_before = harness.get_by_label_contains(&first_row()).rect().top();
    copy_all_past_an_8_byte_limit(&mut harness);
    let notice = harness.get_by_label_contains("Not copied: at least").rect();
    let header = harness.get_by_label_contains(&first_row()).rect();
    assert!(
        header.top() >= notice.bottom(),
        "the first row ({header:?}) is under the notice ({notice:?})"
    );
    assert!(
        header.top() >= top_before,
        "the first row moved up from {top_before} to {}",
        header.top()
    );
    harness.get_by_label("Filter").focus();
    harness.step();
    harness.get_by_label("Filter").type_text("beta");
    harness.step();
    wait_for_jobs(&mut harness);
    harness.run_steps(2);
    assert!(harness.state().copy_too_large().is_none());
    assert!(
        harness
            .query_by_label_contains("Not copied: at least")
            .is_none()
    );
}

/// The same with more rows than the list shows at once, so that it scrolls: the notice does
/// not scroll it. (Past 22 million rows the header hid under the notice through f32 rounding;
/// src/app/views/results_list.rs's tests cover that arithmetic, which no test tree reaches.)
#[test]
fn the_not_copied_notice_keeps_the_first_row_of_a_long_list_in_view() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("many.rs"), "foo\n".repeat(500)).expect("write");
    let mut harness = searched(dir.path(), "foo", |_| {});
    let header =
        |harness: &Harness<'_, TrawlApp>| harness.get_by_label_contains("many.rs (").rect();
    let before = header(&harness);
    copy_all_past_an_8_byte_limit(&mut harness);
    let notice = harness.get_by_label_contains("Not copied: at least").rect();
    let after = header(&harness);
    assert!(
        after.top() >= notice.bottom(),
        "the first row ({after:?}, {before:?} before) is under the notice ({notice:?})"
    );
}

/// In the smallest window, "Not copied: …" takes one line, its buttons on it, and the list
/// under it still shows the first file's header and its first match whole.
#[test]
fn the_not_copied_notice_takes_one_line_in_the_smallest_window() {
    let dir = tree();
    let smallest = |app| {
        Harness::builder()
            .with_size(trawl::app::MIN_WINDOW_SIZE)
            .build_eframe(move |_cc| app)
    };
    let mut harness = searched_in(smallest, dir.path(), "foo", |_| {});
    let shown = rows(&harness);
    copy_all_past_an_8_byte_limit(&mut harness);
    let notice = harness.get_by_label_contains("Not copied: at least").rect();
    let dismiss = harness.get_by_label("Dismiss").rect();
    let export = harness.get_by_label("Export instead…").rect();
    assert!(
        notice.height() < 1.5 * dismiss.height(),
        "the notice is {notice:?}"
    );
    for button in [dismiss, export] {
        assert!(
            (button.center().y - notice.center().y).abs() < 4.0,
            "{button:?} is not on the notice's line {notice:?}"
        );
    }
    let list_bottom = harness.get_by_label("Preview").rect().top();
    let header = harness
        .get_by_label_contains(&(shown[0].clone() + " ("))
        .rect();
    let first_match = harness.get_by_label_contains(shown[1].trim_start()).rect();
    assert!(
        header.top() >= notice.bottom(),
        "{header:?} under {notice:?}"
    );
    assert!(
        first_match.bottom() <= list_bottom,
        "the first match {first_match:?} is cut by the preview at {list_bottom}"
    );
}
