//! The export's records and its writer thread: every record written from a snapshot of the
//! results into a temporary file beside the target, renamed over it once complete.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::{CSV_HEADER, ExportFormat};
use crate::app::job::{Job, Polled};
use crate::app::line_text::LineReader;
use crate::app::numbers::{plural, size_text, thousands};
use crate::app::results::{Found, Plan, ResultsModel};
use crate::jsonl;
use crate::search::Summary;

/// The writer's buffer: large enough that writes are few.
const WRITE_BUFFER: usize = 256 * 1024;

/// Records between two looks at the cancel flag and two updates of the progress counter.
const RECORDS_PER_CHECK: u64 = 256;

/// The export's records over a snapshot of the results: the plan's matches (each cut line read
/// back from its file), then for JSON Lines the errors and the summary. What `trawl --json`
/// writes, byte for byte, for the same results. `done` counts the match records written (a
/// record on a long line counts once its line has been read back and written, so that a
/// progress bar over it tells the truth). `None` when `cancel` was set.
pub(crate) fn write_export(
    found: &Found,
    plan: &Plan,
    format: ExportFormat,
    out: &mut dyn Write,
    done: &AtomicU64,
    cancel: &AtomicBool,
) -> io::Result<Option<ReadBack>> {
    let mut read_back = ReadBack::default();
    let mut sink = match format {
        ExportFormat::Csv => {
            let mut csv = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(out);
            csv.write_record(CSV_HEADER).map_err(io::Error::other)?;
            Sink::Csv(Box::new(csv))
        }
        ExportFormat::JsonLines => Sink::Json(out),
    };
    let mut text = String::new();
    let mut written = 0u64;
    let mut rows = plan.rows(found);
    while let Some((file, path, view)) = rows.next_row() {
        if written.is_multiple_of(RECORDS_PER_CHECK) {
            done.store(written, Ordering::Relaxed);
            if cancel.load(Ordering::Relaxed) {
                return Ok(None);
            }
        }
        text.clear();
        match found.cut_match_of(&view) {
            Some(cut) => match read_back.reader.read(&cut) {
                Ok(line) => text.push_str(line),
                Err(err) => {
                    read_back.kept_cut += 1;
                    read_back.first_problem.get_or_insert(err.message);
                    text.push_str(&cut.marked);
                }
            },
            None => view.write_marked(&mut text),
        }
        match &mut sink {
            Sink::Json(out) => jsonl::write_record(
                out,
                &jsonl::Record::Match {
                    path,
                    line: view.line_number,
                    column: u64::from(view.column),
                    byte_offset: view.byte_offset,
                    length: view.length,
                    text: &text,
                    encoding: found.encoding(file).map(encoding_rs::Encoding::name),
                },
            )?,
            // A tuple is one row, its numbers written without a String each.
            Sink::Csv(csv) => csv
                .serialize((
                    path,
                    view.line_number,
                    view.column,
                    view.byte_offset,
                    view.length,
                    &text,
                ))
                .map_err(io::Error::other)?,
        }
        written += 1;
    }
    done.store(written, Ordering::Relaxed);
    read_back.matches = written;
    match sink {
        Sink::Csv(mut csv) => csv.flush()?,
        // CSV holds matches only: errors and totals are not rows of that table.
        Sink::Json(out) => {
            for error in found.errors() {
                jsonl::write_error(out, error)?;
            }
            jsonl::write_summary(out, &summary_of(found, plan, written))?;
        }
    }
    Ok(Some(read_back))
}

