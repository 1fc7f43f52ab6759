//! What README.md's Window section promises and no other module checks, one test each, on the
//! real `eframe::App` driven by egui_kittest: the built-in folder chooser, `~` as home, Expand
//! and Collapse all, sorting by order found, the progress bar's text, Page Up/Down/Home/End,
//! "Copy file path", the Options button's highlight, the folder field never starting a search,
//! dimmed old rows, Export with folded files, the 500-column cut, Enter in the Folder and
//! Extensions fields, and the window's defaults being the command line's. The window size
//! being remembered needs a real window: the ignored test at the end runs the binary under
//! Xvfb (`.ci/run` runs it where Xvfb and xdotool are installed).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::{
    absolute, copied, enter_in, harness, more_files_than_the_event_queue, replace_in, search,
    small_tree, wait_for_checks, wait_for_folder, wait_for_jobs, wait_for_search,
    wait_until_held_on_a_full_queue,
};
use egui::epaint::{Color32, Shape};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{ExportFormat, ResultsModel, RowRef, SavedState, SortOrder, TrawlApp};
use trawl::search::{FileResult, MatchLine, MatchLines, Occurrence, SearchEvent, Summary};

/// A window whose fields hold `folder`, `.rs` and `foo`, search as you type off.
fn window_on(folder: &Path) -> Harness<'static, TrawlApp> {
    harness(TrawlApp::new(SavedState {
        folder: folder.display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        search_as_you_type: false,
        ..SavedState::default()
    }))
}

/// The file headers of the list, top to bottom.
fn headers(harness: &Harness<'_, TrawlApp>) -> Vec<String> {
    let results = harness.state().results().expect("results");
    (0..results.row_count())
        .filter_map(|row| match results.row(row) {
            Some(RowRef::File(file)) => results.file(file).map(|f| f.display.to_string()),
            _ => None,
        })
        .collect()
}

/// The row (in the list's rows) of the selected item.
fn selected_row(harness: &Harness<'_, TrawlApp>) -> usize {
    let results = harness.state().results().expect("results");
    let selected = harness.state().selected().expect("a selection");
    results.row_of(selected).expect("the selection is a row")
}

/// The colours every text shape showing exactly `text` was drawn with in the last frame, as
/// the tessellator will draw them: per vertex (the placeholder standing for the shape's
/// fallback colour), an override colour replacing all, the shape's opacity applied.
fn drawn_colors(harness: &mut Harness<'_, TrawlApp>, text: &str) -> Vec<Color32> {
    // The pointer leaves the window first: a hovered widget is drawn in another colour.
    harness.event(egui::Event::PointerGone);
    harness.run_steps(2);
    fn visit(shape: &Shape, text: &str, out: &mut Vec<Color32>) {
        match shape {
            Shape::Vec(shapes) => shapes.iter().for_each(|s| visit(s, text, out)),
            Shape::Text(shown) if shown.galley.job.text == text => {
                for row in &shown.galley.rows {
                    for vertex in &row.row.visuals.mesh.vertices {
                        let color = match shown.override_text_color {
                            Some(color) => color,
                            None if vertex.color == Color32::PLACEHOLDER => shown.fallback_color,
                            None => vertex.color,
                        };
                        out.push(color.gamma_multiply(shown.opacity_factor));
                    }
                }
            }
            _ => {}
        }
    }
    let mut colors = Vec::new();
    for clipped in &harness.output().shapes {
        visit(&clipped.shape, text, &mut colors);
    }
    assert!(!colors.is_empty(), "no text {text:?} was drawn");
    colors
}

