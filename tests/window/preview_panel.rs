//! The preview panel: its height is the person's and is remembered, and the match's line stays
//! in view at any number of context lines, after the panel changes height too.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::preview::PreviewState;
use trawl::app::{SavedState, TrawlApp};

use crate::common::{enter_in, wait_for_search};

const HEIGHT: f32 = 800.0;

fn harness(app: TrawlApp) -> Harness<'static, TrawlApp> {
    Harness::builder()
        .with_size([1100.0, HEIGHT])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| app)
}

/// A file whose line 40 holds the match, among 80 numbered lines.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let text: String = (1..=80)
        .map(|n| {
            if n == 40 {
                "let needle = 40;\n".to_string()
            } else {
                format!("line {n}\n")
            }
        })
        .collect();
    std::fs::write(dir.path().join("a.rs"), text).expect("write");
    dir
}

fn searched(
    dir: &std::path::Path,
    edit: impl FnOnce(&mut SavedState),
) -> Harness<'static, TrawlApp> {
    let mut state = SavedState {
        folder: dir.display().to_string(),
        extensions: "rs".into(),
        pattern: "needle".into(),
        search_as_you_type: false,
        ..SavedState::default()
    };
    edit(&mut state);
    let mut harness = harness(TrawlApp::new(state));
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    harness.get_by_label("40:5 let needle = 40;").click();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !matches!(harness.state().preview_state(), PreviewState::Ready(_)) {
        assert!(Instant::now() < deadline, "the preview did not load");
        harness.step();
        std::thread::sleep(Duration::from_millis(2));
    }
    harness.run_steps(4);
    harness
}

/// The preview panel's height: from its bar's top to the window's bottom, less the status line.
fn panel_top(harness: &Harness<'_, TrawlApp>) -> f32 {
    harness.get_by_label("Preview").rect().top()
}

/// Whether the match's line is drawn whole inside the preview panel.
fn match_line_in_view(harness: &Harness<'_, TrawlApp>) -> bool {
    let line = harness.get_by_label("40  let needle = 40;").rect();
    let status_top = harness
        .get_by_label_contains("1 match in 1 file (")
        .rect()
        .top();
    line.top() >= panel_top(harness) && line.bottom() <= status_top
}

#[test]
fn the_match_line_stays_in_view_at_ten_context_lines() {
    let dir = tree();
    let mut harness = searched(dir.path(), |state| state.context_lines = 10);
    assert!(match_line_in_view(&harness), "at 10 context lines");
    // Smaller and larger panels keep it in view.
    for height in [120.0, 420.0, 200.0] {
        // Drag the panel's top edge to that height above the status line.
        let top = panel_top(&harness) - 4.0;
        let target = HEIGHT - 30.0 - height;
        harness.drag_at(egui::pos2(500.0, top));
        harness.run_steps(2);
        harness.hover_at(egui::pos2(500.0, target));
        harness.run_steps(2);
        harness.drop_at(egui::pos2(500.0, target));
        harness.run_steps(4);
        assert!(match_line_in_view(&harness), "after a drag to {height}");
    }
}

#[test]
fn a_dragged_height_is_remembered() {
    let dir = tree();
    let mut harness = searched(dir.path(), |_| {});
    let before = panel_top(&harness);
    let top = before - 4.0;
    harness.drag_at(egui::pos2(500.0, top));
    harness.run_steps(2);
    harness.hover_at(egui::pos2(500.0, top - 150.0));
    harness.run_steps(2);
    harness.drop_at(egui::pos2(500.0, top - 150.0));
    harness.run_steps(4);
    let after = panel_top(&harness);
    assert!(
        after < before - 100.0,
        "the panel grew: {before} -> {after}"
    );
    let remembered = harness.state().state().preview_height;
    assert!(remembered > 250, "remembered {remembered}");

    // A new window with that state has that height.
    let state = harness.state().state().clone();
    let restored = searched(dir.path(), |s| *s = state.clone());
    let top = panel_top(&restored);
    assert!(
        (top - after).abs() < 3.0,
        "restored with its top at {top}, was {after}"
    );
    // Clicking a row does not change what is remembered.
    assert_eq!(restored.state().state().preview_height, remembered);
}

#[test]
fn selecting_another_match_keeps_the_panel_s_height() {
    let dir = tree();
    std::fs::write(dir.path().join("b.rs"), "x\nneedle again\n").expect("write");
    let mut harness = searched(dir.path(), |_| {});
    let top = panel_top(&harness) - 4.0;
    harness.drag_at(egui::pos2(500.0, top));
    harness.run_steps(2);
    harness.hover_at(egui::pos2(500.0, top - 150.0));
    harness.run_steps(2);
    harness.drop_at(egui::pos2(500.0, top - 150.0));
    harness.run_steps(4);
    let dragged = panel_top(&harness);
    // The other match: its lines load ("Loading…" meanwhile), the panel stays as it was.
    harness.get_by_label("2:1 needle again").click();
    harness.step();
    harness.run_steps(6);
    assert!(
        (panel_top(&harness) - dragged).abs() < 2.0,
        "the panel moved from {dragged} to {}",
        panel_top(&harness)
    );
}
