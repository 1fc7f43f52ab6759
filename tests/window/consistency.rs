//! One rule where the window had two: Copy all and Export both take the results the filter
//! shows, and say so; Extensions takes spaces between extensions as Globs does; and whether an
//! extension's case matters is what the platform's file names do, said in the field's tooltip.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{SavedState, TrawlApp};

use crate::common::{absolute, enter_in, harness, replace_in, wait_for_jobs, wait_for_search};

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("one.rs"), "alpha foo\nbeta foo\n").expect("write");
    std::fs::write(dir.path().join("two.rs"), "foo alone\n").expect("write");
    std::fs::write(dir.path().join("Cargo.toml"), "foo = 1\n").expect("write");
    std::fs::write(dir.path().join("UPPER.RS"), "foo\n").expect("write");
    dir
}

fn searched(dir: &std::path::Path, extensions: &str) -> Harness<'static, TrawlApp> {
    let mut app = TrawlApp::new(SavedState {
        folder: absolute(dir).display().to_string(),
        extensions: extensions.into(),
        pattern: "foo".into(),
        search_as_you_type: false,
        ..SavedState::default()
    });
    app.set_native_dialogs(false);
    let mut harness = harness(app);
    enter_in(&mut harness, "Pattern");
    wait_for_search(&mut harness);
    harness
}

fn files(harness: &Harness<'_, TrawlApp>) -> Vec<String> {
    let results = harness.state().results().expect("results");
    let mut names: Vec<String> = (0..results.file_count())
        .filter_map(|f| results.file(f).map(|f| f.display.to_string()))
        .collect();
    names.sort();
    names
}

#[test]
fn extensions_separated_by_spaces_are_taken_like_globs() {
    let dir = tree();
    let harness = searched(dir.path(), "rs toml");
    assert!(harness.state().start_error().is_none());
    let mut expected = vec!["Cargo.toml", "one.rs", "two.rs"];
    if trawl::search::EXTENSIONS_IGNORE_CASE {
        expected.push("UPPER.RS");
        expected.sort();
    }
    assert_eq!(files(&harness), expected);
}

#[test]
fn the_case_of_an_extension_matters_as_the_platform_says_and_the_tooltip_tells() {
    let dir = tree();
    let mut harness = searched(dir.path(), "RS");
    if trawl::search::EXTENSIONS_IGNORE_CASE {
        assert_eq!(files(&harness), ["UPPER.RS", "one.rs", "two.rs"]);
    } else {
        assert_eq!(files(&harness), ["UPPER.RS"]);
    }
    harness.get_by_label("Extensions").hover();
    harness.run_steps(6);
    if trawl::search::EXTENSIONS_IGNORE_CASE {
        harness.get_by_label_contains("Any case matches");
    } else {
        harness.get_by_label_contains("Case-sensitive, as file names are on Linux");
    }
}

#[test]
fn copy_all_and_export_both_take_what_the_filter_shows_and_say_so() {
    let dir = tree();
    let out = tempfile::tempdir().expect("temp dir");
    let mut harness = searched(dir.path(), "rs");
    assert!(
        harness
            .query_by_label("Copy all and Export take these")
            .is_none()
    );
    harness.get_by_label("Filter").focus();
    harness.step();
    harness.get_by_label("Filter").type_text("beta");
    harness.run_steps(2);
    wait_for_jobs(&mut harness);
    harness.get_by_label("Copy all and Export take these");

    harness.get_by_label("Copy all").click();
    harness.step();
    let all = wait_for_jobs(&mut harness);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].lines().count(), 1, "{all:?}");
    assert!(all[0].ends_with("one.rs:2:6:beta foo\n"), "{all:?}");

    harness.get_by_label("Export…").click();
    harness.run_steps(2);
    let target = out.path().join("shown.jsonl");
    replace_in(&mut harness, "Save to", &target.display().to_string());
    harness.get_by_label("Export").click();
    let deadline = Instant::now() + Duration::from_secs(30);
    while harness.state().export_outcome().is_none() {
        assert!(Instant::now() < deadline, "the export did not end");
        harness.step();
    }
    assert_eq!(
        harness.state().export_outcome(),
        Some(format!("Exported 1 match to {}", target.display()).as_str())
    );
    let written = std::fs::read_to_string(&target).expect("the export");
    let matches: Vec<&str> = written
        .lines()
        .filter(|l| l.starts_with(r#"{"type":"match""#))
        .collect();
    assert_eq!(matches.len(), 1, "{written}");
    assert!(matches[0].contains(r#""text":"beta foo""#), "{written}");
}