/// Where the records go: JSON Lines bytes (the CLI's `--json` objects), or a CSV writer.
enum Sink<'a> {
    Json(&'a mut dyn Write),
    Csv(Box<csv::Writer<&'a mut dyn Write>>),
}

/// The summary an export ends with: the search's own (as `trawl --json` ends), its match and
/// file counts those of the export when a filter left some out, so that it never claims
/// matches the file does not hold. Made of what the results hold when the search ended without
/// one.
fn summary_of(found: &Found, plan: &Plan, matches: u64) -> Summary {
    let mut summary = found.summary().copied().unwrap_or(Summary {
        files_searched: 0,
        files_matched: found.file_count() as u64,
        matches: found.match_count() as u64,
        bytes_searched: 0,
        errors: found.errors().len() as u64,
        elapsed: Duration::ZERO,
        cancelled: false,
    });
    if plan.is_filtered() {
        summary.matches = matches;
        summary.files_matched = plan.file_count(found);
    }
    summary
}

/// Serializes the whole model at once, long lines read back, for the tests to compare with.
#[cfg(test)]
fn to_bytes(model: &ResultsModel, format: ExportFormat) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let never = AtomicBool::new(false);
    write_export(
        model.found(),
        &model.plan(),
        format,
        &mut out,
        &AtomicU64::new(0),
        &never,
    )?;
    Ok(out)
}

/// The writer's line reading: the reader, and the matches whose lines could not be read back
/// (written with their window, marked `…`).
#[derive(Default)]
pub(crate) struct ReadBack {
    reader: LineReader,
    matches: u64,
    kept_cut: u64,
    first_problem: Option<String>,
}

/// How an export ended.
#[derive(Debug, PartialEq, Eq)]
pub enum ExportEnd {
    /// The file is in place with this many matches; `kept_cut` of them are on long lines that
    /// could not be read back (their files changed since the search) and keep their window,
    /// `problem` says why for the first.
    Written {
        path: PathBuf,
        matches: u64,
        kept_cut: u64,
        problem: Option<String>,
    },
    /// It failed; the message names the path and the reason.
    Failed(String),
}

/// One export under way, wholly on its writer thread over a snapshot of the results (a new
/// search replacing them on screen does not touch it). Dropping it cancels the export (the
/// writer removes its temporary file).
pub struct ExportJob {
    target: PathBuf,
    done: Arc<AtomicU64>,
    total: u64,
    job: Job<ExportEnd>,
}

impl ExportJob {
    /// Starts exporting what `model` shows to `target` in `format`; the window repaints when
    /// the writer has ended.
    pub fn start(
        ctx: &egui::Context,
        model: &ResultsModel,
        target: PathBuf,
        format: ExportFormat,
    ) -> Result<Self, String> {
        let found = model.found().clone();
        let plan = model.plan();
        let total = plan.match_count(&found);
        let done = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&done);
        let writer_target = target.clone();
        let job = Job::spawn("trawl-export", ctx, move |cancel| {
            match write_via_temp(&writer_target, &found, &plan, format, &counter, cancel) {
                Ok(read_back) => ExportEnd::Written {
                    path: writer_target,
                    matches: read_back.matches,
                    kept_cut: read_back.kept_cut,
                    problem: read_back.first_problem,
                },
                Err(message) => ExportEnd::Failed(message),
            }
        })
        .ok_or_else(|| {
            format!(
                "Could not export to {}: could not start a thread",
                target.display()
            )
        })?;
        Ok(ExportJob {
            target,
            done,
            total,
            job,
        })
    }

    /// The file being written.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// How far the writing is, from 0 to 1: the match records written (errors and the summary
    /// are a few lines at the end, written in a moment).
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            return 1.0;
        }
        (self.done.load(Ordering::Relaxed) as f64 / self.total as f64).min(1.0) as f32
    }

    /// How it ended, once it has.
    pub fn poll(&self) -> Option<ExportEnd> {
        match self.job.poll() {
            Polled::Running | Polled::Update(_) => None,
            Polled::Done(end) => Some(end),
            Polled::Lost => Some(ExportEnd::Failed(format!(
                "Could not export to {}: the writing thread stopped unexpectedly",
                self.target.display()
            ))),
        }
    }
}

/// Makes each temporary name unique, even when a cancelled export's writer is still removing
/// its file while a new export to the same target starts.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A hidden temporary file next to `target`, so the final rename stays on one file system.
fn temp_path_for(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy());
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.{}-{n}.trawl-partial", std::process::id()))
}

