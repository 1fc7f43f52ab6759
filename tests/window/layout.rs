//! The layout in a small window: at 700 × 500 every control of the search bar is inside the
//! window, the toolbar's groups do not overlap (Filter, the counts, the export's progress), the
//! progress bar keeps its width with Options open, and a window smaller than the minimum asks
//! to grow back.

use std::time::{Duration, Instant};

use egui::Rect;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use trawl::app::{MIN_WINDOW_SIZE, SavedState, TrawlApp};

use crate::common::{enter_in, wait_for_jobs, wait_for_search};

fn harness_at(size: [f32; 2], app: TrawlApp) -> Harness<'static, TrawlApp> {
    Harness::builder()
        .with_size(size)
        .build_eframe(move |_cc| app)
}

/// A tree with enough matches for the counts to be long.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..12 {
        std::fs::write(
            dir.path().join(format!("file{i}.rs")),
            "let foo = 1;\n".repeat(1200),
        )
        .expect("write");
    }
    dir
}

fn searched_at(
    size: [f32; 2],
    dir: &std::path::Path,
    options_open: bool,
) -> Harness<'static, TrawlApp> {
    let mut app = TrawlApp::new(SavedState {
        folder: dir.display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        search_as_you_type: false,
        options_open,
        ..SavedState::default()
    });
    app.set_native_dialogs(false);
    let mut harness = harness_at(size, app);
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    harness.run_steps(3);
    harness
}

fn rect(harness: &Harness<'_, TrawlApp>, label: &str) -> Rect {
    harness.get_by_label(label).rect()
}

fn assert_inside(harness: &Harness<'_, TrawlApp>, size: [f32; 2], label: &str) {
    let window = Rect::from_min_size(egui::Pos2::ZERO, size.into());
    let r = rect(harness, label);
    assert!(
        window.contains_rect(r) && r.width() > 10.0,
        "{label} at {r:?} is not inside the {size:?} window"
    );
}

fn assert_apart(a: Rect, b: Rect, what: &str) {
    assert!(!a.intersects(b.shrink(0.5)), "{what}: {a:?} overlaps {b:?}");
}

#[test]
fn at_700_by_500_search_cancel_and_options_are_in_the_window() {
    let dir = tree();
    for options_open in [false, true] {
        let size = [700.0, 500.0];
        let harness = searched_at(size, dir.path(), options_open);
        for label in [
            "Folder",
            "Browse…",
            "Recent",
            "Extensions",
            "Pattern",
            "History",
            "Search",
            "Cancel",
            "Options",
            "Filter",
            "Copy all",
            "Export…",
            "Preview",
        ] {
            assert_inside(&harness, size, label);
        }
        assert_apart(
            rect(&harness, "Search"),
            rect(&harness, "Cancel"),
            "buttons",
        );
        assert_apart(
            rect(&harness, "Cancel"),
            rect(&harness, "Options"),
            "buttons",
        );
        let counts = harness
            .get_by_label_contains("matches in 12 files shown")
            .rect();
        assert_apart(rect(&harness, "Filter"), counts, "Filter and the counts");
        assert_apart(
            rect(&harness, "Export…"),
            rect(&harness, "Filter"),
            "Export and Filter",
        );
        // The progress bar keeps the window's width, Options open or not.
        let bar = harness.get_by_label_contains("of 12 files").rect();
        assert!(bar.width() > 600.0, "the progress bar is {bar:?}");
        if options_open {
            for label in ["Globs", "Max file size", "Threads", "Theme", "Dark"] {
                assert_inside(&harness, size, label);
            }
            // In the options and in the preview's bar.
            let window = Rect::from_min_size(egui::Pos2::ZERO, size.into());
            for node in harness.query_all_by_label("Context lines") {
                assert!(
                    window.contains_rect(node.rect()),
                    "Context lines at {:?}",
                    node.rect()
                );
            }
        }
    }
}