/// How far from the panel's background `text` was drawn: the largest difference in relative
/// luminance between a glyph's colour laid over the background and the background itself.
/// Lower is fainter, whether faded by opacity or drawn in a weaker colour.
fn contrast(harness: &mut Harness<'_, TrawlApp>, text: &str) -> f32 {
    let background = harness.ctx.global_style().visuals.panel_fill;
    let luminance = |c: [f32; 3]| 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    let linear = |c: Color32| {
        let [r, g, b, a] = c.to_array().map(|v| f32::from(v) / 255.0);
        ([r, g, b], a)
    };
    let (bg, _) = linear(background);
    drawn_colors(harness, text)
        .into_iter()
        .map(|color| {
            // Premultiplied: over the background, a colour adds itself to what its alpha
            // leaves of the background.
            let (fg, alpha) = linear(color);
            let over = [0, 1, 2].map(|i| fg[i] + bg[i] * (1.0 - alpha));
            (luminance(over) - luminance(bg)).abs()
        })
        .fold(0.0, f32::max)
}

/// A harness at 60 frames a second: two clicks queued together then fall within egui's
/// double-click delay (as in editor.rs).
fn fast_harness(app: TrawlApp) -> Harness<'static, TrawlApp> {
    Harness::builder()
        .with_size([1200.0, 800.0])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| app)
}

// ---- Folder ----

/// README: Browse… opens the system's folder dialog, and where none can open, trawl's own
/// chooser (tests turn the system's dialogs off, as a machine without a portal has none).
/// Double-clicking a folder opens it; "Choose this folder" puts the folder shown into the
/// field.
#[test]
fn browse_opens_the_built_in_chooser_and_choosing_fills_the_folder_field() {
    let tree = small_tree();
    std::fs::create_dir(tree.path().join("src/inner")).expect("mkdir");
    let mut app = TrawlApp::new(SavedState {
        folder: tree.path().display().to_string(),
        ..SavedState::default()
    });
    app.set_native_dialogs(false);
    let mut harness = fast_harness(app);
    harness.run_steps(2);
    harness.get_by_label("Browse…").click();
    harness.run_steps(2);
    harness.get_by_label("Choose a folder");
    // It starts in the folder of the field, listing its subfolders.
    harness.get_by_label(&tree.path().display().to_string());
    wait_for_folder(&mut harness);
    harness.run_steps(30);
    let src = harness.get_by_label("src/");
    src.click();
    src.click();
    harness.run_steps(2);
    harness.get_by_label(&tree.path().join("src").display().to_string());
    wait_for_folder(&mut harness);
    harness.get_by_label("inner/");
    harness.run_steps(30);
    harness.get_by_label("Choose this folder").click();
    harness.run_steps(2);
    assert_eq!(
        harness.state().state().folder,
        tree.path().join("src").display().to_string()
    );
    assert_eq!(
        harness.get_by_label("Folder").value(),
        Some(tree.path().join("src").display().to_string())
    );
    assert!(
        harness.query_by_label("Choose this folder").is_none(),
        "the chooser closed"
    );
}

/// README: `~` is your home folder. A folder made in the real home folder is searched as
/// `~/NAME`, and the copied locations carry the home folder's absolute path.
#[test]
fn a_tilde_in_the_folder_field_is_the_home_folder() {
    let home = PathBuf::from(std::env::var_os("HOME").expect("HOME is set"));
    let dir = tempfile::Builder::new()
        .prefix(".trawl-test-home-")
        .tempdir_in(&home)
        .expect("a folder in the home folder");
    std::fs::write(dir.path().join("a.rs"), "let foo = 1;\n").expect("write");
    let name = dir
        .path()
        .file_name()
        .expect("a name")
        .to_string_lossy()
        .into_owned();
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: format!("~/{name}"),
        extensions: "rs".into(),
        pattern: "foo".into(),
        search_as_you_type: false,
        ..SavedState::default()
    }));
    harness.run_steps(2);
    wait_for_checks(&mut harness);
    assert!(
        harness.query_by_label_contains("no such folder").is_none(),
        "~ was not expanded"
    );
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(&mut harness);
    let results = harness.state().results().expect("results");
    assert_eq!(results.match_count(), 1);
    assert_eq!(results.root(), absolute(&home.join(&name)));
    harness.get_by_label("1:5 let foo = 1;").click();
    harness.step();
    harness.event(egui::Event::Copy);
    harness.step();
    assert_eq!(
        copied(&harness),
        vec![format!(
            "{}:1:5",
            absolute(&home.join(&name)).join("a.rs").display()
        )]
    );
    // Also alone.
    harness.state_mut().state_mut().folder = "~".into();
    assert_eq!(harness.state().state().root(), Some(absolute(&home)));
}