/// The writer thread: the records into a temporary file, flushed and synced, then a rename
/// over `target`. Any failure, or a cancel, removes the temporary file and leaves `target` as
/// it was.
fn write_via_temp(
    target: &Path,
    found: &Found,
    plan: &Plan,
    format: ExportFormat,
    done: &AtomicU64,
    cancel: &AtomicBool,
) -> Result<ReadBack, String> {
    let fail = |what: String| format!("Could not export to {}: {what}", target.display());
    let folder = target.parent().unwrap_or(Path::new("."));
    if !folder.as_os_str().is_empty() && !folder.is_dir() {
        return Err(fail(format!(
            "the folder {} does not exist",
            folder.display()
        )));
    }
    let temp = temp_path_for(target);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(|err| fail(err.to_string()))?;
    let written = write_file(file, found, plan, format, done, cancel)
        .map_err(|err| fail(err.to_string()))
        .and_then(|read_back| read_back.ok_or_else(|| fail("cancelled".into())))
        // A cancel that came while the file was synced: the target stays as it was (the
        // window has said so).
        .and_then(|read_back| {
            if cancel.load(Ordering::Relaxed) {
                Err(fail("cancelled".into()))
            } else {
                Ok(read_back)
            }
        })
        .and_then(|read_back| {
            std::fs::rename(&temp, target)
                .map(|()| read_back)
                .map_err(|err| fail(err.to_string()))
        });
    if written.is_err() {
        // Best effort: a leftover temporary file is hidden and named for what it is.
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Writes the export into `file`, then flushes and syncs it, so the rename never puts an
/// incomplete file in place. `None` when cancelled.
fn write_file(
    file: File,
    found: &Found,
    plan: &Plan,
    format: ExportFormat,
    done: &AtomicU64,
    cancel: &AtomicBool,
) -> io::Result<Option<ReadBack>> {
    let guarded = SpaceGuard::new(file, SPACE_RESERVE, done, plan.match_count(found));
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, guarded);
    let Some(read_back) = write_export(found, plan, format, &mut out, done, cancel)? else {
        return Ok(None);
    };
    let guarded = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    guarded.file.sync_all()?;
    Ok(Some(read_back))
}

/// Free space an export leaves on its disk: it stops rather than fill the disk.
const SPACE_RESERVE: u64 = 1 << 30;

/// Bytes written between two looks at the disk's free space.
const SPACE_CHECK_BYTES: u64 = 64 << 20;

/// The export's file, watched so that an export larger than its disk stops while
/// [`SPACE_RESERVE`] is still free, and says how large it would have been, instead of filling
/// the disk for every other program first. Every match carries its whole line (the objects of
/// `--json`): millions of matches on long lines make hundreds of gigabytes.
struct SpaceGuard<'a> {
    file: File,
    reserve: u64,
    written: u64,
    next_check: u64,
    /// Match records written, and how many there are in all: for the estimate.
    done: &'a AtomicU64,
    total: u64,
}

impl<'a> SpaceGuard<'a> {
    fn new(file: File, reserve: u64, done: &'a AtomicU64, total: u64) -> Self {
        SpaceGuard {
            file,
            reserve,
            written: 0,
            next_check: 0,
            done,
            total,
        }
    }

    /// The error that stops the export, with its estimate of the whole.
    fn too_large(&self, free: u64) -> io::Error {
        let done = self.done.load(Ordering::Relaxed);
        let estimate = match done {
            0 => String::new(),
            done => format!(
                "; all {} would take about {}",
                plural(self.total, "match", "matches"),
                size_text(self.written.saturating_mul(self.total) / done)
            ),
        };
        io::Error::other(format!(
            "stopped with {} free on its disk, after {} ({} of {}){estimate}",
            size_text(free),
            size_text(self.written),
            thousands(done),
            plural(self.total, "match", "matches"),
        ))
    }
}

impl Write for SpaceGuard<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written >= self.next_check {
            self.next_check = self.written + SPACE_CHECK_BYTES;
            if let Some(free) = free_space(&self.file)
                && free < self.reserve
            {
                return Err(self.too_large(free));
            }
        }
        let n = self.file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Bytes an unprivileged process may still write on the file system `file` is on.