#[test]
fn at_each_size_the_toolbar_groups_do_not_overlap() {
    let dir = tree();
    for size in [[700.0, 500.0], [1000.0, 700.0], [1920.0, 1080.0]] {
        let mut harness = searched_at(size, dir.path(), false);
        harness.get_by_label("Filter").focus();
        harness.step();
        harness.get_by_label("Filter").type_text("file1");
        harness.run_steps(3);
        wait_for_jobs(&mut harness);
        let counts = harness.get_by_label_contains("files shown").rect();
        for label in [
            "Filter",
            "Clear",
            "Copy all and Export take these",
            "Export…",
        ] {
            assert_inside(&harness, size, label);
            assert_apart(rect(&harness, label), counts, label);
        }
        assert_apart(
            rect(&harness, "Export…"),
            rect(&harness, "Filter"),
            "Export and Filter",
        );
    }
}

/// A finished search's model of `files` files with `per_file` matches each.
fn big_model(root: &std::path::Path, files: usize, per_file: usize) -> trawl::app::ResultsModel {
    crate::generated::model(
        root,
        files,
        "foo",
        |f| root.join(format!("file{f}.rs")),
        |_| vec!["let foo = foo + 1; // foo".to_string(); per_file / 3],
    )
}

#[test]
fn a_running_export_s_bar_does_not_overlap_the_filter_at_1000() {
    let dir = tree();
    let out = tempfile::tempdir().expect("temp dir");
    let size = [1000.0, 700.0];
    let mut harness = searched_at(size, dir.path(), false);
    // Many matches: the export runs for a few frames.
    let model = big_model(dir.path(), 400, 600);
    harness.state_mut().set_results(model);
    harness.run_steps(2);
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .export_to(
            &ctx,
            out.path().join("x.jsonl"),
            trawl::app::ExportFormat::JsonLines,
        )
        .expect("export starts");
    harness.step();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut checked = false;
    while harness.state().is_exporting() {
        assert!(Instant::now() < deadline);
        if let Some(bar) = harness.query_by_label_contains("Exporting…") {
            let bar = bar.rect();
            assert_apart(bar, rect(&harness, "Filter"), "the export's bar and Filter");
            assert_apart(
                rect(&harness, "Cancel export"),
                rect(&harness, "Filter"),
                "Cancel export and Filter",
            );
            assert_inside(&harness, size, "Cancel export");
            checked = true;
        }
        harness.step();
    }
    assert!(checked, "the export's bar was seen");
}

#[test]
fn a_window_smaller_than_the_minimum_asks_to_grow_back() {
    let mut harness = harness_at([300.0, 200.0], TrawlApp::new(SavedState::default()));
    harness.run_steps(3);
    let size = harness.ctx.content_rect().size();
    assert!(
        size.x >= MIN_WINDOW_SIZE[0] && size.y >= MIN_WINDOW_SIZE[1],
        "the window stayed {size:?}"
    );
    const { assert!(MIN_WINDOW_SIZE[0] <= 700.0 && MIN_WINDOW_SIZE[1] <= 500.0) };
}

/// The pattern's row (the field, History, the toggles Aa, ab, .* and ⇄, then Search, Cancel
/// and Options where they share it) at the window's minimum width, at the narrowest width
/// with one row, and at 1280: every control whole, in the window, none over another.
#[test]
fn the_pattern_row_s_tools_fit_at_the_minimum_width_and_at_1280() {
    let dir = tree();
    for width in [MIN_WINDOW_SIZE[0], 1000.0, 1280.0] {
        let size = [width, 700.0];
        let harness = searched_at(size, dir.path(), false);
        let field = harness
            .query_all_by_label("Pattern")
            .find(|node| node.accesskit_node().role() == egui::accesskit::Role::TextInput)
            .expect("the pattern field")
            .rect();
        let window = Rect::from_min_size(egui::Pos2::ZERO, size.into());
        assert!(window.contains_rect(field), "at {width}: field {field:?}");
        let mut row = vec![("the pattern field", field)];
        for label in [
            "History", "Aa", "ab", ".*", "⇄", "Search", "Cancel", "Options",
        ] {
            assert_inside(&harness, size, label);
            row.push((label, rect(&harness, label)));
        }
        for (i, (a, ra)) in row.iter().enumerate() {
            for (b, rb) in &row[i + 1..] {
                assert_apart(*ra, *rb, &format!("at {width}: {a} and {b}"));
            }
        }
    }
}
