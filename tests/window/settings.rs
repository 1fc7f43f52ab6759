//! The window's settings, driven headlessly through egui_kittest: the options panel, history,
//! search as you type, Ctrl+F, the theme switch and what of it all persists. Each test builds
//! its own small tree and drives the real `eframe::App`.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{
    MemoryStorage, enter_in, harness, replace_in, search_disabled, type_into, wait_for_checks,
    wait_for_search,
};
use eframe::App as _;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::state::{FolderFileCount, MAX_HISTORY, window_defaults};
use trawl::app::{SavedState, SearchFields, SearchPhase, TYPING_PAUSE, ThemeChoice, TrawlApp};
use trawl::search::{CaseMode, Globs, SearchOptions, TextEncoding};

/// A small tree: two matching `.rs` files and a hidden one, one `.txt` left out by `rs`.
fn small_tree() -> tempfile::TempDir {
    let dir = crate::common::small_tree();
    std::fs::create_dir(dir.path().join(".hidden")).expect("mkdir");
    std::fs::write(dir.path().join(".hidden/d.rs"), "foo hidden\n").expect("write");
    dir
}

/// A state with `tree` in the folder field, and search as you type off unless a test is about
/// it, so that only the Search button starts searches.
fn state_for(tree: &Path) -> SavedState {
    SavedState {
        folder: tree.display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        search_as_you_type: false,
        ..SavedState::default()
    }
}

/// Clicks Search and waits for the search to end.
fn click_search(harness: &mut Harness<'_, TrawlApp>) {
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(harness);
}

/// Lets search as you type's pause run out (with frames before and after, as a window gets).
fn let_pause_pass(harness: &mut Harness<'_, TrawlApp>) {
    harness.step();
    std::thread::sleep(TYPING_PAUSE + Duration::from_millis(80));
    harness.step();
}

fn found(harness: &Harness<'_, TrawlApp>) -> (usize, usize) {
    let results = harness.state().results().expect("results");
    (results.file_count(), results.match_count())
}

fn open_options(harness: &mut Harness<'_, TrawlApp>) {
    harness.get_by_label("Options").click();
    harness.run_steps(2);
}

/// Picks `choice` in the options panel's Encoding list (the panel open).
fn choose_encoding(harness: &mut Harness<'_, TrawlApp>, choice: &str) {
    harness.get_by_label("Encoding").click();
    harness.run_steps(2);
    harness.get_by_label(choice).click();
    harness.run_steps(2);
}

/// The Encoding choice (docs/CONTRACT.md, "Encodings"): auto-detection by default finds the
/// text of Windows-1252 and Windows-1251 files; UTF-8 only finds it in the UTF-8 file alone; a
/// named encoding decodes every file from it; the choice survives a restart. (Latin and
/// Cyrillic text: the test's fonts have no CJK glyphs.)
#[test]
fn the_encoding_choice_decodes_legacy_files_and_survives_a_restart() {
    let tree = tempfile::tempdir().expect("temporary folder");
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(tree.path().join(name), bytes).expect("write");
    };
    let french = "Le café est très bon, dit la naïve Zoé à l'hôtel.\n".repeat(3);
    let russian = "Привет, мир! Всё хорошо, спасибо. Мы живём в большом мире.\n".repeat(3);
    write("utf8.rs", format!("{french}{russian}").as_bytes());
    write("cp1252.rs", &encoding_rs::WINDOWS_1252.encode(&french).0);
    write("cp1251.rs", &encoding_rs::WINDOWS_1251.encode(&russian).0);
    let state = SavedState {
        pattern: "café|мир".into(),
        options: SearchOptions {
            regex: true,
            ..window_defaults()
        },
        ..state_for(tree.path())
    };
    let mut harness = harness(TrawlApp::new(state));
    assert_eq!(harness.state().state().options.encoding, TextEncoding::Auto);
    click_search(&mut harness);
    assert_eq!(
        found(&harness),
        (3, 18),
        "every file, decoded where it is not UTF-8"
    );

    open_options(&mut harness);
    choose_encoding(&mut harness, "UTF-8 only");
    assert_eq!(harness.state().state().options.encoding, TextEncoding::Utf8);
    click_search(&mut harness);
    assert_eq!(found(&harness), (1, 9), "the UTF-8 file only");

    choose_encoding(&mut harness, "Cyrillic (Windows-1251)");
    let cyrillic = TextEncoding::Named(encoding_rs::WINDOWS_1251);
    assert_eq!(harness.state().state().options.encoding, cyrillic);
    click_search(&mut harness);
    assert_eq!(
        found(&harness),
        (1, 6),
        "only the Windows-1251 file reads as Russian"
    );

    let mut storage = MemoryStorage::default();
    harness.state_mut().save(&mut storage);
    assert_eq!(SavedState::load(Some(&storage)).options.encoding, cyrillic);
}

