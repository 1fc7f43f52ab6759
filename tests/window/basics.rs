//! The window, driven headlessly through egui_kittest: the real `eframe::App`, real searches
//! over small trees built per test, queried the way a screen reader sees the window.

use std::path::{Path, PathBuf};
use std::time::Duration;

#[cfg(unix)]
use crate::common::fifo_has_a_reader;
use crate::common::{
    MemoryStorage, Watchdog, absolute, click_in_one_frame, copied, enter_in, harness,
    more_files_than_the_event_queue, repaint_delay, search, search_disabled, search_to_end, settle,
    small_tree, type_into, wait_for_checks, wait_for_jobs, wait_for_search,
    wait_until_held_on_a_full_queue,
};
use eframe::App as _;
use egui::Event;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::state::{FolderFileCount, window_defaults};
use trawl::app::{RowRef, SavedState, SearchFields, TrawlApp};
use trawl::search::{CaseMode, Globs, SearchOptions, TextEncoding};

#[test]
fn search_from_the_fields_shows_rows_grouped_by_file_and_a_summary() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search_to_end(&mut harness, tree.path(), ".rs", "foo");

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

/// A new window lays out its fonts' glyphs over its first frames, then stops asking for
/// frames: an idle window draws nothing.
#[test]
fn a_new_window_settles_and_then_asks_for_no_frames() {
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    settle(&mut harness);
    harness.step();
    let delay = repaint_delay(&harness);
    assert!(
        delay.is_none_or(|d| d > Duration::from_secs(1)),
        "an idle window asks for a frame after {delay:?}"
    );
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

/// Esc while a search runs stops it, keeps what it found and says so. The search is held on
/// its full event queue when Esc is pressed (no frame ran to take results in), so it cannot
/// have finished first; the frames after it return while the engine still waits (a frame that
/// waited for the engine would wait forever: the watchdog fails the run then).
#[test]
fn cancel_on_a_large_tree_stops_keeps_results_and_says_cancelled() {
    const FILES: usize = 5000;
    let tree = more_files_than_the_event_queue(FILES);
    // Search as you type off: on a loaded machine its pause could end while the fields are
    // typed, and the search the test holds would then replace one it never saw start.
    let mut harness = harness(TrawlApp::new(SavedState {
        search_as_you_type: false,
        ..SavedState::default()
    }));
    search(&mut harness, tree.path(), "txt", "needle");
    assert!(harness.state().is_searching());
    wait_until_held_on_a_full_queue(&harness, FILES);
    let _watchdog = Watchdog::new("frames after Esc while the engine waits");
    harness.key_press(egui::Key::Escape);
    harness.step();
    wait_for_search(&mut harness);

    let results = harness.state().results().expect("results");
    let summary = results.summary().expect("a summary after cancel");
    assert!(summary.cancelled);
    assert!(
        summary.files_searched < FILES as u64,
        "searched {} of {FILES} files",
        summary.files_searched
    );
    assert!(
        results.file_count() >= 4096,
        "the results found before the cancel stay: {}",
        results.file_count()
    );
    harness.get_by_label_contains("Cancelled after");
}

#[test]
fn the_cancel_button_stops_the_search() {
    const FILES: usize = 8000;
    let tree = more_files_than_the_event_queue(FILES);
    // Search as you type off: on a loaded machine its pause could end while the fields are
    // typed, and the search the test holds would then replace one it never saw start.
    let mut harness = harness(TrawlApp::new(SavedState {
        search_as_you_type: false,
        ..SavedState::default()
    }));
    search(&mut harness, tree.path(), "", "needle");
    // The frame that started the search drew Cancel before the start, disabled, and egui
    // sends a click only to what the last frame showed enabled: one more frame, as a person
    // sees before they click.
    harness.step();
    wait_until_held_on_a_full_queue(&harness, FILES);
    let held = harness
        .state()
        .live_progress()
        .expect("a running search")
        .snapshot()
        .files_searched;
    let _watchdog = Watchdog::new("frames after Cancel while the engine waits");
    // The click's frame cancels before it takes in any result: no frame has let the search go
    // on since it was held.
    click_in_one_frame(&mut harness, "Cancel");
    wait_for_search(&mut harness);
    let summary = *harness
        .state()
        .results()
        .and_then(|r| r.summary())
        .expect("summary");
    assert!(summary.cancelled);
    // Stopped at once: each search thread, blocked on the full queue with one file, queues at
    // most that file once the frame makes room; no thread starts another.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    assert!(
        summary.files_searched <= held + threads,
        "{held} files were searched when Cancel was clicked: {summary:?}"
    );
    harness.get_by_label_contains("Cancelled after");
}

