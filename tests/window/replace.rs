//! Replace in the window, driven headlessly through egui_kittest on the real app and real
//! files: the Replace field (its toggle and Ctrl+H), each row's change in place, the
//! checkboxes and the counts on the bar (counted on a job), binary files left out, the
//! confirmation, the written bytes (against an independent computation here), a file changed
//! after the search, the report, the lines after the change, and Undo from the history of a
//! new app over the same journal (as after a restart).

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{harness, search_state};
use eframe::App as _;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use trawl::app::{SavedState, TrawlApp};

/// `a.rs`: a UTF-8 byte-order mark, CRLF line ends and three `foo`s; `b.rs`: one `foo`, no
/// final newline.
const A: &[u8] = b"\xEF\xBB\xBFlet foo = 1;\r\nfoo(foo);\r\n";
const B: &[u8] = b"// foo here";

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.rs"), A).expect("write");
    std::fs::write(dir.path().join("b.rs"), B).expect("write");
    dir
}

/// An app over `folder` (searching for `pattern`, a regex or not) whose replace journal is in
/// `journal`.
fn app(folder: &Path, pattern: &str, regex: bool, journal: &Path) -> TrawlApp {
    let mut app = TrawlApp::new(search_state(folder, pattern, |state| {
        state.options.regex = regex;
    }));
    app.set_native_dialogs(false);
    app.set_journal_dir(journal.to_path_buf());
    app
}

/// Steps frames until `done` holds (a minute at most).
fn wait_until(
    harness: &mut Harness<'_, TrawlApp>,
    what: &str,
    done: impl Fn(&Harness<'_, TrawlApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(harness) {
        assert!(Instant::now() < deadline, "waited a minute for {what}");
        std::thread::sleep(Duration::from_millis(2));
        harness.step();
    }
    harness.run_steps(2);
}

/// Searches with Enter in the pattern field, to the end.
fn search(harness: &mut Harness<'_, TrawlApp>) {
    harness.get_by_label("Pattern").focus();
    harness.step();
    harness.key_press(Key::Enter);
    harness.step();
    wait_until(harness, "the search", |h| {
        !h.state().is_searching() && h.state().results().is_some()
    });
}

/// Opens the Replace field with Ctrl+H and types `template` into it.
fn replace_with(harness: &mut Harness<'_, TrawlApp>, template: &str) {
    harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    harness.run_steps(2);
    harness.get_by_label("Replace").type_text(template);
    harness.step();
    wait_until(harness, "the replacement to compile", |h| {
        !h.state().is_busy_with_replace()
    });
}

/// Steps frames until the bar reads `bar`: its counts are counted on a job after each change
/// of the results, the filter or a checkbox, and it says "counting" meanwhile.
fn bar_reads(harness: &mut Harness<'_, TrawlApp>, bar: &str) {
    wait_until(harness, bar, |h| h.query_by_label(bar).is_some());
}

/// Presses the bar's button (its text is `bar`), confirms, and waits for the write.
fn replace_confirmed(harness: &mut Harness<'_, TrawlApp>, bar: &str, confirmation: &str) {
    bar_reads(harness, bar);
    confirm_replace(harness, bar, confirmation);
}

/// [`replace_confirmed`] once the bar is known to read `bar`: for a test that checks other
/// things between the count and the press, where waiting for the bar again would add frames.
fn confirm_replace(harness: &mut Harness<'_, TrawlApp>, bar: &str, confirmation: &str) {
    harness.get_by_label(bar).click();
    harness.run_steps(2);
    harness.get_by_label(confirmation);
    harness.get_by_label("Replace now").click();
    harness.step();
    wait_until(harness, "the replace", |h| !h.state().is_replacing());
}

/// Clicks the Replace checkbox labelled `checkbox` and runs the two frames that take the click
/// in and draw its new state: how each test here (un)checks a file or a match.
fn toggle(harness: &mut Harness<'_, TrawlApp>, checkbox: &str) {
    harness.get_by_label(checkbox).click();
    harness.run_steps(2);
}

