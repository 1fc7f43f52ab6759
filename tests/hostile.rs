//! Hostile trees: what people point a search tool at (home folders, mounts, build outputs) must
//! never hang it, crash it or be written to, and every skipped file must be explained.
//!
//! Each test builds its own tree. Searches run with a deadline so that a hang fails the test
//! instead of stalling the suite.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use trawl::search::{self, FileError, FileResult, SearchEvent, SearchRequest, Summary};

#[path = "support/unprivileged.rs"]
mod unprivileged;

/// Longer than any search here may take; reaching it means the search hung.
const DEADLINE: Duration = Duration::from_secs(30);

/// Taken alone by the tests that load both cores for seconds and by those that measure a
/// 50 ms deadline, and shared by every other test of this file: a deadline then measures the
/// engine, not the test harness's crowding (a light test's tree being written counts too).
static LOAD: std::sync::RwLock<()> = std::sync::RwLock::new(());

fn exclusive() -> std::sync::RwLockWriteGuard<'static, ()> {
    LOAD.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn shared() -> std::sync::RwLockReadGuard<'static, ()> {
    LOAD.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Outcome {
    files: Vec<FileResult>,
    errors: Vec<FileError>,
    summary: Summary,
}

impl Outcome {
    fn paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.files.iter().map(|f| f.path.clone()).collect();
        paths.sort();
        paths
    }
}

fn run(request: SearchRequest) -> Outcome {
    let handle = search::start(request).expect("the search starts");
    let started = Instant::now();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    loop {
        let left = DEADLINE
            .checked_sub(started.elapsed())
            .expect("the search hung");
        match handle.events().recv_timeout(left).expect("the search hung") {
            SearchEvent::File(file) => files.push(file),
            SearchEvent::Error(error) => errors.push(error),
            SearchEvent::Finished(summary) => {
                return Outcome {
                    files,
                    errors,
                    summary,
                };
            }
        }
    }
}

/// Starts `request`, waits until a large file is being read, cancels, and returns the summary
/// once the search's threads have ended, after checking that the counters did not move after
/// the final event. `None` when the search finished before the cancel reached it (a machine
/// that read the whole file first): the caller tries again. How fast a cancel ends a search
/// is measured by `cargo bench --bench cancel`, not here.
fn cancel_while_reading(request: SearchRequest) -> Option<Summary> {
    let handle = search::start(request).expect("the search starts");
    let started = Instant::now();
    loop {
        let now = handle.progress().snapshot();
        if now.streaming_read > 0 || now.finished {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "the large file was never read"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
    handle.cancel();
    let summary = loop {
        match handle
            .events()
            .recv_timeout(DEADLINE)
            .expect("the search ends")
        {
            SearchEvent::Finished(summary) => break summary,
            _ => continue,
        }
    };
    let at_finish = handle.progress().snapshot();
    let progress = std::sync::Arc::clone(handle.progress());
    handle.join();
    assert_eq!(
        progress.snapshot(),
        at_finish,
        "the counters moved after the final event"
    );
    summary.cancelled.then_some(summary)
}

/// [`cancel_while_reading`] until the cancel lands while the file is read (five tries).
fn cancelled_while_reading(request: &SearchRequest) -> Summary {
    (0..5)
        .find_map(|_| cancel_while_reading(request.clone()))
        .expect("in five tries the search always finished before the cancel reached it")
}

fn request(root: &Path, ext: &str, pattern: &str) -> SearchRequest {
    SearchRequest::new(root, vec![ext.to_string()], pattern)
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create folders");
    }
    fs::write(path, bytes).expect("write file");
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo failed");
}

fn trawl() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("trawl").expect("the trawl binary is built")
}

