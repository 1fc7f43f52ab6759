//! The windows over the app: Esc closes the export form, the editor settings and the folder
//! chooser, the topmost first (and cancels a search only when none is open); in the built-in
//! chooser a click selects a folder and "Choose this folder" chooses it (the folder shown when
//! nothing is selected).

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{SavedState, TrawlApp};

use crate::common::{absolute, enter_in, harness, small_tree, wait_for_folder, wait_for_search};

fn app(folder: &std::path::Path) -> TrawlApp {
    let mut app = TrawlApp::new(SavedState {
        folder: absolute(folder).display().to_string(),
        extensions: "rs".into(),
        pattern: "foo".into(),
        search_as_you_type: false,
        ..SavedState::default()
    });
    // Browse… and Export… open the window's own chooser and form at once.
    app.set_native_dialogs(false);
    app
}

fn esc(harness: &mut Harness<'_, TrawlApp>) {
    harness.key_press(Key::Escape);
    harness.run_steps(3);
}

fn open(harness: &Harness<'_, TrawlApp>, title: &str) -> bool {
    harness.query_by_label(title).is_some()
}

#[test]
fn esc_closes_each_window_and_the_topmost_first() {
    let tree = small_tree();
    let mut harness = harness(app(tree.path()));
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);

    // Each on its own.
    harness.get_by_label("Editor…").click();
    harness.run_steps(2);
    assert!(open(&harness, "Editor settings"));
    esc(&mut harness);
    assert!(!open(&harness, "Editor settings"));

    harness.get_by_label("Export…").click();
    harness.run_steps(2);
    assert!(harness.state().export_form_open());
    esc(&mut harness);
    assert!(!harness.state().export_form_open());

    harness.get_by_label("Browse…").click();
    harness.run_steps(2);
    assert!(open(&harness, "Choose a folder"));
    esc(&mut harness);
    assert!(!open(&harness, "Choose a folder"));

    // Stacked: the last opened goes first.
    harness.get_by_label("Browse…").click();
    harness.run_steps(2);
    harness.get_by_label("Editor…").click();
    harness.run_steps(2);
    assert!(open(&harness, "Choose a folder") && open(&harness, "Editor settings"));
    esc(&mut harness);
    assert!(open(&harness, "Choose a folder"));
    assert!(!open(&harness, "Editor settings"));
    esc(&mut harness);
    assert!(!open(&harness, "Choose a folder"));
    assert!(
        harness
            .state()
            .results()
            .is_some_and(|r| r.match_count() == 3),
        "Esc with nothing open leaves the results"
    );
}

#[test]
fn a_click_selects_a_folder_and_choose_takes_the_selection() {
    let tree = tempfile::tempdir().expect("temp dir");
    for name in ["alpha", "beta"] {
        std::fs::create_dir(tree.path().join(name)).expect("mkdir");
    }
    let root = absolute(tree.path());
    let mut harness = harness(app(&root));
    harness.get_by_label("Browse…").click();
    harness.run_steps(2);
    wait_for_folder(&mut harness);
    harness.get_by_label("beta/").click();
    harness.run_steps(2);
    harness.get_by_label_contains(&format!("Chooses {}", root.join("beta").display()));
    harness.get_by_label("Choose this folder").click();
    harness.run_steps(2);
    assert_eq!(
        harness.state().state().folder,
        root.join("beta").display().to_string()
    );
    assert!(!open(&harness, "Choose a folder"));

    // Nothing selected: the folder shown. (The chooser opens at the field's folder, beta.)
    harness.get_by_label("Browse…").click();
    harness.run_steps(2);
    harness.get_by_label("Up").click();
    harness.run_steps(2);
    harness.get_by_label("Choose this folder").click();
    harness.run_steps(2);
    assert_eq!(harness.state().state().folder, root.display().to_string());
}

/// The chooser lists a folder with a job, never in a frame (a folder of 100,000 entries or a
/// slow network mount would stall the window): the frame that opens a folder leaves it being
/// read, every frame until the answer says "Reading…", and then its subfolders show, only
/// those in view laid out.
#[test]
fn the_chooser_reads_a_folder_off_the_ui_thread() {
    let tree = tempfile::tempdir().expect("temp dir");
    let many = tree.path().join("many");
    for i in 0..2000 {
        std::fs::create_dir_all(many.join(format!("d{i:04}"))).expect("mkdir");
    }
    std::fs::write(many.join("a file.rs"), "").expect("write");
    let root = absolute(tree.path());
    // 60 frames a second: two clicks in one frame are a double click.
    let mut harness = Harness::builder()
        .with_size([1200.0, 800.0])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| app(&root));
    harness.get_by_label("Browse…").click();
    harness.run_steps(2);
    wait_for_folder(&mut harness);
    // Half a second on: the clicks below are not taken with Browse…'s as a triple click.
    harness.run_steps(30);
    let row = harness.get_by_label("many/");
    row.click();
    row.click();
    harness.step();
    assert!(
        harness.state().is_reading_folder(),
        "the frame that opened the folder did not read it"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        harness.step();
        if !harness.state().is_reading_folder() {
            break;
        }
        // This frame found no answer yet, and says so.
        harness.get_by_label("Reading…");
        assert!(harness.query_by_label("d0000/").is_none());
        assert!(
            std::time::Instant::now() < deadline,
            "the folder was not read"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    harness.step();
    assert!(harness.query_by_label("Reading…").is_none());
    harness.get_by_label("d0000/");
    harness.get_by_label("d0001/");
    assert!(
        harness.query_by_label("d1999/").is_none(),
        "a row out of view was laid out"
    );
    assert!(
        harness.query_by_label("a file.rs/").is_none(),
        "files are not listed"
    );
}