/// Whether the Replace checkbox labelled `checkbox` is checked, as the window tells it to
/// assistive technology.
fn checkbox_state(
    harness: &Harness<'_, TrawlApp>,
    checkbox: &str,
) -> Option<egui::accesskit::Toggled> {
    harness.get_by_label(checkbox).accesskit_node().toggled()
}

/// Presses `undo` (the report's Undo or a line of the history) and waits for its report.
fn undone(harness: &mut Harness<'_, TrawlApp>, undo: &str) {
    harness.get_by_label(undo).click();
    harness.step();
    wait_until(harness, "the undo", |h| h.state().undo_report().is_some());
}

/// A window over `folder` (as [`app`] makes it, then changed by `edit`) with its journal in a
/// new folder, searched to the end: where the tests here start. The journal comes back with
/// the window so that it lives as long.
fn searched_with(
    folder: &Path,
    pattern: &str,
    regex: bool,
    edit: impl FnOnce(&mut TrawlApp),
) -> (tempfile::TempDir, Harness<'static, TrawlApp>) {
    let journal = tempfile::tempdir().expect("temp dir");
    let mut app = app(folder, pattern, regex, journal.path());
    edit(&mut app);
    let mut harness = harness(app);
    search(&mut harness);
    (journal, harness)
}

/// [`searched_with`] the app as it is.
fn searched(
    folder: &Path,
    pattern: &str,
    regex: bool,
) -> (tempfile::TempDir, Harness<'static, TrawlApp>) {
    searched_with(folder, pattern, regex, |_| {})
}

/// [`searched`], then `template` typed into the Replace field: the replace ready to press.
fn replacing(
    folder: &Path,
    pattern: &str,
    regex: bool,
    template: &str,
) -> (tempfile::TempDir, Harness<'static, TrawlApp>) {
    let (journal, mut harness) = searched(folder, pattern, regex);
    replace_with(&mut harness, template);
    (journal, harness)
}

/// `count` files `f0000.rs`, `f0001.rs`, … each holding `text`.
fn many_files(count: usize, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..count {
        std::fs::write(dir.path().join(format!("f{i:04}.rs")), text).expect("write");
    }
    dir
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read")
}

/// `text` with the `occurrence`-th (0-based) `from` replaced by `to`, for each occurrence
/// listed: computed here, independently of trawl.
fn replaced(text: &[u8], from: &[u8], to: &[u8], occurrences: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut seen = 0;
    while let Some(found) = text[at..].windows(from.len()).position(|w| w == from) {
        let start = at + found;
        out.extend_from_slice(&text[at..start]);
        if occurrences.contains(&seen) {
            out.extend_from_slice(to);
        } else {
            out.extend_from_slice(from);
        }
        seen += 1;
        at = start + from.len();
    }
    out.extend_from_slice(&text[at..]);
    out
}

#[test]
fn ctrl_h_and_the_toggle_show_and_hide_the_replace_field_and_a_restart_keeps_it() {
    let dir = tree();
    let journal = tempfile::tempdir().expect("temp dir");
    let mut harness = harness(app(dir.path(), "foo", false, journal.path()));
    harness.run_steps(3);
    assert!(harness.query_by_label("Replace").is_none());

    harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    harness.run_steps(2);
    assert!(harness.state().replace_open());
    // Ctrl+H puts the cursor in the field, as Ctrl+F does in the pattern's.
    assert!(
        harness
            .get_by_label("Replace")
            .accesskit_node()
            .is_focused()
    );
    // Ctrl+H from inside a field hides it again (the field does not take it as Backspace).
    harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    harness.run_steps(2);
    assert!(harness.query_by_label("Replace").is_none());

    harness.get_by_label("⇄").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Replace").is_some());
    // Shown, it is shown again after a restart (a new app over what was saved), with its text.
    harness.get_by_label("Replace").type_text("bar");
    harness.run_steps(2);
    let restarted = |harness: &mut Harness<'_, TrawlApp>| {
        let mut storage = crate::common::MemoryStorage::default();
        harness.state_mut().save(&mut storage);
        let mut again = TrawlApp::new(SavedState::load(Some(&storage)));
        again.set_native_dialogs(false);
        again.set_journal_dir(journal.path().to_path_buf());
        let mut again = crate::common::harness(again);
        again.run_steps(3);
        again
    };
    let again = restarted(&mut harness);
    assert!(again.state().replace_open());
    assert_eq!(
        again.get_by_label("Replace").value().as_deref(),
        Some("bar")
    );

    harness.get_by_label("⇄").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Replace").is_none());
    // Hidden, it stays hidden.
    let again = restarted(&mut harness);
    assert!(!again.state().replace_open());
    assert!(again.query_by_label("Replace").is_none());
}

