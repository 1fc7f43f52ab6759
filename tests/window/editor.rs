//! Opening a match in the editor and previewing it, driven through the real `eframe::App` with
//! egui_kittest (the harness helpers are those of common.rs).
//!
//! The editor command in these tests is a small `sh` script that writes its arguments, one a
//! line, to a file: what arrives there is exactly the argument list the editor would get.

use std::time::{Duration, Instant};

use crate::common::{search_to_end, type_into};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::preview::PreviewState;
use trawl::app::state::window_defaults;
use trawl::app::{SavedState, TrawlApp};
use trawl::search::{SearchOptions, TextEncoding};
// For the tests that record the editor's arguments through `sh` alone (Unix).
#[cfg(unix)]
use {
    crate::common::absolute,
    std::path::{Path, PathBuf},
    trawl::app::RowRef,
};

/// As `crate::common::harness`, but with 60 frames a second instead of kittest's 4: two clicks
/// (hover, press and release each, a frame apiece) then fall within egui's double-click delay.
fn harness(app: TrawlApp) -> Harness<'static, TrawlApp> {
    Harness::builder()
        .with_size([1200.0, 800.0])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| app)
}

/// Steps frames until the preview has loaded (or failed).
fn wait_for_preview(harness: &mut Harness<'_, TrawlApp>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        harness.step();
        if !matches!(
            harness.state().preview_state(),
            PreviewState::Loading | PreviewState::Empty
        ) {
            break;
        }
        assert!(Instant::now() < deadline, "the preview did not load");
        std::thread::sleep(Duration::from_millis(2));
    }
    // The panel may grow to fit the new lines: let the layout settle before anything is
    // clicked by its position.
    harness.run_steps(4);
}

/// Double-clicks the row labelled `label`. Half a second of frames first, so that the clicks
/// before it (Search, a row) do not make it count as a triple click.
fn double_click(harness: &mut Harness<'_, TrawlApp>, label: &str) {
    harness.run_steps(30);
    let row = harness.get_by_label(label);
    row.click();
    row.click();
    harness.run_steps(2);
}

/// A name with a space, a `;`, a command substitution and quotes: it must reach the editor as
/// one argument, and nothing in it may run.
#[cfg(not(windows))]
const HOSTILE_NAME: &str = "we ird;$(touch pwned) 'q\".rs";
/// Windows forbids `"` in a file name; `&` and `%…%` are what its shell would act on.
#[cfg(windows)]
const HOSTILE_NAME: &str = "we ird;$(touch pwned) 'q&%PATH%.rs";

/// A tree with `HOSTILE_NAME` and `b.rs`, both matching `foo`.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join(HOSTILE_NAME),
        "fn main() {}\nlet foo = 1; foo\n// end\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("b.rs"),
        "line one\nline two\n// foo here\nline four\nline five\nline six\n",
    )
    .expect("write");
    dir
}

/// A command template that writes its arguments, one a line, to `out`.
#[cfg(unix)]
pub fn recording_command(out: &Path) -> String {
    let out = out.to_str().expect("a UTF-8 temp path");
    assert!(!out.contains('\''), "the temp path needs no quoting");
    format!("sh -c 'printf \"%s\\n\" \"$@\" > \"$0\"' '{out}' {{path}} {{line}} {{column}}")
}

/// A window that searched [`tree`] for `foo`, its editor command recording into `out`.
#[cfg(unix)]
struct Recording {
    tree: tempfile::TempDir,
    out_dir: tempfile::TempDir,
    out: PathBuf,
    harness: Harness<'static, TrawlApp>,
}

#[cfg(unix)]
fn recording_search() -> Recording {
    let tree = tree();
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = out_dir.path().join("args");
    let mut harness = harness(TrawlApp::new(SavedState {
        editor_command: recording_command(&out),
        ..SavedState::default()
    }));
    search_to_end(&mut harness, tree.path(), "rs", "foo");
    Recording {
        tree,
        out_dir,
        out,
        harness,
    }
}

