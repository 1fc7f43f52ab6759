//! A few million matches, built directly into the model (no search: it is the window that is
//! under test): typing a filter one key a frame never loses a key and the filtered rows come
//! once its job has run; sorting and folding every file through their jobs give the rows the
//! model lays out in place; Copy all past the clipboard's limit says so and copies nothing.
//! How long any of it takes is the window benchmark's (`cargo bench --bench ui`).

use std::path::Path;

use egui::Event;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{ResultsModel, RowRef, SavedState, SortOrder, TrawlApp};

use crate::common::{copied, harness, settle, wait_for_jobs};

/// `files` files of `lines` lines, three matches of `needle` a line: line `l` of file `f` reads
/// `let needle = {l % 97} + needle; // needle {f}`, so a filter such as `= 42 +` keeps one line
/// in 97 of every file. File `f` has `lines - f % 7` lines, so that sorting by match count
/// reorders them.
fn big_model(files: usize, lines: usize) -> ResultsModel {
    crate::generated::model(
        Path::new("/many"),
        files,
        "needle",
        |f| Path::new("/many").join(format!("d{}/f{f:04}.rs", f % 10)),
        |f| {
            (0..lines - f % 7)
                .map(|l| format!("let needle = {} + needle; // needle {f}", l % 97))
                .collect()
        },
    )
}

/// About two million matches.
const FILES: usize = 1000;
const LINES: usize = 670;

fn window(model: ResultsModel) -> Harness<'static, TrawlApp> {
    let mut app = TrawlApp::new(SavedState::default());
    app.set_native_dialogs(false);
    app.set_results(model);
    let mut harness = harness(app);
    settle(&mut harness);
    harness
}

/// Every row the list shows, as the model names them.
fn all_rows(model: &ResultsModel) -> Vec<RowRef> {
    (0..model.row_count())
        .map(|row| model.row(row).expect("a row"))
        .collect()
}

#[test]
fn a_filter_typed_one_key_a_frame_keeps_every_key_and_shows_its_rows_when_laid_out() {
    let mut harness = window(big_model(FILES, LINES));
    let total = harness.state().results().expect("results").match_count();
    assert!(total > 2_000_000, "{total}");
    harness.get_by_label("Filter").focus();
    harness.step();
    let typed = "= 42 +";
    let mut sent = String::new();
    for c in typed.chars() {
        harness.event(Event::Text(c.to_string()));
        harness.step();
        sent.push(c);
        // Each key reaches the field and the request in its own frame, whatever job runs.
        assert_eq!(
            harness.get_by_label("Filter").value().as_deref(),
            Some(sent.as_str())
        );
        assert_eq!(
            harness
                .state()
                .results()
                .expect("results")
                .requested_filter(),
            sent.trim()
        );
    }
    wait_for_jobs(&mut harness);
    harness.run_steps(2);
    let results = harness.state().results().expect("results");
    assert!(results.is_filtered());
    // Line l passes when l % 97 == 42.
    let expected: u64 = (0..FILES)
        .map(|f| (0..LINES - f % 7).filter(|l| l % 97 == 42).count() as u64 * 3)
        .sum();
    assert_eq!(results.shown_match_count(), expected);
    assert_eq!(results.row_count() as u64, FILES as u64 + expected);
    let first = format!("d0{}f0000.rs (21 of 2,010)", std::path::MAIN_SEPARATOR);
    harness.get_by_label(&first);
    harness.get_by_label("43:5 let needle = 42 + needle; // needle 0");
    assert_eq!(
        harness.get_by_label("Filter").value().as_deref(),
        Some(typed)
    );
}

#[test]
fn sort_and_fold_every_file_through_their_jobs_give_the_rows_laid_out_in_place() {
    let mut harness = window(big_model(FILES, LINES));
    let mut reference = big_model(FILES, LINES);
    reference.refresh_layout(true);

    harness.get_by_label("Sort by").click();
    harness.run_steps(2);
    harness.get_by_label("Match count").click();
    harness.step();
    wait_for_jobs(&mut harness);
    reference.set_sort(SortOrder::Matches);
    let rows = all_rows(harness.state().results().expect("results"));
    assert_eq!(rows, all_rows(&reference));
    // The largest files first: those with the most lines (f % 7 == 0).
    assert_eq!(rows[0], RowRef::File(0));

    harness.get_by_label("Collapse all").click();
    harness.step();
    wait_for_jobs(&mut harness);
    reference.set_all_collapsed(true);
    let rows = all_rows(harness.state().results().expect("results"));
    assert_eq!(rows.len(), FILES);
    assert_eq!(rows, all_rows(&reference));

    harness.get_by_label("Expand all").click();
    harness.step();
    wait_for_jobs(&mut harness);
    reference.set_all_collapsed(false);
    assert_eq!(
        all_rows(harness.state().results().expect("results")),
        all_rows(&reference)
    );
}

#[test]
fn copy_all_past_the_clipboard_s_limit_offers_export_and_copies_nothing() {
    let mut harness = window(big_model(FILES, LINES));
    harness.get_by_label("Copy all").click();
    harness.step();
    // Two million rows of about 80 bytes: known to be past 64 MiB from the layout's counts, in
    // the frame of the click, with nothing built.
    assert!(
        harness
            .state()
            .copy_too_large()
            .is_some_and(|bytes| bytes > 64 << 20)
    );
    assert!(!harness.state().is_copying());
    // Drawn by the next frame (the click is acted on after the list is drawn).
    harness.step();
    harness.get_by_label_contains("Not copied: at least");
    assert!(wait_for_jobs(&mut harness).is_empty());
    for _ in 0..3 {
        harness.step();
        assert!(copied(&harness).is_empty());
    }
    harness.get_by_label("Export instead…").click();
    harness.run_steps(2);
    assert!(harness.state().export_form_open());

    // Under the limit (a filter keeps one line in 97), the text is built on a job and copied.
    let mut harness = window(big_model(FILES, LINES));
    harness.get_by_label("Filter").focus();
    harness.step();
    harness.get_by_label("Filter").type_text("= 42 +");
    harness.step();
    wait_for_jobs(&mut harness);
    harness.get_by_label("Copy all").click();
    harness.step();
    let all = wait_for_jobs(&mut harness);
    assert_eq!(all.len(), 1);
    let expected = harness
        .state()
        .results()
        .expect("results")
        .shown_match_count();
    assert_eq!(all[0].lines().count() as u64, expected);
    assert_eq!(
        all[0].lines().next(),
        Some("/many/d0/f0000.rs:43:5:let needle = 42 + needle; // needle 0")
    );
    assert!(harness.state().copy_too_large().is_none());

    // With a limit below the text's size, the job finds out and copies nothing.
    harness.state_mut().set_copy_limit(64 << 10);
    harness.get_by_label("Copy all").click();
    harness.step();
    assert!(wait_for_jobs(&mut harness).is_empty());
    assert!(
        harness
            .state()
            .copy_too_large()
            .is_some_and(|bytes| bytes > 64 << 10)
    );
}
