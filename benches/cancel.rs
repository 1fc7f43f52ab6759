//! The engine's cancel latency (`cargo bench --bench cancel`): how long after `cancel()` (or
//! dropping the handle) a search's counters are final and, for a caller taking its events as
//! fast as they come (as the command line does), its `Finished` event arrives.
//!
//! These were wall-clock bounds inside `cargo test` (50 ms in a tree, inside a giant file and
//! inside a 256 MiB line; 500 ms for a large file; 2 s for a dropped handle), which a loaded
//! 2-core CI could break without anything being wrong. The tests keep what a cancel must do (the
//! search was running, ends cancelled, its counters stop); the time it takes is measured here,
//! against a target of 50 ms at the 99th percentile, over several cancels at different moments.
//!
//! The table is printed and written to `benches/cancel-results.md`, between its markers. It
//! drives the engine alone, no window.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use trawl::search::{self, SearchEvent, SearchRequest};

/// The target for every row: the counters final within this, at the 99th percentile.
const TARGET_MS: f64 = 50.0;
/// Longer than any search here may take; reaching it means the search hung.
const HANG: Duration = Duration::from_secs(120);

/// One cancel: from the call until the engine's counters were final (its `finished` flag), and
/// until the consumer had the `Finished` event (none for a dropped handle).
struct Sample {
    counters_final: Duration,
    finished_event: Option<Duration>,
}

/// Starts `request`, with a thread taking its events as fast as they come; waits until
/// `ready` says the moment has come (checked every 100 µs), then cancels, or drops the handle
/// when `drop_handle`. `None` when the search finished first.
fn cancel_once(
    request: SearchRequest,
    drop_handle: bool,
    mut ready: impl FnMut(&search::ProgressSnapshot, Duration) -> bool,
) -> Option<Sample> {
    let handle = search::start(request).expect("the search starts");
    let progress = Arc::clone(handle.progress());
    let started = Instant::now();
    // The consumer takes the events from the start, noting when Finished arrives and whether
    // it says cancelled. A dropped handle has none: nobody listens any more.
    let consumer = (!drop_handle).then(|| {
        let events = handle.events().clone();
        std::thread::spawn(move || {
            loop {
                match events.recv_timeout(HANG).expect("the search hung") {
                    SearchEvent::Finished(summary) => return (Instant::now(), summary.cancelled),
                    _ => continue,
                }
            }
        })
    });
    loop {
        let now = progress.snapshot();
        if now.finished {
            if let Some(consumer) = consumer {
                let _ = consumer.join();
            }
            return None;
        }
        if ready(&now, started.elapsed()) {
            break;
        }
        assert!(started.elapsed() < HANG, "the moment to cancel never came");
        std::thread::sleep(Duration::from_micros(100));
    }
    if drop_handle {
        let dropped = Instant::now();
        drop(handle);
        while !progress.snapshot().finished {
            assert!(dropped.elapsed() < HANG, "the search hung after the drop");
            std::thread::sleep(Duration::from_micros(50));
        }
        return Some(Sample {
            counters_final: dropped.elapsed(),
            finished_event: None,
        });
    }
    let cancelled_at = Instant::now();
    handle.cancel();
    let mut counters_final = None;
    while counters_final.is_none() {
        if progress.snapshot().finished {
            counters_final = Some(cancelled_at.elapsed());
        }
        assert!(
            cancelled_at.elapsed() < HANG,
            "the search hung after the cancel"
        );
        std::thread::sleep(Duration::from_micros(50));
    }
    let (finished_at, cancelled) = consumer
        .expect("a consumer unless the handle is dropped")
        .join()
        .expect("the consumer");
    cancelled.then(|| Sample {
        counters_final: counters_final.unwrap_or_default(),
        finished_event: Some(finished_at.saturating_duration_since(cancelled_at)),
    })
}