#[test]
fn rows_show_each_change_in_place_with_groups_when_regex_is_on() {
    let dir = tree();
    let (_journal, mut harness) = searched(dir.path(), "f(o+)", true);
    // The rows before any replacement is typed: the line alone.
    harness.get_by_label("2:5 foo(foo);");
    replace_with(&mut harness, "b${1}r$$");
    harness.get_by_label("1:5 let foo = 1; → let boor$ = 1;");
    harness.get_by_label("2:1 foo(foo); → boor$(foo);");
    harness.get_by_label("2:5 foo(foo); → foo(boor$);");
    harness.get_by_label("1:4 // foo here → // boor$ here");
    // Nothing was written by showing it.
    assert_eq!(read(&dir.path().join("a.rs")), A);
    assert_eq!(read(&dir.path().join("b.rs")), B);
}

#[test]
fn a_literal_pattern_takes_the_replacement_as_typed() {
    let dir = tree();
    let (_journal, mut harness) = replacing(dir.path(), "foo", false, "$1x");
    harness.get_by_label("1:5 let foo = 1; → let $1x = 1;");
    bar_reads(&mut harness, "Replace 4 matches in 2 files");
}

#[test]
fn checkboxes_change_the_count_and_exactly_what_is_written_and_undo_restores_it() {
    let dir = tree();
    let (_journal, mut harness) = replacing(dir.path(), "foo", false, "bar");
    bar_reads(&mut harness, "Replace 4 matches in 2 files");

    // One match of a.rs unchecked, then b.rs as a whole.
    assert_eq!(
        checkbox_state(&harness, "Replace at a.rs:2:5"),
        Some(egui::accesskit::Toggled::True)
    );
    toggle(&mut harness, "Replace at a.rs:2:5");
    assert_eq!(
        checkbox_state(&harness, "Replace at a.rs:2:5"),
        Some(egui::accesskit::Toggled::False)
    );
    bar_reads(&mut harness, "Replace 3 matches in 2 files");
    toggle(&mut harness, "Replace in b.rs");
    bar_reads(&mut harness, "Replace 2 matches in 1 file");
    // Checked again, then unchecked again: the count follows.
    toggle(&mut harness, "Replace in b.rs");
    bar_reads(&mut harness, "Replace 3 matches in 2 files");
    toggle(&mut harness, "Replace in b.rs");

    replace_confirmed(
        &mut harness,
        "Replace 2 matches in 1 file",
        "Replace 2 matches in 1 file with \"bar\"",
    );
    let a = dir.path().join("a.rs");
    // The first and second `foo` of a.rs, not the third; b.rs untouched.
    assert_eq!(read(&a), replaced(A, b"foo", b"bar", &[0, 1]));
    assert_eq!(read(&a), b"\xEF\xBB\xBFlet bar = 1;\r\nbar(foo);\r\n");
    assert_eq!(read(&dir.path().join("b.rs")), B);
    let report = harness.state().replace_report().expect("a report");
    assert_eq!(report.written.len(), 1);
    assert_eq!(report.replacements(), 2);
    harness.get_by_label("Replaced 2 matches in 1 file");
    harness.get_by_label(&format!("{}: 2 replacements", a.display()));
    // The selected match's lines after the change are not shown as if still to come.
    harness.get_by_label("Written. Search again to see the files as they are now.");
    // The results are from before the replace now: Replace no longer offers their matches
    // and waits for a new search, as its hover says.
    assert!(
        harness
            .query_by_label("Replace 2 matches in 1 file")
            .is_none()
    );
    let button = harness.get_by_label("Replace…");
    assert!(button.accesskit_node().is_disabled());
    button.hover();
    harness.run_steps(60);
    harness.get_by_label_contains("search again to replace more");

    undone(&mut harness, "Undo");
    assert_eq!(read(&a), A);
    assert_eq!(read(&dir.path().join("b.rs")), B);
    let id = &harness.state().undo_report().expect("undone").id.clone();
    harness.get_by_label(&format!(
        "Undid replace {id}: 1 file restored, 0 left alone"
    ));
    harness.get_by_label(&format!("{}: restored", a.display()));
}