#[test]
fn hidden_files_are_found_only_with_hidden_files_on() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    click_search(&mut harness);
    assert_eq!(
        found(&harness),
        (2, 3),
        "hidden files are skipped by default"
    );
    assert!(harness.query_by_label_contains("d.rs").is_none());

    open_options(&mut harness);
    harness.get_by_label("Hidden files").click();
    harness.step();
    assert!(harness.state().state().options.hidden);
    click_search(&mut harness);
    assert_eq!(found(&harness), (3, 4));
    harness.get_by_label(&format!(".hidden{}d.rs (1)", std::path::MAIN_SEPARATOR));
}

#[test]
fn an_option_toggles_with_the_keyboard() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    open_options(&mut harness);
    harness.get_by_label("Respect .gitignore").focus();
    harness.step();
    harness.key_press(egui::Key::Space);
    harness.run_steps(2);
    assert!(!harness.state().state().options.respect_ignore_files);
}

#[test]
fn respect_gitignore_off_searches_ignored_files() {
    let tree = small_tree();
    // ignore honours .gitignore inside a git repository only (as ripgrep); .ignore always.
    std::fs::write(tree.path().join(".ignore"), "b.rs\n").expect("write");
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    click_search(&mut harness);
    assert_eq!(found(&harness), (1, 2));
    open_options(&mut harness);
    harness.get_by_label("Respect .gitignore").click();
    harness.step();
    click_search(&mut harness);
    assert_eq!(found(&harness), (2, 3));
}

#[test]
fn globs_include_and_exclude_like_the_cli() {
    let tree = small_tree();
    std::fs::create_dir(tree.path().join("gen")).expect("mkdir");
    std::fs::write(tree.path().join("gen/g.rs"), "foo\n").expect("write");
    std::fs::write(tree.path().join("conf.toml"), "foo = 1\n").expect("write");
    let mut harness = harness(TrawlApp::new(SavedState {
        extensions: String::new(),
        ..state_for(tree.path())
    }));
    open_options(&mut harness);
    type_into(&mut harness, "Globs", "!gen/**, !b.rs");
    click_search(&mut harness);
    let results = harness.state().results().expect("results");
    let mut names: Vec<String> = (0..results.file_count())
        .filter_map(|f| results.file(f).map(|v| v.display.to_string()))
        .collect();
    names.sort();
    let sep = std::path::MAIN_SEPARATOR;
    assert_eq!(
        names,
        vec![
            "c.txt".to_string(),
            "conf.toml".into(),
            format!("src{sep}a.rs")
        ]
    );

    // A comma inside braces belongs to the glob: an include of two extensions.
    replace_in(&mut harness, "Globs", "*.{txt,toml}");
    click_search(&mut harness);
    assert_eq!(found(&harness), (2, 4));
}

#[test]
fn an_invalid_glob_is_reported_inline_and_blocks_the_search() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    open_options(&mut harness);
    type_into(&mut harness, "Globs", "src/{a");
    harness.run_steps(2);
    harness.get_by_label_contains("invalid glob \"src/{a\"");
    assert!(search_disabled(&harness));
}