#[test]
fn fifo_socket_and_device_are_never_opened() {
    let _shared = shared();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("ok.txt"), "a needle here\n");
    mkfifo(&root.join("pipe.txt"));
    let _socket =
        std::os::unix::net::UnixListener::bind(root.join("socket.txt")).expect("bind a socket");
    symlink("/dev/zero", root.join("zero.txt")).unwrap();
    symlink("/dev/null", root.join("null.txt")).unwrap();

    for follow in [false, true] {
        let mut req = request(root, "txt", "needle");
        req.options.follow_symlinks = follow;
        let outcome = run(req);
        assert_eq!(
            outcome.paths(),
            vec![root.join("ok.txt")],
            "follow_symlinks={follow}"
        );
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        assert_eq!(
            outcome.summary.files_searched, 1,
            "follow_symlinks={follow}"
        );
    }
}

#[test]
fn fifo_given_as_root_is_rejected_before_reading() {
    let _shared = shared();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.txt");
    mkfifo(&fifo);
    let err = search::start(request(&fifo, "txt", "x"))
        .err()
        .expect("a FIFO root is refused");
    assert!(err.to_string().contains("pipe.txt"), "{err}");

    let started = Instant::now();
    trawl()
        .arg(&fifo)
        .args(["txt", "x"])
        .timeout(DEADLINE)
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with("trawl:"));
    assert!(started.elapsed() < DEADLINE);
}

#[test]
fn symlink_loop_terminates_and_is_reported_once_with_follow() {
    let _shared = shared();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("a/b/found.txt"), "needle\n");
    symlink("..", root.join("a/b/up")).unwrap();
    symlink(root, root.join("a/to_root")).unwrap();

    let outcome = run(request(root, "txt", "needle"));
    assert_eq!(outcome.paths(), vec![root.join("a/b/found.txt")]);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);

    let mut req = request(root, "txt", "needle");
    req.options.follow_symlinks = true;
    let outcome = run(req);
    assert_eq!(outcome.paths(), vec![root.join("a/b/found.txt")]);
    assert_eq!(
        outcome.errors.len(),
        2,
        "one error per loop: {:?}",
        outcome.errors
    );
    for error in &outcome.errors {
        assert!(error.message.contains("loop"), "{error:?}");
    }
}

/// A folder and a file with mode 000 are reported, each as one `trawl: PATH: permission
/// denied` line, while the rest is searched. Root reads them anyway, so as root (CI) the
/// binary runs as `nobody` (tests/support/unprivileged.rs); as anyone else, directly.
#[test]
fn unreadable_folder_and_file_are_reported_while_the_rest_is_searched() {
    let _shared = shared();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    unprivileged::open_to_everyone(root);
    write(&root.join("ok.txt"), "needle\n");
    write(&root.join("locked/inside.txt"), "needle\n");
    write(&root.join("secret.txt"), "needle\n");
    let _locked = unprivileged::Locked::new(&root.join("locked"), 0o755);
    let _secret = unprivileged::Locked::new(&root.join("secret.txt"), 0o644);

    let run = |pattern: &str| {
        unprivileged::trawl_command(root)
            .arg(root)
            .args(["txt", pattern])
            .output()
            .expect("trawl runs")
    };
    let output = run("needle");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout {stdout} stderr {stderr}"
    );
    assert_eq!(
        stdout,
        format!("{}:1:1:needle\n", root.join("ok.txt").display())
    );
    let mut lines: Vec<&str> = stderr.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            format!(
                "trawl: {}: permission denied",
                root.join("locked").display()
            ),
            format!(
                "trawl: {}: permission denied",
                root.join("secret.txt").display()
            ),
        ]
    );

    // Nothing else matched: the errors make it exit 2.
    let output = run("absent");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty());
}