/// The arguments the command wrote, once it has written all three.
#[cfg(unix)]
pub fn recorded(out: &Path) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(out).unwrap_or_default();
        if text.lines().count() >= 3 {
            return text.lines().map(str::to_string).collect();
        }
        assert!(
            Instant::now() < deadline,
            "the editor command did not run: {text:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
#[test]
fn double_click_on_a_match_opens_the_editor_with_exact_arguments() {
    let Recording {
        tree,
        out_dir,
        out,
        mut harness,
    } = recording_search();

    double_click(&mut harness, "2:5 let foo = 1; foo");
    let path = absolute(&tree.path().join(HOSTILE_NAME));
    assert_eq!(
        recorded(&out),
        [path.to_str().expect("UTF-8"), "2", "5"],
        "the name is one argument, exactly"
    );
    assert!(!tree.path().join("pwned").exists());
    assert!(!out_dir.path().join("pwned").exists());
    assert!(harness.state().editor_error().is_none());
    harness.get_by_label_contains("Opening ");
}

/// Enter on a header folds it (and again unfolds it) and starts nothing; on a match it opens
/// the editor. Starting the editor is synchronous and shows "Opening …" in the same frame, so
/// that no such notice after Enter on the header shows nothing was started.
#[cfg(unix)]
#[test]
fn enter_on_a_selected_match_opens_the_editor_and_on_a_header_folds_it() {
    let Recording {
        tree,
        // Kept to the end: the recorded file lives in it.
        out_dir: _out_dir,
        out,
        mut harness,
    } = recording_search();

    // Select the match, then move up to b.rs's header.
    harness.get_by_label("3:4 // foo here").click();
    harness.step();
    harness.key_press(egui::Key::ArrowUp);
    harness.step();
    let Some(RowRef::File(file)) = harness.state().selected() else {
        panic!("the header is selected: {:?}", harness.state().selected());
    };
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    let results = harness.state().results().expect("results");
    assert!(results.file(file).expect("file").collapsed);
    assert!(
        harness.query_by_label_contains("Opening ").is_none(),
        "Enter on a header started the editor"
    );
    assert!(harness.state().editor_error().is_none());
    assert!(!out.exists(), "Enter on a header opens nothing");

    // Unfolded again, down to the match: Enter opens it.
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    let results = harness.state().results().expect("results");
    assert!(!results.file(file).expect("file").collapsed);
    harness.key_press(egui::Key::ArrowDown);
    harness.step();
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    harness.get_by_label_contains("Opening ");
    let b = absolute(&tree.path().join("b.rs"));
    assert_eq!(recorded(&out), [b.to_str().expect("UTF-8"), "3", "4"]);
}

#[cfg(unix)]
#[test]
fn the_context_menu_opens_the_editor() {
    let Recording {
        tree,
        // Kept to the end: the recorded file lives in it.
        out_dir: _out_dir,
        out,
        mut harness,
    } = recording_search();
    harness
        .get_by_label("2:14 let foo = 1; foo")
        .click_secondary();
    harness.run_steps(2);
    harness.get_by_label("Open in editor").click();
    harness.run_steps(2);
    let path = absolute(&tree.path().join(HOSTILE_NAME));
    assert_eq!(recorded(&out), [path.to_str().expect("UTF-8"), "2", "14"]);
}

#[test]
fn a_missing_editor_program_says_so() {
    let tree = tree();
    let mut harness = harness(TrawlApp::new(SavedState {
        editor_command: "trawl-no-such-editor-4d2 {path}".into(),
        ..SavedState::default()
    }));
    search_to_end(&mut harness, tree.path(), "rs", "foo");
    double_click(&mut harness, "3:4 // foo here");
    // The system's own words for a missing program (error 2 is ENOENT on Unix and
    // ERROR_FILE_NOT_FOUND on Windows): "No such file or directory" on Linux.
    let missing = trawl::search::without_os_error(&std::io::Error::from_raw_os_error(2));
    #[cfg(target_os = "linux")]
    assert_eq!(missing, "No such file or directory");
    harness.get_by_label_contains(&format!(
        "Could not start `trawl-no-such-editor-4d2`: {missing}. Set the editor command"
    ));
    assert!(harness.state().editor_error().is_some());
}

#[test]
fn the_preview_shows_context_lines_with_numbers_and_follows_the_selection() {
    let tree = tree();
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search_to_end(&mut harness, tree.path(), "rs", "foo");
    harness.get_by_label("Select a match to see it in its file.");

    harness.get_by_label("3:4 // foo here").click();
    wait_for_preview(&mut harness);
    for line in [
        "1  line one",
        "2  line two",
        "3  // foo here",
        "4  line four",
        "5  line five",
    ] {
        harness.get_by_label(line);
    }
    assert!(harness.query_by_label("6  line six").is_none());
    let PreviewState::Ready(content) = harness.state().preview_state() else {
        panic!("loaded");
    };
    let target = content
        .lines
        .iter()
        .find(|l| l.number == 3)
        .expect("line 3");
    assert_eq!(target.highlight, Some(3..6));

    // Fewer context lines.
    harness.state_mut().state_mut().context_lines = 1;
    wait_for_preview(&mut harness);
    assert!(harness.query_by_label("1  line one").is_none());
    harness.get_by_label("4  line four");

    // Another match: its file's lines.
    harness.get_by_label("2:5 let foo = 1; foo").click();
    wait_for_preview(&mut harness);
    harness.get_by_label("1  fn main() {}");
    harness.get_by_label("3  // end");

    // Hidden, and shown again.
    harness.get_by_label("Preview").click();
    harness.run_steps(2);
    assert!(!harness.state().state().show_preview);
    assert!(harness.query_by_label("1  fn main() {}").is_none());
    harness.get_by_label("Preview").click();
    wait_for_preview(&mut harness);
    harness.get_by_label("1  fn main() {}");
}

#[test]
fn the_preview_decodes_utf16_and_highlights_after_invalid_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("zero\n日本 foo\n".encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.path().join("wide.txt"), utf16).expect("write");
    std::fs::write(dir.path().join("stray.txt"), b"a\xff\xfe\xe6\x97 foo\n").expect("write");
    // egui's bundled fonts have no U+FFFD or CJK: the window draws boxes, where kittest
    // would panic by default. UTF-8 only: the stray bytes stay invalid UTF-8 (auto-detect
    // would decode them from a legacy encoding).
    let state = SavedState {
        options: SearchOptions {
            encoding: TextEncoding::Utf8,
            ..window_defaults()
        },
        ..SavedState::default()
    };
    let mut harness = Harness::builder()
        .with_size([1200.0, 800.0])
        .with_step_dt(1.0 / 60.0)
        .allow_missing_glyphs()
        .build_eframe(|_cc| TrawlApp::new(state));
    search_to_end(&mut harness, dir.path(), "txt", "foo");
    for (row, line) in [
        ("2:4 日本 foo", "日本 foo"),
        (
            "1:7 a\u{fffd}\u{fffd}\u{fffd} foo",
            "a\u{fffd}\u{fffd}\u{fffd} foo",
        ),
    ] {
        harness.get_by_label(row).click();
        wait_for_preview(&mut harness);
        let PreviewState::Ready(content) = harness.state().preview_state() else {
            panic!("loaded: {:?}", harness.state().preview_state());
        };
        let shown = content
            .lines
            .iter()
            .find(|l| l.highlight.is_some())
            .expect("the match's line");
        assert_eq!(shown.text, line);
        assert_eq!(shown.highlight.clone().map(|h| &shown.text[h]), Some("foo"));
    }
}

#[test]
fn the_preview_says_when_the_file_is_gone() {
    let tree = tree();
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    search_to_end(&mut harness, tree.path(), "rs", "foo");
    std::fs::remove_file(tree.path().join("b.rs")).expect("remove");
    harness.get_by_label("3:4 // foo here").click();
    wait_for_preview(&mut harness);
    harness.get_by_label_contains("b.rs: the file is gone (deleted or moved since the search)");
}

#[test]
fn the_editor_command_is_set_in_its_window_and_reset_to_the_default() {
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    harness.get_by_label("Editor…").click();
    harness.run_steps(2);
    type_into(&mut harness, "Editor command", "code -g '{path}");
    harness.run_steps(2);
    harness.get_by_label_contains("unclosed quote");
    type_into(&mut harness, "Editor command", "'");
    harness.run_steps(2);
    assert_eq!(
        harness.state().state().editor_command,
        "code -g '{path}'",
        "kept in the saved state"
    );
    harness.get_by_label("Starts `code`");
    harness.get_by_label("Reset to default").click();
    harness.run_steps(2);
    assert_eq!(harness.state().state().editor_command, "");
}