#[test]
fn max_file_size_skips_larger_files() {
    let tree = small_tree();
    std::fs::write(
        tree.path().join("big.rs"),
        format!("foo\n{}\n", "x".repeat(4000)),
    )
    .expect("write");
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    click_search(&mut harness);
    assert_eq!(found(&harness), (3, 4));
    open_options(&mut harness);
    type_into(&mut harness, "Max file size", "2K");
    click_search(&mut harness);
    assert_eq!(found(&harness), (2, 3), "big.rs is over 2K");
}

#[test]
fn an_invalid_max_file_size_shows_an_error_and_does_not_search() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    open_options(&mut harness);
    type_into(&mut harness, "Max file size", "10Q");
    harness.run_steps(2);
    harness.get_by_label_contains("Max file size: invalid size \"10Q\"");
    assert!(search_disabled(&harness));
    // Enter in the field does not search either.
    enter_in(&mut harness, "Max file size");
    assert!(!harness.state().is_searching());
    assert!(harness.state().results().is_none(), "no search started");

    // With the panel closed the error still shows, so Search is never disabled for no reason.
    harness.get_by_label("Options").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Max file size").is_none());
    harness.get_by_label_contains("(in Options)");

    // Fixing it (here: emptying it) lets the search run.
    harness
        .state_mut()
        .state_mut()
        .options
        .max_file_size
        .clear();
    harness.run_steps(2);
    wait_for_checks(&mut harness);
    assert!(!search_disabled(&harness));
    click_search(&mut harness);
    assert_eq!(found(&harness), (2, 3));
}

#[test]
fn a_thread_count_is_used_and_a_bad_one_is_reported() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    open_options(&mut harness);
    type_into(&mut harness, "Threads", "x");
    harness.run_steps(2);
    harness.get_by_label_contains("invalid thread count \"x\"");
    assert!(search_disabled(&harness));
    replace_in(&mut harness, "Threads", "1");
    harness.run_steps(2);
    assert!(!search_disabled(&harness));
    click_search(&mut harness);
    assert_eq!(found(&harness), (2, 3));
}

#[test]
fn context_lines_default_to_two_and_change_with_the_keyboard() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    assert_eq!(harness.state().state().context_lines, 2);
    open_options(&mut harness);
    // Tab from the field before it, as a person would; the slider and the number beside it
    // share the label, and the slider takes the arrows.
    harness.get_by_label("Threads").focus();
    harness.step();
    harness.key_press(egui::Key::Tab);
    harness.run_steps(2);
    assert!(
        harness
            .get_by_role_and_label(egui::accesskit::Role::Slider, "Context lines")
            .is_focused()
    );
    harness.key_press(egui::Key::ArrowRight);
    harness.run_steps(2);
    assert_eq!(harness.state().state().context_lines, 3);
    // The range ends at 10.
    for _ in 0..20 {
        harness.key_press(egui::Key::ArrowRight);
        harness.step();
    }
    assert_eq!(harness.state().state().context_lines, 10);
}

#[test]
fn history_records_searches_deduplicated_and_picking_one_fills_the_fields() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    click_search(&mut harness);
    open_options(&mut harness);
    harness.get_by_label("Hidden files").click();
    harness.step();
    replace_in(&mut harness, "Pattern", "here");
    harness.get_by_label("Aa").click();
    harness.step();
    click_search(&mut harness);
    // The first search again: it moves to the top instead of appearing twice.
    harness.state_mut().state_mut().pattern = "foo".into();
    harness.state_mut().state_mut().options.case = CaseMode::Insensitive;
    harness.state_mut().state_mut().options.hidden = false;
    harness.run_steps(2);
    wait_for_checks(&mut harness);
    click_search(&mut harness);
    let history = harness.state().state().history.clone();
    assert_eq!(history.len(), 2, "{history:#?}");
    assert_eq!(history[0].pattern, "foo");
    assert_eq!(history[1].pattern, "here");
    assert!(history[1].options.hidden && history[1].options.case == CaseMode::Sensitive);

    // Picking the older entry puts back its pattern, toggles and options.
    harness.get_by_label("History").click();
    harness.run_steps(2);
    harness.get_by_label(&history[1].summary()).click();
    harness.run_steps(2);
    let state = harness.state().state();
    assert_eq!(state.pattern, "here");
    assert!(state.options.case == CaseMode::Sensitive && state.options.hidden);
    assert_eq!(
        harness.get_by_label("Pattern").value().as_deref(),
        Some("here")
    );
    click_search(&mut harness);
    assert_eq!(found(&harness), (1, 1));
}