/// README: Enter in any field starts the search: the Folder and Extensions fields too.
#[test]
fn enter_in_the_folder_or_the_extensions_field_starts_the_search() {
    for field in ["Folder", "Extensions"] {
        let tree = small_tree();
        let mut harness = window_on(tree.path());
        harness.run_steps(2);
        wait_for_checks(&mut harness);
        assert!(harness.state().results().is_none());
        enter_in(&mut harness, field);
        wait_for_search(&mut harness);
        assert_eq!(
            harness.state().results().map(|r| r.match_count()),
            Some(3),
            "{field}"
        );
    }
}

/// README: editing the folder field never starts a search by itself, while search as you type
/// starts one after a change of the extensions (or the pattern, a toggle, an option).
#[test]
fn editing_the_folder_never_starts_a_search() {
    let tree = small_tree();
    let other = small_tree();
    let mut app = TrawlApp::new(SavedState {
        folder: tree.path().display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        search_as_you_type: true,
        ..SavedState::default()
    });
    app.set_typing_pause(Duration::from_millis(50));
    let mut harness = harness(app);
    harness.run_steps(2);
    replace_in(&mut harness, "Folder", &other.path().display().to_string());
    assert!(
        !harness.state().typing_search_pending(),
        "a change of the folder scheduled a search"
    );
    std::thread::sleep(Duration::from_millis(200));
    harness.run_steps(3);
    assert!(!harness.state().is_searching());
    assert!(harness.state().results().is_none(), "no search started");

    // The same edit in the extensions field schedules one (which may have started already).
    replace_in(&mut harness, "Extensions", "rs, txt");
    assert!(
        harness.state().typing_search_pending()
            || harness.state().is_searching()
            || harness.state().results().is_some(),
        "a change of the extensions scheduled no search"
    );
    std::thread::sleep(Duration::from_millis(200));
    harness.step();
    wait_for_search(&mut harness);
    assert_eq!(harness.state().results().map(|r| r.match_count()), Some(6));
}

/// The window's defaults are the command line's for `trawl DIR EXT PATTERN` with no flags, as
/// the parser gives them, except where README says the window differs: match case and regex
/// are toggles that start off (VS Code's defaults), lines are cut at 500 characters, and the
/// window's searches read modification times (to sort by them) and run as background work.
#[test]
fn the_window_s_defaults_are_the_command_line_s_without_flags() {
    use clap::Parser;
    use trawl::search::{CaseMode, SearchOptions};
    let tree = small_tree();
    let window = SavedState {
        folder: tree.path().display().to_string(),
        pattern: "foo".into(),
        ..SavedState::default()
    }
    .request()
    .expect("valid");
    let root = tree.path().display().to_string();
    let cli = trawl::cli::args::Args::try_parse_from(["trawl", root.as_str(), "*", "foo"])
        .expect("the arguments parse")
        .into_config()
        .expect("valid")
        .request;
    assert_eq!(window.root, absolute(&cli.root));
    assert_eq!(window.pattern, cli.pattern);
    assert_eq!(window.extensions, cli.extensions, "every file");
    // Where the window differs, and how; every other option as the command line's, and the
    // globs given no way (a field's text, no -g) resolve alike.
    assert_eq!(
        (window.options.case, cli.options.case),
        (CaseMode::Insensitive, CaseMode::Sensitive)
    );
    assert_eq!((window.options.regex, cli.options.regex), (false, true));
    assert_eq!(
        (window.options.encoding, cli.options.encoding),
        (
            trawl::search::TextEncoding::Auto,
            trawl::search::TextEncoding::Utf8
        )
    );
    assert_eq!(
        window.options.resolve().expect("valid"),
        cli.options.resolve().expect("valid")
    );
    assert_eq!(
        SearchOptions {
            case: cli.options.case,
            regex: cli.options.regex,
            globs: cli.options.globs.clone(),
            encoding: cli.options.encoding,
            ..window.options.clone()
        },
        cli.options
    );
    assert_eq!((window.max_columns, cli.max_columns), (Some(500), None));
    assert_eq!((window.modified_times, cli.modified_times), (true, false));
    assert_eq!((window.background, cli.background), (true, false));
}