/// A file the walk found, removed before a search thread opened it, is reported by name as
/// an error while the rest is searched. The test holds the only search thread at a gate (in
/// `start_prepared`'s conversion, with the first result) until the walk has found every file,
/// then removes every other file. On the plain path none of them has been opened: each is an
/// error. Where small files are read in batches (`trawl::search::batched_reads`), the files
/// read together with the first one (at most 16, the most the walk hands over at once) were
/// read before the removal and are found; every other one is an error.
#[test]
fn a_file_that_vanishes_after_the_walk_found_it_is_reported_by_name() {
    let _shared = shared();
    let dir = tempfile::tempdir().unwrap();
    const FILES: usize = 50;
    /// The most files read in one batch (crates/search/src/batch_read.rs).
    const BATCH: usize = 16;
    for i in 0..FILES {
        write(&dir.path().join(format!("f{i:02}.txt")), "needle\n");
    }
    let mut req = request(dir.path(), "txt", "needle");
    req.options.threads = "1".into();
    let matcher = search::build_matcher(&req).unwrap();
    let (reached_tx, reached) = crossbeam_channel::unbounded::<PathBuf>();
    let (open, gate) = crossbeam_channel::bounded::<()>(0);
    let handle = search::start_prepared(req, matcher, std::sync::Arc::new(|_| {}), move |file| {
        let path = file.path.clone();
        let _ = reached_tx.send(path);
        // Opened when the test drops its end.
        let _ = gate.recv();
        file
    })
    .unwrap();
    let first = reached
        .recv_timeout(DEADLINE)
        .expect("a file reaches the gate");
    let started = Instant::now();
    while !handle.progress().snapshot().walk_done {
        assert!(started.elapsed() < DEADLINE, "the walk hung");
        std::thread::sleep(Duration::from_millis(1));
    }
    let at_gate = handle.progress().snapshot();
    assert_eq!(at_gate.files_found, FILES as u64);
    // The only search thread waits at the gate with the first file, which is counted once it
    // is queued (the summary counts what the consumer received): none is done yet.
    assert_eq!(
        (at_gate.files_searched, at_gate.files_failed),
        (0, 0),
        "{at_gate:?}"
    );
    let gone: Vec<PathBuf> = (0..FILES)
        .map(|i| dir.path().join(format!("f{i:02}.txt")))
        .filter(|path| *path != first)
        .collect();
    for path in &gone {
        fs::remove_file(path).unwrap();
    }
    drop(open);

    let mut files = Vec::new();
    let mut errors = Vec::new();
    let summary = loop {
        match handle
            .events()
            .recv_timeout(DEADLINE)
            .expect("the search hung")
        {
            SearchEvent::File(file) => files.push(file.path),
            SearchEvent::Error(error) => errors.push(error),
            SearchEvent::Finished(summary) => break summary,
        }
    };
    for error in &errors {
        assert!(gone.contains(&error.path), "{error:?}");
        assert_eq!(
            error.message,
            "not found (removed during the search, or a broken link)"
        );
    }
    // Every removed file is an error or was read before the removal, never both.
    let mut accounted: Vec<PathBuf> = errors.iter().map(|e| e.path.clone()).collect();
    accounted.extend(files.iter().filter(|path| **path != first).cloned());
    accounted.sort();
    assert_eq!(accounted, gone);
    assert!(files.contains(&first));
    let read_with_first = files.len() - 1;
    if search::batched_reads().is_ok() {
        assert!(read_with_first < BATCH, "{files:?}");
    } else {
        assert_eq!(read_with_first, 0, "{files:?}");
    }
    assert!(!summary.cancelled);
    assert_eq!(
        (summary.files_searched, summary.errors),
        (files.len() as u64, errors.len() as u64)
    );
    assert_eq!(summary.files_searched + summary.errors, FILES as u64);
}

