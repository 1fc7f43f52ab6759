//! An idle window draws nothing: after each menu has been used (a row's, a file header's, Recent,
//! History, Sort by), once its notice has gone, the window asks for no further frame.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{SavedState, TrawlApp};

use crate::common::{enter_in, repaint_delay, small_tree, wait_for_jobs, wait_for_search};

/// Kittest's harness at 60 frames a second (its default of 4 makes a frame 250 ms long).
fn harness(app: TrawlApp) -> Harness<'static, TrawlApp> {
    Harness::builder()
        .with_size([1200.0, 800.0])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| app)
}

/// Moves the pointer off the window, then runs frames until the window stops asking for
/// immediate ones and any notice has gone; fails if it still asks for a frame within 1 s.
fn assert_idle(harness: &mut Harness<'_, TrawlApp>, after: &str) {
    harness.event(egui::Event::PointerGone);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        harness.step();
        match repaint_delay(harness) {
            None => return,
            Some(delay) if delay > Duration::from_secs(1) => {
                // A notice's timer: wait it out, then look again.
                if delay > Duration::from_secs(10) {
                    return;
                }
                std::thread::sleep(delay);
            }
            Some(delay) => {
                assert!(
                    Instant::now() < deadline,
                    "after {after}: the idle window still asks for a frame after {delay:?}"
                );
                std::thread::sleep(delay.max(Duration::from_millis(5)));
            }
        }
    }
}

fn searched() -> (tempfile::TempDir, Harness<'static, TrawlApp>) {
    let tree = small_tree();
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: tree.path().display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        // An editor command that starts and ends at once.
        editor_command: "true {path}".into(),
        ..SavedState::default()
    }));
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    assert_idle(&mut harness, "the search");
    (tree, harness)
}

#[test]
fn an_idle_window_asks_for_no_frames_after_each_row_menu_item() {
    let (_tree, mut harness) = searched();
    for item in [
        "Copy path:line:column",
        "Copy line text",
        "Copy file path",
        "Copy all results",
        "Open in editor",
    ] {
        harness.get_by_label("1:4 // foo here").click_secondary();
        harness.run_steps(3);
        harness.get_by_label(item).click();
        harness.run_steps(3);
        assert_idle(&mut harness, item);
    }
    // A menu opened and closed without choosing (Esc, or a click elsewhere).
    harness.get_by_label("1:4 // foo here").click_secondary();
    harness.run_steps(3);
    harness.key_press(egui::Key::Escape);
    harness.run_steps(3);
    assert_idle(&mut harness, "a row menu closed with Esc");
    harness.get_by_label("1:4 // foo here").click_secondary();
    harness.run_steps(3);
    harness.get_by_label("Sort by").hover();
    harness.event(egui::Event::PointerButton {
        pos: harness.get_by_label("Sort by").rect().center(),
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    harness.event(egui::Event::PointerButton {
        pos: harness.get_by_label("Sort by").rect().center(),
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    harness.run_steps(3);
    assert_idle(&mut harness, "a row menu closed by a click elsewhere");
}

#[test]
fn an_idle_window_asks_for_no_frames_after_the_header_and_bar_menus() {
    let (_tree, mut harness) = searched();
    for item in ["Copy file path", "Copy all results", "Collapse", "Expand"] {
        harness.get_by_label("b.rs (1)").click_secondary();
        harness.run_steps(3);
        harness.get_by_label(item).click();
        harness.run_steps(3);
        assert_idle(&mut harness, item);
    }
    harness.get_by_label("Recent").click();
    harness.run_steps(3);
    harness.key_press(egui::Key::Escape);
    harness.run_steps(3);
    assert_idle(&mut harness, "Recent");
    harness.get_by_label("History").click();
    harness.run_steps(3);
    harness.key_press(egui::Key::Escape);
    harness.run_steps(3);
    assert_idle(&mut harness, "History");
    harness.get_by_label("Sort by").click();
    harness.run_steps(3);
    harness.get_by_label("Match count").click();
    harness.run_steps(3);
    wait_for_jobs(&mut harness);
    assert_idle(&mut harness, "Sort by");
}
