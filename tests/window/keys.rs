//! Keys typed fast arrive several in one frame: each still lands in the field that has the focus
//! when it is typed (before Ctrl+F in its field, after it in the pattern; before Esc in the
//! window it closes). And the state is saved a moment after each change, not only on exit.

use std::time::Duration;

use eframe::App as _;
use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{SAVE_AFTER, SavedState, TrawlApp};

use crate::common::{MemoryStorage, harness, settle};

/// A key press (and its release) as egui-winit sends it.
fn key(key: Key, modifiers: Modifiers) -> [Event; 2] {
    [true, false].map(|pressed| Event::Key {
        key,
        physical_key: None,
        pressed,
        repeat: false,
        modifiers,
    })
}

/// A frame with `events` all in it (kittest's `event` gives each its own), the input passed
/// through the app's `raw_input_hook` first as eframe does (kittest does not call it).
fn frame_with(harness: &mut Harness<'_, TrawlApp>, events: Vec<Event>) {
    let ctx = harness.ctx.clone();
    let mut input = std::mem::take(harness.input_mut());
    input.events.extend(events);
    harness.state_mut().raw_input_hook(&ctx, &mut input);
    *harness.input_mut() = input;
    harness.step();
}

/// `events` all in one frame, then a few frames to take in what the app held back.
fn one_frame(harness: &mut Harness<'_, TrawlApp>, events: Vec<Event>) {
    frame_with(harness, events);
    for _ in 0..4 {
        frame_with(harness, Vec::new());
    }
}

#[test]
fn keys_typed_around_ctrl_f_in_one_frame_land_before_and_after_it() {
    let mut harness = harness(TrawlApp::new(SavedState {
        folder: "/tmp/".into(),
        pattern: "old".into(),
        ..SavedState::default()
    }));
    settle(&mut harness);
    harness.get_by_label("Folder").focus();
    harness.step();
    harness.key_press(Key::End);
    harness.step();
    let mut events = vec![Event::Text("ab".into())];
    events.extend(key(Key::F, Modifiers::COMMAND));
    events.push(Event::Text("new".into()));
    one_frame(&mut harness, events);
    let state = harness.state().state();
    assert_eq!(state.folder, "/tmp/ab", "typed before Ctrl+F: the folder's");
    assert_eq!(
        state.pattern, "new",
        "typed after Ctrl+F: replaces the pattern"
    );
}

#[test]
fn keys_typed_right_after_a_click_reach_the_clicked_field() {
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    settle(&mut harness);
    let at = harness.get_by_label("Extensions").rect().center();
    let click = |pressed| Event::PointerButton {
        pos: at,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: Modifiers::NONE,
    };
    one_frame(
        &mut harness,
        vec![
            Event::PointerMoved(at),
            click(true),
            click(false),
            Event::Text("html".into()),
        ],
    );
    assert_eq!(harness.state().state().extensions, "html");
}

#[test]
fn keys_typed_just_before_esc_closes_a_window_reach_its_field() {
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    settle(&mut harness);
    harness.get_by_label("Editor…").click();
    harness.run_steps(2);
    harness.get_by_label("Editor command").focus();
    harness.step();
    harness
        .get_by_label("Editor command")
        .type_text("ed +{line} {colu");
    harness.step();
    let mut events = vec![Event::Text("mn}".into())];
    events.extend(key(Key::Escape, Modifiers::NONE));
    one_frame(&mut harness, events);
    assert_eq!(
        harness.state().state().editor_command,
        "ed +{line} {column}"
    );
    assert!(
        harness.query_by_label("Editor settings").is_none(),
        "Esc closed the window"
    );
}

#[test]
fn the_state_is_saved_a_moment_after_a_change() {
    let mut harness = harness(TrawlApp::new(SavedState::default()));
    settle(&mut harness);
    let mut storage = MemoryStorage::default();
    assert!(!harness.state().unsaved_changes());
    harness.get_by_label("Pattern").focus();
    harness.step();
    harness.get_by_label("Pattern").type_text("edited");
    harness.run_steps(2);
    assert!(harness.state().unsaved_changes());
    assert!(
        !harness.state_mut().save_if_due(&mut storage),
        "not on every key"
    );
    std::thread::sleep(SAVE_AFTER + Duration::from_millis(100));
    assert!(harness.state_mut().save_if_due(&mut storage));
    assert_eq!(SavedState::load(Some(&storage)).pattern, "edited");
    assert!(!harness.state().unsaved_changes());
    // And then the window rests.
    harness.run_steps(2);
    let delay = crate::common::repaint_delay(&harness);
    assert!(
        delay.is_none_or(|d| d > Duration::from_secs(1)),
        "an idle window asks for a frame after {delay:?}"
    );
}