/// Sorted milliseconds.
fn millis(times: impl Iterator<Item = Duration>) -> Vec<f64> {
    let mut ms: Vec<f64> = times.map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    ms
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[derive(Default)]
struct Table {
    rows: Vec<String>,
}

impl Table {
    fn row(&mut self, what: &str, tries: usize, samples: &[Sample]) {
        if samples.is_empty() {
            println!("  {what}: the search always finished before the cancel");
            self.rows.push(format!(
                "| {what} | every search finished first ({tries} tries) | p99 < {TARGET_MS:.0} ms | – |"
            ));
            return;
        }
        let counters = millis(samples.iter().map(|s| s.counters_final));
        let events = millis(samples.iter().filter_map(|s| s.finished_event));
        let p99 = percentile(&counters, 99.0);
        let mut figure = format!(
            "counters final: min {:.1} / p50 {:.1} / p99 {p99:.1} ms",
            counters[0],
            percentile(&counters, 50.0)
        );
        if !events.is_empty() {
            let _ = write!(
                figure,
                "; Finished received: p50 {:.1} / p99 {:.1} ms",
                percentile(&events, 50.0),
                percentile(&events, 99.0)
            );
        }
        println!("  {what}: {figure}");
        let met = if p99 < TARGET_MS { "yes" } else { "**no**" };
        self.rows.push(format!(
            "| {what} (n = {} of {tries}) | {figure} | p99 < {TARGET_MS:.0} ms | {met} |",
            counters.len()
        ));
    }

    fn markdown(&self) -> String {
        let mut out = String::from("| Cancel | Figure | Target | Met |\n|---|---|---|---|\n");
        for row in &self.rows {
            out.push_str(row);
            out.push('\n');
        }
        out
    }
}

/// Runs `tries` cancels of `request`, the n-th waiting until `ready(n)` says so.
fn cancels(
    table: &mut Table,
    what: &str,
    request: &SearchRequest,
    tries: usize,
    drop_handle: bool,
    ready: impl Fn(usize, &search::ProgressSnapshot, Duration) -> bool,
) {
    let samples: Vec<Sample> = (0..tries)
        .filter_map(|n| {
            cancel_once(request.clone(), drop_handle, |snapshot, elapsed| {
                ready(n, snapshot, elapsed)
            })
        })
        .collect();
    table.row(what, tries, &samples);
}

fn write_file(path: &Path, size: u64, mut chunk: impl FnMut(usize) -> Vec<u8>) {
    let mut file = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(path).expect("create a file"),
    );
    let mut written = 0u64;
    let mut n = 0;
    while written < size {
        let bytes = chunk(n);
        file.write_all(&bytes).expect("write");
        written += bytes.len() as u64;
        n += 1;
    }
    file.flush().expect("flush");
}