#[test]
fn typing_starts_a_search_after_the_pause_and_keeps_the_old_rows_meanwhile() {
    let tree = small_tree();
    let mut app = TrawlApp::new(SavedState {
        search_as_you_type: true,
        ..state_for(tree.path())
    });
    // Long enough that a busy machine cannot run past it while the test looks inside it.
    let pause = Duration::from_secs(2);
    app.set_typing_pause(pause);
    let mut harness = harness(app);
    assert_eq!(harness.state().search_phase(), SearchPhase::Idle);
    click_search(&mut harness);
    assert_eq!(found(&harness), (2, 3));
    assert_eq!(harness.state().search_phase(), SearchPhase::Finished);

    replace_in(&mut harness, "Pattern", "here");
    // Within the pause nothing has started, and the old rows are still listed.
    assert!(harness.state().typing_search_pending());
    assert_eq!(harness.state().search_phase(), SearchPhase::WaitingForPause);
    assert!(!harness.state().is_searching());
    harness.get_by_label("2:5 let foo = 1; foo");
    assert!(harness.state().results_outdated());

    // After the pause the search starts; in that frame the old rows are still what is shown.
    std::thread::sleep(pause);
    harness.step();
    assert!(harness.state().is_searching(), "started after the pause");
    assert_eq!(
        found(&harness),
        (2, 3),
        "the old model stays until new results come"
    );
    harness.get_by_label("2:5 let foo = 1; foo");

    wait_for_search(&mut harness);
    assert_eq!(harness.state().search_phase(), SearchPhase::Finished);
    assert_eq!(found(&harness), (1, 1));
    harness.get_by_label("1:8 // foo here");
    assert!(harness.query_by_label("2:5 let foo = 1; foo").is_none());
    assert!(!harness.state().results_outdated());
    // Recorded in the history as it started.
    assert_eq!(harness.state().state().history[0].pattern, "here");
}

#[test]
fn the_list_never_shows_empty_between_two_searches() {
    let tree = tempfile::tempdir().expect("temp dir");
    for f in 0..1500 {
        std::fs::write(
            tree.path().join(format!("f{f:04}.txt")),
            "alpha\nbeta gamma\n",
        )
        .expect("write");
    }
    let mut harness = harness(TrawlApp::new(SavedState {
        extensions: "txt".into(),
        pattern: "alpha".into(),
        search_as_you_type: true,
        ..state_for(tree.path())
    }));
    click_search(&mut harness);
    assert_eq!(found(&harness), (1500, 1500));

    replace_in(&mut harness, "Pattern", "gamma");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut searched = false;
    loop {
        let rows = harness.state().results().map_or(0, |r| r.row_count());
        assert!(
            rows > 0,
            "the list was empty in a frame between the searches"
        );
        searched |= harness.state().is_searching();
        if searched && !harness.state().is_searching() {
            break;
        }
        assert!(Instant::now() < deadline, "the search did not start or end");
        std::thread::sleep(Duration::from_millis(2));
        harness.step();
    }
    wait_for_search(&mut harness);
    assert_eq!(found(&harness), (1500, 1500));
    harness.get_by_label("f0000.txt (1)");
    assert!(
        !harness
            .query_all_by_label("2:6 beta gamma")
            .collect::<Vec<_>>()
            .is_empty()
    );
}