/// Whether the bar's Undo can be pressed, once the journal's list (read on a job when the
/// Replace field shows, and again after each replace and undo) is in.
fn undo_enabled(harness: &mut Harness<'_, TrawlApp>) -> bool {
    wait_until(harness, "the journal's list", |h| {
        !h.state().is_busy_with_replace()
    });
    !harness.get_by_label("Undo").accesskit_node().is_disabled()
}

#[test]
fn undo_is_offered_only_while_the_journal_holds_a_replace_not_undone() {
    let dir = tree();
    let (journal, mut harness) = replacing(dir.path(), "foo", false, "bar");
    // A new journal: nothing to undo, and the button says so.
    assert!(!undo_enabled(&mut harness));
    harness.get_by_label("Undo").hover();
    harness.run_steps(60);
    harness.get_by_label_contains("No replace left to undo");

    replace_confirmed(
        &mut harness,
        "Replace 4 matches in 2 files",
        "Replace 4 matches in 2 files with \"bar\"",
    );
    assert!(undo_enabled(&mut harness));
    // A window opened later over the same journal offers it too.
    let mut restarted = crate::common::harness(app(dir.path(), "foo", false, journal.path()));
    search(&mut restarted);
    replace_with(&mut restarted, "baz");
    assert!(undo_enabled(&mut restarted));

    undone(&mut harness, "Undo");
    assert_eq!(read(&dir.path().join("a.rs")), A);
    assert!(!undo_enabled(&mut harness));
}

#[test]
fn with_a_filter_only_the_checked_matches_it_shows_are_counted_and_written() {
    let dir = tree();
    let (_journal, mut harness) = replacing(dir.path(), "foo", false, "bar");
    bar_reads(&mut harness, "Replace 4 matches in 2 files");
    // The filter shows a.rs's second line only: its two matches.
    harness.get_by_label("Filter").focus();
    harness.step();
    harness.get_by_label("Filter").type_text("foo(");
    harness.run_steps(2);
    crate::common::wait_for_jobs(&mut harness);
    // The bar, drawn above the list, counts the new layout from the next frame on.
    wait_until(&mut harness, "the filtered count", |h| {
        h.query_by_label("Replace 2 matches in 1 file").is_some()
    });
    harness.get_by_label("a.rs (2 of 3)");
    // One of them unchecked: a file with a match unchecked is counted match by match.
    toggle(&mut harness, "Replace at a.rs:2:5");
    bar_reads(&mut harness, "Replace 1 match in 1 file");
    replace_confirmed(
        &mut harness,
        "Replace 1 match in 1 file",
        "Replace 1 match in 1 file with \"bar\"",
    );
    // The second `foo` of a.rs only: the first is filtered out, the third unchecked.
    assert_eq!(
        read(&dir.path().join("a.rs")),
        replaced(A, b"foo", b"bar", &[1])
    );
    assert_eq!(read(&dir.path().join("b.rs")), B);
}