#[test]
fn copy_puts_the_absolute_location_on_the_clipboard() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search_to_end(&mut harness, tree.path(), "rs", "foo");
    let a = absolute(&tree.path().join("src").join("a.rs"));

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
    let all = wait_for_jobs(&mut harness);
    assert_eq!(all.len(), 1);
    let b = absolute(&tree.path().join("b.rs"));
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
    search_to_end(&mut harness, tree.path(), "rs", "foo");
    harness.get_by_label("1:4 // foo here").hover();
    harness.step();
    harness.step();
    harness.get_by_label("Copy").click();
    harness.step();
    let b = absolute(&tree.path().join("b.rs"));
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
    wait_for_checks(&mut harness);
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

#[test]
fn fields_toggles_and_recent_folders_survive_a_restart() {
    let first = small_tree();
    let second = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search_to_end(&mut harness, first.path(), "rs", "foo");
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
            absolute(second.path()).display().to_string(),
            absolute(first.path()).display().to_string()
        ]
    );

    // What eframe saves on exit is what the next run loads: every field, as this test set
    // it (a struct literal with every field, so a new one must be added here).
    let mut storage = MemoryStorage::default();
    harness.state_mut().save(&mut storage);
    let loaded = SavedState::load(Some(&storage));
    let (first_dir, second_dir) = (
        absolute(first.path()).display().to_string(),
        absolute(second.path()).display().to_string(),
    );
    let options = |case: CaseMode| SearchOptions {
        regex: false,
        case,
        whole_word: false,
        multiline: false,
        hidden: false,
        respect_ignore_files: true,
        follow_symlinks: false,
        binary_as_text: false,
        globs: Globs::Typed(String::new()),
        max_file_size: String::new(),
        threads: String::new(),
        encoding: TextEncoding::Auto,
        // The window has no switch for -z yet.
        search_zip: false,
    };
    let entry = |folder: &Path, case: CaseMode| SearchFields {
        folder: folder.display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        options: options(case),
    };
    let expected = SavedState {
        folder: second.path().display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        options: options(CaseMode::Sensitive),
        recent_folders: vec![second_dir.clone(), first_dir.clone()],
        sort: trawl::app::SortOrder::Path,
        context_lines: 2,
        options_open: false,
        history: vec![
            entry(second.path(), CaseMode::Sensitive),
            entry(first.path(), CaseMode::Insensitive),
        ],
        search_as_you_type: true,
        folder_file_counts: vec![
            FolderFileCount {
                folder: second_dir,
                files: 2,
            },
            FolderFileCount {
                folder: first_dir,
                files: 2,
            },
        ],
        theme: trawl::app::ThemeChoice::System,
        editor_command: String::new(),
        show_preview: true,
        preview_height: 0,
        replacement: String::new(),
        replace_open: false,
    };
    assert_eq!(loaded, expected);

    // The next run shows them, and the recent drop-down fills the folder field.
    let mut next = self::harness(TrawlApp::new(loaded));
    assert_eq!(next.get_by_label("Pattern").value().as_deref(), Some("foo"));
    next.get_by_label("Recent").click();
    next.run_steps(2);
    next.get_by_label(&absolute(first.path()).display().to_string())
        .click();
    next.run_steps(2);
    assert_eq!(
        next.state().state().folder,
        absolute(first.path()).display().to_string()
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
    search_to_end(&mut harness, tree.path(), "rs", "foo");

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
    wait_for_jobs(&mut harness);
    assert_eq!(harness.state().state().sort, trawl::app::SortOrder::Matches);
    let a = format!("src{}a.rs", std::path::MAIN_SEPARATOR);
    assert_eq!(first_header(&harness), Some(a));
}

// ---- Hostile trees and bad input (issue 4), as the window sees them. ----

/// Makes a named pipe at `path` (the `mkfifo` program, as in tests/hostile.rs).
#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {} failed", path.display());
}

#[test]
fn an_empty_pattern_disables_search_and_enter_says_what_is_missing() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: tree.path().display().to_string(),
        ..SavedState::default()
    }));
    harness.run_steps(2);
    assert!(search_disabled(&harness));
    enter_in(&mut harness, "Pattern");
    assert!(!harness.state().is_searching());
    assert!(harness.state().results().is_none());
    harness.get_by_label_contains("Type what to search for");
}

#[test]
fn an_extension_with_a_glob_character_is_reported_under_the_field() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: tree.path().display().to_string(),
        pattern: "foo".into(),
        ..SavedState::default()
    }));
    type_into(&mut harness, "Extensions", "*.rs");
    harness.run_steps(2);
    harness.get_by_label_contains("invalid extension \"*.rs\"");
    assert!(search_disabled(&harness));
    enter_in(&mut harness, "Extensions");
    assert!(harness.state().results().is_none(), "no search started");
}