// ---- Progress and results ----

/// README: while it runs, the bar shows files searched of files found (the walk may still be
/// finding more), matches, bytes, time and rate; at the end, all files of all found.
#[test]
fn the_progress_bar_shows_files_matches_bytes_time_and_rate() {
    const FILES: usize = 5000;
    let tree = more_files_than_the_event_queue(FILES);
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search(&mut harness, tree.path(), "txt", "needle");
    wait_until_held_on_a_full_queue(&harness, FILES);
    // The bar shows the counters of the frame before.
    harness.run_steps(2);
    let running = regex::Regex::new(
        r"^[\d,]+ of [\d,]+(\+ files \(still finding files\)| files) · [\d,]+ matches · \d+\.\d MB · \d+\.\d\d s · \d+\.\d MB/s$",
    )
    .expect("regex");
    let bar = progress_text(&harness);
    assert!(running.is_match(&bar), "{bar:?}");
    wait_for_search(&mut harness);
    let bar = progress_text(&harness);
    assert!(
        bar.starts_with("5,000 of 5,000 files · 5,000 matches · 0.1 MB · "),
        "{bar:?}"
    );
    assert!(running.is_match(&bar), "{bar:?}");
}

/// The progress bar's text, found by its role.
fn progress_text(harness: &Harness<'_, TrawlApp>) -> String {
    use egui_kittest::kittest::NodeT as _;
    harness
        .get_by_role(egui::accesskit::Role::ProgressIndicator)
        .accesskit_node()
        .label()
        .expect("the bar has a text")
}

/// README: Expand all / Collapse all fold or unfold every file.
#[test]
fn expand_all_and_collapse_all_fold_every_file() {
    let tree = small_tree();
    let mut harness = window_on(tree.path());
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(&mut harness);
    let rows = |h: &Harness<'_, TrawlApp>| h.state().results().expect("results").row_count();
    assert_eq!(rows(&harness), 5, "two headers and three matches");
    harness.get_by_label("Collapse all").click();
    harness.run_steps(2);
    wait_for_jobs(&mut harness);
    assert_eq!(rows(&harness), 2, "the headers only");
    assert!(harness.query_by_label("1:4 // foo here").is_none());
    harness.get_by_label("Expand all").click();
    harness.run_steps(2);
    wait_for_jobs(&mut harness);
    assert_eq!(rows(&harness), 5);
    harness.get_by_label("1:4 // foo here");
    harness.get_by_label("2:14 let foo = 1; foo");
}

/// One file of `matches` one-match lines.
fn one_line_file(path: &str, matches: u64) -> FileResult {
    let mut lines = MatchLines::new();
    for n in 1..=matches {
        lines.push(MatchLine {
            line_number: n,
            text: "foo",
            occurrences: &[Occurrence {
                column: 1,
                byte_offset: Some((n - 1) * 4),
                length: 3,
                highlight: 0..3,
            }],
            spans_lines: false,
            cut: None,
        });
    }
    FileResult {
        modified: None,
        path: PathBuf::from(path),
        lines,
        encoding: None,
        binary: false,
    }
}