#[test]
fn a_binary_file_searched_as_text_is_not_checkable_not_counted_and_left_alone() {
    let dir = tree();
    let binary: &[u8] = b"foo\0bin\n";
    std::fs::write(dir.path().join("c.rs"), binary).expect("write");
    let (_journal, mut harness) = searched_with(dir.path(), "foo", false, |app| {
        app.state_mut().options.binary_as_text = true;
    });
    // Found, and said to be binary on its row.
    harness.get_by_label("c.rs · binary (1)");
    replace_with(&mut harness, "bar");
    harness.get_by_label("c.rs · binary · not replaced (1)");
    // Neither checkable nor counted.
    bar_reads(&mut harness, "Replace 4 matches in 2 files");
    harness.get_by_label("1 file binary (searched as text): never written");
    assert!(
        harness
            .get_by_label("Replace in c.rs")
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        harness
            .get_by_label("Replace at c.rs:1:1")
            .accesskit_node()
            .is_disabled()
    );
    confirm_replace(
        &mut harness,
        "Replace 4 matches in 2 files",
        "Searched with \"Binary files as text\": the binary files found are not replaced, \
         and one whose NUL byte the search did not see (past its first MiB) is left alone and \
         listed in the report.",
    );
    assert_eq!(read(&dir.path().join("c.rs")), binary);
    assert_eq!(read(&dir.path().join("b.rs")), b"// bar here");
    let report = harness.state().replace_report().expect("a report");
    assert_eq!(report.written.len(), 2);
    assert_eq!(report.replacements(), 4);
    // Never planned: not even listed as skipped.
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
}

#[test]
fn checking_one_match_of_an_unchecked_file_replaces_that_match_alone() {
    let dir = tree();
    let (_journal, mut harness) = replacing(dir.path(), "foo", false, "bar");
    toggle(&mut harness, "Replace in a.rs");
    bar_reads(&mut harness, "Replace 1 match in 1 file");
    toggle(&mut harness, "Replace at a.rs:2:5");
    bar_reads(&mut harness, "Replace 2 matches in 2 files");
    assert_eq!(
        checkbox_state(&harness, "Replace at a.rs:2:1"),
        Some(egui::accesskit::Toggled::False)
    );
    // The file's box, checked with that one match, unchecks it whole; again, checks it all.
    toggle(&mut harness, "Replace in a.rs");
    bar_reads(&mut harness, "Replace 1 match in 1 file");
    toggle(&mut harness, "Replace in a.rs");
    bar_reads(&mut harness, "Replace 4 matches in 2 files");
    toggle(&mut harness, "Replace in a.rs");
    toggle(&mut harness, "Replace at a.rs:2:5");
    replace_confirmed(
        &mut harness,
        "Replace 2 matches in 2 files",
        "Replace 2 matches in 2 files with \"bar\"",
    );
    // a.rs: its third `foo` only; b.rs: its one.
    assert_eq!(
        read(&dir.path().join("a.rs")),
        replaced(A, b"foo", b"bar", &[2])
    );
    assert_eq!(read(&dir.path().join("b.rs")), b"// bar here");
}