#[test]
fn a_search_that_finds_nothing_replaces_the_old_rows_with_no_matches() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState {
        search_as_you_type: true,
        ..state_for(tree.path())
    }));
    click_search(&mut harness);
    replace_in(&mut harness, "Pattern", "nowhere");
    let_pause_pass(&mut harness);
    wait_for_search(&mut harness);
    assert_eq!(found(&harness), (0, 0));
    harness.get_by_label("No matches.");
}

#[test]
fn typing_never_starts_a_search_on_an_invalid_regex() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState {
        options: SearchOptions {
            regex: true,
            ..window_defaults()
        },
        pattern: String::new(),
        search_as_you_type: true,
        ..state_for(tree.path())
    }));
    harness.run_steps(2);
    type_into(&mut harness, "Pattern", "a(b");
    let_pause_pass(&mut harness);
    harness.run_steps(3);
    assert!(!harness.state().is_searching());
    assert!(harness.state().results().is_none(), "no search started");
    harness.get_by_label_contains("invalid regex");

    // Fixed, it starts by itself.
    type_into(&mut harness, "Pattern", ")");
    let_pause_pass(&mut harness);
    wait_for_search(&mut harness);
    assert!(harness.state().results().is_some());
}

#[test]
fn typing_in_a_folder_of_100k_files_waits_for_enter_and_says_why() {
    let tree = small_tree();
    let root = std::path::absolute(tree.path()).expect("absolute");
    let mut harness = harness(TrawlApp::new(SavedState {
        search_as_you_type: true,
        folder_file_counts: vec![FolderFileCount {
            folder: root.display().to_string(),
            files: 100_000,
        }],
        ..state_for(tree.path())
    }));
    harness.run_steps(2);
    harness.get_by_label_contains("Search as you type is off for this folder (100,000 files");
    type_into(&mut harness, "Pattern", "x");
    let_pause_pass(&mut harness);
    harness.run_steps(2);
    assert!(!harness.state().is_searching());
    assert!(harness.state().results().is_none(), "no search started");

    // Enter still searches, and the folder's new count (2 files) turns it back on.
    harness.state_mut().state_mut().pattern = "foo".into();
    harness.run_steps(2);
    wait_for_checks(&mut harness);
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    assert_eq!(
        harness
            .state()
            .state()
            .file_count(&root.display().to_string()),
        Some(2)
    );
    assert!(
        harness
            .query_by_label_contains("Search as you type is off")
            .is_none()
    );
}

#[test]
fn search_as_you_type_can_be_turned_off() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState {
        search_as_you_type: true,
        pattern: String::new(),
        ..state_for(tree.path())
    }));
    open_options(&mut harness);
    harness.get_by_label("Search as you type").click();
    harness.step();
    assert!(!harness.state().state().search_as_you_type);
    type_into(&mut harness, "Pattern", "foo");
    let_pause_pass(&mut harness);
    assert!(!harness.state().is_searching());
    assert!(harness.state().results().is_none());
}

#[test]
fn ctrl_f_focuses_the_pattern_with_its_text_selected() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    harness.get_by_label("Folder").focus();
    harness.run_steps(2);
    assert!(!harness.get_by_label("Pattern").is_focused());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run_steps(2);
    assert!(harness.get_by_label("Pattern").is_focused());
    // The old text is selected: typing replaces it.
    harness.get_by_label("Pattern").type_text("bar");
    harness.run_steps(2);
    assert_eq!(harness.state().state().pattern, "bar");
    assert_eq!(
        harness.state().state().folder,
        tree.path().display().to_string()
    );
}

