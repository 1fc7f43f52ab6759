//! Exporting every match of the results model to a file: JSON Lines (the CLI's `--json` objects,
//! written by the same code in [`crate::jsonl`]) or CSV.
//!
//! A million matches take a few hundred milliseconds to serialize, far more than a frame, so the
//! UI thread serializes in slices bounded by a time budget (a [`Serializer`] is a cursor over the
//! model) and hands byte chunks to a writer thread. The writer writes to a temporary file next
//! to the target and renames it over the target only once everything is written, so a failed or
//! cancelled export never leaves a half-written file under the target's name.
//!
//! A match on a line longer than the model keeps is not serialized on the UI thread: its chunk
//! carries a hole there, and the writer thread reads the whole line back from the file
//! ([`crate::app::line_text`]) and writes the record, so the export has the line `trawl --json`
//! prints. Where the file changed since the search, the record keeps the window (marked `…`)
//! and the outcome says so.
//!
//! The export holds what the list shows: with a filter set, only the results it lets through
//! (as Copy all); folded files are included.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError};
use std::time::{Duration, Instant};

use crate::app::TrawlApp;
use crate::app::line_text::{CutMatch, LineReader};
use crate::app::picker::{NativePicker, PickOutcome};
use crate::app::results::{MatchView, ResultsModel};
use crate::app::views::plural;
use crate::jsonl;
use crate::search::{FileError, Summary};

/// The file name the save dialog proposes.
pub const DEFAULT_FILE_NAME: &str = "trawl-results.jsonl";

/// The CSV header row.
pub const CSV_HEADER: [&str; 6] = ["path", "line", "column", "byte_offset", "length", "text"];

/// UI time given to serializing per frame: well under a 16 ms frame, so the window stays
/// responsive, yet a million matches still export in a few seconds.
pub const EXPORT_BUDGET: Duration = Duration::from_millis(4);

/// Bytes per chunk handed to the writer thread: large enough that channel traffic is rare,
/// small enough that a few queued chunks cost little memory.
const CHUNK_BYTES: usize = 256 * 1024;

/// Chunks that may wait for the writer; beyond that the UI stops serializing until the disk
/// catches up, so a slow disk cannot make memory grow without bound.
const QUEUED_CHUNKS: usize = 8;

/// What a match on a long line counts for in a chunk's size before its line is read back: about
/// its window (500 characters) and its record.
const HOLE_BYTES: usize = 1024;

/// Records between two looks at the clock (a record takes about a microsecond).
const RECORDS_PER_CHECK: usize = 64;

/// What an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// The CLI's `--json` objects, one per line: matches, errors, then the summary.
    JsonLines,
    /// One row per match under a `path,line,column,byte_offset,length,text` header.
    Csv,
}

impl ExportFormat {
    /// Both formats, for the choice in the export window.
    pub const ALL: [ExportFormat; 2] = [ExportFormat::JsonLines, ExportFormat::Csv];

    /// The format a file name asks for: `.csv` is CSV, anything else JSON Lines.
    pub fn from_path(path: &Path) -> Self {
        Self::named_by(path).unwrap_or(ExportFormat::JsonLines)
    }

    /// The format whose extension `path` has, in any case (`.CSV`, `.jsonl`), if any.
    fn named_by(path: &Path) -> Option<Self> {
        let ext = path.extension()?;
        Self::ALL
            .into_iter()
            .find(|format| ext.eq_ignore_ascii_case(format.extension()))
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::JsonLines => "jsonl",
            ExportFormat::Csv => "csv",
        }
    }

    /// The name shown in dialogs.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::JsonLines => "JSON Lines",
            ExportFormat::Csv => "CSV",
        }
    }
}

/// The folder the save dialog starts in: the searched folder's parent (so the export does not
/// land in the tree it describes), else the home folder.
pub fn default_folder(root: &Path) -> PathBuf {
    root.parent()
        .filter(|p| !p.as_os_str().is_empty() && p.is_dir())
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// Where the serializer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// The CSV header row.
    Header,
    /// Match records, file by file.
    Matches,
    /// The model's errors (JSON Lines only), from this index on.
    Errors(usize),
    /// The closing summary (JSON Lines only).
    Summary,
    /// Everything is written.
    Done,
}

/// A cursor over the model that writes its records in slices.
///
/// It borrows the model only while it writes, so the model stays the app's; it keeps positions
/// in that one model (its [`ResultsModel::id`]), and the app stops the export once the model
/// is replaced.
pub struct Serializer {
    model: u64,
    format: ExportFormat,
    stage: Stage,
    /// The files in the list's order when the export started, each with the occurrences the
    /// filter let through then (`None`: all of them); a later re-sort or filter does not matter.
    plan: Vec<(usize, Option<Box<[u32]>>)>,
    /// The next file in `plan`.
    next_file: usize,
    /// The current file's occurrences still to write: positions in its picked list, or
    /// occurrence numbers when it has none.
    pending: Range<usize>,
    /// The current file's path, lossily as UTF-8 (as the CLI writes it).
    path: String,
    /// The current match's text with its `…` marks, reused so a match allocates nothing.
    text: String,
    matches_written: u64,
    records_written: u64,
    records_total: u64,
}

