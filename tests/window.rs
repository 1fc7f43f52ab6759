//! The window, driven headlessly through egui_kittest: the real `eframe::App`, real searches
//! over small trees built per test, queried the way a screen reader sees the window.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::App as _;
use egui::{Event, OutputCommand};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use trawl::app::{RowRef, SavedState, TrawlApp};

/// A small tree: two matching `.rs` files, one `.txt` that the extension filter leaves out.
fn small_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("src")).expect("mkdir");
    std::fs::write(
        dir.path().join("src/a.rs"),
        "fn main() {}\nlet foo = 1; foo\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("b.rs"), "// foo here\n").expect("write");
    std::fs::write(dir.path().join("c.txt"), "foo foo foo\n").expect("write");
    dir
}

fn harness(app: TrawlApp) -> Harness<'static, TrawlApp> {
    Harness::builder()
        .with_size([1200.0, 800.0])
        .build_eframe(move |_cc| app)
}

/// Focuses the field labelled `label` and types `text` into it.
fn type_into(harness: &mut Harness<'_, TrawlApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.step();
    harness.get_by_label(label).type_text(text);
    harness.step();
}

/// Steps frames until the search has ended, then lets the layout settle.
fn wait_for_search(harness: &mut Harness<'_, TrawlApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().is_searching() {
        assert!(
            Instant::now() < deadline,
            "the search did not end within 60 s"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.run_steps(3);
}

/// Fills the three fields through the UI and presses Search.
fn search(harness: &mut Harness<'_, TrawlApp>, folder: &Path, extensions: &str, pattern: &str) {
    type_into(harness, "Folder", &folder.display().to_string());
    type_into(harness, "Extensions", extensions);
    type_into(harness, "Pattern", pattern);
    harness.get_by_label("Search").click();
    harness.step();
}

/// Texts the last frame put on the clipboard.
fn copied(harness: &Harness<'_, TrawlApp>) -> Vec<String> {
    harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn search_disabled(harness: &Harness<'_, TrawlApp>) -> bool {
    harness
        .get_by_label("Search")
        .accesskit_node()
        .is_disabled()
}

fn canonical(path: &Path) -> PathBuf {
    std::path::absolute(path).expect("absolute path")
}

#[test]
fn search_from_the_fields_shows_rows_grouped_by_file_and_a_summary() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search(&mut harness, tree.path(), ".rs", "foo");
    wait_for_search(&mut harness);

    // One header per file with its count, sorted by path, then one row per occurrence.
    harness.get_by_label("b.rs (1)");
    harness.get_by_label(&format!("src{}a.rs (2)", std::path::MAIN_SEPARATOR));
    harness.get_by_label("1:4 // foo here");
    harness.get_by_label("2:5 let foo = 1; foo");
    harness.get_by_label("2:14 let foo = 1; foo");
    assert!(
        harness.query_by_label_contains("c.txt").is_none(),
        "the extension filter leaves .txt out"
    );
    harness.get_by_label_contains("3 matches in 2 files (2 files searched,");

    let results = harness.state().results().expect("results");
    assert_eq!(results.file_count(), 2);
    assert_eq!(results.match_count(), 3);
    assert!(matches!(results.row(0), Some(RowRef::File(_))));
}

#[test]
fn enter_in_the_pattern_field_starts_the_search() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: tree.path().display().to_string(),
        extensions: "rs".into(),
        ..SavedState::default()
    }));
    type_into(&mut harness, "Pattern", "foo");
    harness.key_press(egui::Key::Enter);
    harness.step();
    wait_for_search(&mut harness);
    assert_eq!(harness.state().results().map(|r| r.match_count()), Some(3));
}

#[test]
fn cancel_on_a_large_tree_stops_keeps_results_and_says_cancelled() {
    // More matching files than the engine's event queue holds: the search cannot finish
    // before the window takes results in, so the cancel always lands mid-search.
    let tree = tempfile::tempdir().expect("temp dir");
    for d in 0..30 {
        let dir = tree.path().join(format!("d{d}"));
        std::fs::create_dir(&dir).expect("mkdir");
        for f in 0..250 {
            std::fs::write(
                dir.join(format!("f{f}.txt")),
                "one needle\nanother needle\n",
            )
            .expect("write");
        }
    }
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search(&mut harness, tree.path(), "txt", "needle");
    assert!(harness.state().is_searching());
    // Let some results arrive, then press Esc.
    std::thread::sleep(Duration::from_millis(100));
    harness.step();
    harness.key_press(egui::Key::Escape);
    harness.step();
    wait_for_search(&mut harness);

    let results = harness.state().results().expect("results");
    let summary = results.summary().expect("a summary after cancel");
    assert!(summary.cancelled);
    assert!(
        summary.files_searched < 7500,
        "searched {} of 7500 files",
        summary.files_searched
    );
    assert!(
        results.match_count() > 0,
        "the results found before the cancel stay"
    );
    harness.get_by_label_contains("Cancelled after");
}

