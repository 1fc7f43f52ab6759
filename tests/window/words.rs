//! What the window says: "1 match", "1 file", "Copied 1 result"; file headers with the bar's
//! thousands separator; every line of a multiline match marked in the preview; the Options
//! button readable in the light theme when it is marked.

use std::time::{Duration, Instant};

use egui::epaint::Shape;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::preview::PreviewState;
use trawl::app::state::window_defaults;
use trawl::app::{SavedState, ThemeChoice, TrawlApp};
use trawl::search::{CaseMode, SearchOptions};

use crate::common::{enter_in, harness, search_state, wait_for_jobs, wait_for_search};

/// A search of `dir` for `pattern` in `.rs` files, started with Enter in the pattern field, then
/// run to its end.
fn searched(
    dir: &std::path::Path,
    pattern: &str,
    edit: impl FnOnce(&mut SavedState),
) -> Harness<'static, TrawlApp> {
    let mut harness = harness(TrawlApp::new(search_state(dir, pattern, edit)));
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    harness
}

#[test]
fn one_match_in_one_file_is_singular_everywhere() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.rs"), "let foo = 1;\n").expect("write");
    let mut harness = searched(dir.path(), "foo", |_| {});
    harness.get_by_label("1 match in 1 file shown");
    harness.get_by_label_contains("1 match in 1 file (1 file searched,");
    harness.get_by_label_contains(" · 1 match · ");
    harness.get_by_label("Copy all").click();
    harness.step();
    assert_eq!(wait_for_jobs(&mut harness).len(), 1);
    harness.step();
    harness.get_by_label_contains("Copied 1 result");
    assert!(harness.query_by_label_contains("Copied all").is_none());
}

#[test]
fn file_headers_count_with_thousands_separators() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("big.rs"), "foo\n".repeat(1234)).expect("write");
    let harness = searched(dir.path(), "foo", |_| {});
    harness.get_by_label("big.rs (1,234)");
    harness.get_by_label("1,234 matches in 1 file shown");
}

#[test]
fn the_preview_marks_every_line_of_a_multiline_match() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.rs"), "fn foo(\n    bar: u8,\n) {}\n").expect("write");
    let mut harness = searched(dir.path(), r"foo\(\n\s*bar", |state| {
        state.options.regex = true;
        state.options.multiline = true;
        state.options.case = CaseMode::Sensitive;
        state.context_lines = 0;
    });
    harness
        .get_by_label("1:4 fn foo( (continues on the next lines)")
        .click();
    let deadline = Instant::now() + Duration::from_secs(20);
    let lines = loop {
        harness.step();
        if let PreviewState::Ready(content) = harness.state().preview_state() {
            break content.lines.clone();
        }
        assert!(Instant::now() < deadline, "the preview did not load");
        std::thread::sleep(Duration::from_millis(2));
    };
    let marked: Vec<(u64, &str)> = lines
        .iter()
        .filter_map(|line| Some((line.number, line.text.get(line.highlight.clone()?)?)))
        .collect();
    assert_eq!(marked, [(1, "foo("), (2, "    bar")], "{lines:?}");
}

/// WCAG's contrast ratio of two colours.
fn contrast(a: egui::Color32, b: egui::Color32) -> f32 {
    let luminance = |c: egui::Color32| {
        let channel = |v: u8| {
            let v = f32::from(v) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The colour the last frame painted the text `text` in.
fn text_color(harness: &Harness<'_, TrawlApp>, text: &str) -> egui::Color32 {
    harness
        .output()
        .shapes
        .iter()
        .find_map(|clipped| match &clipped.shape {
            Shape::Text(shape) if shape.galley.text() == text => Some(
                shape
                    .override_text_color
                    .or_else(|| shape.galley.job.sections.first().map(|s| s.format.color))
                    .unwrap_or(shape.fallback_color),
            ),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no text {text:?} painted"))
}

#[test]
fn the_marked_options_button_is_readable_in_both_themes() {
    for theme in [ThemeChoice::Light, ThemeChoice::Dark] {
        let mut harness = harness(TrawlApp::new(SavedState {
            theme,
            options: SearchOptions {
                hidden: true,
                ..window_defaults()
            },
            ..SavedState::default()
        }));
        harness.run_steps(3);
        let ctx = harness.ctx.clone();
        let visuals = ctx.global_style().visuals.clone();
        // Closed: on the button's own fill; open: on the selection's.
        let closed = text_color(&harness, "Options");
        harness.get_by_label("Options").click();
        harness.run_steps(2);
        let open = text_color(&harness, "Options");
        for (color, background, what) in [
            (closed, visuals.widgets.inactive.weak_bg_fill, "closed"),
            (open, visuals.selection.bg_fill, "open"),
        ] {
            let ratio = contrast(color, background);
            assert!(
                ratio >= 4.5,
                "{theme:?}, {what}: {color:?} on {background:?} has contrast {ratio:.2}"
            );
        }
        assert_ne!(
            closed,
            visuals.text_color(),
            "{theme:?}: the button is marked"
        );
    }
}