impl Serializer {
    /// A serializer at the start of `model`.
    pub fn new(model: &ResultsModel, format: ExportFormat) -> Self {
        let plan = model.shown_plan();
        let matches: usize = plan
            .iter()
            .map(|(file, picked)| match picked {
                Some(picked) => picked.len(),
                None => model.occurrences_of(*file).len(),
            })
            .sum();
        let extra = match format {
            ExportFormat::JsonLines => model.errors().len() as u64 + 1,
            ExportFormat::Csv => 1,
        };
        Serializer {
            model: model.id(),
            format,
            stage: match format {
                ExportFormat::JsonLines => Stage::Matches,
                ExportFormat::Csv => Stage::Header,
            },
            plan,
            next_file: 0,
            pending: 0..0,
            path: String::new(),
            text: String::new(),
            matches_written: 0,
            records_written: 0,
            records_total: matches as u64 + extra,
        }
    }

    /// Whether everything has been written.
    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// Match records written so far.
    pub fn matches_written(&self) -> u64 {
        self.matches_written
    }

    /// How far it is, from 0 to 1.
    pub fn fraction(&self) -> f32 {
        if self.records_total == 0 {
            return 1.0;
        }
        (self.records_written as f64 / self.records_total as f64) as f32
    }

    /// Appends records to `out` until it holds `max_bytes`, `deadline` has passed, or all is
    /// written. Returns whether all is written. A match on a line the model keeps only a
    /// window of is not written: `holes` gets its position in `out` and what the writer needs
    /// to write it with the whole line ([`write_holes`]).
    pub fn fill(
        &mut self,
        model: &ResultsModel,
        out: &mut Vec<u8>,
        holes: &mut Vec<Hole>,
        max_bytes: usize,
        deadline: Instant,
    ) -> io::Result<bool> {
        let mut records = match self.format {
            ExportFormat::JsonLines => Records::Json(out),
            ExportFormat::Csv => Records::Csv(Box::new(
                csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(out),
            )),
        };
        self.fill_records(model, &mut records, holes, max_bytes, deadline)?;
        records.finish()?;
        Ok(self.is_done())
    }

    fn fill_records(
        &mut self,
        model: &ResultsModel,
        records: &mut Records<'_>,
        holes: &mut Vec<Hole>,
        max_bytes: usize,
        deadline: Instant,
    ) -> io::Result<()> {
        let mut since_check = 0;
        loop {
            since_check += 1;
            if since_check >= RECORDS_PER_CHECK {
                since_check = 0;
                // A hole stands for a record the writer writes: counted at about a window's size,
                // so that a result set of long lines also goes out in bounded chunks.
                let size = records.len() + holes.len() * HOLE_BYTES;
                if size >= max_bytes || Instant::now() >= deadline {
                    return Ok(());
                }
            }
            match self.stage {
                Stage::Header => {
                    records.header()?;
                    self.records_written += 1;
                    self.stage = Stage::Matches;
                }
                Stage::Matches => match self.next_match(model) {
                    Some((file, index)) => {
                        let Some(view) = model.occurrence_in(file, index) else {
                            continue;
                        };
                        match model.cut_match(file, index) {
                            Some(cut) => holes.push(Hole {
                                at: records.position()?,
                                path: self.path.clone(),
                                cut,
                            }),
                            None => {
                                self.text.clear();
                                view.write_marked(&mut self.text);
                                records.write_match(&self.path, &view, &self.text)?;
                            }
                        }
                        self.matches_written += 1;
                        self.records_written += 1;
                    }
                    // CSV holds matches only: errors and totals are not rows of that table.
                    None => {
                        self.stage = match self.format {
                            ExportFormat::JsonLines => Stage::Errors(0),
                            ExportFormat::Csv => Stage::Done,
                        }
                    }
                },
                Stage::Errors(at) => match model.errors().get(at) {
                    Some(error) => {
                        records.error(error)?;
                        self.records_written += 1;
                        self.stage = Stage::Errors(at + 1);
                    }
                    None => self.stage = Stage::Summary,
                },
                Stage::Summary => {
                    records.summary(&summary_of(model))?;
                    self.records_written += 1;
                    self.stage = Stage::Done;
                }
                Stage::Done => return Ok(()),
            }
        }
    }