fn main() {
    let started = Instant::now();
    let mut table = Table::default();
    println!(
        "trawl cancel benchmark ({} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // A tree of 30,000 small files, every one matching: cancels 20 to 200 ms in.
    let tree = tempfile::tempdir().expect("temp dir");
    let body = "w0 needle w1 needle end\n".repeat(20);
    for d in 0..300 {
        let sub = tree.path().join(format!("d{d:03}"));
        std::fs::create_dir(&sub).expect("mkdir");
        for f in 0..100 {
            std::fs::write(sub.join(format!("f{f:03}.txt")), &body).expect("write");
        }
    }
    let request = SearchRequest::new(tree.path(), vec!["txt".into()], "needle");
    cancels(
        &mut table,
        "30,000-file tree, cancel()",
        &request,
        10,
        false,
        |n, _, elapsed| elapsed >= Duration::from_millis(20 + 20 * n as u64),
    );
    cancels(
        &mut table,
        "30,000-file tree, handle dropped",
        &request,
        10,
        true,
        |n, _, elapsed| elapsed >= Duration::from_millis(20 + 20 * n as u64),
    );
    drop(tree);

    let dir = tempfile::tempdir().expect("temp dir");
    // One 1 GiB file of short lines, a match every 1,000 lines: searched in segments by both
    // threads. Cancels once it is being read, then 10 to 70 ms later.
    let big = dir.path().join("big").join("big.txt");
    std::fs::create_dir(big.parent().expect("a folder")).expect("mkdir");
    let filler = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n";
    let mut block = String::new();
    for i in 0..1000 {
        block.push_str(if i == 500 {
            "here is a needle in the hay\n"
        } else {
            filler
        });
    }
    write_file(&big, 1 << 30, |_| block.clone().into_bytes());
    let request = SearchRequest::new(big.parent().expect("folder"), vec!["txt".into()], "needle");
    let reading_for = |n: usize, s: &search::ProgressSnapshot, elapsed: Duration| {
        s.streaming_read > 0 && elapsed >= Duration::from_millis(10 * n as u64)
    };
    cancels(
        &mut table,
        "inside a 1 GiB file",
        &request,
        8,
        false,
        reading_for,
    );
    std::fs::remove_file(&big).expect("remove");

    // One line of 256 MiB with the match at its end.
    let line = dir.path().join("line").join("line.txt");
    std::fs::create_dir(line.parent().expect("a folder")).expect("mkdir");
    write_file(&line, 256 << 20, |_| vec![b'x'; 1 << 20]);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&line)
        .and_then(|mut f| f.write_all(b"needle\n"))
        .expect("append");
    let mut request =
        SearchRequest::new(line.parent().expect("folder"), vec!["txt".into()], "needle");
    request.max_columns = Some(500);
    cancels(
        &mut table,
        "inside one 256 MiB line",
        &request,
        8,
        false,
        |n, s, elapsed| s.streaming_read > 0 && elapsed >= Duration::from_millis(5 * n as u64),
    );
    std::fs::remove_file(&line).expect("remove");

    // 512 MiB of lines that do not match, a small file that does, and a FIFO.
    let fifo_tree = dir.path().join("fifo");
    std::fs::create_dir(&fifo_tree).expect("mkdir");
    let made = std::process::Command::new("mkfifo")
        .arg(fifo_tree.join("pipe.txt"))
        .status()
        .is_ok_and(|s| s.success());
    let giant_line = "haystack line without the word\n".repeat(1 << 15);
    write_file(&fifo_tree.join("giant.txt"), 512 << 20, |_| {
        giant_line.clone().into_bytes()
    });
    std::fs::write(fifo_tree.join("small.txt"), "needle\n").expect("write");
    let request = SearchRequest::new(&fifo_tree, vec!["txt".into()], "needle");
    let what = if made {
        "512 MiB file beside a FIFO"
    } else {
        "512 MiB file (mkfifo failed: no FIFO)"
    };
    cancels(&mut table, what, &request, 8, false, |n, s, elapsed| {
        s.streaming_read > 0 && elapsed >= Duration::from_millis(5 * n as u64)
    });
    drop(dir);

    let markdown = table.markdown();
    println!("\n{markdown}");
    println!("total bench time {:.0} s", started.elapsed().as_secs_f64());
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/cancel-results.md");
    if let Err(err) = std::fs::write(&out, results_doc(&out, &markdown)) {
        eprintln!("could not write {}: {err}", out.display());
    }
}

/// The results file with the new table between its markers; what a person wrote around them
/// stays.
fn results_doc(path: &Path, table: &str) -> String {
    const START: &str = "<!-- bench:start -->";
    const END: &str = "<!-- bench:end -->";
    let block = format!("{START}\n{table}{END}");
    let old = std::fs::read_to_string(path).unwrap_or_default();
    match (old.find(START), old.find(END)) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{block}{}", &old[..start], &old[end + END.len()..])
        }
        _ => format!(
            "# Cancel benchmark\n\n`cargo bench --bench cancel`; what each \
             row measures is in `benches/cancel.rs`. The table between the markers is rewritten \
             by each run.\n\n{block}\n"
        ),
    }
}