/// README: sort by path, match count, last modified or order found. The files arrive in an
/// order that is none of the others.
#[test]
fn sort_by_order_found_lists_files_as_they_arrived() {
    let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
    for (path, matches) in [("/r/m.rs", 1), ("/r/z.rs", 2), ("/r/a.rs", 3)] {
        model.push_file(one_line_file(path, matches));
    }
    model.push_event(SearchEvent::Finished(Summary {
        files_searched: 3,
        files_matched: 3,
        matches: 6,
        bytes_searched: 100,
        errors: 0,
        elapsed: Duration::from_millis(5),
        cancelled: false,
    }));
    let mut app = TrawlApp::new(SavedState::default());
    app.set_results(model);
    let mut harness = harness(app);
    harness.run_steps(2);
    assert_eq!(headers(&harness), ["a.rs", "m.rs", "z.rs"]);
    harness.get_by_label("Sort by").click();
    harness.run_steps(2);
    harness.get_by_label("Order found").click();
    harness.run_steps(2);
    wait_for_jobs(&mut harness);
    assert_eq!(harness.state().state().sort, SortOrder::Found);
    assert_eq!(headers(&harness), ["m.rs", "z.rs", "a.rs"]);
}

/// README: arrow keys, Page Up/Down, Home/End move the selection (and the list follows it).
#[test]
fn page_up_page_down_home_and_end_move_the_selection() {
    let tree = tempfile::tempdir().expect("temp dir");
    let body: String = (1..=300).map(|i| format!("foo {i}\n")).collect();
    std::fs::write(tree.path().join("many.rs"), body).expect("write");
    let mut harness = window_on(tree.path());
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(&mut harness);
    let rows = harness.state().results().expect("results").row_count();
    assert_eq!(rows, 301);
    harness.get_by_label("1:1 foo 1").click();
    harness.step();
    assert_eq!(selected_row(&harness), 1);

    harness.key_press(egui::Key::PageDown);
    harness.run_steps(2);
    let page = selected_row(&harness) - 1;
    assert!(page > 5 && page < 100, "a page is the rows in view: {page}");
    harness.key_press(egui::Key::PageDown);
    harness.run_steps(2);
    assert_eq!(selected_row(&harness), 1 + 2 * page);
    harness.key_press(egui::Key::PageUp);
    harness.run_steps(2);
    assert_eq!(selected_row(&harness), 1 + page);

    harness.key_press(egui::Key::End);
    harness.run_steps(2);
    assert_eq!(selected_row(&harness), rows - 1);
    // Scrolled into view: the last row is laid out (only rows in view are).
    harness.get_by_label("300:1 foo 300");
    harness.key_press(egui::Key::Home);
    harness.run_steps(2);
    assert_eq!(selected_row(&harness), 0);
    harness.get_by_label("many.rs (300)");
    assert!(harness.query_by_label("300:1 foo 300").is_none());
}

/// README: the right-click menu copies the file's path (of a match's file, or of a header's).
#[test]
fn copy_file_path_copies_the_absolute_path_of_the_file() {
    let tree = small_tree();
    let mut harness = window_on(tree.path());
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(&mut harness);
    let a = absolute(&tree.path().join("src").join("a.rs"));
    harness
        .get_by_label("2:14 let foo = 1; foo")
        .click_secondary();
    harness.run_steps(2);
    harness.get_by_label("Copy file path").click();
    harness.step();
    assert_eq!(copied(&harness), vec![a.display().to_string()]);

    harness.run_steps(2);
    harness.get_by_label("b.rs (1)").click_secondary();
    harness.run_steps(2);
    harness.get_by_label("Copy file path").click();
    harness.step();
    assert_eq!(
        copied(&harness),
        vec![absolute(&tree.path().join("b.rs")).display().to_string()]
    );
}