    /// The next occurrence to write and its file, moving on to the next file (and its path)
    /// as needed.
    fn next_match(&mut self, model: &ResultsModel) -> Option<(usize, usize)> {
        loop {
            if let Some(at) = self.pending.next() {
                // `pending` holds occurrences of the file taken last.
                let (file, picked) = self.plan.get(self.next_file.checked_sub(1)?)?;
                let index = match picked {
                    Some(picked) => *picked.get(at)? as usize,
                    None => at,
                };
                return Some((*file, index));
            }
            let (file, picked) = self.plan.get(self.next_file)?;
            let file = *file;
            self.next_file += 1;
            self.pending = match picked {
                Some(picked) => 0..picked.len(),
                None => model.occurrences_of(file),
            };
            self.path.clear();
            if let Some(view) = model.file(file) {
                self.path.push_str(&view.path.to_string_lossy());
            }
        }
    }
}

/// Where one slice's records go: JSON Lines bytes (the CLI's `--json` objects), or a CSV
/// writer over them. Errors and the summary have no CSV row; the serializer never asks.
enum Records<'a> {
    Json(&'a mut Vec<u8>),
    Csv(Box<csv::Writer<&'a mut Vec<u8>>>),
}

impl Records<'_> {
    /// Bytes written so far (a CSV writer's own buffer aside).
    fn len(&self) -> usize {
        match self {
            Records::Json(out) => out.len(),
            Records::Csv(csv) => csv.get_ref().len(),
        }
    }

    /// Where the next record goes in the bytes (a CSV writer's buffer written out first).
    fn position(&mut self) -> io::Result<usize> {
        if let Records::Csv(csv) = self {
            csv.flush()?;
        }
        Ok(self.len())
    }

    fn header(&mut self) -> io::Result<()> {
        match self {
            Records::Json(_) => Ok(()),
            Records::Csv(csv) => csv.write_record(CSV_HEADER).map_err(io::Error::other),
        }
    }

    /// One match; `text` is its line with the `…` marks.
    fn write_match(&mut self, path: &str, view: &MatchView<'_>, text: &str) -> io::Result<()> {
        match self {
            Records::Json(out) => jsonl::write_record(
                out,
                &jsonl::Record::Match {
                    path,
                    line: view.line_number,
                    column: u64::from(view.column),
                    byte_offset: view.byte_offset,
                    length: view.length,
                    text,
                    // The results model does not keep a file's encoding yet (#16, the window).
                    encoding: None,
                },
            ),
            // A tuple is one row, its numbers written without a String each.
            Records::Csv(csv) => csv
                .serialize((
                    path,
                    view.line_number,
                    view.column,
                    view.byte_offset,
                    view.length,
                    text,
                ))
                .map_err(io::Error::other),
        }
    }

    fn error(&mut self, error: &FileError) -> io::Result<()> {
        match self {
            Records::Json(out) => jsonl::write_error(out, error),
            Records::Csv(_) => Ok(()),
        }
    }

    fn summary(&mut self, summary: &Summary) -> io::Result<()> {
        match self {
            Records::Json(out) => jsonl::write_summary(out, summary),
            Records::Csv(_) => Ok(()),
        }
    }

    /// Hands the CSV writer's buffered rows to the bytes.
    fn finish(self) -> io::Result<()> {
        match self {
            Records::Json(_) => Ok(()),
            Records::Csv(mut csv) => csv.flush(),
        }
    }
}

/// The model's summary, or one made of what it holds when the search ended without one.
fn summary_of(model: &ResultsModel) -> Summary {
    model.summary().copied().unwrap_or(Summary {
        files_searched: 0,
        files_matched: model.file_count() as u64,
        matches: model.match_count() as u64,
        bytes_searched: 0,
        errors: model.errors().len() as u64,
        elapsed: Duration::ZERO,
        cancelled: false,
    })
}

/// Serializes the whole model at once, long lines read back as the writer does, for the tests
/// to compare with the sliced export.
#[cfg(test)]
fn to_bytes(model: &ResultsModel, format: ExportFormat) -> io::Result<Vec<u8>> {
    let mut serializer = Serializer::new(model, format);
    let mut out = Vec::new();
    let mut holes = Vec::new();
    let far = Instant::now() + Duration::from_secs(3600);
    while !serializer.fill(model, &mut out, &mut holes, usize::MAX, far)? {}
    let mut written = Vec::new();
    let mut reader = ReadBack::default();
    write_holes(&mut written, &out, &holes, format, &mut reader)?;
    Ok(written)
}

/// A match whose record the writer thread writes, with its line read back from the file.
pub struct Hole {
    /// Where the record goes in its chunk's bytes.
    at: usize,
    /// The path as records write it (lossily as UTF-8).
    path: String,
    cut: CutMatch,
}

/// What the UI sends the writer thread.
enum Chunk {
    /// Bytes, and the records to write at the holes in them.
    Bytes(Vec<u8>, Vec<Hole>),
    /// Everything was sent: make the file the target.
    Finish,
}

