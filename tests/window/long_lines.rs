//! Lines longer than the window keeps (500 characters around each match): the list shows a
//! window of them, but what leaves the window carries the file's whole line, as `trawl --json`
//! prints it: Export, Copy all and "Copy line text". A file changed since the search is said so.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::{SavedState, TrawlApp};

use crate::common::{absolute, copied, harness, replace_in, search_to_end};

/// 10,003 characters: 5,000 before `foo`, 5,000 after, some of them not ASCII.
fn long_line() -> String {
    format!("{}foo{}", "é".repeat(5000), "x".repeat(4991) + " foo tail")
}

/// A tree with one long line (two matches on it, far apart) between short ones.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("short foo\n{}\r\nlast\n", long_line());
    std::fs::write(dir.path().join("a.rs"), text).expect("write");
    dir
}

fn app() -> TrawlApp {
    let mut app = TrawlApp::new(SavedState::default());
    app.set_native_dialogs(false);
    app
}

/// Steps frames until a copy's lines have been read back, then returns what was copied.
pub fn copied_after_read_back(harness: &mut Harness<'_, TrawlApp>) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        harness.step();
        let copied = copied(harness);
        if !copied.is_empty() {
            return copied;
        }
        assert!(Instant::now() < deadline, "nothing was copied");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Right-clicks the match row whose label starts with `location`, then clicks `item`.
pub fn context_menu(harness: &mut Harness<'_, TrawlApp>, location: &str, item: &str) {
    harness
        .get_by_label_contains(&format!("{location} "))
        .click_secondary();
    harness.run_steps(2);
    harness.get_by_label(item).click();
    harness.step();
}

/// What `trawl --json ROOT EXT PATTERN` prints.
fn cli_json(root: &Path, extensions: &str, pattern: &str) -> String {
    let output = Command::cargo_bin("trawl")
        .expect("the trawl binary")
        .args(["--json".as_ref(), root.as_os_str()])
        .arg(extensions)
        .arg(pattern)
        .output()
        .expect("trawl runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("utf-8")
}

/// JSON Lines as compared: the summary's `elapsed_ms` zeroed, the other lines sorted.
fn comparable(jsonl: &str) -> Vec<String> {
    let mut lines: Vec<String> = jsonl.lines().map(str::to_string).collect();
    let summary = lines.pop().expect("a summary line");
    let at = summary.find(r#""elapsed_ms":"#).expect("elapsed_ms") + r#""elapsed_ms":"#.len();
    let summary = format!("{}0}}", &summary[..at]);
    lines.sort();
    lines.push(summary);
    lines
}

fn wait_for_export(harness: &mut Harness<'_, TrawlApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().is_exporting() {
        assert!(Instant::now() < deadline, "the export did not end");
        harness.step();
        std::thread::sleep(Duration::from_millis(1));
    }
    harness.run_steps(2);
}

/// Exports through the in-window form to `target`.
pub fn export_to(harness: &mut Harness<'_, TrawlApp>, target: &Path) {
    harness.get_by_label("Export…").click();
    harness.run_steps(2);
    replace_in(harness, "Save to", &target.display().to_string());
    harness.get_by_label("Export").click();
    harness.step();
    wait_for_export(harness);
}

#[test]
fn copy_line_text_and_copy_all_carry_the_whole_line() {
    let tree = tree();
    let root = absolute(tree.path());
    let mut harness = harness(app());
    search_to_end(&mut harness, &root, "rs", "foo");
    let results = harness.state().results().expect("results");
    assert_eq!(results.match_count(), 3);
    let view = results.occurrence(1).expect("the long line's first match");
    assert!(view.line_cut, "the model keeps a window of the long line");
    assert!(view.text.chars().count() <= 500);

    context_menu(&mut harness, "2:5001", "Copy line text");
    assert_eq!(copied_after_read_back(&mut harness), vec![long_line()]);
    harness.step();
    harness.get_by_label_contains("Copied line text");

    context_menu(&mut harness, "2:9996", "Copy all results");
    let all = copied_after_read_back(&mut harness);
    let path = root.join("a.rs");
    assert_eq!(
        all,
        vec![format!(
            "{p}:1:7:short foo\n{p}:2:5001:{line}\n{p}:2:9996:{line}\n",
            p = path.display(),
            line = long_line()
        )]
    );
}

#[test]
fn the_export_of_a_long_line_is_what_trawl_json_prints() {
    let tree = tree();
    let root = absolute(tree.path());
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("found.jsonl");
    let mut harness = harness(app());
    search_to_end(&mut harness, &root, "rs", "foo");
    export_to(&mut harness, &target);
    let message = format!("Exported 3 matches to {}", target.display());
    assert_eq!(harness.state().export_outcome(), Some(message.as_str()));
    let written = std::fs::read_to_string(&target).expect("the export");
    assert_eq!(
        comparable(&written),
        comparable(&cli_json(&root, "rs", "foo"))
    );
    let record: serde_json::Value =
        serde_json::from_str(written.lines().nth(1).expect("a line")).expect("json");
    assert_eq!(record["text"].as_str(), Some(long_line().as_str()));
    assert_eq!(long_line().chars().count(), 10_003);

    // CSV carries the same text.
    let csv = out.path().join("found.csv");
    export_to(&mut harness, &csv);
    let written = std::fs::read_to_string(&csv).expect("the export");
    assert!(
        written.contains(&format!(",{}\n", long_line())),
        "{written:.200}"
    );
}

#[test]
fn a_long_line_changed_since_the_search_is_said_and_kept_cut() {
    let tree = tree();
    let root = absolute(tree.path());
    let out = tempfile::tempdir().expect("temp dir");
    let mut harness = harness(app());
    search_to_end(&mut harness, &root, "rs", "foo");
    // The long line moves one character to the right.
    let text = format!("short foo\nz{}\nlast\n", long_line());
    std::fs::write(root.join("a.rs"), text).expect("write");

    context_menu(&mut harness, "2:5001", "Copy line text");
    let copied = copied_after_read_back(&mut harness);
    assert!(
        copied[0].starts_with('…') && copied[0].ends_with('…'),
        "{copied:?}"
    );
    assert!(copied[0].chars().count() < 600);
    harness.step();
    harness.get_by_label_contains("could not be read back whole");
    harness.get_by_label_contains("line 2 changed since the search");

    let target = out.path().join("found.jsonl");
    export_to(&mut harness, &target);
    let outcome = harness.state().export_outcome().expect("an outcome");
    assert!(
        outcome.contains("2 matches on long lines could not be read back whole"),
        "{outcome}"
    );
    assert!(
        outcome.contains("line 2 changed since the search"),
        "{outcome}"
    );
    let written = std::fs::read_to_string(&target).expect("the export");
    assert!(written.contains("…"), "the cut text is marked");
}
