//! A cancel keeps what was found, also inside a file: the matches of a large file found before
//! the cancel are sent as that file's result, in order and numbered as in the whole file, and
//! the summary counts exactly what was sent (README: "what was found stays").
//!
//! Every line of the files here matches and carries its own number, so a received line proves
//! its number and offset by its text, and the received lines must be lines 1 to N with none
//! missing: a large file is searched in segments by several threads, and only the segments
//! before the first one not searched can be numbered.

use std::path::Path;
use std::time::{Duration, Instant};

use trawl::search::{self, FileResult, SearchEvent, SearchRequest, Summary};

/// Bytes of one line: `00000001 foo bar\n`.
const LINE_LEN: u64 = 17;

/// A file of `lines` lines, each `NNNNNNNN foo bar`.
fn numbered_lines(path: &Path, lines: u64) {
    let mut text = String::with_capacity((lines * LINE_LEN) as usize);
    for n in 1..=lines {
        text.push_str(&format!("{n:08} foo bar\n"));
    }
    assert_eq!(text.len() as u64, lines * LINE_LEN);
    std::fs::write(path, text).expect("write");
}

/// Starts a search of `root`, cancels it once `ready` says so (or after `wait`), and returns
/// the files received and the summary.
fn search_and_cancel(request: SearchRequest, wait: Duration) -> (Vec<FileResult>, Summary) {
    let handle = search::start(request).expect("search starts");
    let started = Instant::now();
    // Until something was found in the file (the counters move while it is read), and at
    // least `wait`, so that the cancel lands inside the file.
    while started.elapsed() < wait || handle.progress().snapshot().matches == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "nothing found within 60 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(
        !handle.progress().snapshot().finished,
        "the search ended before the cancel: make the file larger"
    );
    // How long the cancel takes is a benchmark (benches/cancel.rs), not a bound here.
    handle.cancel();
    let mut files = Vec::new();
    loop {
        match handle
            .events()
            .recv_timeout(Duration::from_secs(30))
            .expect("the search ends")
        {
            SearchEvent::File(file) => files.push(file),
            SearchEvent::Error(error) => panic!("{error:?}"),
            SearchEvent::Finished(summary) => return (files, summary),
        }
    }
}

/// Checks that `file` holds lines 1 to N of a [`numbered_lines`] file, each with its offset
/// and column, and returns N.
fn assert_numbered_prefix(file: &FileResult, bom: u64) -> u64 {
    let mut expected = 1;
    for line in &file.lines {
        assert_eq!(line.line_number, expected, "lines are 1 to N, none missing");
        assert_eq!(
            line.text,
            format!("{expected:08} foo bar"),
            "line {expected}"
        );
        assert_eq!(line.occurrences.len(), 1);
        let occurrence = &line.occurrences[0];
        assert_eq!(occurrence.column, 10);
        assert_eq!(
            occurrence.byte_offset,
            Some(bom + (expected - 1) * LINE_LEN + 9),
            "line {expected}'s offset"
        );
        expected += 1;
    }
    expected - 1
}

#[test]
fn a_cancel_inside_a_split_file_keeps_its_first_lines_numbered() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 102 MB, searched in 256 KiB segments by two threads: far more than a debug build
    // searches in the time before the cancel.
    let lines = 6_000_000;
    numbered_lines(&dir.path().join("big.rs"), lines);
    let mut request = SearchRequest::new(dir.path(), vec!["rs".into()], "foo");
    request.options.threads = "2".into();
    let (files, summary) = search_and_cancel(request, Duration::from_millis(30));
    assert!(summary.cancelled);
    assert_eq!(files.len(), 1, "the file being searched is sent");
    let kept = assert_numbered_prefix(&files[0], 0);
    eprintln!("kept lines 1 to {kept} of {lines}");
    assert!(kept > 0 && kept < lines, "kept {kept} of {lines} lines");
    assert_eq!(summary.matches, kept, "the summary counts what was sent");
    assert_eq!(summary.files_matched, 1);
}

#[test]
fn a_cancel_inside_a_streamed_file_keeps_its_first_lines_numbered() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A multiline search streams a large file on one thread (a match could span segments).
    let lines = 4_000_000;
    numbered_lines(&dir.path().join("big.rs"), lines);
    let mut request = SearchRequest::new(dir.path(), vec!["rs".into()], "foo");
    request.options.multiline = true;
    let (files, summary) = search_and_cancel(request, Duration::from_millis(30));
    assert!(summary.cancelled);
    assert_eq!(files.len(), 1, "the file being searched is sent");
    let kept = assert_numbered_prefix(&files[0], 0);
    eprintln!("kept lines 1 to {kept} of {lines}");
    assert!(kept > 0 && kept < lines, "kept {kept} of {lines} lines");
    assert_eq!(summary.matches, kept);
}

#[test]
fn a_cancel_keeps_a_bom_file_s_offsets_and_every_file_found_before() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.rs"), "foo\n").expect("write");
    std::fs::write(dir.path().join("b.rs"), "x foo\n").expect("write");
    let lines = 6_000_000;
    let big = dir.path().join("z/big.rs");
    std::fs::create_dir(big.parent().expect("parent")).expect("mkdir");
    numbered_lines(&big, lines);
    // A UTF-8 BOM: line 1's text and columns leave it out, offsets count it.
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(&big).expect("read"));
    std::fs::write(&big, bytes).expect("write");
    let mut request = SearchRequest::new(dir.path(), vec!["rs".into()], "foo");
    request.options.threads = "2".into();
    let (files, summary) = search_and_cancel(request, Duration::from_millis(30));
    assert!(summary.cancelled);
    let big_result = files
        .iter()
        .find(|f| f.path.ends_with("big.rs"))
        .expect("the big file is sent");
    let kept = assert_numbered_prefix(big_result, 3);
    assert!(kept > 0 && kept < lines);
    let sent: u64 = files.iter().map(|f| f.match_count() as u64).sum();
    assert_eq!(summary.matches, sent);
    assert_eq!(summary.files_matched, files.len() as u64);
}