/// The writer's line reading: the reader, and the matches whose lines could not be read back
/// (written with their window, marked `…`).
#[derive(Default)]
struct ReadBack {
    reader: LineReader,
    kept_cut: u64,
    first_problem: Option<String>,
}

/// Writes `bytes` to `out` with the record of each hole in its place, its line read back.
fn write_holes(
    out: &mut dyn Write,
    bytes: &[u8],
    holes: &[Hole],
    format: ExportFormat,
    read_back: &mut ReadBack,
) -> io::Result<()> {
    let mut from = 0;
    let mut record = Vec::new();
    for hole in holes {
        out.write_all(bytes.get(from..hole.at).unwrap_or_default())?;
        from = hole.at;
        let text = match read_back.reader.read(&hole.cut) {
            Ok(line) => line,
            Err(err) => {
                read_back.kept_cut += 1;
                read_back.first_problem.get_or_insert(err.message);
                hole.cut.marked.as_str()
            }
        };
        record.clear();
        let cut = &hole.cut;
        match format {
            ExportFormat::JsonLines => jsonl::write_record(
                &mut record,
                &jsonl::Record::Match {
                    path: &hole.path,
                    line: cut.line_number,
                    column: u64::from(cut.column),
                    byte_offset: cut.byte_offset,
                    length: cut.length,
                    text,
                    // The results model does not keep a file's encoding yet (#16, the window).
                    encoding: None,
                },
            )?,
            ExportFormat::Csv => {
                let mut csv = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(&mut record);
                csv.serialize((
                    &hole.path,
                    cut.line_number,
                    cut.column,
                    cut.byte_offset,
                    cut.length,
                    text,
                ))
                .map_err(io::Error::other)?;
                csv.flush()?;
            }
        }
        out.write_all(&record)?;
    }
    out.write_all(bytes.get(from..).unwrap_or_default())
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

/// One export under way: the serializer on the UI side, the writer thread behind a channel.
/// Dropping it cancels the export (the writer removes its temporary file).
pub struct ExportJob {
    target: PathBuf,
    serializer: Serializer,
    /// Serialized bytes the channel had no room for yet, and the holes in them.
    chunk: Vec<u8>,
    holes: Vec<Hole>,
    /// `None` once `Finish` was sent (or the writer went away).
    chunks: Option<SyncSender<Chunk>>,
    ended: Receiver<Result<ReadBack, String>>,
}

/// What [`ExportJob::step`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// More to do: call again at the next frame.
    Busy,
    /// Waiting for the writer (the disk); it wakes the window when it is ready.
    Waiting,
    /// Over.
    Ended(ExportEnd),
}

impl ExportJob {
    /// Starts exporting `model` to `target` in `format`; `wake` is called from the writer
    /// thread when it has taken a chunk or ended, so the window repaints.
    pub fn start(
        model: &ResultsModel,
        target: PathBuf,
        format: ExportFormat,
        wake: impl Fn() + Send + 'static,
    ) -> Result<Self, String> {
        let (chunks, received) = std::sync::mpsc::sync_channel(QUEUED_CHUNKS);
        let (ended_tx, ended) = std::sync::mpsc::channel();
        let writer_target = target.clone();
        std::thread::Builder::new()
            .name("trawl-export".into())
            .spawn(move || {
                let outcome = write_via_temp(&writer_target, &received, format, &wake);
                // The window may have gone (or cancelled); then nobody needs the outcome.
                let _ = ended_tx.send(outcome);
                wake();
            })
            .map_err(|err| {
                format!(
                    "Could not export to {}: could not start a thread ({err})",
                    target.display()
                )
            })?;
        Ok(ExportJob {
            target,
            serializer: Serializer::new(model, format),
            chunk: Vec::new(),
            holes: Vec::new(),
            chunks: Some(chunks),
            ended,
        })
    }

    /// Whether `model` is the one this export started on.
    pub fn is_for(&self, model: &ResultsModel) -> bool {
        self.serializer.model == model.id()
    }

    /// The file being written.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// How far the serializing is, from 0 to 1.
    pub fn fraction(&self) -> f32 {
        self.serializer.fraction()
    }

