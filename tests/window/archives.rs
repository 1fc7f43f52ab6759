//! Searching inside archives from the window (docs/CONTRACT.md, "Compressed files and
//! archives"): the "Search inside archives and compressed files" option, members as results
//! named `ARCHIVE!/MEMBER`, their preview and long lines read back from the archive, "open in
//! editor" on a read-only copy of the member, and the copied location. The archives are
//! written by the test (zip, tar.gz, one gzip'd file).

// Its test records the editor through `sh` and checks the copy's Unix permissions.
#![cfg(unix)]

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use eframe::App as _;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use trawl::app::preview::PreviewState;
use trawl::app::{SavedState, TrawlApp};

use crate::common::{absolute, copied, search_to_end};
use crate::long_lines::{context_menu, copied_after_read_back};

/// The zip's member with a match on line 2.
const NOTES: &str = "first line\nthe needle in a zip\nthird line\n";
/// The tar.gz's member with a match on line 3.
const LOG: &str = "one\ntwo\nneedle in a tar\nfour\nfive\nsix\n";
/// One gzip'd file: searched as the file it holds, under its own path.
const ROTATED: &str = "rotated\nold needle\n";

/// Filler lines before a match deep in a member: past what the preview reads around a match
/// (256 KiB each way, and a chunk), so that only a stretch of the member is kept.
const FILLER_LINES: usize = 60_000;

/// A member whose match is [`FILLER_LINES`] lines (660 KB) in.
fn deep() -> String {
    format!(
        "{}deep needle here\nafter\n",
        "filler line\n".repeat(FILLER_LINES)
    )
}

/// A line longer than the window keeps (500 characters around a match).
fn long_line() -> String {
    format!("{} needle {}", "x".repeat(600), "y".repeat(600))
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

/// A folder with a plain file, `docs.zip` (deflated: `inner/notes.txt`, `inner/long.txt`),
/// `logs.tar.gz` (`app/log.txt`) and `rotated.txt.gz`.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("top.txt"), "top needle\n").expect("write");

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [
        ("inner/notes.txt", NOTES.to_string()),
        ("inner/long.txt", format!("{}\nend\n", long_line())),
        ("inner/deep.txt", deep()),
    ] {
        zip.start_file(name, deflated).expect("a member");
        zip.write_all(text.as_bytes()).expect("its bytes");
    }
    let zip = zip.finish().expect("a zip").into_inner();
    std::fs::write(dir.path().join("docs.zip"), zip).expect("write");

    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(LOG.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, "app/log.txt", LOG.as_bytes())
        .expect("a member");
    let tar = tar.into_inner().expect("a tar");
    std::fs::write(dir.path().join("logs.tar.gz"), gz(&tar)).expect("write");

    std::fs::write(dir.path().join("rotated.txt.gz"), gz(ROTATED.as_bytes())).expect("write");
    dir
}

/// As `crate::common::harness`, at 60 frames a second (a right-click and its menu).
fn harness(app: TrawlApp) -> Harness<'static, TrawlApp> {
    Harness::builder()
        .with_size([1200.0, 900.0])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| app)
}

/// Steps frames until `done` holds, failing after 30 s.
fn wait_until(
    harness: &mut Harness<'_, TrawlApp>,
    what: &str,
    done: impl Fn(&Harness<'_, TrawlApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(harness) {
        assert!(Instant::now() < deadline, "{what}: not within 30 s");
        std::thread::sleep(Duration::from_millis(2));
        harness.step();
    }
    harness.run_steps(3);
}

/// The shown results' paths relative to `root`, sorted.
fn found_paths(harness: &Harness<'_, TrawlApp>, root: &Path) -> Vec<String> {
    let Some(results) = harness.state().results() else {
        return Vec::new();
    };
    let found = results.found();
    let mut paths: Vec<String> = (0..found.file_count())
        .filter_map(|file| found.path(file))
        .map(|path| {
            path.strip_prefix(root)
                .expect("under the root")
                .display()
                .to_string()
        })
        .collect();
    paths.sort();
    paths
}

/// The preview's lines and the highlighted text, once it has loaded for the selected match.
fn preview_of(harness: &mut Harness<'_, TrawlApp>) -> (Vec<(u64, String)>, Vec<String>) {
    wait_until(harness, "the preview", |h| {
        !matches!(
            h.state().preview_state(),
            PreviewState::Loading | PreviewState::Empty
        )
    });
    let content = match harness.state().preview_state() {
        PreviewState::Ready(content) => content,
        other => panic!("the preview failed: {other:?}"),
    };
    let lines = content
        .lines
        .iter()
        .map(|l| (l.number, l.text.clone()))
        .collect();
    let marked = content
        .lines
        .iter()
        .filter_map(|l| Some(l.text[l.highlight.clone()?].to_string()))
        .collect();
    (lines, marked)
}

fn owned(lines: &[(u64, &str)]) -> Vec<(u64, String)> {
    lines.iter().map(|&(n, t)| (n, t.to_string())).collect()
}