/// README: lines longer than 500 characters are cut around the match, marked `…`; a line of
/// 500 is shown whole. Line, column and the highlighted match are the line's.
#[test]
fn lines_over_500_characters_are_cut_around_the_match() {
    let tree = tempfile::tempdir().expect("temp dir");
    let long = format!("{}foo{}", "a".repeat(1000), "b".repeat(1000));
    let exact = format!("{}foo", "x".repeat(497));
    std::fs::write(tree.path().join("l.rs"), format!("{long}\n{exact}\n")).expect("write");
    let mut harness = window_on(tree.path());
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(&mut harness);
    let results = harness.state().results().expect("results");
    let cut = results.occurrence(0).expect("the long line's match");
    assert_eq!((cut.line_number, cut.column), (1, 1001));
    assert!(cut.text.chars().count() <= 500, "{}", cut.text.len());
    assert!(cut.text.chars().count() > 400, "{}", cut.text.len());
    assert_eq!(&cut.text[cut.highlight.clone()], "foo");
    assert!(cut.ellipsis_before && cut.ellipsis_after);
    assert!(long.contains(cut.text), "a part of the line");
    let whole = results
        .occurrence(1)
        .expect("the 500-character line's match");
    assert_eq!((whole.line_number, whole.column), (2, 498));
    assert_eq!(whole.text, exact);
    assert!(!whole.ellipsis_before && !whole.ellipsis_after);
    // The row shows the cut text, marked.
    let row = format!("1:1001 {}", cut.text);
    harness.get_by_label(&row);
}

/// README: Export… saves every match, folded files included, in the list's order (here by
/// match count), as `--json`'s objects (spelled out here).
#[test]
fn export_includes_folded_files_in_the_list_s_order() {
    let tree = small_tree();
    let root = absolute(tree.path());
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("found.jsonl");
    let mut app = TrawlApp::new(SavedState {
        folder: root.display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        search_as_you_type: false,
        sort: SortOrder::Matches,
        ..SavedState::default()
    });
    app.set_native_dialogs(false);
    let mut harness = harness(app);
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(&mut harness);
    let a = format!("src{}a.rs", std::path::MAIN_SEPARATOR);
    assert_eq!(headers(&harness), [a.as_str(), "b.rs"]);
    harness.get_by_label(&format!("{a} (2)")).click();
    harness.run_steps(2);
    assert!(
        harness.query_by_label("2:5 let foo = 1; foo").is_none(),
        "folded"
    );

    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .export_to(&ctx, target.clone(), ExportFormat::JsonLines)
        .expect("export starts");
    while harness.state().is_exporting() {
        harness.step();
        std::thread::sleep(Duration::from_millis(1));
    }
    let written = std::fs::read_to_string(&target).expect("the export");
    let r = root.display();
    let expected = format!(
        r#"{{"type":"match","path":"{r}/src/a.rs","line":2,"column":5,"byte_offset":17,"length":3,"text":"let foo = 1; foo"}}
{{"type":"match","path":"{r}/src/a.rs","line":2,"column":14,"byte_offset":26,"length":3,"text":"let foo = 1; foo"}}
{{"type":"match","path":"{r}/b.rs","line":1,"column":4,"byte_offset":3,"length":3,"text":"// foo here"}}
{{"type":"summary","files_searched":2,"files_matched":2,"matches":3,"bytes_searched":42,"errors":0,"elapsed_ms":0}}
"#
    );
    assert_eq!(crate::export::without_elapsed(&written), expected);
}

// ---- Looks ----