#[cfg(unix)]
fn free_space(file: &File) -> Option<u64> {
    use std::os::fd::AsRawFd;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: fstatvfs fills `stats` for the open descriptor `file` holds for the call.
    if unsafe { libc::fstatvfs(file.as_raw_fd(), stats.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: it succeeded, so `stats` is filled.
    let stats = unsafe { stats.assume_init() };
    #[allow(clippy::useless_conversion)] // the fields' widths differ between platforms
    Some(u64::from(stats.f_bavail).saturating_mul(u64::from(stats.f_frsize)))
}

/// Elsewhere the disk's own "full" error stops the export.
#[cfg(not(unix))]
fn free_space(_: &File) -> Option<u64> {
    None
}

/// Runs a whole export, waiting for its thread (tests).
#[cfg(test)]
fn export_blocking(
    model: &ResultsModel,
    target: &Path,
    format: ExportFormat,
) -> Result<u64, String> {
    let ctx = egui::Context::default();
    let job = ExportJob::start(&ctx, model, target.to_path_buf(), format)?;
    loop {
        match job.poll() {
            None => std::thread::sleep(Duration::from_millis(1)),
            Some(ExportEnd::Written { matches, .. }) => return Ok(matches),
            Some(ExportEnd::Failed(message)) => return Err(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::results::SortOrder;
    use crate::search::{FileError, FileResult, LineCut, MatchLine, Occurrence};

    /// An export stops once its disk has less than the reserve free, before it writes more,
    /// and says how far it got and how large the whole would be; with room it writes all.
    #[cfg(unix)]
    #[test]
    fn an_export_stops_before_it_fills_its_disk_and_says_how_large_it_would_be() {
        let dir = tempfile::tempdir().unwrap();
        let done = AtomicU64::new(0);
        let open = |name: &str| File::create(dir.path().join(name)).unwrap();
        let size = |name: &str| std::fs::metadata(dir.path().join(name)).unwrap().len();
        assert!(free_space(&open("probe")).is_some_and(|free| free > 0));

        // Room enough: every byte goes through, and the disk is looked at again only after
        // SPACE_CHECK_BYTES more.
        let mut roomy = SpaceGuard::new(open("roomy"), 0, &done, 4);
        roomy.write_all(&[b'x'; 1000]).unwrap();
        roomy.write_all(&[b'y'; 1000]).unwrap();
        assert_eq!(roomy.written, 2000);
        assert_eq!(roomy.next_check, SPACE_CHECK_BYTES);

        // A reserve no disk has: the first look stops it, nothing written. Records 1 of
        // 4,000,000 done after 1,000 bytes: the whole would be 4 GB.
        let mut full = SpaceGuard::new(open("full"), u64::MAX, &done, 4_000_000);
        full.written = 1000;
        done.store(1, Ordering::Relaxed);
        let err = full.write(b"more").unwrap_err().to_string();
        assert!(err.starts_with("stopped with "), "{err}");
        assert!(
            err.ends_with(
                " free on its disk, after 0.0 MB (1 of 4,000,000 matches); all 4,000,000 \
                 matches would take about 4.0 GB"
            ),
            "{err}"
        );
        assert_eq!(full.written, 1000);
        assert_eq!(size("full"), 0);
    }

    /// One file with one line and its occurrences as byte ranges.
    fn file(path: &str, line: u64, text: &str, ranges: &[(usize, usize)]) -> FileResult {
        let occurrences: Vec<Occurrence> = ranges
            .iter()
            .map(|&(s, e)| Occurrence {
                column: s as u64 + 1,
                byte_offset: Some(100 + s as u64),
                length: (e - s) as u64,
                highlight: s..e,
            })
            .collect();
        FileResult {
            modified: None,
            path: PathBuf::from(path),
            lines: [MatchLine {
                line_number: line,
                text,
                occurrences: &occurrences,
                spans_lines: false,
                cut: None,
            }]
            .into_iter()
            .collect(),
            encoding: None,
            binary: false,
        }
    }

    fn finished(model: &mut ResultsModel) {
        model.push_event(crate::search::SearchEvent::Finished(Summary {
            files_searched: 3,
            files_matched: model.file_count() as u64,
            matches: model.match_count() as u64,
            bytes_searched: 42,
            errors: model.errors().len() as u64,
            elapsed: Duration::from_millis(7),
            cancelled: false,
        }));
        model.refresh_layout(true);
    }

    /// Runs the real engine over `root` (`.rs` files), returning the model the window would
    /// hold once the search has ended.
    fn searched_model(root: &Path, pattern: &str) -> ResultsModel {
        use crate::search::SearchRequest;
        let request = SearchRequest::new(root, vec!["rs".into()], pattern);
        let handle = crate::search::start(request).expect("search starts");
        let mut model = ResultsModel::new(root.to_path_buf(), SortOrder::Path);
        while let Ok(event) = handle.events().recv() {
            if model.push_event(event) {
                break;
            }
        }
        model.refresh_layout(true);
        model
    }

    /// The export of a real search, byte for byte as docs/CONTRACT.md writes `--json`'s objects
    /// (written out here, not by the writer under test), files in the list's order (by path).
    /// Only `elapsed_ms` varies: it is checked to be a number, then set to 0.
    #[test]
    fn json_lines_export_is_exactly_the_contract_s_objects() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("src")).expect("mkdir");
        std::fs::write(
            dir.path().join("src/a.rs"),
            "let foo = \"x, \\\"y\\\"\"; foo\n",
        )
        .expect("write");
        std::fs::write(dir.path().join("b.rs"), "// foo é foo\n").expect("write");
        let root = std::path::absolute(dir.path()).expect("absolute");
        let model = searched_model(&root, "foo");
        let exported =
            String::from_utf8(to_bytes(&model, ExportFormat::JsonLines).expect("export"))
                .expect("utf-8");
        let r = root.display();
        let expected = format!(
            r#"{{"type":"match","path":"{r}/b.rs","line":1,"column":4,"byte_offset":3,"length":3,"text":"// foo é foo"}}
{{"type":"match","path":"{r}/b.rs","line":1,"column":10,"byte_offset":10,"length":3,"text":"// foo é foo"}}
{{"type":"match","path":"{r}/src/a.rs","line":1,"column":5,"byte_offset":4,"length":3,"text":"let foo = \"x, \\\"y\\\"\"; foo"}}
{{"type":"match","path":"{r}/src/a.rs","line":1,"column":23,"byte_offset":22,"length":3,"text":"let foo = \"x, \\\"y\\\"\"; foo"}}
{{"type":"summary","files_searched":2,"files_matched":2,"matches":4,"bytes_searched":40,"errors":0,"elapsed_ms":0}}
"#
        );
        const KEY: &str = r#""elapsed_ms":"#;
        let at = exported.rfind(KEY).expect("elapsed_ms") + KEY.len();
        let digits = exported[at..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        assert!(digits > 0, "{exported}");
        let exported = format!("{}0{}", &exported[..at], &exported[at + digits..]);
        assert_eq!(exported, expected);
    }

    #[test]
    fn errors_come_after_matches_and_before_the_summary() {
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        model.push_file(file("/r/a.rs", 1, "foo", &[(0, 3)]));
        model.push_event(crate::search::SearchEvent::Error(FileError {
            path: PathBuf::from("/r/locked"),
            message: "Permission denied".into(),
        }));
        finished(&mut model);
        let out = String::from_utf8(to_bytes(&model, ExportFormat::JsonLines).expect("export"))
            .expect("utf-8");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                r#"{"type":"match","path":"/r/a.rs","line":1,"column":1,"byte_offset":100,"length":3,"text":"foo"}"#,
                r#"{"type":"error","path":"/r/locked","message":"Permission denied"}"#,
                r#"{"type":"summary","files_searched":3,"files_matched":1,"matches":1,"bytes_searched":42,"errors":1,"elapsed_ms":7}"#,
            ]
        );
    }

    #[test]
    fn csv_quotes_commas_and_quotes_and_keeps_the_cut_marks() {
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        model.push_file(file("/r/a, b.rs", 2, r#"x = "a, b""#, &[(5, 6)]));
        model.push_file(file("/r/plain.rs", 1, "foo bar", &[(0, 3), (4, 7)]));
        // A line the engine cut: 8 characters around the match, marked on both sides.
        let long = FileResult {
            modified: None,
            path: PathBuf::from("/r/long.rs"),
            lines: [MatchLine {
                line_number: 3,
                text: "abcdefghfooijklmnop",
                occurrences: &[Occurrence {
                    column: 9,
                    byte_offset: Some(8),
                    length: 3,
                    highlight: 8..11,
                }],
                spans_lines: false,
                cut: Some(LineCut {
                    max_columns: 8,
                    before: false,
                    after: false,
                }),
            }]
            .into_iter()
            .collect(),
            encoding: None,
            binary: false,
        };
        model.push_file(long);
        finished(&mut model);
        let out =
            String::from_utf8(to_bytes(&model, ExportFormat::Csv).expect("export")).expect("utf-8");
        assert_eq!(
            out,
            "path,line,column,byte_offset,length,text\n\
             \"/r/a, b.rs\",2,6,105,1,\"x = \"\"a, b\"\"\"\n\
             /r/long.rs,3,9,8,3,…ghfooijk…\n\
             /r/plain.rs,1,1,100,3,foo bar\n\
             /r/plain.rs,1,5,104,3,foo bar\n"
        );
        let json = String::from_utf8(to_bytes(&model, ExportFormat::JsonLines).expect("export"))
            .expect("utf-8");
        assert!(json.contains(r#""text":"…ghfooijk…""#), "{json}");
    }

    /// With a filter, the export holds the shown matches and its summary counts those (not
    /// the search's), and the progress counter reaches every match written.
    #[test]
    fn a_filtered_export_s_summary_counts_what_it_holds() {
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        for i in 0..50 {
            let ranges: Vec<(usize, usize)> = (0..40).map(|k| (k, k + 1)).collect();
            let text = if i % 5 == 0 {
                "y".repeat(40)
            } else {
                "x".repeat(40)
            };
            model.push_file(file(&format!("/r/f{i:02}.rs"), 1, &text, &ranges));
        }
        finished(&mut model);
        model.set_filter("yy");
        let mut out = Vec::new();
        let done = AtomicU64::new(0);
        let never = AtomicBool::new(false);
        let plan = model.plan();
        assert_eq!(plan.match_count(model.found()), 400);
        write_export(
            model.found(),
            &plan,
            ExportFormat::JsonLines,
            &mut out,
            &done,
            &never,
        )
        .expect("export");
        assert_eq!(done.load(Ordering::Relaxed), 400);
        let out = String::from_utf8(out).expect("utf-8");
        assert_eq!(out.lines().count(), 401);
        assert!(
            out.ends_with(
                "{\"type\":\"summary\",\"files_searched\":3,\"files_matched\":10,\"matches\":400,\"bytes_searched\":42,\"errors\":0,\"elapsed_ms\":7}\n"
            ),
            "{}",
            out.lines().last().unwrap_or_default()
        );
        // Without the filter, the search's own summary, as `trawl --json` ends.
        model.set_filter("");
        let all = String::from_utf8(to_bytes(&model, ExportFormat::JsonLines).expect("export"))
            .expect("utf-8");
        assert!(all.ends_with("\"files_matched\":50,\"matches\":2000,\"bytes_searched\":42,\"errors\":0,\"elapsed_ms\":7}\n"));
    }

    #[test]
    fn a_missing_folder_fails_naming_it_and_creates_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        model.push_file(file("/r/a.rs", 1, "foo", &[(0, 3)]));
        finished(&mut model);
        let target = dir.path().join("missing/out.jsonl");
        let err = export_blocking(&model, &target, ExportFormat::JsonLines).expect_err("fails");
        assert!(err.contains(&target.display().to_string()), "{err}");
        assert!(err.contains("does not exist"), "{err}");
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    /// As root, this thread's file-system identity becomes `nobody`'s until dropped (Linux's
    /// `setfsuid`: per thread, inherited by the threads it starts, and it drops root's
    /// override of permissions), so that a read-only folder refuses writes as it does for
    /// anyone else. As another user it changes nothing.
    #[cfg(target_os = "linux")]
    struct WithoutRootsOverride {
        previous: Option<libc::uid_t>,
    }

    #[cfg(target_os = "linux")]
    impl WithoutRootsOverride {
        fn new() -> Self {
            // SAFETY: geteuid and setfsuid take no pointers and cannot fail (setfsuid
            // returns the previous identity).
            let previous =
                unsafe { libc::geteuid() == 0 }.then(|| unsafe { libc::setfsuid(65534) });
            WithoutRootsOverride {
                previous: previous.map(|uid| uid as libc::uid_t),
            }
        }
    }

    #[cfg(target_os = "linux")]
    impl Drop for WithoutRootsOverride {
        fn drop(&mut self) {
            if let Some(uid) = self.previous {
                // SAFETY: as above.
                unsafe { libc::setfsuid(uid) };
            }
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_write_error_leaves_neither_the_target_nor_a_temporary_file() {
        // /dev/full accepts the open and fails every write; a folder cannot be used that way,
        // so the writer is driven directly with a file that fails.
        let full = OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full");
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        for i in 0..2000 {
            model.push_file(file(&format!("/r/f{i}.rs"), 1, "foo", &[(0, 3)]));
        }
        finished(&mut model);
        let never = AtomicBool::new(false);
        let written = write_file(
            full,
            model.found(),
            &model.plan(),
            ExportFormat::JsonLines,
            &AtomicU64::new(0),
            &never,
        );
        assert!(written.is_err());

        // The same through a whole export: a target in a read-only folder fails at the
        // temporary file, and nothing appears.
        let dir = tempfile::tempdir().expect("temp dir");
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).expect("mkdir");
        use std::os::unix::fs::PermissionsExt;
        // Open to others down to `locked`, which nobody may write in.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        let _unprivileged = WithoutRootsOverride::new();
        assert!(
            File::create(locked.join("probe")).is_err(),
            "the folder refuses writes"
        );
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        model.push_file(file("/r/a.rs", 1, "foo", &[(0, 3)]));
        finished(&mut model);
        let target = locked.join("out.csv");
        let err = export_blocking(&model, &target, ExportFormat::Csv).expect_err("fails");
        assert!(err.contains(&target.display().to_string()), "{err}");
        assert_eq!(std::fs::read_dir(&locked).expect("list").count(), 0);
    }

    #[test]
    fn the_target_appears_only_when_complete_and_a_cancel_keeps_the_old_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.jsonl");
        std::fs::write(&target, "old contents\n").expect("write");
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        for i in 0..2000 {
            model.push_file(file(
                &format!("/r/f{i}.rs"),
                1,
                "foo foo",
                &[(0, 3), (4, 7)],
            ));
        }
        finished(&mut model);

        // A cancelled export (dropping the job sets this flag) leaves the old file as it was,
        // and no temporary file.
        let cancelled = AtomicBool::new(true);
        let outcome = write_via_temp(
            &target,
            model.found(),
            &model.plan(),
            ExportFormat::JsonLines,
            &AtomicU64::new(0),
            &cancelled,
        );
        assert!(outcome.is_err_and(|message| message.contains("cancelled")));
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
        assert_eq!(
            std::fs::read_to_string(&target).expect("read"),
            "old contents\n"
        );

        // A complete one replaces it, and leaves only it.
        let matches = export_blocking(&model, &target, ExportFormat::JsonLines).expect("export");
        assert_eq!(matches, 4000);
        let written = std::fs::read(&target).expect("read");
        assert_eq!(
            written,
            to_bytes(&model, ExportFormat::JsonLines).expect("export")
        );
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