#[test]
fn files_growing_and_shrinking_during_searches_never_hang_or_crash() {
    let _exclusive = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    write(&root.join("grow.txt"), "needle first\n");
    write(&root.join("shrink.txt"), "needle\n".repeat(10_000));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let root = root.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let mut grow = fs::OpenOptions::new()
                    .append(true)
                    .open(root.join("grow.txt"))
                    .unwrap();
                writeln!(grow, "needle {n} {}", "x".repeat(1000)).unwrap();
                let shrink = fs::OpenOptions::new()
                    .write(true)
                    .open(root.join("shrink.txt"))
                    .unwrap();
                shrink.set_len((n * 7919) % 70_000).unwrap();
                n += 1;
                std::thread::sleep(Duration::from_micros(200));
            }
        })
    };
    for _ in 0..20 {
        let outcome = run(request(&root, "txt", "needle"));
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        let grow = outcome
            .files
            .iter()
            .find(|f| f.path.ends_with("grow.txt"))
            .expect("grow.txt's first line is always there");
        assert_eq!(grow.lines.get(0).unwrap().line_number, 1);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
}

#[test]
fn sparse_multi_gigabyte_file_is_skipped_as_binary_quickly() {
    let _shared = shared();
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    let file = fs::File::create(&big).unwrap();
    // Every Linux and macOS file system a temporary folder lives on holds sparse files.
    file.set_len(4 << 30).expect("a sparse 4 GB file");
    write(&dir.path().join("small.txt"), "needle\n");
    let outcome = run(request(dir.path(), "txt", "needle"));
    assert_eq!(outcome.paths(), vec![dir.path().join("small.txt")]);
    assert_eq!(outcome.summary.files_searched, 2);
    // It stopped at the first NUL bytes instead of reading 4 GB.
    assert!(
        outcome.summary.bytes_searched < 64 << 20,
        "{:?}",
        outcome.summary
    );
}

#[test]
fn match_at_the_end_of_a_64_mib_line_is_found_and_its_text_is_cut() {
    let _exclusive = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let mut line = vec![b'x'; 64 << 20];
    line.extend_from_slice(b"needle tail\n");
    write(&dir.path().join("long.txt"), &line);
    let mut req = request(dir.path(), "txt", "needle");
    req.max_columns = Some(500);
    let outcome = run(req);
    assert_eq!(outcome.files.len(), 1);
    let matched = &outcome.files[0].lines.get(0).unwrap();
    assert_eq!(matched.line_number, 1);
    let occurrence = &matched.occurrences[0];
    assert_eq!(occurrence.column, (64 << 20) + 1);
    assert_eq!(occurrence.byte_offset, Some(64 << 20));
    assert!(
        matched.text.len() < 2000,
        "the text is cut, not copied whole"
    );
    let excerpt = matched.excerpt(occurrence);
    assert!(excerpt.ellipsis_before && !excerpt.ellipsis_after);
    assert_eq!(&excerpt.text[excerpt.highlight.clone()], "needle");
    assert_eq!(excerpt.text.chars().count(), 125 + "needle tail".len());
}

#[test]
fn cancel_inside_a_single_256_mib_line_ends_the_search_inside_it() {
    let _exclusive = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let size = (256u64 << 20) + 7;
    {
        let mut line =
            std::io::BufWriter::new(fs::File::create(dir.path().join("line.txt")).unwrap());
        let block = vec![b'x'; 1 << 20];
        for _ in 0..256 {
            line.write_all(&block).unwrap();
        }
        line.write_all(b"needle\n").unwrap();
    }
    // Found by the walk, and given as the root (opened by its path, no folder).
    for root in [dir.path().to_path_buf(), dir.path().join("line.txt")] {
        let mut req = request(&root, "txt", "needle");
        req.max_columns = Some(500);
        let summary = cancelled_while_reading(&req);
        assert!(
            summary.bytes_searched < size,
            "{}: stopped inside the line: {summary:?}",
            root.display()
        );
        assert_eq!(summary.matches, 0, "{summary:?}");
    }
}