#[test]
fn a_file_changed_after_the_search_is_skipped_and_listed() {
    let dir = tree();
    let (_journal, mut harness) = replacing(dir.path(), "foo", false, "bar");
    // b.rs changes after the search: its match moved, its size and time are others.
    let b = dir.path().join("b.rs");
    let changed = b"//  foo here, changed";
    std::fs::write(&b, changed).expect("write");
    let later = std::time::SystemTime::now() + Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&b)
        .and_then(|f| f.set_modified(later))
        .expect("set the modified time");

    replace_confirmed(
        &mut harness,
        "Replace 4 matches in 2 files",
        "Replace 4 matches in 2 files with \"bar\"",
    );
    assert_eq!(
        read(&dir.path().join("a.rs")),
        replaced(A, b"foo", b"bar", &[0, 1, 2])
    );
    assert_eq!(read(&b), changed);
    let report = harness.state().replace_report().expect("a report");
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].path, b);
    harness.get_by_label("Replaced 3 matches in 1 file");
    harness.get_by_label("1 file left alone");
    harness.get_by_label(&format!(
        "{}: not written: {}",
        b.display(),
        report.skipped[0].reason
    ));
    assert!(
        report.skipped[0]
            .reason
            .to_string()
            .starts_with("it changed since the search"),
        "{}",
        report.skipped[0].reason
    );
    // The report is one of the dialogs Esc closes, the topmost first.
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label("Replaced 3 matches in 1 file")
            .is_none(),
        "Esc closes the report"
    );
}

#[test]
fn the_preview_shows_the_selected_matchs_lines_after_the_change() {
    let dir = tree();
    let (_journal, mut harness) = replacing(dir.path(), "f(o+)", true, "<$1>");
    // The second match of a.rs's line 2 unchecked: its line shows it as it is.
    toggle(&mut harness, "Replace at a.rs:2:5");
    harness.get_by_label("2:5 foo(foo);");
    harness.get_by_label("2:1 foo(foo); → <oo>(foo);").click();
    harness.step();
    // Its lines are read and replaced on a job the frame after the click.
    wait_until(&mut harness, "the change's lines", |h| {
        h.query_by_label("1: let <oo> = 1;").is_some()
    });
    harness.get_by_label("2: <oo>(foo);");
}

#[test]
fn undo_from_the_history_of_a_restarted_app_restores_the_bytes() {
    let dir = tree();
    let journal = tempfile::tempdir().expect("temp dir");
    {
        let mut harness = harness(app(dir.path(), "foo", false, journal.path()));
        search(&mut harness);
        replace_with(&mut harness, "quux");
        replace_confirmed(
            &mut harness,
            "Replace 4 matches in 2 files",
            "Replace 4 matches in 2 files with \"quux\"",
        );
        assert_eq!(
            read(&dir.path().join("a.rs")),
            replaced(A, b"foo", b"quux", &[0, 1, 2])
        );
        assert_eq!(read(&dir.path().join("b.rs")), b"// quux here");
    }
    // A new window over the same journal: no search, nothing in memory of the replace.
    let mut harness = harness(app(dir.path(), "other", false, journal.path()));
    harness.run_steps(3);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    harness.run_steps(2);
    harness.get_by_label("Undo history").click();
    harness.step();
    wait_until(&mut harness, "the history", |h| {
        !h.state().is_busy_with_replace()
    });
    let record = harness
        .get_all_by_label_contains("Undo #")
        .map(|node| node.accesskit_node().label().unwrap_or_default())
        .collect::<Vec<_>>();
    assert_eq!(record.len(), 1, "{record:?}");
    undone(&mut harness, &record[0]);
    assert_eq!(read(&dir.path().join("a.rs")), A);
    assert_eq!(read(&dir.path().join("b.rs")), B);
    let report = harness.state().undo_report().expect("undone");
    assert_eq!(report.restored.len(), 2);
    assert!(report.left.is_empty());
    harness.get_by_label(&format!(
        "Undid replace {}: 2 files restored, 0 left alone",
        report.id
    ));
}

#[test]
fn a_file_inside_a_compressed_file_is_not_checkable_and_not_counted() {
    use std::io::Write as _;
    let dir = tree();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"foo inside\n").expect("compress");
    std::fs::write(dir.path().join("c.rs.gz"), gz.finish().expect("compress")).expect("write");
    let (_journal, mut harness) = searched_with(dir.path(), "foo", false, |app| {
        app.state_mut().options.search_zip = true;
        app.state_mut().extensions = String::new();
    });
    replace_with(&mut harness, "bar");
    // Found, shown, but neither counted nor checkable.
    harness.get_by_label("1:1 foo inside");
    harness.get_by_label("1:4 // foo here → // bar here");
    bar_reads(&mut harness, "Replace 4 matches in 2 files");
    let checkbox = harness.get_by_label("Replace in c.rs.gz");
    assert!(checkbox.accesskit_node().is_disabled());
    harness.get_by_label("1 file inside archives or compressed files: never written");
}