#[test]
fn a_regex_too_large_to_compile_is_reported_inline_and_disables_search() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: tree.path().display().to_string(),
        options: SearchOptions {
            regex: true,
            ..window_defaults()
        },
        ..SavedState::default()
    }));
    // About 1.5 s to reach the size limit (the regex crates are optimised in test builds
    // too): far longer than the frames below.
    harness.get_by_label("Pattern").focus();
    harness.step();
    harness.get_by_label("Pattern").type_text(r"\w{1000}{1000}");
    // The frames go on while the regex compiles on its own thread: typing never waits for it.
    // A frame that waited would return with the check done. (How long frames take meanwhile
    // is measured by `cargo bench --bench ui`.)
    harness.step();
    harness.step();
    assert!(
        harness.state().is_checking(),
        "two frames returned only once the regex had compiled"
    );
    wait_for_checks(&mut harness);
    harness.run_steps(2);
    harness.get_by_label_contains("invalid regex");
    harness.get_by_label_contains("exceeds size limit");
    assert!(search_disabled(&harness));
    enter_in(&mut harness, "Pattern");
    assert!(harness.state().results().is_none(), "no search started");
}

/// docs/CONTRACT.md: a regular file given as the folder is searched alone, as the CLI does.
#[test]
fn a_regular_file_in_the_folder_field_is_searched_alone_like_the_cli() {
    let tree = small_tree();
    let file = absolute(&tree.path().join("c.txt"));
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search_to_end(&mut harness, &file, "", "foo");
    let results = harness.state().results().expect("results");
    assert_eq!(results.file_count(), 1, "only the file itself");
    assert_eq!(results.match_count(), 3);
    // The header shows the whole path (there is no folder to be relative to).
    harness.get_by_label(&format!("{} (3)", file.display()));
    harness.get_by_label("1:5 foo foo foo").click();
    harness.step();
    harness.event(Event::Copy);
    harness.step();
    assert_eq!(copied(&harness), vec![format!("{}:1:5", file.display())]);
}

#[cfg(unix)]
#[test]
fn a_fifo_in_the_folder_field_is_refused_inline_without_opening_it() {
    let tree = tempfile::tempdir().expect("temp dir");
    let fifo = tree.path().join("pipe");
    mkfifo(&fifo);
    // Opening a FIFO for reading with no writer blocks: a window that did would hang here.
    let _watchdog = Watchdog::new("a FIFO in the folder field");
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: fifo.display().to_string(),
        pattern: "x".into(),
        ..SavedState::default()
    }));
    harness.run_steps(2);
    harness.get_by_label_contains("not a folder or a regular file");
    assert!(search_disabled(&harness));
    enter_in(&mut harness, "Pattern");
    assert!(harness.state().results().is_none(), "no search started");
    assert!(!fifo_has_a_reader(&fifo), "the window holds the FIFO open");
}

/// Clicks the row labelled `row`, presses Ctrl+C and returns what was copied.
fn copy_row(harness: &mut Harness<'_, TrawlApp>, row: &str) -> Vec<String> {
    harness.get_by_label(row).click();
    harness.step();
    harness.event(Event::Copy);
    harness.step();
    copied(harness)
}