#[test]
fn the_cancel_button_stops_the_search() {
    let tree = tempfile::tempdir().expect("temp dir");
    for f in 0..6000 {
        std::fs::write(tree.path().join(format!("f{f}.txt")), "needle\n").expect("write");
    }
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search(&mut harness, tree.path(), "", "needle");
    harness.get_by_label("Cancel").click();
    harness.step();
    wait_for_search(&mut harness);
    let summary = *harness
        .state()
        .results()
        .and_then(|r| r.summary())
        .expect("summary");
    assert!(summary.cancelled);
    harness.get_by_label_contains("Cancelled after");
}

#[test]
fn copy_puts_the_absolute_location_on_the_clipboard() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search(&mut harness, tree.path(), "rs", "foo");
    wait_for_search(&mut harness);
    let a = canonical(&tree.path().join("src").join("a.rs"));

    // Click a row, then Ctrl+C (egui-winit delivers it as Event::Copy).
    harness.get_by_label("2:5 let foo = 1; foo").click();
    harness.step();
    harness.event(Event::Copy);
    harness.step();
    assert_eq!(copied(&harness), vec![format!("{}:2:5", a.display())]);
    harness.step();
    harness.get_by_label_contains("Copied location");

    // The down arrow moves the selection to the next occurrence.
    harness.key_press(egui::Key::ArrowDown);
    harness.step();
    harness.event(Event::Copy);
    harness.step();
    assert_eq!(copied(&harness), vec![format!("{}:2:14", a.display())]);

    // The context menu copies the line text and all results.
    harness
        .get_by_label("2:5 let foo = 1; foo")
        .click_secondary();
    harness.step();
    harness.step();
    harness.get_by_label("Copy line text").click();
    harness.step();
    assert_eq!(copied(&harness), vec!["let foo = 1; foo".to_string()]);

    harness
        .get_by_label("2:5 let foo = 1; foo")
        .click_secondary();
    harness.run_steps(2);
    harness.get_by_label("Copy all results").click();
    harness.step();
    let all = copied(&harness);
    assert_eq!(all.len(), 1);
    let b = canonical(&tree.path().join("b.rs"));
    assert_eq!(
        all[0].lines().collect::<Vec<_>>(),
        vec![
            format!("{}:1:4:// foo here", b.display()),
            format!("{}:2:5:let foo = 1; foo", a.display()),
            format!("{}:2:14:let foo = 1; foo", a.display()),
        ]
    );
}

#[test]
fn hovering_a_row_shows_a_copy_button() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search(&mut harness, tree.path(), "rs", "foo");
    wait_for_search(&mut harness);
    harness.get_by_label("1:4 // foo here").hover();
    harness.step();
    harness.step();
    harness.get_by_label("Copy").click();
    harness.step();
    let b = canonical(&tree.path().join("b.rs"));
    assert_eq!(copied(&harness), vec![format!("{}:1:4", b.display())]);
}

#[test]
fn invalid_regex_shows_its_error_and_disables_search() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: tree.path().display().to_string(),
        ..SavedState::default()
    }));
    harness.get_by_label(".*").click();
    harness.step();
    type_into(&mut harness, "Pattern", "a(b");
    harness.run_steps(2);
    harness.get_by_label_contains("invalid regex");
    assert!(search_disabled(&harness));

    // As literal text the same pattern is fine.
    harness.get_by_label(".*").click();
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("invalid regex").is_none());
    assert!(!search_disabled(&harness));
}

#[test]
fn a_missing_folder_is_reported_under_the_field() {
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: "/no/such/folder/for/trawl".into(),
        pattern: "x".into(),
        ..SavedState::default()
    }));
    harness.run_steps(2);
    harness.get_by_label_contains("no such folder");
    assert!(search_disabled(&harness));
}

