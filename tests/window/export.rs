//! Export, driven through the real `eframe::App` with egui_kittest: the file the window writes
//! holds `trawl --json`'s objects byte for byte (as docs/CONTRACT.md spells them, written out in
//! the test), CSV has its header and a row per match, an existing file is only replaced when
//! confirmed, and a large export is written over many frames with its progress shown (how long
//! those frames take is the window benchmark's). The system's save dialog is turned off (it
//! must never open in a test), so Export… opens the window's own form, which is what a machine
//! without a desktop portal shows.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{absolute, harness, replace_in, settle, wait_for_search};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use trawl::app::{ExportFormat, ResultsModel, SavedState, TrawlApp};

/// Two matching `.rs` files (text with a comma and quotes), one `.txt` left out.
fn small_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("src")).expect("mkdir");
    std::fs::write(
        dir.path().join("src/a.rs"),
        "fn main() {}\nlet foo = \"a, \\\"b\\\"\"; foo\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("b.rs"), "// foo here é\n").expect("write");
    std::fs::write(dir.path().join("c.txt"), "foo foo foo\n").expect("write");
    dir
}

fn app() -> TrawlApp {
    let mut app = TrawlApp::new(SavedState::default());
    app.set_native_dialogs(false);
    app
}

/// Steps frames until the export has ended; returns the longest frame.
fn wait_for_export(harness: &mut Harness<'_, TrawlApp>) -> Duration {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut longest = Duration::ZERO;
    while harness.state().is_exporting() {
        assert!(Instant::now() < deadline, "the export did not end");
        let started = Instant::now();
        harness.step();
        longest = longest.max(started.elapsed());
        std::thread::sleep(Duration::from_millis(1));
    }
    harness.run_steps(2);
    longest
}

/// Unlike `crate::common::search`: replaces what the fields held, and waits for the search to end.
fn search(harness: &mut Harness<'_, TrawlApp>, folder: &Path, extensions: &str, pattern: &str) {
    replace_in(harness, "Folder", &folder.display().to_string());
    replace_in(harness, "Extensions", extensions);
    replace_in(harness, "Pattern", pattern);
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(harness);
}

fn export_disabled(harness: &Harness<'_, TrawlApp>) -> bool {
    harness
        .get_by_label("Export…")
        .accesskit_node()
        .is_disabled()
}

/// `jsonl` with the summary's `elapsed_ms` (a number, checked) set to 0: the only value of an
/// export that varies between runs.
pub fn without_elapsed(jsonl: &str) -> String {
    const KEY: &str = r#""elapsed_ms":"#;
    let at = jsonl.rfind(KEY).expect("a summary with elapsed_ms") + KEY.len();
    let digits = jsonl[at..].bytes().take_while(u8::is_ascii_digit).count();
    assert!(digits > 0, "elapsed_ms is a number: {jsonl}");
    format!("{}0{}", &jsonl[..at], &jsonl[at + digits..])
}

/// The form writes `--json`'s objects byte for byte, as docs/CONTRACT.md spells them (written out
/// here, not by the code that writes them), files in the list's order (by path).
#[test]
fn the_form_writes_the_objects_of_trawl_json() {
    let tree = small_tree();
    let root = absolute(tree.path());
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("found.jsonl");
    let mut harness = harness(app());
    search(&mut harness, &root, "rs", "foo");

    assert!(!export_disabled(&harness));
    harness.get_by_label("Export…").click();
    harness.run_steps(2);
    assert!(harness.state().export_form_open());
    // Prefilled: the default name in the searched folder's parent.
    let prefilled = root.parent().expect("a parent").join("trawl-results.jsonl");
    assert_eq!(
        harness.get_by_label("Save to").value().as_deref(),
        Some(prefilled.display().to_string().as_str())
    );
    replace_in(&mut harness, "Save to", &target.display().to_string());
    harness.get_by_label("Export").click();
    harness.step();
    assert!(!harness.state().export_form_open());
    wait_for_export(&mut harness);

    let message = format!("Exported 3 matches to {}", target.display());
    assert_eq!(harness.state().export_outcome(), Some(message.as_str()));
    harness.get_by_label(&message);
    let written = std::fs::read_to_string(&target).expect("the export");
    let r = root.display();
    let expected = format!(
        r#"{{"type":"match","path":"{r}/b.rs","line":1,"column":4,"byte_offset":3,"length":3,"text":"// foo here é"}}
{{"type":"match","path":"{r}/src/a.rs","line":2,"column":5,"byte_offset":17,"length":3,"text":"let foo = \"a, \\\"b\\\"\"; foo"}}
{{"type":"match","path":"{r}/src/a.rs","line":2,"column":23,"byte_offset":35,"length":3,"text":"let foo = \"a, \\\"b\\\"\"; foo"}}
{{"type":"summary","files_searched":2,"files_matched":2,"matches":3,"bytes_searched":54,"errors":0,"elapsed_ms":0}}
"#
    );
    assert_eq!(without_elapsed(&written), expected);
    // Nothing else was left next to it (no temporary file).
    assert_eq!(std::fs::read_dir(out.path()).expect("list").count(), 1);
}