/// Names with spaces, `:` and a leading `-` are copied as their exact absolute path. A name
/// with a newline is copied with the newline in it (the exact path; a line-based reader of
/// `path:line:col` will split it, as it would split ripgrep's output). A name that is not
/// valid UTF-8 cannot go on the clipboard (text only) as it is: it is copied lossily, each
/// invalid byte as U+FFFD, while the model keeps the exact path.
#[cfg(unix)]
#[test]
fn odd_file_names_are_found_and_their_locations_copied_exactly() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let tree = tempfile::tempdir().expect("temp dir");
    let names: [&[u8]; 5] = [
        b"with space.txt",
        b"co:lon.txt",
        b"-leading.txt",
        b"new\nline.txt",
        b"bad\xff.txt",
    ];
    for (i, name) in names.iter().enumerate() {
        std::fs::write(
            tree.path().join(OsStr::from_bytes(name)),
            format!("x needle{i}\n"),
        )
        .expect("write");
    }
    // A Latin-1 line: not UTF-8, so the window's default (auto-detect) decodes it, `é` and all.
    std::fs::write(tree.path().join("latin1.txt"), b"x needle5 caf\xe9\n").expect("write");
    // egui's bundled fonts have no U+FFFD (for the bad name): the window draws a box for it
    // (egui's default policy), where kittest would panic by default.
    let mut harness = Harness::builder()
        .with_size([1200.0, 800.0])
        .allow_missing_glyphs()
        .build_eframe(|_cc| TrawlApp::new(SavedState::default()));
    search_to_end(&mut harness, tree.path(), "txt", "needle");
    assert_eq!(harness.state().results().map(|r| r.file_count()), Some(6));
    // The headers show each name unambiguously on one line.
    for header in [
        "with space.txt (1)",
        "co:lon.txt (1)",
        "-leading.txt (1)",
        "new\\nline.txt (1)",
        "bad\\xFF.txt (1)",
    ] {
        harness.get_by_label(header);
    }
    let latin1 = absolute(&tree.path().join("latin1.txt"));
    let copied = copy_row(&mut harness, "1:3 x needle5 café");
    assert_eq!(copied, vec![format!("{}:1:3", latin1.display())]);

    for (i, name) in names.iter().enumerate() {
        let path = absolute(&tree.path().join(OsStr::from_bytes(name)));
        let copied = copy_row(&mut harness, &format!("1:3 x needle{i}"));
        assert_eq!(copied, vec![format!("{}:1:3", path.to_string_lossy())]);
    }

    let bad = absolute(&tree.path().join(OsStr::from_bytes(b"bad\xff.txt")));
    let copied = copy_row(&mut harness, "1:3 x needle4");
    assert!(copied[0].ends_with("/bad\u{FFFD}.txt:1:3"), "{copied:?}");
    let newline = copy_row(&mut harness, "1:3 x needle3");
    assert!(newline[0].ends_with("/new\nline.txt:1:3"), "{newline:?}");
    let results = harness.state().results().expect("results");
    let kept = (0..results.file_count())
        .filter_map(|f| results.file(f))
        .any(|f| f.path == bad.as_path());
    assert!(kept, "the model keeps the exact, non-UTF-8 path");
}