#[test]
fn the_theme_follows_the_system_by_default_and_switches() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    harness.run_steps(2);
    assert_eq!(harness.state().state().theme, ThemeChoice::System);
    assert_eq!(
        harness.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::System
    );
    open_options(&mut harness);
    harness.get_by_label("Light").click();
    harness.run_steps(2);
    assert_eq!(harness.ctx.theme(), egui::Theme::Light);
    assert_eq!(harness.state().state().theme, ThemeChoice::Light);
    harness.get_by_label("Dark").click();
    harness.run_steps(2);
    assert_eq!(harness.ctx.theme(), egui::Theme::Dark);
    harness.get_by_label("System").click();
    harness.run_steps(2);
    assert_eq!(
        harness.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::System
    );
}

#[test]
fn options_history_and_theme_survive_a_restart() {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(state_for(tree.path())));
    open_options(&mut harness);
    harness.get_by_label("Hidden files").click();
    harness.step();
    harness.get_by_label("Follow symlinks").click();
    harness.step();
    type_into(&mut harness, "Globs", "!b.rs");
    type_into(&mut harness, "Max file size", "10M");
    type_into(&mut harness, "Threads", "2");
    choose_encoding(&mut harness, "Western (Windows-1252, Latin-1)");
    harness.get_by_label("Light").click();
    harness.step();
    click_search(&mut harness);
    assert_eq!(found(&harness), (2, 3), "a.rs and .hidden/d.rs");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::H);
    harness.run_steps(2);
    harness.get_by_label("Replace").type_text("bar");
    harness.run_steps(2);

    // Every field as this test set it, checked against literals (a struct literal with every
    // field, so a new one must be added here).
    let mut storage = MemoryStorage::default();
    harness.state_mut().save(&mut storage);
    let loaded = SavedState::load(Some(&storage));
    let folder = tree.path().display().to_string();
    let root = std::path::absolute(tree.path())
        .expect("absolute")
        .display()
        .to_string();
    let options = || SearchOptions {
        regex: false,
        case: CaseMode::Insensitive,
        whole_word: false,
        multiline: false,
        hidden: true,
        respect_ignore_files: true,
        follow_symlinks: true,
        binary_as_text: false,
        globs: Globs::Typed("!b.rs".into()),
        max_file_size: "10M".into(),
        threads: "2".into(),
        encoding: TextEncoding::Named(encoding_rs::WINDOWS_1252),
        // The window has no switch for -z yet.
        search_zip: false,
    };
    let expected = SavedState {
        folder: folder.clone(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        options: options(),
        recent_folders: vec![root.clone()],
        sort: trawl::app::SortOrder::Path,
        context_lines: 2,
        options_open: true,
        history: vec![SearchFields {
            folder,
            extensions: "rs".into(),
            pattern: "foo".into(),
            options: options(),
        }],
        search_as_you_type: false,
        folder_file_counts: vec![FolderFileCount {
            folder: root,
            files: 2,
        }],
        theme: ThemeChoice::Light,
        editor_command: String::new(),
        show_preview: true,
        preview_height: 0,
        replacement: "bar".into(),
        // The test typed "bar" into the Replace field, which it opened.
        replace_open: true,
    };
    assert_eq!(loaded, expected);

    // The next run starts in the light theme with the panel as it was left.
    let mut next = self::harness(TrawlApp::new(loaded));
    next.run_steps(2);
    assert_eq!(next.ctx.theme(), egui::Theme::Light);
    assert_eq!(next.get_by_label("Globs").value().as_deref(), Some("!b.rs"));
    // The Replace field, open as it was left, holds what was typed in it.
    assert_eq!(next.get_by_label("Replace").value().as_deref(), Some("bar"));
}

#[test]
fn history_keeps_the_last_50_searches() {
    let tree = small_tree();
    let mut state = state_for(tree.path());
    for i in 0..60 {
        state.pattern = format!("p{i}");
        state.remember_search(None);
    }
    assert_eq!(state.history.len(), MAX_HISTORY);
    assert_eq!(state.history[0].pattern, "p59");
    assert_eq!(state.history[MAX_HISTORY - 1].pattern, "p10");
}