/// eframe's storage, in memory.
#[derive(Default)]
struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn fields_toggles_and_recent_folders_survive_a_restart() {
    let first = small_tree();
    let second = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search(&mut harness, first.path(), "rs", "foo");
    wait_for_search(&mut harness);
    harness.get_by_label("Aa").click();
    harness.step();
    harness.get_by_label("Folder").focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.step();
    harness
        .get_by_label("Folder")
        .type_text(&second.path().display().to_string());
    harness.step();
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(&mut harness);

    let recent = harness.state().state().recent_folders.clone();
    assert_eq!(
        recent,
        vec![
            canonical(second.path()).display().to_string(),
            canonical(first.path()).display().to_string()
        ]
    );

    // What eframe saves on exit is what the next run loads.
    let mut storage = MemoryStorage::default();
    harness.state_mut().save(&mut storage);
    let loaded = SavedState::load(Some(&storage));
    assert_eq!(&loaded, harness.state().state());
    assert!(loaded.match_case);
    assert_eq!(loaded.extensions, "rs");
    assert_eq!(loaded.pattern, "foo");

    // The next run shows them, and the recent drop-down fills the folder field.
    let mut next = self::harness(TrawlApp::new(loaded));
    assert_eq!(next.get_by_label("Pattern").value().as_deref(), Some("foo"));
    next.get_by_label("Recent").click();
    next.run_steps(2);
    next.get_by_label(&canonical(first.path()).display().to_string())
        .click();
    next.run_steps(2);
    assert_eq!(
        next.state().state().folder,
        canonical(first.path()).display().to_string()
    );
}

#[cfg(target_os = "linux")]
#[test]
fn unreadable_files_are_counted_and_listed_with_the_reason() {
    // Even root cannot read /proc/self/mem from its start: the engine reports an error for it.
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: "/proc/self/mem".into(),
        pattern: "x".into(),
        ..SavedState::default()
    }));
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(&mut harness);
    let results = harness.state().results().expect("results");
    assert_eq!(results.errors().len(), 1, "{:?}", results.errors());
    harness.get_by_label_contains("; 1 file or folder could not be read");
    harness
        .get_by_label("1 file or folder could not be read")
        .click();
    harness.run_steps(3);
    harness.get_by_label_contains("/proc/self/mem: ");
}

/// A file or folder dropped on the window, as egui-winit reports it.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        Err("a folder has no bytes".into())
    }
}

#[test]
fn dropping_a_folder_or_a_file_fills_the_folder_field() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(tree.path().join("src"))));
    harness.run_steps(2);
    let src = tree.path().join("src").display().to_string();
    assert_eq!(harness.state().state().folder, src);
    assert_eq!(harness.get_by_label("Folder").value(), Some(src));

    // A dropped file stands for the folder it is in.
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(tree.path().join("b.rs"))));
    harness.run_steps(2);
    assert_eq!(
        harness.state().state().folder,
        tree.path().display().to_string()
    );
}

#[test]
fn a_folder_from_the_command_line_fills_the_field() {
    let tree = small_tree();
    let folder = tree.path().to_path_buf();
    let mut harness = Harness::builder()
        .with_size([1200.0, 800.0])
        .build_eframe(move |cc| TrawlApp::from_creation_context(cc, Some(folder)));
    harness.run_steps(2);
    assert_eq!(
        harness.get_by_label("Folder").value(),
        Some(tree.path().display().to_string())
    );
}

#[test]
fn headers_fold_and_the_list_sorts_by_match_count() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search(&mut harness, tree.path(), "rs", "foo");
    wait_for_search(&mut harness);

    harness.get_by_label("b.rs (1)").click();
    harness.run_steps(2);
    assert!(
        harness.query_by_label("1:4 // foo here").is_none(),
        "a folded file hides its rows"
    );
    harness.get_by_label("b.rs (1)").click();
    harness.run_steps(2);
    harness.get_by_label("1:4 // foo here");

    let first_header = |harness: &Harness<'_, TrawlApp>| {
        let results = harness.state().results().expect("results");
        match results.row(0) {
            Some(RowRef::File(file)) => results.file(file).map(|f| f.display.to_string()),
            _ => None,
        }
    };
    assert_eq!(first_header(&harness).as_deref(), Some("b.rs"));
    harness.get_by_label("Sort by").click();
    harness.run_steps(2);
    harness.get_by_label("Match count").click();
    harness.run_steps(2);
    assert_eq!(harness.state().state().sort, trawl::app::SortOrder::Matches);
    let a = format!("src{}a.rs", std::path::MAIN_SEPARATOR);
    assert_eq!(first_header(&harness), Some(a));
}
