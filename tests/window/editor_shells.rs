//! An editor template that hands a script to a shell (`sh -c '… {path} …'`) would let a file
//! name run commands: the window refuses it, says why, offers the safe form (the values as the
//! script's arguments), and a file named `semi;$(touch x).rs` never runs `touch`. The editor
//! window's "Could not start" error goes once the command is edited.

#![cfg(unix)]

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{SavedState, TrawlApp};

use crate::common::{replace_in, search_to_end};

/// 60 frames a second, so that two clicks make a double click.
fn harness(app: TrawlApp) -> Harness<'static, TrawlApp> {
    Harness::builder()
        .with_size([1200.0, 800.0])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| app)
}

fn double_click(harness: &mut Harness<'_, TrawlApp>, label: &str) {
    harness.run_steps(30);
    let row = harness.get_by_label(label);
    row.click();
    row.click();
    harness.run_steps(2);
}

/// The file whose name a shell would run.
const NAME: &str = "semi;$(touch x).rs";

/// What the log holds once the command wrote `lines` lines (or after 10 s).
fn log_lines(log: &Path, lines: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.lines().count() >= lines || Instant::now() > deadline {
            return text.lines().map(str::to_string).collect();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_shell_script_template_is_refused_and_its_safe_form_runs_no_file_name() {
    let tree = tempfile::tempdir().expect("temp dir");
    std::fs::write(tree.path().join(NAME), "let foo = 1;\n").expect("write");
    let out = tempfile::tempdir().expect("temp dir");
    let log = out.path().join("log");
    let log_text = log.to_str().expect("UTF-8 temp path");
    assert!(!log_text.contains(['\'', '"', ' ', '$']));
    // The template: the file name inside the script sh runs.
    let template = format!("sh -c 'echo {{path}} {{line}} {{column}} >> {log_text}'");
    let mut harness = harness(TrawlApp::new(SavedState {
        editor_command: template,
        ..SavedState::default()
    }));
    search_to_end(&mut harness, tree.path(), "rs", "foo");
    // Run from the searched folder: a `touch x` that ran would land there or in the cwd.
    double_click(&mut harness, "1:5 let foo = 1;");
    let error = harness.state().editor_error().expect("refused").to_string();
    assert!(
        error.contains("is inside the script `sh -c` runs"),
        "{error}"
    );
    assert!(
        error.contains(&format!(
            "use sh -c 'echo \"$1\" \"$2\" \"$3\" >> {log_text}' sh {{path}} {{line}} {{column}}"
        )),
        "{error}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(!log.exists(), "nothing ran");

    // The Editor window says so too, and offers the safe form.
    harness.get_by_label("Editor…").click();
    harness.run_steps(2);
    harness.get_by_label_contains("Cannot be used: {path} is inside the script");
    harness.get_by_label("Use the safe form").click();
    harness.run_steps(2);
    assert!(harness.state().state().editor_command.contains("\"$1\""));
    assert_eq!(
        harness.state().editor_error(),
        None,
        "edited: the old error goes"
    );

    double_click(&mut harness, "1:5 let foo = 1;");
    assert_eq!(harness.state().editor_error(), None);
    let path = std::path::absolute(tree.path().join(NAME)).expect("absolute");
    assert_eq!(
        log_lines(&log, 1),
        [format!("{} 1 5", path.display())],
        "the name arrives as one value"
    );
    let cwd = std::env::current_dir().expect("cwd");
    for folder in [tree.path(), out.path(), cwd.as_path()] {
        assert!(
            !folder.join("x").exists(),
            "touch ran in {}",
            folder.display()
        );
    }
}

#[test]
fn editing_the_command_clears_the_could_not_start_error() {
    let tree = tempfile::tempdir().expect("temp dir");
    std::fs::write(tree.path().join("a.rs"), "let foo = 1;\n").expect("write");
    let mut harness = harness(TrawlApp::new(SavedState {
        editor_command: "trawl-no-such-editor-5e1 {path}".into(),
        ..SavedState::default()
    }));
    search_to_end(&mut harness, tree.path(), "rs", "foo");
    double_click(&mut harness, "1:5 let foo = 1;");
    assert!(
        harness
            .state()
            .editor_error()
            .is_some_and(|e| e.starts_with("Could not start")),
        "{:?}",
        harness.state().editor_error()
    );
    harness.get_by_label("Editor…").click();
    harness.run_steps(2);
    // In the preview bar and in the Editor window.
    assert_eq!(
        harness
            .query_all_by_label_contains("Could not start")
            .count(),
        2
    );
    replace_in(&mut harness, "Editor command", "gedit");
    assert_eq!(harness.state().editor_error(), None);
    assert_eq!(
        harness
            .query_all_by_label_contains("Could not start")
            .count(),
        0
    );
}