/// README: the Options button turns orange while any option is set (so a hidden option never
/// surprises). Checked as drawn: its text's colour differs from the unset one, panel open or
/// closed, and comes back when the option is unset.
#[test]
fn the_options_button_is_marked_while_an_option_is_set() {
    let tree = small_tree();
    let mut harness = window_on(tree.path());
    harness.run_steps(2);
    let closed_unset = drawn_colors(&mut harness, "Options");
    harness.get_by_label("Options").click();
    harness.run_steps(2);
    let open_unset = drawn_colors(&mut harness, "Options");
    harness.get_by_label("Hidden files").click();
    harness.run_steps(2);
    assert!(harness.state().state().options.hidden);
    assert_ne!(
        drawn_colors(&mut harness, "Options"),
        open_unset,
        "panel open"
    );
    harness.get_by_label("Options").click();
    harness.run_steps(2);
    assert_ne!(
        drawn_colors(&mut harness, "Options"),
        closed_unset,
        "panel closed"
    );
    harness.state_mut().state_mut().options.hidden = false;
    *harness.state_mut().state_mut().options.globs.typed_mut() = "*.rs".into();
    harness.run_steps(2);
    assert_ne!(
        drawn_colors(&mut harness, "Options"),
        closed_unset,
        "a glob"
    );
    harness
        .state_mut()
        .state_mut()
        .options
        .globs
        .typed_mut()
        .clear();
    harness.run_steps(2);
    assert_eq!(
        drawn_colors(&mut harness, "Options"),
        closed_unset,
        "none set"
    );
}

/// README: the previous results stay on screen, dimmed, until the new search finds something.
/// Checked as drawn: a row's text is fainter against the background while its results are
/// older than the fields, and as before once the new search has shown its own.
#[test]
fn old_rows_are_dimmed_until_the_new_search_shows_its_own() {
    let tree = small_tree();
    let mut app = TrawlApp::new(SavedState {
        folder: tree.path().display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        search_as_you_type: true,
        ..SavedState::default()
    });
    // Long enough that no busy machine runs past it while the test looks.
    app.set_typing_pause(Duration::from_secs(3));
    let mut harness = harness(app);
    harness.get_by_label("Search").click();
    harness.step();
    wait_for_search(&mut harness);
    let row = "let foo = 1; foo";
    let fresh = contrast(&mut harness, row);
    assert!(fresh > 0.2, "{fresh}");

    // The same search in other words: same rows, but older than the fields until it runs.
    replace_in(&mut harness, "Pattern", "FOO");
    harness.run_steps(2);
    assert!(harness.state().results_outdated());
    let dimmed = contrast(&mut harness, row);
    assert!(dimmed < fresh * 0.8, "dimmed {dimmed} vs {fresh}");

    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    assert!(!harness.state().results_outdated());
    assert_eq!(harness.state().results().map(|r| r.match_count()), Some(3));
    assert_eq!(contrast(&mut harness, row), fresh);
}

// ---- A real window ----

/// README: `trawl DIR` opens the window with DIR filled in, and the window size is remembered
/// between runs. Runs the binary under Xvfb (a virtual X server), resizes its window with
/// xdotool, closes it with Ctrl+Q (which saves, as the close button does), and opens it again.
#[test]
#[ignore = "needs Xvfb and xdotool (apt-get install xvfb xdotool); .ci/run runs it when they are installed"]
fn a_real_window_opens_on_the_folder_given_and_remembers_its_size() {
    let display = RealDisplay::start();
    let tree = small_tree();
    let data = tempfile::tempdir().expect("temp dir");
    let folder = absolute(tree.path());

    let mut first = display.open_trawl(data.path(), Some(&folder));
    let window = display.wait_for_window(&mut first, data.path());
    display.xdotool(&["windowsize", &window, "900", "620"]);
    display.wait_for_size(&window, (900, 620));
    display.close_with_ctrl_q(&window, first);

    let saved = std::fs::read_to_string(data.path().join("trawl").join("app.ron"))
        .expect("the window saved its state on close");
    assert!(
        saved.contains(&folder.display().to_string()),
        "the folder given is in the saved state: {saved}"
    );

    let mut second = display.open_trawl(data.path(), None);
    let window = display.wait_for_window(&mut second, data.path());
    display.wait_for_size(&window, (900, 620));
    display.close_with_ctrl_q(&window, second);
}

/// Where [`RealDisplay::open_trawl`] keeps what trawl writes to standard error.
const STDERR_FILE: &str = "trawl-stderr.txt";