#[test]
fn members_of_archives_are_found_previewed_copied_and_opened_read_only() {
    use std::os::unix::fs::PermissionsExt;

    let tree = tree();
    let root = absolute(tree.path());
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = out_dir.path().join("args");
    let mut app = TrawlApp::new(SavedState {
        editor_command: crate::editor::recording_command(&out),
        ..SavedState::default()
    });
    app.set_native_dialogs(false);
    let mut harness = harness(app);

    // Off (the default): the archives are binary files, skipped.
    search_to_end(&mut harness, &root, "txt", "needle");
    assert_eq!(found_paths(&harness, &root), ["top.txt"]);

    // The option, ticked, searches again (as any option's change does) and inside them.
    harness.get_by_label("Options").click();
    harness.run_steps(2);
    harness
        .get_by_label("Search inside archives and compressed files")
        .click();
    harness.step();
    assert!(harness.state().state().options.search_zip);
    // Saved as the other options are.
    let mut storage = crate::common::MemoryStorage::default();
    harness.state_mut().save(&mut storage);
    assert!(SavedState::load(Some(&storage)).options.search_zip);
    let expected = [
        "docs.zip!/inner/deep.txt",
        "docs.zip!/inner/long.txt",
        "docs.zip!/inner/notes.txt",
        "logs.tar.gz!/app/log.txt",
        "rotated.txt.gz",
        "top.txt",
    ];
    wait_until(&mut harness, "a search inside the archives", |h| {
        !h.state().is_searching() && found_paths(h, &root) == expected
    });
    for header in &expected[..4] {
        harness.get_by_label_contains(header);
    }

    // The preview reads each member again from its archive, the match highlighted.
    harness.get_by_label("2:5 the needle in a zip").click();
    assert_eq!(
        preview_of(&mut harness),
        (
            owned(&[
                (1, "first line"),
                (2, "the needle in a zip"),
                (3, "third line")
            ]),
            vec!["needle".to_string()]
        )
    );
    harness.get_by_label("3:1 needle in a tar").click();
    assert_eq!(
        preview_of(&mut harness),
        (
            owned(&[
                (1, "one"),
                (2, "two"),
                (3, "needle in a tar"),
                (4, "four"),
                (5, "five")
            ]),
            vec!["needle".to_string()]
        )
    );
    // Deep in a member: only a stretch around it is kept, the first lines' numbers known from
    // the search.
    harness
        .get_by_label(&format!("{}:6 deep needle here", FILLER_LINES + 1))
        .click();
    let n = FILLER_LINES as u64;
    assert_eq!(
        preview_of(&mut harness),
        (
            owned(&[
                (n - 1, "filler line"),
                (n, "filler line"),
                (n + 1, "deep needle here"),
                (n + 2, "after")
            ]),
            vec!["needle".to_string()]
        )
    );
    harness.get_by_label("2:5 old needle").click();
    assert_eq!(
        preview_of(&mut harness),
        (
            owned(&[(1, "rotated"), (2, "old needle")]),
            vec!["needle".to_string()]
        )
    );

    // The location as the command line prints it: ARCHIVE!/MEMBER:line:column.
    context_menu(&mut harness, "2:5 the needle", "Copy path:line:column");
    let notes = format!("{}/docs.zip!/inner/notes.txt", root.display());
    assert_eq!(copied(&harness), [format!("{notes}:2:5")]);

    // A long line is read back whole from the archive.
    context_menu(&mut harness, "1:602", "Copy line text");
    assert_eq!(copied_after_read_back(&mut harness), [long_line()]);

    // Open in editor: a read-only copy of the member, at the match.
    context_menu(
        &mut harness,
        "2:5 the needle",
        "Open a read-only copy (inside an archive)",
    );
    let args = crate::editor::recorded(&out);
    let copy = Path::new(&args[0]);
    assert_eq!(args[1..], ["2", "5"]);
    assert_eq!(copy.file_name().and_then(|n| n.to_str()), Some("notes.txt"));
    assert!(
        !copy.starts_with(&root),
        "the copy is not in the searched folder"
    );
    assert_eq!(std::fs::read(copy).expect("the copy"), NOTES.as_bytes());
    let mode = std::fs::metadata(copy)
        .expect("the copy")
        .permissions()
        .mode();
    assert_eq!(mode & 0o222, 0, "read-only: {mode:o}");
    wait_until(&mut harness, "the notice", |h| {
        !h.state().is_copying_for_editor()
    });
    harness.get_by_label_contains(&format!("Opening a read-only copy of {notes}:2:5 with sh"));
    assert!(harness.state().editor_error().is_none());
    // An editor that does not start leaves no copy behind: the copies' folder holds the
    // first one's alone.
    harness.state_mut().state_mut().editor_command = "trawl-no-such-editor-9f3 {path}".into();
    context_menu(
        &mut harness,
        "2:5 the needle",
        "Open a read-only copy (inside an archive)",
    );
    wait_until(&mut harness, "the failure", |h| {
        h.state().editor_error().is_some()
    });
    let error = harness.state().editor_error().expect("an error");
    assert!(
        error.starts_with("Could not start `trawl-no-such-editor-9f3`: "),
        "{error}"
    );
    let copies = copy
        .parent()
        .and_then(Path::parent)
        .expect("the copies' folder");
    let kept: Vec<_> = std::fs::read_dir(copies)
        .expect("the copies' folder")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    assert_eq!(kept, [copy.parent().expect("its folder")]);
    // The app leaves its copies for the editor (the system clears its temporary folder); a
    // test's copy goes with the test, so that runs do not pile them up in /tmp.
    std::fs::remove_dir_all(copies).expect("the copies' folder removed");

    // The archive is as it was.
    assert!(
        std::fs::read(tree.path().join("docs.zip"))
            .expect("the zip")
            .starts_with(b"PK")
    );
}