#[test]
fn cancel_stops_between_files_and_what_was_written_stays_written_and_undoable() {
    // Many files, each rewritten with a journal copy and flushed: far more than one frame's
    // worth of work, so Cancel, pressed the frame after the replace starts, stops it.
    const FILES: usize = 3000;
    let dir = many_files(FILES, "one foo\n");
    let (_journal, mut harness) = replacing(dir.path(), "foo", false, "bar");
    bar_reads(&mut harness, "Replace 3,000 matches in 3,000 files");
    harness
        .get_by_label("Replace 3,000 matches in 3,000 files")
        .click();
    harness.run_steps(2);
    harness.get_by_label("Replace now").click();
    harness.step();
    assert!(harness.state().is_replacing());
    // The bar shows the progress and Cancel from the next frame on.
    harness.step();
    harness.get_by_label_contains("Replacing: ");
    // Cancelled once files are being written (the plan is built first), without a frame
    // between: the rest cannot all be written before the next frame sets the flag.
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness
        .state()
        .replace_progress()
        .is_some_and(|(done, _)| done == 0)
    {
        assert!(
            Instant::now() < deadline,
            "no file was written within a minute"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
    // The whole click in one frame: kittest's own runs a frame per pointer event.
    crate::common::click_in_one_frame(&mut harness, "Cancel replace");
    wait_until(&mut harness, "the cancelled replace", |h| {
        !h.state().is_replacing()
    });
    let report = harness.state().replace_report().expect("a report");
    assert!(report.cancelled);
    assert!(
        (1..FILES).contains(&report.written.len()),
        "{} written",
        report.written.len()
    );
    harness.get_by_label("Cancelled: the files after the last one written were not touched.");
    let written: std::collections::HashSet<_> =
        report.written.iter().map(|f| f.path.clone()).collect();
    for i in 0..FILES {
        let path = dir.path().join(format!("f{i:04}.rs"));
        let expected: &[u8] = if written.contains(&path) {
            b"one bar\n"
        } else {
            b"one foo\n"
        };
        assert_eq!(read(&path), expected, "{}", path.display());
    }
    let written_count = written.len();

    // The files written before the cancel were recorded: Undo restores each.
    undone(&mut harness, "Undo");
    let undo = harness.state().undo_report().expect("undone");
    assert_eq!(undo.restored.len(), written_count);
    for i in 0..FILES {
        assert_eq!(read(&dir.path().join(format!("f{i:04}.rs"))), b"one foo\n");
    }
}

#[test]
fn the_report_of_many_files_lays_out_only_the_lines_in_view() {
    // Listed whole, the report of 10,000 files took 350 ms a frame (benches/ui.rs): its lines
    // are laid out only where the list shows them, and scrolling brings the others.
    const FILES: usize = 300;
    let dir = many_files(FILES, "foo\n");
    let (_journal, mut harness) = replacing(dir.path(), "foo", false, "bar");
    replace_confirmed(
        &mut harness,
        "Replace 300 matches in 300 files",
        "Replace 300 matches in 300 files with \"bar\"",
    );
    let report = harness.state().replace_report().expect("a report");
    assert_eq!(report.written.len(), FILES);
    let lines: Vec<String> = report
        .written
        .iter()
        .map(|file| format!("{}: 1 replacement", file.path.display()))
        .collect();
    harness.get_by_label("Replaced 300 matches in 300 files");
    harness.get_by_label("Written:");
    harness.get_by_label(&lines[0]);
    assert!(
        harness.query_by_label(&lines[FILES - 1]).is_none(),
        "the last file's line is not laid out while out of view"
    );
    harness.get_by_label(&lines[0]).hover();
    harness.step();
    for _ in 0..20 {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Page,
            delta: egui::vec2(0.0, -5.0),
            modifiers: Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
        });
        harness.step();
    }
    harness.run_steps(2);
    harness.get_by_label(&lines[FILES - 1]);
    assert!(harness.query_by_label(&lines[0]).is_none());
}