    /// Serializes for up to `budget` and passes the bytes on; says what comes next.
    pub fn step(&mut self, model: &ResultsModel, budget: Duration) -> Step {
        match self.ended.try_recv() {
            Ok(Ok(read_back)) => {
                return Step::Ended(ExportEnd::Written {
                    path: self.target.clone(),
                    matches: self.serializer.matches_written(),
                    kept_cut: read_back.kept_cut,
                    problem: read_back.first_problem,
                });
            }
            Ok(Err(message)) => return Step::Ended(ExportEnd::Failed(message)),
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => {
                return Step::Ended(ExportEnd::Failed(format!(
                    "Could not export to {}: the writing thread stopped unexpectedly",
                    self.target.display()
                )));
            }
        }
        let deadline = Instant::now() + budget;
        loop {
            let Some(chunks) = self.chunks.as_ref() else {
                return Step::Waiting;
            };
            if !self.chunk.is_empty() || !self.holes.is_empty() {
                let bytes = std::mem::take(&mut self.chunk);
                let holes = std::mem::take(&mut self.holes);
                match chunks.try_send(Chunk::Bytes(bytes, holes)) {
                    Ok(()) => {}
                    Err(TrySendError::Full(Chunk::Bytes(bytes, holes))) => {
                        self.chunk = bytes;
                        self.holes = holes;
                        return Step::Waiting;
                    }
                    // The writer failed; its message is on its way.
                    Err(_) => {
                        self.chunks = None;
                        return Step::Waiting;
                    }
                }
            }
            if self.serializer.is_done() {
                match chunks.try_send(Chunk::Finish) {
                    Ok(()) => self.chunks = None,
                    Err(TrySendError::Full(_)) => {}
                    Err(TrySendError::Disconnected(_)) => self.chunks = None,
                }
                return Step::Waiting;
            }
            if Instant::now() >= deadline {
                return Step::Busy;
            }
            self.chunk.reserve(CHUNK_BYTES + CHUNK_BYTES / 8);
            if let Err(err) = self.serializer.fill(
                model,
                &mut self.chunk,
                &mut self.holes,
                CHUNK_BYTES,
                deadline,
            ) {
                // Writing into memory only fails on a serializer bug; say so rather than panic.
                return Step::Ended(ExportEnd::Failed(format!(
                    "Could not export to {}: {err}",
                    self.target.display()
                )));
            }
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

/// The writer thread: the chunks into a temporary file, then a rename over `target` once
/// `Finish` arrives. Any failure, or the sender going away (a cancel), removes the temporary
/// file and leaves `target` as it was.
fn write_via_temp(
    target: &Path,
    chunks: &Receiver<Chunk>,
    format: ExportFormat,
    wake: &dyn Fn(),
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
    let mut read_back = ReadBack::default();
    let written = write_chunks(file, chunks, format, &mut read_back, wake)
        .map_err(|err| fail(err.to_string()))
        .and_then(|finished| {
            if finished {
                Ok(())
            } else {
                Err(fail("cancelled".into()))
            }
        })
        .and_then(|()| std::fs::rename(&temp, target).map_err(|err| fail(err.to_string())))
        .map(|()| read_back);
    if written.is_err() {
        // Best effort: a leftover temporary file is hidden and named for what it is.
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Writes chunks until `Finish` (true) or the sender goes away (false), then flushes and syncs
/// the file, so the rename never puts an incomplete file in place.
fn write_chunks(
    file: File,
    chunks: &Receiver<Chunk>,
    format: ExportFormat,
    read_back: &mut ReadBack,
    wake: &dyn Fn(),
) -> io::Result<bool> {
    let mut out = BufWriter::with_capacity(CHUNK_BYTES, file);
    loop {
        match chunks.recv() {
            Ok(Chunk::Bytes(bytes, holes)) => {
                write_holes(&mut out, &bytes, &holes, format, read_back)?;
                // Room in the channel again: the UI may be waiting to send.
                wake();
            }
            Ok(Chunk::Finish) => break,
            Err(_) => return Ok(false),
        }
    }
    let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.sync_all()?;
    Ok(true)
}

/// Runs a whole export on the calling thread, as the window does it over frames (tests).
#[cfg(test)]
fn export_blocking(
    model: &ResultsModel,
    target: &Path,
    format: ExportFormat,
) -> Result<u64, String> {
    let mut job = ExportJob::start(model, target.to_path_buf(), format, || {})?;
    loop {
        match job.step(model, Duration::from_millis(50)) {
            Step::Busy => {}
            Step::Waiting => std::thread::sleep(Duration::from_millis(1)),
            Step::Ended(ExportEnd::Written { matches, .. }) => return Ok(matches),
            Step::Ended(ExportEnd::Failed(message)) => return Err(message),
        }
    }
}

/// How the last export ended, shown under the results toolbar until dismissed.
pub(crate) struct Outcome {
    pub(crate) text: String,
    pub(crate) failed: bool,
}

/// The in-window "Export results" form, for when the system's save dialog cannot open.
pub(crate) struct ExportForm {
    /// The path as typed.
    pub(crate) path: String,
    pub(crate) format: ExportFormat,
    /// Where a relative path is taken from (the folder the path was prefilled in).
    base: PathBuf,
    /// Why the typed path cannot be used.
    pub(crate) problem: Option<String>,
    /// An existing file the person is asked to replace (Replace writes over it).
    pub(crate) replace: Option<PathBuf>,
    /// Why this form shows instead of the system dialog.
    pub(crate) note: Option<String>,
}

impl ExportForm {
    fn new(target: &Path, note: Option<String>) -> Self {
        ExportForm {
            path: target.display().to_string(),
            format: ExportFormat::from_path(target),
            base: target
                .parent()
                .map_or_else(|| PathBuf::from("/"), Path::to_path_buf),
            problem: None,
            replace: None,
            note,
        }
    }

    /// The path typed changed: the format follows a `.csv` or `.jsonl` name, and a pending
    /// "replace?" no longer applies.
    pub(crate) fn path_edited(&mut self) {
        self.problem = None;
        self.replace = None;
        if let Some(format) = ExportFormat::named_by(Path::new(self.path.trim())) {
            self.format = format;
        }
    }

    /// The format was chosen: a name ending in the other format's extension follows it.
    pub(crate) fn format_chosen(&mut self) {
        self.problem = None;
        self.replace = None;
        let path = PathBuf::from(self.path.trim());
        if ExportFormat::named_by(&path).is_some() {
            self.path = path
                .with_extension(self.format.extension())
                .display()
                .to_string();
        }
    }

    /// The typed path as a file that can be written: `~` expanded, a relative path taken in
    /// the prefilled folder, its folder existing.
    fn target(&self) -> Result<PathBuf, String> {
        let typed = self.path.trim();
        if typed.is_empty() {
            return Err("Type the path of the file to write.".into());
        }
        let path = crate::app::state::expand_home(typed);
        let path = if path.is_relative() {
            self.base.join(path)
        } else {
            path
        };
        if path.is_dir() {
            return Err(format!(
                "{} is a folder: add a file name, such as {DEFAULT_FILE_NAME}.",
                path.display()
            ));
        }
        match path.parent() {
            Some(folder) if !folder.is_dir() => Err(format!(
                "The folder {} does not exist: create it first or choose another one.",
                folder.display()
            )),
            _ => Ok(path),
        }
    }
}

/// What the person did in the export form.
pub(crate) enum FormAction {
    Export,
    Replace,
    Close,
}

/// The export's share of the window state.
#[derive(Default)]
pub(crate) struct ExportUi {
    /// The system's save dialog while it is open.
    dialog: Option<NativePicker>,
    pub(crate) form: Option<ExportForm>,
    job: Option<ExportJob>,
    pub(crate) outcome: Option<Outcome>,
}

impl TrawlApp {
    /// Why Export is unavailable now, or `None` when it can start.
    pub fn export_blocked(&self) -> Option<&'static str> {
        if self.export.job.is_some() {
            Some("An export is running")
        } else if self.is_searching() || self.typing_search_pending() {
            Some("Export is available when the search has ended")
        } else if self.results.as_ref().is_none_or(|r| r.match_count() == 0) {
            Some("Nothing to export: no matches")
        } else if self
            .results
            .as_ref()
            .is_some_and(|r| r.shown_match_count() == 0)
        {
            Some("Nothing to export: the filter hides every result")
        } else {
            None
        }
    }

    /// Whether an export is being written.
    pub fn is_exporting(&self) -> bool {
        self.export.job.is_some()
    }

    /// How far the running export is, from 0 to 1.
    pub fn export_progress(&self) -> Option<f32> {
        self.export.job.as_ref().map(ExportJob::fraction)
    }

    /// How the last export ended ("Exported N matches to PATH", or why it failed).
    pub fn export_outcome(&self) -> Option<&str> {
        self.export.outcome.as_ref().map(|o| o.text.as_str())
    }

    /// Whether the in-window export form is open.
    pub fn export_form_open(&self) -> bool {
        self.export.form.is_some()
    }

    /// Export…: the system's save dialog (off the UI thread), or the in-window form when it
    /// cannot open. When export is unavailable the notice says why.
    pub fn open_export(&mut self, ctx: &egui::Context) {
        if let Some(reason) = self.export_blocked() {
            self.notice = Some(crate::app::Notice::show(ctx, reason.to_string()));
            return;
        }
        if self.export.dialog.is_some() || self.export.form.is_some() {
            return;
        }
        let Some(root) = self.results.as_ref().map(|r| r.root().to_path_buf()) else {
            return;
        };
        let folder = default_folder(&root);
        if !self.native_dialogs {
            self.export.form = Some(ExportForm::new(&folder.join(DEFAULT_FILE_NAME), None));
            return;
        }
        let wake = ctx.clone();
        let start = folder.clone();
        self.export.dialog = NativePicker::run(
            "trawl-save-dialog",
            move || {
                rfd::FileDialog::new()
                    .set_title("Export results")
                    .set_directory(start)
                    .set_file_name(DEFAULT_FILE_NAME)
                    .add_filter(
                        ExportFormat::JsonLines.label(),
                        &[ExportFormat::JsonLines.extension()],
                    )
                    .add_filter(ExportFormat::Csv.label(), &[ExportFormat::Csv.extension()])
                    .save_file()
            },
            move || wake.request_repaint(),
        );
        if self.export.dialog.is_none() {
            self.export.form = Some(ExportForm::new(
                &folder.join(DEFAULT_FILE_NAME),
                Some("The save dialog could not be started: type the file's path.".into()),
            ));
        }
    }

    /// Starts writing every match to `path` in `format`, without any dialog (the dialog and
    /// the form end here). Progress shows in the toolbar; the outcome under it.
    pub fn export_to(
        &mut self,
        ctx: &egui::Context,
        path: PathBuf,
        format: ExportFormat,
    ) -> Result<(), String> {
        if let Some(reason) = self.export_blocked() {
            return Err(reason.to_string());
        }
        let Some(results) = self.results.as_ref() else {
            return Err("Nothing to export: no matches".into());
        };
        let wake = ctx.clone();
        self.export.outcome = None;
        match ExportJob::start(results, path, format, move || wake.request_repaint()) {
            Ok(job) => {
                self.export.job = Some(job);
                ctx.request_repaint();
                Ok(())
            }
            Err(message) => {
                self.export.outcome = Some(Outcome {
                    text: message.clone(),
                    failed: true,
                });
                Err(message)
            }
        }
    }

    /// Stops the running export; the target is left as it was.
    pub fn cancel_export(&mut self) {
        if let Some(job) = self.export.job.take() {
            self.export.outcome = Some(Outcome {
                text: format!(
                    "Export cancelled: {} was not written.",
                    job.target().display()
                ),
                failed: false,
            });
        }
    }

    /// Each frame: takes the save dialog's answer, and serializes a slice of the export.
    pub(crate) fn pump_export(&mut self, ctx: &egui::Context) {
        if let Some(outcome) = self.export.dialog.as_ref().and_then(NativePicker::poll) {
            self.export.dialog = None;
            match outcome {
                PickOutcome::Picked(path) => {
                    let format = ExportFormat::from_path(&path);
                    // A failure to start is shown as the outcome.
                    let _ = self.export_to(ctx, path, format);
                }
                PickOutcome::Cancelled => {}
                PickOutcome::Unavailable => {
                    let target = self
                        .results
                        .as_ref()
                        .map(|r| default_folder(r.root()).join(DEFAULT_FILE_NAME))
                        .unwrap_or_else(|| PathBuf::from(DEFAULT_FILE_NAME));
                    self.export.form = Some(ExportForm::new(
                        &target,
                        Some(
                            "The system save dialog could not open here (no desktop portal or \
                             dialog program): type the file's path."
                                .into(),
                        ),
                    ));
                }
            }
        }
        let Some(job) = self.export.job.as_mut() else {
            return;
        };
        // The export goes on while it writes the results on screen; a new search's results
        // replacing them end it.
        let Some(results) = self.results.as_ref().filter(|model| job.is_for(model)) else {
            let target = job.target().display().to_string();
            self.export.job = None;
            self.export.outcome = Some(Outcome {
                text: format!(
                    "Export stopped because new results replaced the ones it was writing: \
                     {target} was not written."
                ),
                failed: true,
            });
            return;
        };
        match job.step(results, EXPORT_BUDGET) {
            Step::Busy => ctx.request_repaint(),
            // The writer thread wakes the window when it has room or has ended.
            Step::Waiting => {}
            Step::Ended(end) => {
                self.export.job = None;
                self.export.outcome = Some(match end {
                    ExportEnd::Written {
                        path,
                        matches,
                        kept_cut,
                        problem,
                    } => {
                        let mut text = format!(
                            "Exported {} to {}",
                            plural(matches, "match", "matches"),
                            path.display()
                        );
                        if kept_cut > 0 {
                            text.push_str(&format!(
                                ". {} on long lines could not be read back whole and {} \
                                 written cut, marked … ({}). Search again to export them whole.",
                                plural(kept_cut, "match", "matches"),
                                if kept_cut == 1 { "is" } else { "are" },
                                problem.unwrap_or_default()
                            ));
                        }
                        Outcome {
                            text,
                            failed: kept_cut > 0,
                        }
                    }
                    ExportEnd::Failed(message) => Outcome {
                        text: message,
                        failed: true,
                    },
                });
            }
        }
    }

    /// Acts on the export form's buttons.
    pub(crate) fn export_form_action(&mut self, ctx: &egui::Context, action: FormAction) {
        let Some(form) = self.export.form.as_mut() else {
            return;
        };
        let target = match action {
            FormAction::Close => {
                self.export.form = None;
                return;
            }
            FormAction::Replace => form.replace.clone().ok_or_else(String::new),
            FormAction::Export => form.target(),
        };
        let path = match target {
            Ok(path) => path,
            Err(problem) => {
                form.problem = Some(problem).filter(|p| !p.is_empty());
                return;
            }
        };
        if matches!(action, FormAction::Export) && path.exists() {
            form.replace = Some(path);
            return;
        }
        let format = form.format;
        match self.export_to(ctx, path, format) {
            Ok(()) => self.export.form = None,
            Err(message) => {
                if let Some(form) = self.export.form.as_mut() {
                    form.problem = Some(message);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::results::SortOrder;
    use crate::search::{FileError, FileResult, LineCut, MatchLine, Occurrence};

    /// One file with one line and its occurrences as byte ranges.
    fn file(path: &str, line: u64, text: &str, ranges: &[(usize, usize)]) -> FileResult {
        let occurrences: Vec<Occurrence> = ranges
            .iter()
            .map(|&(s, e)| Occurrence {
                column: s as u64 + 1,
                byte_offset: 100 + s as u64,
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

    /// The export of a real search, byte for byte as CONTRACT.md writes `--json`'s objects
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
                    byte_offset: 8,
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

    #[test]
    fn slices_stop_at_the_byte_limit_and_resume_where_they_stopped() {
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        for i in 0..50 {
            let ranges: Vec<(usize, usize)> = (0..40).map(|k| (k, k + 1)).collect();
            model.push_file(file(&format!("/r/f{i:02}.rs"), 1, &"x".repeat(40), &ranges));
        }
        finished(&mut model);
        for format in ExportFormat::ALL {
            let whole = to_bytes(&model, format).expect("export");
            let mut serializer = Serializer::new(&model, format);
            let mut pieces = Vec::new();
            let far = Instant::now() + Duration::from_secs(60);
            let mut slices = 0;
            loop {
                let mut chunk = Vec::new();
                let done = serializer
                    .fill(&model, &mut chunk, &mut Vec::new(), 4096, far)
                    .expect("fill");
                assert!(chunk.len() < 4096 + 64 * 200, "{format:?}: {}", chunk.len());
                pieces.extend_from_slice(&chunk);
                slices += 1;
                if done {
                    break;
                }
            }
            assert!(slices > 10, "{format:?} took {slices} slices");
            assert_eq!(pieces, whole, "{format:?}");
            assert_eq!(serializer.matches_written(), 2000);
            assert_eq!(serializer.fraction(), 1.0);
        }
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
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let writer = std::thread::spawn(move || {
            write_chunks(
                full,
                &rx,
                ExportFormat::JsonLines,
                &mut ReadBack::default(),
                &|| {},
            )
        });
        let _ = tx.send(Chunk::Bytes(vec![b'x'; CHUNK_BYTES * 2], Vec::new()));
        let _ = tx.send(Chunk::Finish);
        drop(tx);
        assert!(writer.join().expect("writer thread").is_err());

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

        // A cancelled export (the job dropped midway) leaves the old file as it was.
        let mut job =
            ExportJob::start(&model, target.clone(), ExportFormat::JsonLines, || {}).expect("job");
        let _ = job.step(&model, Duration::from_micros(200));
        assert!(job.fraction() < 1.0);
        drop(job);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::read_dir(dir.path()).expect("list").count() > 1 {
            assert!(Instant::now() < deadline, "the temporary file stayed");
            std::thread::sleep(Duration::from_millis(5));
        }
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

    #[test]
    fn the_format_follows_the_extension() {
        assert_eq!(
            ExportFormat::from_path(Path::new("/x/r.csv")),
            ExportFormat::Csv
        );
        assert_eq!(
            ExportFormat::from_path(Path::new("/x/r.CSV")),
            ExportFormat::Csv
        );
        for other in ["/x/r.jsonl", "/x/r.json", "/x/r", "/x/r.txt"] {
            assert_eq!(
                ExportFormat::from_path(Path::new(other)),
                ExportFormat::JsonLines
            );
        }
    }

    #[test]
    fn choosing_a_format_renames_a_file_named_for_the_other_in_any_case() {
        let mut form = ExportForm::new(Path::new("/x/out.CSV"), None);
        assert_eq!(form.format, ExportFormat::Csv);
        form.format = ExportFormat::JsonLines;
        form.format_chosen();
        assert_eq!(form.path, "/x/out.jsonl");
        form.path = "/x/notes.txt".into();
        form.path_edited();
        form.format = ExportFormat::Csv;
        form.format_chosen();
        assert_eq!(
            form.path, "/x/notes.txt",
            "another extension is the person's choice"
        );
        form.path = "/x/r.JSONL".into();
        form.path_edited();
        assert_eq!(form.format, ExportFormat::JsonLines);
    }
}