/// An Xvfb server on a free display number (Xvfb picks it), ended when dropped.
struct RealDisplay {
    server: std::process::Child,
    display: String,
}

impl RealDisplay {
    fn start() -> Self {
        use std::io::BufRead;
        // `-displayfd 1`: Xvfb takes the first free display and writes its number to its
        // standard output once it accepts clients.
        let mut server = std::process::Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("Xvfb starts (apt-get install xvfb)");
        let mut number = String::new();
        std::io::BufReader::new(server.stdout.take().expect("Xvfb's output"))
            .read_line(&mut number)
            .expect("Xvfb says its display");
        assert!(
            !number.trim().is_empty(),
            "Xvfb did not start: {:?}",
            server.try_wait()
        );
        RealDisplay {
            server,
            display: format!(":{}", number.trim()),
        }
    }

    fn wait_for(&self, limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
        let deadline = std::time::Instant::now() + limit;
        while !done() {
            assert!(std::time::Instant::now() < deadline, "waited for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn xdotool_output(&self, args: &[&str]) -> Option<String> {
        let output = std::process::Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .expect("xdotool runs (apt-get install xdotool)");
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    fn xdotool(&self, args: &[&str]) {
        assert!(self.xdotool_output(args).is_some(), "xdotool {args:?}");
    }

    /// Starts the window (`trawl`, or `trawl DIR`), its state kept in `data`, its standard
    /// error in `data`'s [`STDERR_FILE`] (a window that never shows says why there).
    fn open_trawl(&self, data: &Path, folder: Option<&Path>) -> std::process::Child {
        let stderr = std::fs::File::create(data.join(STDERR_FILE)).expect("a file for stderr");
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trawl"));
        command
            .args(folder)
            .env("DISPLAY", &self.display)
            .env_remove("WAYLAND_DISPLAY")
            .env("XDG_DATA_HOME", data)
            .env("XDG_CONFIG_HOME", data)
            .stdout(std::process::Stdio::null())
            .stderr(stderr);
        command.spawn().expect("trawl starts")
    }

    /// The id of `trawl`'s window, once it is mapped; fails at once, with what trawl wrote to
    /// standard error, if it exits first.
    fn wait_for_window(&self, trawl: &mut std::process::Child, data: &Path) -> String {
        let said = || std::fs::read_to_string(data.join(STDERR_FILE)).unwrap_or_default();
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        loop {
            let id = self
                .xdotool_output(&["search", "--onlyvisible", "--name", "^trawl$"])
                .and_then(|ids| ids.lines().next().map(str::to_string));
            if let Some(id) = id {
                return id;
            }
            if let Some(status) = trawl.try_wait().expect("wait for trawl") {
                panic!(
                    "trawl exited ({status}) before its window showed on {}; stderr:\n{}",
                    self.display,
                    said()
                );
            }
            assert!(
                std::time::Instant::now() < deadline,
                "waited for trawl's window on {}; stderr so far:\n{}",
                self.display,
                said()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for_size(&self, window: &str, size: (u32, u32)) {
        self.wait_for(Duration::from_secs(30), "the window's size", || {
            self.xdotool_output(&["getwindowgeometry", window])
                .is_some_and(|geometry| geometry.contains(&format!("{}x{}", size.0, size.1)))
        });
    }

    /// Presses Ctrl+Q in the window and waits for trawl to exit, successfully.
    fn close_with_ctrl_q(&self, window: &str, mut trawl: std::process::Child) {
        self.xdotool(&["windowfocus", "--sync", window]);
        self.xdotool(&["key", "--window", window, "ctrl+q"]);
        let mut status = None;
        self.wait_for(Duration::from_secs(30), "trawl to close", || {
            status = trawl.try_wait().expect("wait for trawl");
            status.is_some()
        });
        assert!(status.is_some_and(|s| s.success()), "{status:?}");
    }
}

impl Drop for RealDisplay {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