/// Contents and modification times of every file and folder below `root`, and of `root`.
fn fingerprint(root: &Path) -> Vec<(PathBuf, Option<Vec<u8>>, std::time::SystemTime)> {
    let mut all = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        let modified = meta.modified().expect("mtime");
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read_dir") {
                stack.push(entry.expect("entry").path());
            }
            all.push((path, None, modified));
        } else if meta.is_file() {
            let contents = std::fs::read(&path).expect("read");
            all.push((path, Some(contents), modified));
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

#[test]
fn a_window_search_never_writes_to_the_searched_tree() {
    let tree = small_tree();
    std::fs::create_dir(tree.path().join(".hidden")).expect("mkdir");
    std::fs::write(tree.path().join(".hidden/d.rs"), "foo\n").expect("write");
    std::fs::write(tree.path().join("e.rs"), b"foo\0binary").expect("write");
    // Older mtimes than "now", so that a rewrite within the same clock tick would still show.
    let past = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    for (path, _, _) in fingerprint(tree.path()) {
        let file = std::fs::File::open(&path).expect("open");
        file.set_modified(past).expect("set mtime");
    }
    let before = fingerprint(tree.path());

    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search_to_end(&mut harness, tree.path(), "rs", "foo");
    assert_eq!(harness.state().results().map(|r| r.match_count()), Some(3));
    // Everything else a person does with the results: copy, fold, sort, search again.
    copy_row(&mut harness, "1:4 // foo here");
    harness.get_by_label("b.rs (1)").click();
    harness.run_steps(2);
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(&mut harness);

    assert_eq!(fingerprint(tree.path()), before);
}

#[cfg(unix)]
#[test]
fn a_tree_with_a_fifo_and_a_symlink_loop_is_searched_to_the_end() {
    let tree = small_tree();
    mkfifo(&tree.path().join("pipe.rs"));
    std::os::unix::fs::symlink("..", tree.path().join("src/up")).expect("symlink");
    std::os::unix::fs::symlink(tree.path(), tree.path().join("src/root.rs")).expect("symlink");
    std::os::unix::fs::symlink("/dev/zero", tree.path().join("zero.rs")).expect("symlink");

    let _watchdog = Watchdog::new("a tree with a FIFO and a symlink loop");
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search_to_end(&mut harness, tree.path(), "rs", "foo");
    assert!(!fifo_has_a_reader(&tree.path().join("pipe.rs")));

    let results = harness.state().results().expect("results");
    let summary = results.summary().expect("a summary");
    assert!(!summary.cancelled);
    assert_eq!((results.file_count(), results.match_count()), (2, 3));
    harness.get_by_label("b.rs (1)");
    harness.get_by_label("2:14 let foo = 1; foo");
    harness.get_by_label_contains("3 matches in 2 files (2 files searched,");
}

/// One `FileResult` of `lines` short lines, each with four occurrences of `foo`.
fn short_line_file(index: usize, lines: u64) -> trawl::search::FileResult {
    use trawl::search::{MatchLine, MatchLines, Occurrence};
    let mut all = MatchLines::new();
    for n in 1..=lines {
        let text = format!("    let foo{n} = foo + foo * foo;");
        let occurrences: Vec<Occurrence> = text
            .match_indices("foo")
            .map(|(at, _)| Occurrence {
                column: at as u64 + 1,
                byte_offset: Some(n * 40 + at as u64),
                length: 3,
                highlight: at..at + 3,
            })
            .collect();
        all.push(MatchLine {
            line_number: n,
            text: &text,
            occurrences: &occurrences,
            spans_lines: false,
            cut: None,
        });
    }
    trawl::search::FileResult {
        modified: None,
        path: PathBuf::from(format!("/r/dir{}/file{index}.rs", index % 30)),
        lines: all,
        encoding: None,
        binary: false,
    }
}

/// What the engine sends, with the window's 500-column cut, for a minified file: 20 lines of
/// 6,000 characters with 50 occurrences each near the start.
fn long_line_file() -> trawl::search::FileResult {
    use trawl::search::{FileSearcher, SearchRequest, build_matcher};
    let mut request = SearchRequest::new("/r", Vec::new(), "foo");
    request.max_columns = Some(trawl::app::state::WINDOW_MAX_COLUMNS);
    let matcher = build_matcher(&request).expect("matcher");
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut searcher = FileSearcher::new(&request, matcher, cancel);
    let line = format!("{}\n", "var x=foo(1);".repeat(50) + &"y".repeat(5350));
    let found = searcher
        .search_bytes(line.repeat(20).as_bytes())
        .expect("search");
    assert_eq!(found.matches, 1000);
    trawl::search::FileResult {
        modified: None,
        path: PathBuf::from("/r/min.js"),
        lines: found.lines,
        encoding: None,
        binary: false,
    }
}

/// Builds a results model with `fill` on this thread and returns it with the bytes it holds
/// per stored match, as the counting allocator sees them (tests/support/counting_alloc.rs):
/// what this thread allocated and did not free while the model was built and laid out. The
/// inputs are made inside `fill` too, so what they leave behind counts against the model.
fn measured_model(
    fill: impl FnOnce(&mut trawl::app::ResultsModel),
) -> (trawl::app::ResultsModel, f64) {
    let before = crate::counting_alloc::thread_live_bytes();
    let mut model = trawl::app::ResultsModel::new(PathBuf::from("/r"), trawl::app::SortOrder::Path);
    fill(&mut model);
    model.refresh_layout(true);
    let held = crate::counting_alloc::thread_live_bytes() - before;
    let per_match = held as f64 / model.match_count() as f64;
    (model, per_match)
}

/// Memory bound per stored match in the window (issue 4): a million occurrences on short lines,
/// four to a line, spread over 1,000 files (plus one minified file), take under 100 bytes
/// each in the results model, measured by the allocator.
#[test]
fn results_model_holds_a_million_short_line_matches_in_under_100_bytes_each() {
    use trawl::search::SearchEvent;
    let (model, per_match) = measured_model(|model| {
        for index in 0..1000 {
            model.push_event(SearchEvent::File(short_line_file(index, 250)));
        }
        model.push_event(SearchEvent::File(long_line_file()));
    });
    assert_eq!(model.match_count(), 1_001_000);
    assert!(per_match < 100.0, "{per_match:.1} bytes per match");
}

/// A line longer than the window's 500 columns is cut around each occurrence; occurrences whose
/// windows overlap share one stored text, so a minified file's matches stay under the 200 bytes
/// per match issue 5 sets (measured by the allocator), and each row still shows its own window.
#[test]
fn cut_long_lines_cost_under_200_bytes_per_match_in_the_results_model() {
    let (model, per_match) = measured_model(|model| model.push_file(long_line_file()));
    assert_eq!(model.match_count(), 1000);
    assert!(per_match < 200.0, "{per_match:.1} bytes per match");
    for index in [0, 49, 50, 999] {
        let view = model.occurrence(index).expect("stored");
        assert_eq!(&view.text[view.highlight.clone()], "foo");
        assert!(view.text.chars().count() <= trawl::app::state::WINDOW_MAX_COLUMNS);
        assert!(view.ellipsis_after, "the line goes on after the window");
    }
}