/// A single large file moves the counters while it is read (bytes, matches, the bar's
/// fraction), not only when it is done, and nothing is counted twice once it is.
#[test]
fn progress_moves_inside_a_single_large_file_and_counts_it_once() {
    let _exclusive = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    let mut size = 0u64;
    {
        let mut file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        let filler = vec![b'x'; (1 << 20) - 1];
        for _ in 0..512 {
            file.write_all(&filler).unwrap();
            file.write_all(b"\nneedle\n").unwrap();
            size += filler.len() as u64 + 8;
        }
    }
    // Found by the walk, and given as the root (opened by its path, no folder).
    for root in [dir.path().to_path_buf(), path.clone()] {
        let handle = search::start(request(&root, "txt", "needle")).unwrap();
        let mut seen_partial = None;
        let started = Instant::now();
        loop {
            let now = handle.progress().snapshot();
            if now.finished {
                break;
            }
            if now.files_searched == 0 && now.bytes_searched > 0 && now.matches > 0 {
                seen_partial.get_or_insert(now);
            }
            assert!(started.elapsed() < DEADLINE, "the search did not finish");
            std::thread::sleep(Duration::from_micros(200));
        }
        let partial = seen_partial.expect("the counters moved before the file was done");
        assert!(partial.bytes_searched < size, "{partial:?}");
        let fraction = partial.fraction();
        assert!(
            fraction > 0.0 && fraction < 1.0,
            "{fraction} from {partial:?}"
        );

        let summary = handle
            .events()
            .iter()
            .find_map(|event| match event {
                SearchEvent::Finished(summary) => Some(summary),
                _ => None,
            })
            .unwrap();
        assert_eq!(summary.matches, 512);
        assert_eq!(summary.bytes_searched, size);
        let end = handle.progress().snapshot();
        assert_eq!(
            (end.streaming_files, end.streaming_size, end.streaming_read),
            (0, 0, 0)
        );
        assert_eq!(end.fraction(), 1.0);
    }
}

#[test]
fn binary_files_are_skipped_by_default_and_searched_with_text() {
    let _shared = shared();
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("bin.txt"), b"needle\0binary\n");
    let outcome = run(request(dir.path(), "txt", "needle"));
    assert!(outcome.files.is_empty());
    assert_eq!(outcome.summary.files_searched, 1);

    let mut req = request(dir.path(), "txt", "needle");
    req.options.binary_as_text = true;
    let outcome = run(req);
    assert_eq!(outcome.files.len(), 1);
}

#[test]
fn latin1_and_invalid_utf8_keep_exact_columns() {
    let _shared = shared();
    let dir = tempfile::tempdir().unwrap();
    // "café needle" in Latin-1: é is one invalid byte, so the match is at column 6.
    write(
        &dir.path().join("latin1.txt"),
        b"caf\xe9 needle\r\n\xff\xfeneedle",
    );
    let outcome = run(request(dir.path(), "txt", "needle"));
    let lines: Vec<_> = outcome.files[0].lines.iter().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (lines[0].line_number, lines[0].occurrences[0].column),
        (1, 6)
    );
    assert_eq!(lines[0].text, "caf\u{fffd} needle");
    assert_eq!(
        &lines[0].text[lines[0].occurrences[0].highlight.clone()],
        "needle"
    );
    // A UTF-16 BOM (FF FE) starts line 2 only in a file that starts with it: here it is two
    // invalid bytes, counted one column each.
    assert_eq!(
        (lines[1].line_number, lines[1].occurrences[0].column),
        (2, 3)
    );
    assert_eq!(lines[1].occurrences[0].byte_offset, Some(15));
}