/// `files` files `fNNNNNN.rs` under `/many` of two lines each: `a needle needle needle` and
/// `b needle needle`, built into a model directly (no search: the window is under test).
fn needles(files: usize) -> trawl::app::ResultsModel {
    let root = Path::new("/many");
    crate::generated::model(
        root,
        files,
        "needle",
        |f| root.join(format!("f{f:06}.rs")),
        |_| vec!["a needle needle needle".into(), "b needle needle".into()],
    )
}

/// Runs the next frame and returns the UI thread's CPU time in it, checking that the bar
/// says the counts are being counted (the change that frame saw is counted on a job) and that
/// Replace cannot be pressed meanwhile.
fn counting_frame(harness: &mut Harness<'_, TrawlApp>) -> Duration {
    let before = crate::common::thread_cpu_time();
    harness.step();
    let spent = crate::common::thread_cpu_time() - before;
    // And Replace cannot be pressed on the counts of before.
    assert!(
        harness
            .get_by_label("Replace (counting…)")
            .accesskit_node()
            .is_disabled(),
        "the frame after a change says the counts are being counted"
    );
    spent
}

#[test]
fn the_counts_are_made_on_a_job_for_each_change_and_never_in_a_frame() {
    // The bar's counts read every shown file (and every shown match of a file with some
    // unchecked). Counted in the frame, each change below cost that frame 150-200 ms of the
    // UI thread's time in the test build; counted on a job, 4-7 ms (16 ms for the frame that
    // opens the field and lays it out).
    const FILES: usize = 200_000;
    let mut app = TrawlApp::new(SavedState::default());
    app.set_native_dialogs(false);
    app.set_results(needles(FILES));
    let mut harness = harness(app);
    crate::common::settle(&mut harness);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    let mut frames = vec![counting_frame(&mut harness)];
    bar_reads(&mut harness, "Replace 1,000,000 matches in 200,000 files");

    // One match unchecked.
    crate::common::click_in_one_frame(&mut harness, "Replace at f000000.rs:1:3");
    frames.push(counting_frame(&mut harness));
    bar_reads(&mut harness, "Replace 999,999 matches in 200,000 files");

    // A filter that keeps each file's second line: two of its five matches, picked one by
    // one, so a file with a match unchecked is counted match by match.
    harness.get_by_label("Filter").focus();
    harness.step();
    harness.get_by_label("Filter").type_text("b needle");
    harness.step();
    crate::common::wait_for_jobs(&mut harness);
    bar_reads(&mut harness, "Replace 400,000 matches in 200,000 files");
    crate::common::click_in_one_frame(&mut harness, "Replace at f000000.rs:2:3");
    frames.push(counting_frame(&mut harness));
    bar_reads(&mut harness, "Replace 399,999 matches in 200,000 files");
    crate::common::click_in_one_frame(&mut harness, "Replace in f000001.rs");
    frames.push(counting_frame(&mut harness));
    bar_reads(&mut harness, "Replace 399,997 matches in 199,999 files");
    // Checked again: the count follows back.
    crate::common::click_in_one_frame(&mut harness, "Replace at f000000.rs:2:3");
    frames.push(counting_frame(&mut harness));
    bar_reads(&mut harness, "Replace 399,998 matches in 199,999 files");
    // The UI thread's own time, whatever else the machine runs.
    assert!(
        frames
            .iter()
            .all(|frame| *frame < Duration::from_millis(50)),
        "frames after a change: {frames:?}"
    );
}