#[test]
fn csv_has_the_header_and_one_row_per_match_with_quoted_text() {
    let tree = small_tree();
    let root = absolute(tree.path());
    let out = tempfile::tempdir().expect("temp dir");
    let mut harness = harness(app());
    search(&mut harness, &root, "rs", "foo");

    // Through the form: choosing CSV renames the prefilled file.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run_steps(2);
    harness.get_by_label("CSV (.csv)").click();
    harness.run_steps(2);
    let value = harness.get_by_label("Save to").value().expect("a value");
    assert!(value.ends_with("trawl-results.csv"), "{value}");
    harness.get_by_label("Cancel export").click();
    harness.run_steps(2);
    assert!(!harness.state().export_form_open());

    // And directly, as the save dialog's answer would.
    let target = out.path().join("found.csv");
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .export_to(&ctx, target.clone(), ExportFormat::Csv)
        .expect("export starts");
    wait_for_export(&mut harness);
    let written = std::fs::read_to_string(&target).expect("the export");
    let mut reader = csv::Reader::from_reader(written.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        ["path", "line", "column", "byte_offset", "length", "text"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), 3);
    let a = root.join("src").join("a.rs").display().to_string();
    assert_eq!(&rows[1][0], a);
    assert_eq!(&rows[1][5], r#"let foo = "a, \"b\""; foo"#);
    assert_eq!(
        rows.iter().map(|r| r[2].to_string()).collect::<Vec<_>>(),
        ["4", "5", "23"]
    );
    // The text with a comma and quotes is quoted, its quotes doubled.
    assert!(
        written.contains(r#","let foo = ""a, \""b\""""; foo""#),
        "{written}"
    );
}

#[test]
fn an_existing_file_is_replaced_only_when_confirmed() {
    let tree = small_tree();
    let root = absolute(tree.path());
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("found.jsonl");
    std::fs::write(&target, "keep me\n").expect("write");
    let mut harness = harness(app());
    search(&mut harness, &root, "rs", "foo");

    harness.get_by_label("Export…").click();
    harness.run_steps(2);
    replace_in(&mut harness, "Save to", &target.display().to_string());
    harness.get_by_label("Export").click();
    harness.run_steps(2);
    harness.get_by_label(&format!("{} already exists.", target.display()));
    assert!(!harness.state().is_exporting());
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep me\n");

    harness.get_by_label("Replace").click();
    harness.step();
    wait_for_export(&mut harness);
    let written = std::fs::read_to_string(&target).expect("read");
    assert_eq!(written.lines().count(), 4);
    assert!(written.starts_with(r#"{"type":"match","#), "{written}");
}

#[test]
fn a_missing_folder_or_a_folder_as_target_is_explained_in_the_form() {
    let tree = small_tree();
    let root = absolute(tree.path());
    let out = tempfile::tempdir().expect("temp dir");
    let mut harness = harness(app());
    search(&mut harness, &root, "rs", "foo");
    harness.get_by_label("Export…").click();
    harness.run_steps(2);

    let missing = out.path().join("no-such-folder");
    replace_in(
        &mut harness,
        "Save to",
        &missing.join("x.jsonl").display().to_string(),
    );
    harness.get_by_label("Export").click();
    harness.run_steps(2);
    harness.get_by_label_contains(&format!("The folder {} does not exist", missing.display()));
    assert!(harness.state().export_form_open());
    assert!(!harness.state().is_exporting());

    replace_in(&mut harness, "Save to", &out.path().display().to_string());
    harness.get_by_label("Export").click();
    harness.run_steps(2);
    harness.get_by_label_contains("is a folder: add a file name");
    assert_eq!(std::fs::read_dir(out.path()).expect("list").count(), 0);
}

#[test]
fn export_is_disabled_while_searching_and_without_matches() {
    // More matching files than a few frames take in: the search is still running when looked at.
    let tree = tempfile::tempdir().expect("temp dir");
    let contents = "needle\n".repeat(200);
    for f in 0..6000 {
        std::fs::write(tree.path().join(format!("f{f}.txt")), &contents).expect("write");
    }
    let mut harness = harness(app());
    replace_in(&mut harness, "Folder", &tree.path().display().to_string());
    replace_in(&mut harness, "Extensions", "txt");
    replace_in(&mut harness, "Pattern", "needle");
    harness.get_by_label("Search").click();
    harness.step();
    harness.step();
    assert!(harness.state().is_searching());
    assert!(export_disabled(&harness));
    assert_eq!(
        harness.state().export_blocked(),
        Some("Export is available when the search has ended")
    );
    // Ctrl+S does nothing but say why.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.step();
    assert!(!harness.state().export_form_open());
    assert!(!harness.state().is_exporting());
    wait_for_search(&mut harness);
    assert!(!export_disabled(&harness));

    // A search that found nothing has nothing to export.
    replace_in(&mut harness, "Pattern", "absent");
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(&mut harness);
    assert!(export_disabled(&harness));
    assert_eq!(
        harness.state().export_blocked(),
        Some("Nothing to export: no matches")
    );
}

/// A model of `files` files with `per_file` matches each, as a finished search would leave it.
fn big_model(root: &Path, files: usize, per_file: usize) -> ResultsModel {
    let text = "let needle = needle + 1; // a line of ordinary length, needle";
    crate::generated::model(
        root,
        files,
        "needle",
        |f| root.join(format!("dir{}/file{f}.rs", f % 10)),
        |_| vec![text.to_string(); per_file / 3],
    )
}

/// A large export is written over many frames, with its progress shown, while the window
/// goes on drawing. How long those frames take is measured by `cargo bench --bench ui`.
#[test]
fn two_hundred_thousand_matches_export_over_many_frames_with_progress() {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("big.jsonl");
    let mut app = app();
    app.set_results(big_model(Path::new("/big/root"), 1000, 201));
    let mut harness = harness(app);
    // What is timed is the export, not the window's first frames.
    settle(&mut harness);
    assert_eq!(
        harness.state().results().map(ResultsModel::match_count),
        Some(201_000)
    );

    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .export_to(&ctx, target.clone(), ExportFormat::JsonLines)
        .expect("export starts");
    let started = Instant::now();
    let mut frames = 0;
    let mut progress_seen = false;
    while harness.state().is_exporting() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the export did not end"
        );
        harness.step();
        frames += 1;
        progress_seen |= harness.query_by_label_contains("Exporting…").is_some();
    }
    harness.run_steps(2);
    assert!(progress_seen, "the progress was never shown");
    // Each frame serializes for at most its budget (4 ms): 30 MB of JSON takes many.
    assert!(frames > 3, "the export took only {frames} frames");
    let written = std::fs::read_to_string(&target).expect("the export");
    assert_eq!(written.lines().count(), 201_001);
    assert_eq!(
        harness.state().export_outcome(),
        Some(format!("Exported 201,000 matches to {}", target.display()).as_str())
    );
}

#[test]
fn cancel_stops_the_export_and_leaves_no_file() {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("big.csv");
    let mut app = app();
    // Two million matches: the writer thread is still at it when Cancel is pressed (a smaller
    // export could finish first, and then the file is rightly in place).
    app.set_results(big_model(Path::new("/big/root"), 2000, 1002));
    let mut harness = harness(app);
    harness.run_steps(3);
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .export_to(&ctx, target.clone(), ExportFormat::Csv)
        .expect("export starts");
    harness.step();
    harness.step();
    assert!(harness.state().is_exporting());
    harness.get_by_label("Cancel export").click();
    harness.run_steps(2);
    assert!(!harness.state().is_exporting());
    harness.get_by_label_contains("Export cancelled");
    // The writer removes its temporary file as soon as it sees the cancel.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(out.path()).expect("list").count() > 0 {
        assert!(
            Instant::now() < deadline,
            "a file was left after the cancel"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!target.exists());
}

/// The export writes from its own snapshot of the results, on its own thread: a new search
/// replacing them on screen while it runs does not stop it, and the file is the one an
/// undisturbed export of the same results writes.
#[test]
fn results_replaced_during_an_export_do_not_stop_it() {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("big.jsonl");
    let undisturbed = out.path().join("undisturbed.jsonl");
    let tree = small_tree();
    let mut app = TrawlApp::new(SavedState {
        folder: tree.path().display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        search_as_you_type: false,
        ..SavedState::default()
    });
    app.set_native_dialogs(false);
    app.set_results(big_model(Path::new("/big/root"), 1000, 201));
    let mut harness = harness(app);
    harness.run_steps(3);
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .export_to(&ctx, target.clone(), ExportFormat::JsonLines)
        .expect("export starts");
    harness.step();
    // A new search replaces the results on screen while the export writes.
    harness.state_mut().start_search(&ctx);
    wait_for_search(&mut harness);
    assert_eq!(
        harness.state().results().map(ResultsModel::match_count),
        Some(3)
    );
    wait_for_export(&mut harness);
    assert_eq!(
        harness.state().export_outcome(),
        Some(format!("Exported 201,000 matches to {}", target.display()).as_str())
    );

    let mut app = self::app();
    app.set_results(big_model(Path::new("/big/root"), 1000, 201));
    let mut harness = crate::common::harness(app);
    harness.run_steps(3);
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .export_to(&ctx, undisturbed.clone(), ExportFormat::JsonLines)
        .expect("export starts");
    wait_for_export(&mut harness);
    let written = std::fs::read(&target).expect("the export");
    assert_eq!(written.iter().filter(|&&b| b == b'\n').count(), 201_001);
    assert!(written.starts_with(
        br#"{"type":"match","path":"/big/root/dir0/file0.rs","line":1,"column":5,"byte_offset":4,"length":6,"text":"let needle = needle + 1; // a line of ordinary length, needle"}"#
    ));
    assert!(written == std::fs::read(&undisturbed).expect("the other export"));
    let names: Vec<_> = std::fs::read_dir(out.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file is left: {names:?}");
}