#[test]
fn odd_file_names_are_found_and_printed_unambiguously() {
    let _shared = shared();
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let names: Vec<&[u8]> = vec![
        b"bad\xff.txt",
        b"new\nline.txt",
        b"with space.txt",
        b"co:lon.txt",
        b"-leading.txt",
    ];
    for name in &names {
        write(&root.join(std::ffi::OsStr::from_bytes(name)), "needle\n");
    }
    let outcome = run(request(root, "txt", "needle"));
    assert_eq!(outcome.files.len(), names.len());

    let output = trawl()
        .arg(root)
        .args(["txt", "needle", "--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let mut paths = Vec::new();
    for line in output
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
    {
        let value: serde_json::Value = serde_json::from_slice(line).expect("each line is JSON");
        if value["type"] == "match" {
            paths.push(value["path"].as_str().unwrap().to_string());
        }
    }
    paths.sort();
    let root_text = root.to_string_lossy();
    let mut expected: Vec<String> = names
        .iter()
        .map(|n| format!("{root_text}/{}", String::from_utf8_lossy(n)))
        .collect();
    expected.sort();
    assert_eq!(paths, expected);

    // Flat output writes the name's bytes as they are.
    let output = trawl()
        .arg(root)
        .args(["txt", "needle", "--no-heading"])
        .output()
        .unwrap();
    let needle = [root.as_os_str().as_bytes(), b"/bad\xff.txt:1:1:needle"].concat();
    assert!(
        output.stdout.windows(needle.len()).any(|w| w == needle),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn folders_200_levels_deep_and_100_000_files_in_one_folder() {
    let _exclusive = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let mut deep = dir.path().to_path_buf();
    for _ in 0..200 {
        deep.push("d");
    }
    write(&deep.join("bottom.txt"), "needle\n");
    let wide = dir.path().join("wide");
    fs::create_dir(&wide).unwrap();
    for i in 0..100_000 {
        fs::write(
            wide.join(format!("{i}.txt")),
            if i == 99_999 { "needle\n" } else { "hay\n" },
        )
        .unwrap();
    }
    let outcome = run(request(dir.path(), "txt", "needle"));
    assert_eq!(
        outcome.paths(),
        vec![deep.join("bottom.txt"), wide.join("99999.txt")]
    );
    assert_eq!(outcome.summary.files_searched, 100_001);
}

#[test]
fn a_million_matches_stream_through_the_cli() {
    let _exclusive = exclusive();
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("many.txt"),
        "a a a a a a a a a a\n".repeat(100_000),
    );
    let output = trawl()
        .arg(dir.path())
        .args(["txt", "a", "--no-heading"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let rows = output.stdout.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(rows, 1_000_000);
}

/// The largest resident set of any child process this test process has waited for, in bytes.
fn children_max_rss() -> u64 {
    // SAFETY: getrusage writes into the zeroed struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above; RUSAGE_CHILDREN is always a valid target.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    // Kilobytes on Linux, bytes on macOS.
    let unit = if cfg!(target_os = "macos") { 1 } else { 1024 };
    usage.ru_maxrss as u64 * unit
}

/// Ten million occurrences in one file: the CLI prints every one, and its memory stays under
/// 100 bytes per occurrence (a file's occurrences are held until the file is done: linear, with
/// a small constant).
#[test]
fn ten_million_matches_stream_through_the_cli_under_100_bytes_each() {
    let _exclusive = exclusive();
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("many.txt"),
        "a a a a a a a a a a\n".repeat(1_000_000),
    );
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("trawl"))
        .arg(dir.path())
        .args(["txt", "a", "--no-heading"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut rows = 0usize;
    let mut buffer = vec![0u8; 1 << 20];
    let mut stdout = child.stdout.take().unwrap();
    loop {
        let n = std::io::Read::read(&mut stdout, &mut buffer).unwrap();
        if n == 0 {
            break;
        }
        rows += buffer[..n].iter().filter(|&&b| b == b'\n').count();
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(rows, 10_000_000);
    // Every child so far counts, so this bounds this one from above.
    let peak = children_max_rss();
    assert!(peak < 10_000_000 * 100, "peak resident set {peak} bytes");
}

/// Contents and modification times of every file below `root`.
fn fingerprint(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut all = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let meta = fs::symlink_metadata(entry.path()).unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else if meta.is_file() {
                all.insert(
                    entry.path(),
                    (fs::read(entry.path()).unwrap(), meta.modified().unwrap()),
                );
            }
        }
    }
    all
}

#[test]
fn the_searched_tree_is_never_written_to() {
    let _shared = shared();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("a.txt"), "needle\r\nmore needle\n");
    write(
        &root.join("sub/b.txt"),
        b"\xff\xfen\x00e\x00e\x00d\x00l\x00e\x00",
    );
    write(&root.join(".hidden/c.txt"), "needle\n");
    write(&root.join("bin.txt"), b"needle\0");
    let before = fingerprint(root);
    let dir_mtime = fs::metadata(root).unwrap().modified().unwrap();

    run(request(root, "txt", "needle"));
    trawl()
        .arg(root)
        .args(["txt", "needle", "--hidden", "-a"])
        .assert()
        .code(0);
    trawl()
        .arg(root)
        .args(["*", "needle", "--json"])
        .assert()
        .code(0);

    assert_eq!(fingerprint(root), before);
    assert_eq!(fs::metadata(root).unwrap().modified().unwrap(), dir_mtime);
}

/// A cancel while a giant file is read, with a FIFO in the tree: the search ends, cancelled,
/// inside the file, and never waits on the FIFO.
#[test]
fn cancel_in_a_tree_with_a_fifo_and_a_giant_file_ends_the_search() {
    let _exclusive = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    mkfifo(&root.join("pipe.txt"));
    // 512 MiB of short lines that do not match.
    let size = {
        let mut giant = std::io::BufWriter::new(fs::File::create(root.join("giant.txt")).unwrap());
        let block = "haystack line without the word\n".repeat(1 << 15);
        while giant.get_ref().metadata().unwrap().len() < 512 << 20 {
            giant.write_all(block.as_bytes()).unwrap();
        }
        giant.flush().unwrap();
        giant.get_ref().metadata().unwrap().len()
    };
    write(&root.join("small.txt"), "needle\n");
    let summary = cancelled_while_reading(&request(root, "txt", "needle"));
    assert!(
        summary.bytes_searched < size,
        "stopped inside the giant file: {summary:?}"
    );
    assert_eq!(summary.errors, 0, "the FIFO is no error: {summary:?}");
}

#[test]
fn bad_arguments_exit_2_with_one_line_before_reading() {
    let _shared = shared();
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("a.txt"), "needle\n");
    let missing = dir.path().join("missing");
    let cases: Vec<(Vec<std::ffi::OsString>, &str)> = vec![
        (
            vec![missing.clone().into(), "txt".into(), "x".into()],
            "missing",
        ),
        (
            vec![dir.path().into(), "txt".into(), "".into()],
            "pattern is empty",
        ),
        (
            vec![dir.path().into(), "txt".into(), "(".into()],
            "invalid regex",
        ),
        (
            vec![dir.path().into(), "txt".into(), "\\w{1000}{1000}".into()],
            "invalid regex",
        ),
        (
            vec![dir.path().into(), "*.txt".into(), "x".into()],
            "invalid extension",
        ),
        (
            vec![
                dir.path().into(),
                "txt".into(),
                "x".into(),
                "--frobnicate".into(),
            ],
            "--frobnicate",
        ),
    ];
    for (args, expected) in cases {
        let output = trawl().args(&args).timeout(DEADLINE).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("trawl: "), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn carriage_return_inside_a_line_is_text_and_only_crlf_ends_a_line() {
    let _shared = shared();
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("cr.txt"), "a\rz end\r\nnext end\n");
    let outcome = run(request(dir.path(), "txt", "[\\rq]z"));
    let lines: Vec<_> = outcome.files[0].lines.iter().collect();
    assert_eq!(
        (lines[0].line_number, lines[0].occurrences[0].column),
        (1, 2)
    );

    let outcome = run(request(dir.path(), "txt", "end$"));
    let found: Vec<(u64, u64)> = outcome.files[0]
        .lines
        .iter()
        .map(|l| (l.line_number, l.occurrences[0].column))
        .collect();
    assert_eq!(found, vec![(1, 5), (2, 6)]);
}
