//! The results model: what a search found ([`Found`]: stored compactly, append-only while the
//! search streams in, immutable after, shared with background jobs as a cheap snapshot) and how
//! the list shows it ([`Layout`], in `layout.rs`: order, filter, folding and the flat row index
//! the list view scrolls over, rebuilt by a job when the person sorts, filters or folds every
//! file). Copy all's text is built here too, on a job ([`copy_text`]).
//!
//! A million matches must stay cheap, so nothing here is one allocation per match: a file's
//! line texts live in one string, each line is a 24-byte record and each occurrence a 32-byte
//! one. A file arrives in that form ([`StoredFile`], built on the search thread that found
//! it), so taking it in costs the UI thread one push however many matches it holds.
//! The list is virtual: a row is either a file header or one occurrence, and a row number is
//! turned into one of those with a binary search over per-file prefix sums, so laying out the
//! visible rows costs nothing in the size of the rest.

mod layout;

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use serde::{Deserialize, Serialize};

pub use layout::{Layout, LayoutSpec};

use crate::app::job::{Job, Polled};
use crate::app::line_text::CutMatch;
use crate::search::{Excerpt, FileError, FileResult, LineCut, SearchEvent, Summary};

/// How the files in the list are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortOrder {
    /// By relative path, A to Z.
    #[default]
    Path,
    /// Most matches first; ties by path.
    Matches,
    /// In the order the search found them (that order varies between runs).
    Found,
    /// Most recently modified first; ties by path.
    Modified,
}

impl SortOrder {
    /// Every order, for the drop-down.
    pub const ALL: [SortOrder; 4] = [
        SortOrder::Path,
        SortOrder::Matches,
        SortOrder::Modified,
        SortOrder::Found,
    ];

    /// The name shown in the drop-down.
    pub fn label(self) -> &'static str {
        match self {
            SortOrder::Path => "Path",
            SortOrder::Matches => "Match count",
            SortOrder::Found => "Order found",
            SortOrder::Modified => "Last modified",
        }
    }
}

/// One file's matches as the model stores them, made from the engine's [`FileResult`] by
/// [`StoredFile::new`] on the search thread that found the file (the window passes it to
/// [`crate::search::start_prepared`]): the line texts are taken over without a copy, and the
/// records are written there, not in a frame.
#[derive(Debug)]
pub struct StoredFile {
    /// The path as the engine reported it (absolute, since the window searches an absolute root).
    path: PathBuf,
    /// The path relative to the searched root, shown in the header.
    display: Box<str>,
    /// When the file was last modified, as the engine saw it.
    modified: Option<std::time::SystemTime>,
    /// The lines' texts one after another.
    text: Box<str>,
    lines: Box<[LineEntry]>,
    /// In file order; each names its line in `lines`.
    occurrences: Box<[OccurrenceEntry]>,
    /// The engine's `max_columns` if it cut a line of this file, else 0.
    max_columns: usize,
    /// The path's length as Copy all writes it.
    copy_path_len: usize,
    /// The encoding the file was decoded from, `None` when searched as its bytes: the export
    /// names it as `--json` does.
    encoding: Option<&'static encoding_rs::Encoding>,
    /// What this file's rows take in Copy all, long lines counted by their location only.
    row_bytes: u64,
    /// Searched as text though binary (the engine's [`FileResult::binary`]): never replaced.
    binary: bool,
}

impl StoredFile {
    /// The model's form of `file`, found by a search of `root` (its header shows the path
    /// relative to that).
    pub fn new(file: FileResult, root: &Path) -> Self {
        let display = match file.path.strip_prefix(root) {
            Ok(rel) if !rel.as_os_str().is_empty() => shown_path(rel),
            // The root was a file itself, or the path is elsewhere: show it whole.
            _ => shown_path(&file.path),
        }
        .into_boxed_str();
        let mut lines = Vec::with_capacity(file.lines.len());
        let mut occurrences = Vec::with_capacity(file.lines.occurrence_count());
        let mut max_columns = 0;
        let mut text_start = 0;
        let copy_path_len = file.path.display().to_string().len();
        let mut row_bytes_sum = 0;
        for line in &file.lines {
            let line_index = saturate(lines.len());
            let mut cut = line.cut.map_or(0, |cut| {
                max_columns = cut.max_columns;
                CUT | if cut.before { CUT_BEFORE } else { 0 }
                    | if cut.after { CUT_AFTER } else { 0 }
            });
            if line.spans_lines {
                cut |= SPANS_LINES;
            }
            lines.push(LineEntry {
                text_start,
                line_number: line.line_number,
                text_len: saturate(line.text.len()),
                cut,
            });
            text_start += line.text.len();
            for occurrence in line.occurrences {
                let text_len = if line.cut.is_some() {
                    0
                } else {
                    line.text.len()
                };
                row_bytes_sum += row_bytes(
                    copy_path_len,
                    line.line_number,
                    u32::try_from(occurrence.column).unwrap_or(u32::MAX),
                    text_len,
                );
                occurrences.push(OccurrenceEntry {
                    // The window's requests ask for offsets (`SearchRequest::byte_offsets`).
                    byte_offset: occurrence.byte_offset.unwrap_or_default(),
                    length: saturate(usize::try_from(occurrence.length).unwrap_or(usize::MAX)),
                    line: line_index,
                    column: u32::try_from(occurrence.column).unwrap_or(u32::MAX),
                    highlight_start: saturate(occurrence.highlight.start),
                    highlight_end: saturate(occurrence.highlight.end),
                });
            }
        }
        StoredFile {
            display,
            encoding: file.encoding,
            modified: file.modified,
            // Each line's text starts where the ones before it end (`MatchLines::into_text`).
            text: file.lines.into_text().into_boxed_str(),
            lines: lines.into_boxed_slice(),
            occurrences: occurrences.into_boxed_slice(),
            max_columns,
            path: file.path,
            copy_path_len,
            row_bytes: row_bytes_sum,
            binary: file.binary,
        }
    }

    /// What an occurrence's row takes in Copy all (a long line by its location only).
    fn row_bytes_of(&self, occurrence: &OccurrenceEntry) -> u64 {
        let Some(line) = self.lines.get(occurrence.line as usize) else {
            return 0;
        };
        let text_len = if line.cut & CUT == 0 {
            line.text_len as usize
        } else {
            0
        };
        row_bytes(
            self.copy_path_len,
            line.line_number,
            occurrence.column,
            text_len,
        )
    }

    /// A line's text.
    fn line_text(&self, line: &LineEntry) -> &str {
        self.text
            .get(line.text_start..line.text_start + line.text_len as usize)
            .unwrap_or_default()
    }
}

/// One file with matches, as [`Found`] holds it.
#[derive(Clone, Debug)]
struct FileEntry {
    /// Shared with the jobs that read the results (a filter, a copy, an export).
    found: Arc<StoredFile>,
    /// The model-wide number of its first occurrence; a file's occurrences are numbered
    /// contiguously, files in the order they arrived.
    first_occurrence: usize,
}

impl FileEntry {
    /// The model-wide numbers of its occurrences.
    fn numbers(&self) -> Range<usize> {
        self.first_occurrence..self.first_occurrence + self.found.occurrences.len()
    }

    /// Its number of occurrences, as the list counts them.
    fn count(&self) -> u32 {
        saturate(self.found.occurrences.len())
    }
}

/// One matching line (or stretch of a long line, see [`crate::search::MatchLine::text`]). Its
/// text is a slice of its file's.
#[derive(Debug)]
struct LineEntry {
    text_start: usize,
    line_number: u64,
    text_len: u32,
    /// How the engine cut the line: [`CUT`], [`CUT_BEFORE`], [`CUT_AFTER`] (a `LineCut` whose
    /// `max_columns` is kept once, in the model); and [`SPANS_LINES`] for a multiline match.
    cut: u8,
}

/// [`LineEntry::cut`]: the text is a stretch of a longer line, each occurrence shows a window.
const CUT: u8 = 1;
/// [`LineEntry::cut`]: the line goes on before the text.
const CUT_BEFORE: u8 = 2;
/// [`LineEntry::cut`]: the line goes on after the text.
const CUT_AFTER: u8 = 4;
/// [`LineEntry::cut`]: an occurrence on the line continues onto the next lines.
const SPANS_LINES: u8 = 8;

/// One occurrence: a row of the list.
#[derive(Debug)]
struct OccurrenceEntry {
    /// Byte offset in the file, and length (saturated), for export.
    byte_offset: u64,
    length: u32,
    /// Its line, in its file's lines.
    line: u32,
    column: u32,
    highlight_start: u32,
    highlight_end: u32,
}

/// What a row of the list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowRef {
    /// The header of a file (an index into the model's files).
    File(usize),
    /// One occurrence (an index into the model's occurrences).
    Match(usize),
}

/// A file header as the view draws it.
#[derive(Debug)]
pub struct FileView<'a> {
    /// Path relative to the searched folder.
    pub display: &'a str,
    /// Full path.
    pub path: &'a Path,
    /// Occurrences in the file.
    pub matches: u32,
    /// Whether the header is folded.
    pub collapsed: bool,
    /// Occurrences that pass the row filter (all of them without one).
    pub shown: u32,
}

/// One occurrence as the view draws it.
#[derive(Debug)]
pub struct MatchView<'a> {
    /// The file it is in.
    pub file: usize,
    /// 1-based line number.
    pub line_number: u64,
    /// 1-based column in characters.
    pub column: u32,
    /// 0-based byte offset of the match in the file.
    pub byte_offset: u64,
    /// The match's length in bytes.
    pub length: u64,
    /// The line's text, or the window of a long line around the match.
    pub text: &'a str,
    /// The match's byte range in `text`.
    pub highlight: Range<usize>,
    /// The line goes on before `text` (shown as `…`).
    pub ellipsis_before: bool,
    /// The line goes on after `text` (shown as `…`).
    pub ellipsis_after: bool,
    /// An occurrence on this line continues onto the next lines (multiline search).
    pub spans_lines: bool,
    /// The line is longer than the model keeps: `text` is a window of it, and what leaves the
    /// window (an export, a copy) reads the whole line back from the file
    /// ([`crate::app::line_text`]).
    pub line_cut: bool,
}

impl MatchView<'_> {
    /// The text as copied or exported: with its `…` marks.
    pub fn marked_text(&self) -> String {
        let mut marked = String::with_capacity(self.text.len() + 6);
        self.write_marked(&mut marked);
        marked
    }

    /// Appends the marked text to `out`, so an export can reuse one buffer for every match.
    pub fn write_marked(&self, out: &mut String) {
        if self.ellipsis_before {
            out.push('…');
        }
        out.push_str(self.text);
        if self.ellipsis_after {
            out.push('…');
        }
    }
}

/// What [`ResultsModel::ingest`] did this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ingest {
    /// The channel is empty for now; the search goes on.
    Idle,
    /// The budget ran out with events still waiting: ask for another frame.
    MoreWaiting,
    /// The search's last event arrived (or its threads went away).
    Finished,
}

/// What a search found: append-only while it streams in, never changed after. Cloning it is
/// cheap (a few `Arc`s): a job takes a clone as its snapshot and reads it on its own thread
/// while the window goes on taking in files (the first push after a clone copies the list of
/// file pointers, not the files).
#[derive(Clone, Debug)]
pub struct Found {
    root: Arc<Path>,
    files: Arc<Vec<FileEntry>>,
    /// The engine's `max_columns`, for the lines it cut (the same for every line of a search).
    max_columns: usize,
    errors: Arc<Vec<FileError>>,
    summary: Option<Summary>,
    /// The search looked inside archives and compressed files (`search_zip`): a path that
    /// names one was read from inside it, not from the disk.
    searched_archives: bool,
}

impl Found {
    fn new(root: PathBuf) -> Self {
        Found {
            root: Arc::from(root),
            files: Arc::new(Vec::new()),
            max_columns: 0,
            errors: Arc::new(Vec::new()),
            summary: None,
            searched_archives: false,
        }
    }

    fn push(&mut self, found: StoredFile) {
        if found.max_columns > 0 {
            self.max_columns = found.max_columns;
        }
        let first_occurrence = self.match_count();
        Arc::make_mut(&mut self.files).push(FileEntry {
            found: Arc::new(found),
            first_occurrence,
        });
    }

    /// Files with at least one match.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// Occurrences stored.
    pub fn match_count(&self) -> usize {
        self.files.last().map_or(0, |entry| entry.numbers().end)
    }

    /// Files and folders that could not be read, with the reason.
    pub fn errors(&self) -> &[FileError] {
        &self.errors
    }

    /// The final totals, once the search has ended.
    pub fn summary(&self) -> Option<&Summary> {
        self.summary.as_ref()
    }

    /// The folder that was searched.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file an occurrence belongs to.
    pub fn file_of(&self, occurrence: usize) -> Option<usize> {
        // The files' occurrences are numbered in arrival order: the first file whose
        // occurrences end after this one holds it.
        let file = self
            .files
            .partition_point(|entry| entry.numbers().end <= occurrence);
        (file < self.files.len()).then_some(file)
    }

    /// The occurrences of `file`, as indices for [`occurrence_in`](Self::occurrence_in).
    pub fn occurrences_of(&self, file: usize) -> Range<usize> {
        self.files.get(file).map_or(0..0, FileEntry::numbers)
    }

    /// A file's full path.
    pub fn path(&self, file: usize) -> Option<&Path> {
        self.files.get(file).map(|f| f.found.path.as_path())
    }

    /// Whether `file` was found inside an archive or a compressed file (`a.zip!/x.txt`,
    /// `app.log.gz`): its bytes are read back with the engine's `read_inside_archive`, and
    /// nothing acts on it in place.
    pub fn inside_archive(&self, file: usize) -> bool {
        self.files
            .get(file)
            .is_some_and(|f| self.is_inside_archive(&f.found.path))
    }

    fn is_inside_archive(&self, path: &Path) -> bool {
        self.searched_archives && crate::search::searched_inside_archive(path)
    }

    /// Whether `file` is binary (a NUL byte) and was found only because binary files were
    /// searched as text: a replace leaves it alone.
    pub fn binary(&self, file: usize) -> bool {
        self.files.get(file).is_some_and(|f| f.found.binary)
    }

    /// When a file was last modified, as the search saw it: a replace checks it is still so.
    pub fn modified(&self, file: usize) -> Option<std::time::SystemTime> {
        self.files.get(file).and_then(|f| f.found.modified)
    }

    /// The encoding a file was decoded from, `None` when it was searched as its bytes.
    pub fn encoding(&self, file: usize) -> Option<&'static encoding_rs::Encoding> {
        self.files.get(file).and_then(|f| f.found.encoding)
    }

    /// An occurrence's contents.
    pub fn occurrence(&self, index: usize) -> Option<MatchView<'_>> {
        self.occurrence_in(self.file_of(index)?, index)
    }

    /// An occurrence's contents when its file is known (none if it is not that file's):
    /// whoever walks a file's occurrences saves [`file_of`](Self::file_of)'s search per match.
    pub fn occurrence_in(&self, file: usize, index: usize) -> Option<MatchView<'_>> {
        let local = index.checked_sub(self.files.get(file)?.first_occurrence)?;
        self.view_in(file, local)
    }

    /// The contents of the `local`-th occurrence of `file`.
    fn view_in(&self, file: usize, local: usize) -> Option<MatchView<'_>> {
        let found = &self.files.get(file)?.found;
        let occurrence = found.occurrences.get(local)?;
        let line = found.lines.get(occurrence.line as usize)?;
        let text = found
            .text
            .get(line.text_start..line.text_start + line.text_len as usize)?;
        let start = (occurrence.highlight_start as usize).min(text.len());
        let end = (occurrence.highlight_end as usize).clamp(start, text.len());
        let cut = (line.cut & CUT != 0).then_some(LineCut {
            max_columns: self.max_columns,
            before: line.cut & CUT_BEFORE != 0,
            after: line.cut & CUT_AFTER != 0,
        });
        let excerpt = Excerpt::of(text, start..end, cut);
        Some(MatchView {
            file,
            line_number: line.line_number,
            column: occurrence.column,
            byte_offset: occurrence.byte_offset,
            length: u64::from(occurrence.length),
            text: excerpt.text,
            highlight: excerpt.highlight,
            ellipsis_before: excerpt.ellipsis_before,
            ellipsis_after: excerpt.ellipsis_after,
            spans_lines: line.cut & SPANS_LINES != 0,
            line_cut: line.cut & CUT != 0,
        })
    }

    /// What is needed to read occurrence `index` of `file`'s line back from the file, when the
    /// model keeps only a window of that line (`None` for a line kept whole).
    pub fn cut_match(&self, file: usize, index: usize) -> Option<CutMatch> {
        let view = self.occurrence_in(file, index)?;
        self.cut_match_of(&view)
    }

    /// [`cut_match`](Self::cut_match) for an occurrence already looked up.
    pub fn cut_match_of(&self, view: &MatchView<'_>) -> Option<CutMatch> {
        if !view.line_cut {
            return None;
        }
        let found = &self.files.get(view.file)?.found;
        Some(CutMatch {
            path: found.path.clone(),
            inside_archive: self.is_inside_archive(&found.path),
            encoding: found.encoding,
            line_number: view.line_number,
            column: view.column,
            byte_offset: view.byte_offset,
            length: view.length,
            shown_match: view.text.get(view.highlight.clone())?.to_string(),
            marked: view.marked_text(),
        })
    }

    /// `path:line:column` of an occurrence, with the absolute path, as editors open it.
    pub fn location(&self, index: usize) -> Option<String> {
        let view = self.occurrence(index)?;
        let path = &self.files.get(view.file)?.found.path;
        Some(format!(
            "{}:{}:{}",
            path.display(),
            view.line_number,
            view.column
        ))
    }

    /// Bytes the found results hold on the heap (see [`ResultsModel::heap_bytes`]).
    fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let files: usize = self
            .files
            .iter()
            .map(|f| {
                let found = &f.found;
                size_of::<StoredFile>()
                    + found.path.capacity()
                    + found.display.len()
                    + found.text.len()
                    + found.lines.len() * size_of::<LineEntry>()
                    + found.occurrences.len() * size_of::<OccurrenceEntry>()
                    + 6 * ALLOCATION_OVERHEAD
            })
            .sum();
        let errors: usize = self
            .errors
            .iter()
            .map(|e| e.path.capacity() + e.message.capacity())
            .sum();
        self.files.capacity() * size_of::<FileEntry>()
            + files
            + self.errors.capacity() * size_of::<FileError>()
            + errors
    }
}

/// What a copy or an export takes, in the list's order, fixed when it starts: the files the
/// list shows (folded ones included), each with the occurrences the filter lets through.
/// Cheap to make (the filter's lists are shared, not copied); a later change of the filter
/// or the order does not move it.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The layout's list of files, shared, not copied: taking a plan costs a frame nothing.
    files: Arc<Vec<u32>>,
    /// Files that arrived after the layout was made (always the last numbers): they go at the
    /// end rather than being lost.
    arrived: Range<u32>,
    filter: Option<Arc<layout::RowFilter>>,
}

impl Plan {
    /// Every shown occurrence, in order, with its file: `(file, occurrence)`.
    pub fn occurrences<'a>(
        &'a self,
        found: &'a Found,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.files().flat_map(move |file| {
            let picked = self.picked(file);
            let all = found.occurrences_of(file);
            let (picked, all) = match picked {
                Some(picked) => (Some(picked.iter().map(|&i| i as usize)), None),
                None => (None, Some(all)),
            };
            picked
                .into_iter()
                .flatten()
                .chain(all.into_iter().flatten())
                .map(move |index| (file, index))
        })
    }

    /// Every shown occurrence, in order, as the rows Copy all and the export write.
    pub fn rows<'a>(
        &'a self,
        found: &'a Found,
    ) -> PlanRows<'a, impl Iterator<Item = (usize, usize)> + 'a> {
        PlanRows {
            found,
            occurrences: self.occurrences(found),
            path: String::new(),
            path_of: usize::MAX,
        }
    }

    /// Whether a filter left results out.
    pub fn is_filtered(&self) -> bool {
        self.filter.is_some()
    }

    /// The files, in order.
    pub fn files(&self) -> impl Iterator<Item = usize> + '_ {
        self.files
            .iter()
            .copied()
            .chain(self.arrived.clone())
            .map(|f| f as usize)
    }

    /// The occurrences of `file` the filter picked, `None` when all of them go.
    pub fn picked(&self, file: usize) -> Option<&[u32]> {
        let filter = self.filter.as_ref()?;
        match filter.shown.get(file)? {
            layout::Shown::All => None,
            layout::Shown::Some { start, count, .. } => {
                let start = *start as usize;
                filter.picked.get(start..start + *count as usize)
            }
        }
    }

    /// How many occurrences it holds.
    pub fn match_count(&self, found: &Found) -> u64 {
        self.files()
            .map(|file| match self.picked(file) {
                Some(picked) => picked.len() as u64,
                None => found.occurrences_of(file).len() as u64,
            })
            .sum()
    }

    /// Files with at least one occurrence in it.
    pub fn file_count(&self, found: &Found) -> u64 {
        self.files()
            .filter(|&file| match self.picked(file) {
                Some(picked) => !picked.is_empty(),
                None => !found.occurrences_of(file).is_empty(),
            })
            .count() as u64
    }
}

/// A plan's occurrences one row at a time, each with its file's path as text: what Copy all
/// and the export write per occurrence, so that both name a file alike (a name that is not
/// UTF-8 with U+FFFD, as `Path::display` does) and make its text once per file, not per row.
pub struct PlanRows<'a, I> {
    found: &'a Found,
    occurrences: I,
    path: String,
    /// The file `path` is the text of.
    path_of: usize,
}

impl<'a, I: Iterator<Item = (usize, usize)>> PlanRows<'a, I> {
    /// The next occurrence: its file, that file's path as text, and its contents.
    pub fn next_row(&mut self) -> Option<(usize, &str, MatchView<'a>)> {
        for (file, index) in self.occurrences.by_ref() {
            let Some(view) = self.found.occurrence_in(file, index) else {
                continue;
            };
            if self.path_of != file {
                self.path_of = file;
                self.path.clear();
                if let Some(p) = self.found.path(file) {
                    self.path.push_str(&p.to_string_lossy());
                }
            }
            return Some((file, &self.path, view));
        }
        None
    }
}

/// The layout job running for a change the person asked for, and the files folded or unfolded
/// one by one since it started (applied to its answer too).
struct PendingLayout {
    job: Job<Option<Layout>>,
    toggled: Vec<usize>,
    /// To start a follow-up job when this one's answer is far behind the files found.
    ctx: egui::Context,
}

/// Past this many matches arrived while a filter job ran, its answer is not brought up to date
/// in a frame: a follow-up job filters them.
const FILTER_IN_FRAME: usize = 100_000;

/// What a search found ([`Found`], shared and append-only) and how the list shows it
/// ([`Layout`], derived): the window's results. A change of the order, the filter or every
/// file's folding is laid out by a job off the UI thread
/// ([`request_layout`](Self::request_layout)); the list keeps showing the previous layout
/// until the new one (or a filter's first screenful) is ready.
pub struct ResultsModel {
    /// Unique to this model.
    id: u64,
    found: Found,
    layout: Layout,
    /// What the person asked for last; the layout on screen may still be an older one.
    spec: LayoutSpec,
    pending: Option<PendingLayout>,
    /// Files arrived since the row index was built.
    layout_dirty: bool,
    last_layout: Option<Instant>,
}

impl std::fmt::Debug for ResultsModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultsModel")
            .field("id", &self.id)
            .field("files", &self.found.file_count())
            .field("matches", &self.found.match_count())
            .field("spec", &self.spec)
            .field("laying_out", &self.pending.is_some())
            .finish_non_exhaustive()
    }
}

/// During a search the row index is rebuilt at most this often: sorting all files each frame
/// would cost more than it shows, and new files can wait a few frames.
const RELAYOUT_EVERY: Duration = Duration::from_millis(150);

impl ResultsModel {
    /// An empty model for a search of `root` (used to show paths relative to it).
    pub fn new(root: PathBuf, sort: SortOrder) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        ResultsModel {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            found: Found::new(root),
            layout: Layout::new(sort),
            spec: LayoutSpec {
                sort,
                ..LayoutSpec::default()
            },
            pending: None,
            layout_dirty: false,
            last_layout: None,
        }
    }

    /// Marks the results as those of a search that looked inside archives (see
    /// [`Found::inside_archive`]).
    pub fn set_searched_archives(&mut self, on: bool) {
        self.found.searched_archives = on;
    }

    /// Unique to this model.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// What the search found: a cheap snapshot for a job to read on its own thread.
    pub fn found(&self) -> &Found {
        &self.found
    }

    /// Takes in waiting events until the channel is empty or `budget` is spent, so that a flood
    /// of results never stalls a frame. Returns whether more are waiting.
    pub fn ingest(
        &mut self,
        events: &Receiver<SearchEvent<StoredFile>>,
        budget: Duration,
    ) -> Ingest {
        let started = Instant::now();
        loop {
            let last = match events.try_recv() {
                Ok(event) => self.push_stored_event(event),
                Err(TryRecvError::Empty) => return Ingest::Idle,
                Err(TryRecvError::Disconnected) => return Ingest::Finished,
            };
            if last {
                return Ingest::Finished;
            }
            // A file costs one push, but the channel can hold thousands of them.
            if started.elapsed() >= budget {
                return Ingest::MoreWaiting;
            }
        }
    }

    /// Adds one event with a file in the engine's form; true when it was the last one.
    pub fn push_event(&mut self, event: SearchEvent) -> bool {
        let event = match event {
            SearchEvent::File(file) => SearchEvent::File(StoredFile::new(file, &self.found.root)),
            SearchEvent::Error(error) => SearchEvent::Error(error),
            SearchEvent::Finished(summary) => SearchEvent::Finished(summary),
        };
        self.push_stored_event(event)
    }

    /// Adds one event; true when it was the last one.
    fn push_stored_event(&mut self, event: SearchEvent<StoredFile>) -> bool {
        match event {
            SearchEvent::File(file) => {
                self.push_stored(file);
                false
            }
            SearchEvent::Error(error) => {
                Arc::make_mut(&mut self.found.errors).push(error);
                false
            }
            SearchEvent::Finished(summary) => {
                self.found.summary = Some(summary);
                self.layout_dirty = true;
                // Nothing is added after the last event: give back what the doubling file list
                // left unused.
                Arc::make_mut(&mut self.found.files).shrink_to_fit();
                true
            }
        }
    }

    /// Adds one file's occurrences, in the engine's form.
    pub fn push_file(&mut self, file: FileResult) {
        let stored = StoredFile::new(file, &self.found.root);
        self.push_stored(stored);
    }

    /// Adds one file's occurrences.
    fn push_stored(&mut self, found: StoredFile) {
        self.found.push(found);
        self.layout_dirty = true;
    }

    /// Takes the files that arrived into the layout on screen. While the search runs this
    /// happens at most every `RELAYOUT_EVERY`; `force` does it now (a click, the end).
    pub fn refresh_layout(&mut self, force: bool) {
        // A layout job's answer takes them in (or a follow-up job, when they are many).
        if !self.layout_dirty || self.pending.is_some() {
            return;
        }
        let due = self
            .last_layout
            .is_none_or(|t| t.elapsed() >= RELAYOUT_EVERY);
        if !(force || due || self.found.summary.is_some()) {
            return;
        }
        self.layout.extend(&self.found);
        self.layout_dirty = !self.layout.is_complete();
        // An empty layout does not hold back the first files' (they show at once).
        self.last_layout = (!self.found.files.is_empty()).then(Instant::now);
    }

    /// Whether files arrived that the row index does not show yet.
    pub fn layout_pending(&self) -> bool {
        self.layout_dirty
    }

    /// Lays out what the person asked for (`change` applied to the last request) on a job off
    /// the UI thread; the list shows the current layout until the new one is ready (see
    /// [`poll_layout`](Self::poll_layout)). Replaces (and so cancels) a job still running.
    pub fn request_layout(&mut self, ctx: &egui::Context, change: impl FnOnce(&mut LayoutSpec)) {
        change(&mut self.spec);
        self.spec.filter = self.spec.filter.trim().to_string();
        self.pending = None;
        if self.layout_meets_spec() {
            return;
        }
        self.spawn_layout_job(ctx);
    }

    /// Starts the job that lays out [`spec`](Self::spec) over a snapshot of what was found.
    fn spawn_layout_job(&mut self, ctx: &egui::Context) {
        let found = self.found.clone();
        let spec = self.spec.clone();
        let base = self.layout.clone();
        let job = Job::spawn_with_updates("trawl-layout", ctx, move |cancel, updates| {
            layout::build(&found, &spec, &base, cancel, |first| {
                updates.send(Some(first))
            })
        });
        match job {
            Some(job) => {
                self.pending = Some(PendingLayout {
                    job,
                    toggled: Vec::new(),
                    ctx: ctx.clone(),
                });
            }
            // No thread: lay it out here (slower, not wrong).
            None => self.apply_spec_now(),
        }
    }

    /// Whether the layout on screen is what was asked for.
    fn layout_meets_spec(&self) -> bool {
        let filter = self.layout.filter.as_ref().map_or("", |f| f.text.as_str());
        self.spec.collapse_all.is_none()
            && self.layout.sort == self.spec.sort
            && filter == self.spec.filter
            && self.layout.is_complete()
    }

    /// Takes in a layout job's answer (or its first screenful); true when the rows changed.
    pub fn poll_layout(&mut self) -> bool {
        let Some(pending) = self.pending.as_ref() else {
            return false;
        };
        let (layout, done) = match pending.job.poll() {
            Polled::Running | Polled::Update(None) => return false,
            Polled::Update(Some(first)) => (first, false),
            Polled::Done(Some(layout)) => (layout, true),
            // Cancelled (it is not: a replaced job is dropped), or its thread panicked: lay
            // out here rather than never.
            Polled::Done(None) | Polled::Lost => {
                self.pending = None;
                self.apply_spec_now();
                return true;
            }
        };
        if !done {
            let toggled = pending.toggled.clone();
            self.adopt(layout, &toggled);
            return true;
        }
        let Some(pending) = self.pending.take() else {
            return false;
        };
        self.spec.collapse_all = None;
        if layout.unfiltered_matches(&self.found) > FILTER_IN_FRAME {
            // Many files came in while it ran: shown as it is (without them), and a follow-up
            // job filters them, so that no frame filters them all.
            self.layout = layout;
            for &file in &pending.toggled {
                self.layout.toggle(&self.found, file);
            }
            self.spawn_layout_job(&pending.ctx);
            if let Some(next) = self.pending.as_mut() {
                next.toggled = pending.toggled;
            }
            return true;
        }
        self.adopt(layout, &pending.toggled);
        true
    }

    /// Shows `layout`, with the files folded since its job started folded again, and the files
    /// that arrived since taken in.
    fn adopt(&mut self, layout: Layout, toggled: &[usize]) {
        self.layout = layout;
        for &file in toggled {
            self.layout.toggle(&self.found, file);
        }
        if self.layout.is_complete() {
            self.layout.extend(&self.found);
        }
        self.layout_dirty = !self.layout.is_complete();
    }

    /// Lays out the last request here, now (tests, small models, no thread).
    fn apply_spec_now(&mut self) {
        let never = AtomicBool::new(false);
        if let Some(layout) = layout::build(&self.found, &self.spec, &self.layout, &never, |_| {}) {
            self.adopt(layout, &[]);
        }
        self.spec.collapse_all = None;
        self.pending = None;
        self.last_layout = Some(Instant::now());
    }

    /// Whether a layout job is running (the rows shown are an earlier layout, or a filter's
    /// first screenful).
    pub fn is_laying_out(&self) -> bool {
        self.pending.is_some()
    }

    /// Whether the rows on screen are a filter's first screenful, shown while it goes on.
    pub fn is_first_screenful(&self) -> bool {
        !self.layout.is_complete()
    }

    /// The filter's text of the rows on screen (a layout job may be laying out another).
    pub fn shown_filter(&self) -> &str {
        self.layout.filter.as_ref().map_or("", |f| f.text.as_str())
    }

    /// The filter's text as last asked for.
    pub fn requested_filter(&self) -> &str {
        &self.spec.filter
    }

    /// Narrows the rows to files whose path, or occurrences whose text, contains `typed` in
    /// any case; an empty (or blank) filter shows everything again. Here and now: the window
    /// uses [`request_layout`](Self::request_layout).
    pub fn set_filter(&mut self, typed: &str) {
        self.spec.filter = typed.trim().to_string();
        self.apply_spec_now();
    }

    /// Changes the order of the files, here and now.
    pub fn set_sort(&mut self, sort: SortOrder) {
        self.spec.sort = sort;
        self.apply_spec_now();
    }

    /// Folds or unfolds every file, here and now.
    pub fn set_all_collapsed(&mut self, collapsed: bool) {
        self.spec.collapse_all = Some(collapsed);
        self.apply_spec_now();
    }

    /// Whether a row filter is set on the rows shown.
    pub fn is_filtered(&self) -> bool {
        self.layout.is_filtered()
    }

    /// Folds or unfolds a file's header (a pass over the files: done at once).
    pub fn toggle_collapsed(&mut self, file: usize) {
        self.layout.toggle(&self.found, file);
        if let Some(pending) = self.pending.as_mut() {
            pending.toggled.push(file);
        }
    }

    /// Rows in the list as last laid out.
    pub fn row_count(&self) -> usize {
        self.layout.row_count()
    }

    /// What row `row` shows.
    pub fn row(&self, row: usize) -> Option<RowRef> {
        self.layout.row(&self.found, row)
    }

    /// The row showing `item`, if it is visible (its file laid out and not folded).
    pub fn row_of(&self, item: RowRef) -> Option<usize> {
        self.layout.row_of(&self.found, item)
    }

    /// The file an occurrence belongs to.
    pub fn file_of(&self, occurrence: usize) -> Option<usize> {
        self.found.file_of(occurrence)
    }

    /// Every file in the list's order, as laid out last (folded and filtered ones included).
    pub fn files_in_order(&self) -> impl Iterator<Item = usize> + '_ {
        self.layout.order().iter().map(|&file| file as usize)
    }

    /// The occurrences of `file`, as indices for [`occurrence`](Self::occurrence).
    pub fn occurrences_of(&self, file: usize) -> Range<usize> {
        self.found.occurrences_of(file)
    }

    /// A file header's contents.
    pub fn file(&self, file: usize) -> Option<FileView<'_>> {
        let entry = self.found.files.get(file)?;
        Some(FileView {
            display: &entry.found.display,
            path: &entry.found.path,
            matches: entry.count(),
            collapsed: self.layout.is_collapsed(file),
            shown: self.layout.shown_count(&self.found, file),
        })
    }

    /// An occurrence's contents.
    pub fn occurrence(&self, index: usize) -> Option<MatchView<'_>> {
        self.found.occurrence(index)
    }

    /// An occurrence's contents when its file is known.
    pub fn occurrence_in(&self, file: usize, index: usize) -> Option<MatchView<'_>> {
        self.found.occurrence_in(file, index)
    }

    /// See [`Found::cut_match`].
    pub fn cut_match(&self, file: usize, index: usize) -> Option<CutMatch> {
        self.found.cut_match(file, index)
    }

    /// `path:line:column` of an occurrence, with the absolute path, as editors open it.
    pub fn location(&self, index: usize) -> Option<String> {
        self.found.location(index)
    }

    /// What a copy or an export of the shown results takes (see [`Plan`]).
    pub fn plan(&self) -> Plan {
        let (files, arrived) = if self.layout.is_filtered() {
            (self.layout.shared_laid(), 0..0)
        } else {
            let order = self.layout.shared_order();
            let placed = saturate(order.len());
            (order, placed..saturate(self.found.file_count()).max(placed))
        };
        Plan {
            files,
            arrived,
            filter: self.layout.filter.clone(),
        }
    }

    /// Every shown occurrence (folded files' included, filtered ones not), one
    /// `path:line:column:text` a line, files in display order; a long line as the model keeps
    /// it, a window marked `…` (see [`copy_text`]).
    pub fn all_results_text(&self) -> String {
        let never = AtomicBool::new(false);
        match copy_text(&self.found, &self.plan(), usize::MAX, &never) {
            Some(CopyBuild::Text { text, holes }) => {
                fill_holes(&text, &holes, |cut| Some(cut.marked.as_str()))
            }
            _ => String::new(),
        }
    }

    /// Occurrences in the laid-out rows: all of them, or those the filter lets through.
    pub fn shown_match_count(&self) -> u64 {
        self.layout.shown_matches()
    }

    /// What Copy all of the laid-out rows would put on the clipboard, at least (long lines
    /// counted by their location only: their text is read back from the files).
    pub fn copy_bytes_at_least(&self) -> u64 {
        self.layout.copy_bytes()
    }

    /// Files in the laid-out rows.
    pub fn shown_file_count(&self) -> usize {
        self.layout.laid().len()
    }

    /// The next (or previous) occurrence row after `from` (a row number), wrapping around;
    /// occurrences of folded files are skipped. `None` when no occurrence row is shown.
    pub fn next_match_row(&self, from: Option<usize>, forward: bool) -> Option<usize> {
        let count = self.row_count();
        if count == 0 {
            return None;
        }
        let mut row = match (from, forward) {
            (Some(row), _) => row.min(count - 1),
            (None, true) => count - 1,
            (None, false) => 0,
        };
        // At most one pass over the rows; each step over a file header is one step.
        for _ in 0..count {
            row = if forward {
                (row + 1) % count
            } else {
                (row + count - 1) % count
            };
            if matches!(self.row(row), Some(RowRef::Match(_))) {
                return Some(row);
            }
        }
        None
    }

    /// The next (or previous) shown occurrence after `from`, in the list's order, wrapping
    /// around: F3 and Shift+F3. Folded files' occurrences count (the caller unfolds the file
    /// it moves into); the filter's hidden ones do not. From a file header, forward is its
    /// first occurrence, backward the previous file's last. `None` when nothing is shown.
    pub fn next_match(&self, from: Option<RowRef>, forward: bool) -> Option<usize> {
        self.layout.next_match(&self.found, from, forward)
    }

    /// Files with at least one match.
    pub fn file_count(&self) -> usize {
        self.found.file_count()
    }

    /// Occurrences stored.
    pub fn match_count(&self) -> usize {
        self.found.match_count()
    }

    /// Files and folders that could not be read, with the reason.
    pub fn errors(&self) -> &[FileError] {
        self.found.errors()
    }

    /// The final totals, once the search has ended.
    pub fn summary(&self) -> Option<&Summary> {
        self.found.summary()
    }

    /// The folder that was searched.
    pub fn root(&self) -> &Path {
        self.found.root()
    }

    /// Bytes the model holds on the heap (capacities, not just lengths), for the memory budget
    /// per stored match. Each of a file's allocations is counted with
    /// `ALLOCATION_OVERHEAD` more for the allocator's bookkeeping. Errors are counted by
    /// their path and message only.
    pub fn heap_bytes(&self) -> usize {
        self.found.heap_bytes() + self.layout.heap_bytes()
    }
}

/// What [`copy_text`] made: the text with a hole at each long line (and what is needed to
/// read it back), or the size it would have had past the limit.
pub enum CopyBuild {
    Text {
        text: String,
        holes: Vec<(usize, CutMatch)>,
    },
    /// Over the limit: the bytes it would take at least (long lines by their windows).
    TooLarge { bytes: u64 },
}

/// Copy all's text of `plan` over `found`: one `path:line:column:text` line per occurrence,
/// the text of each long line left out (a hole, read back by the caller). Once the text
/// passes `limit` bytes it stops building and only counts, so that memory never grows past
/// the limit. `None` when `cancel` was set. Runs on a job, never in a frame.
pub fn copy_text(
    found: &Found,
    plan: &Plan,
    limit: usize,
    cancel: &AtomicBool,
) -> Option<CopyBuild> {
    let mut out = String::new();
    let mut holes = Vec::new();
    let mut over: Option<u64> = None;
    // The windows of the long lines: what their holes take at least.
    let mut holes_bytes = 0;
    let mut since_check = 0u32;
    let mut rows = plan.rows(found);
    while let Some((_, path, view)) = rows.next_row() {
        since_check += 1;
        if since_check >= 4096 {
            since_check = 0;
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
        }
        if let Some(bytes) = over.as_mut() {
            *bytes += row_bytes(path.len(), view.line_number, view.column, view.text.len())
                + if view.ellipsis_before { 3 } else { 0 }
                + if view.ellipsis_after { 3 } else { 0 };
            continue;
        }
        // Writing to a String cannot fail.
        let _ = write!(out, "{path}:{}:{}:", view.line_number, view.column);
        match found.cut_match_of(&view) {
            Some(cut) => {
                holes_bytes += cut.marked.len();
                holes.push((out.len(), cut));
            }
            None => view.write_marked(&mut out),
        }
        out.push('\n');
        if out.len() + holes_bytes > limit {
            over = Some((out.len() + holes_bytes) as u64);
            out = String::new();
            holes = Vec::new();
        }
    }
    Some(match over {
        Some(bytes) => CopyBuild::TooLarge { bytes },
        None => CopyBuild::Text { text: out, holes },
    })
}

/// What one row of Copy all takes: `path:line:column:text\n`.
fn row_bytes(path_len: usize, line_number: u64, column: u32, text_len: usize) -> u64 {
    (path_len + text_len + 4) as u64
        + u64::from(digits(line_number))
        + u64::from(digits(column.into()))
}

fn digits(n: u64) -> u32 {
    n.checked_ilog10().map_or(1, |d| d + 1)
}

/// `text` with the line of each hole put in at its position: what `line` gives for it, or its
/// window marked `…` when that is `None`.
pub fn fill_holes<'a>(
    text: &str,
    holes: &'a [(usize, CutMatch)],
    mut line: impl FnMut(&'a CutMatch) -> Option<&'a str>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (at, cut) in holes {
        out.push_str(text.get(from..*at).unwrap_or_default());
        out.push_str(line(cut).unwrap_or(&cut.marked));
        from = *at;
    }
    out.push_str(text.get(from..).unwrap_or_default());
    out
}

/// A path as the window shows it, unambiguous on one line: a byte that is not UTF-8 is shown
/// as `\xFF` and a control character escaped (`\n`), where a lossy conversion would show `�`
/// (merging different names, and missing from the default font) and a newline would break the
/// row. Copied locations keep the path itself (lossily where it is not UTF-8).
pub fn shown_path(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str());
    #[cfg(not(unix))]
    let lossy = path.to_string_lossy();
    #[cfg(not(unix))]
    let bytes = lossy.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

/// What an allocation costs beyond its size: glibc's malloc keeps an 8-byte header and rounds
/// to 16 bytes, so 16 on average is a fair estimate of what a file's six allocations (path,
/// shown path, text, lines, occurrences, and its shared pointer) add.
const ALLOCATION_OVERHEAD: usize = 16;

/// Indices and lengths are stored as `u32` to keep records small; four billion of anything is
/// far beyond what a window can show, so saturating there is harmless.
fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{MatchLine, MatchLines, Occurrence};

    /// A line number, its text, and the byte ranges of its occurrences.
    type Line<'a> = (u64, &'a str, &'a [(usize, usize)]);

    fn file(path: &str, lines: &[Line<'_>]) -> FileResult {
        let mut all = MatchLines::new();
        for &(line_number, text, occs) in lines {
            let occurrences: Vec<Occurrence> = occs
                .iter()
                .map(|&(s, e)| Occurrence {
                    column: s as u64 + 1,
                    byte_offset: Some(0),
                    length: (e - s) as u64,
                    highlight: s..e,
                })
                .collect();
            all.push(MatchLine {
                line_number,
                text,
                occurrences: &occurrences,
                spans_lines: false,
                cut: None,
            });
        }
        FileResult {
            modified: None,
            path: PathBuf::from(path),
            lines: all,
            encoding: None,
            binary: false,
        }
    }

    fn model() -> ResultsModel {
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        model.push_file(file("/r/b.rs", &[(3, "a foo b foo", &[(2, 5), (8, 11)])]));
        model.push_file(file(
            "/r/a.rs",
            &[(1, "foo", &[(0, 3)]), (9, "x foo", &[(2, 5)])],
        ));
        model.refresh_layout(true);
        model
    }

    #[test]
    fn rows_are_headers_then_occurrences_in_path_order() {
        let model = model();
        assert_eq!(model.row_count(), 6);
        assert_eq!(model.row(0), Some(RowRef::File(1)));
        assert_eq!(model.row(1), Some(RowRef::Match(2)));
        assert_eq!(model.row(3), Some(RowRef::File(0)));
        assert_eq!(model.row(5), Some(RowRef::Match(1)));
        assert_eq!(model.row(6), None);
        for row in 0..6 {
            assert_eq!(model.row_of(model.row(row).unwrap()), Some(row));
        }
        assert_eq!(model.file(1).unwrap().display, "a.rs");
    }

    #[test]
    fn collapsing_and_sorting_by_count_reshape_the_rows() {
        let mut model = model();
        model.toggle_collapsed(1);
        assert_eq!(model.row_count(), 4);
        assert_eq!(model.row_of(RowRef::Match(2)), None);
        model.toggle_collapsed(1);
        model.set_sort(SortOrder::Matches);
        // Both have two matches: the tie goes by path.
        assert_eq!(model.row(0), Some(RowRef::File(1)));
    }

    #[test]
    fn files_arriving_between_layouts_are_merged_into_the_sorted_order() {
        let names = ["m", "c", "x", "a", "q", "b", "z", "d"];
        for sort in SortOrder::ALL {
            let mut model = ResultsModel::new(PathBuf::from("/r"), sort);
            for (i, name) in names.iter().enumerate() {
                let occurrences: Vec<(usize, usize)> = (0..i % 3 + 1).map(|k| (k, k + 1)).collect();
                model.push_file(file(&format!("/r/{name}"), &[(1, "abc", &occurrences)]));
                if i % 3 == 1 {
                    model.refresh_layout(true);
                }
            }
            model.refresh_layout(true);
            let incremental = model.layout.order().to_vec();
            let mut fresh = Layout::new(sort);
            fresh.extend(&model.found);
            assert_eq!(incremental, fresh.order(), "{sort:?}");
        }
    }

    #[test]
    fn a_filter_keeps_matching_paths_whole_and_picks_matching_lines_elsewhere() {
        let mut model = model();
        model.push_file(file(
            "/r/c.rs",
            &[(4, "FOO and x", &[(0, 3)]), (5, "foo", &[(0, 3)])],
        ));
        model.set_filter("x f");
        // a.rs line 9 ("x foo") passes by text; c.rs line 4 does not ("x" is at its end).
        assert_eq!(model.row_count(), 2);
        assert_eq!(model.row(0), Some(RowRef::File(1)));
        assert_eq!(model.row(1), Some(RowRef::Match(3)));
        assert_eq!(model.row_of(RowRef::Match(2)), None, "filtered out");
        assert_eq!(
            model.row_of(RowRef::File(0)),
            None,
            "b.rs has no passing line"
        );
        assert_eq!(model.file(1).unwrap().shown, 1);
        assert_eq!(model.shown_match_count(), 1);

        model.set_filter("C.RS");
        assert_eq!(model.row_count(), 3, "a matching path shows the whole file");
        for row in 0..model.row_count() {
            assert_eq!(model.row_of(model.row(row).unwrap()), Some(row));
        }
        model.toggle_collapsed(2);
        assert_eq!(model.row_count(), 1);
        assert_eq!(
            model.next_match_row(None, true),
            None,
            "folded: no match row"
        );

        model.set_filter(" ");
        assert_eq!(
            model.row_count(),
            1 + 3 + 1 + 2,
            "a blank filter shows everything"
        );
        assert!(!model.is_filtered());
    }

    /// A cut line's rows are filtered by what each shows (its window), not by the line's
    /// whole stored text, which holds its neighbours' windows too.
    #[test]
    fn a_filter_looks_at_each_window_of_a_cut_line() {
        let text = "aaaa foo bbbbbbbbbbbbbbbbbbbb foo cccc";
        let second = text.rfind("foo").unwrap();
        let occurrences: Vec<Occurrence> = [5, second]
            .iter()
            .map(|&s| Occurrence {
                column: s as u64 + 1,
                byte_offset: Some(s as u64),
                length: 3,
                highlight: s..s + 3,
            })
            .collect();
        let mut lines = MatchLines::new();
        lines.push(MatchLine {
            line_number: 1,
            text,
            occurrences: &occurrences,
            spans_lines: false,
            cut: Some(LineCut {
                max_columns: 8,
                before: false,
                after: false,
            }),
        });
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        model.push_file(FileResult {
            modified: None,
            path: PathBuf::from("/r/long.rs"),
            lines,
            encoding: None,
            binary: false,
        });
        model.refresh_layout(true);
        let shown = |model: &ResultsModel| -> Vec<RowRef> {
            (0..model.row_count())
                .filter_map(|r| model.row(r))
                .collect()
        };
        let first_window = model.occurrence(0).unwrap().text.to_string();
        let second_window = model.occurrence(1).unwrap().text.to_string();
        assert!(!first_window.contains("cc") && !second_window.contains("aa"));
        model.set_filter(&first_window);
        assert_eq!(shown(&model), [RowRef::File(0), RowRef::Match(0)]);
        model.set_filter(&second_window);
        assert_eq!(shown(&model), [RowRef::File(0), RowRef::Match(1)]);
        model.set_filter("zzz");
        assert_eq!(model.row_count(), 0);
    }

    /// Files that arrive while a filter's job runs (more than a frame filters: a follow-up job
    /// filters them) end up filtered as if they had all been there.
    #[test]
    fn files_arriving_while_a_filter_job_runs_are_filtered_too() {
        let push = |model: &mut ResultsModel, from: usize, to: usize, per_file: usize| {
            for f in from..to {
                let ranges: Vec<(usize, usize)> = (0..per_file).map(|k| (k, k + 1)).collect();
                let text = if f % 3 == 0 { "keep" } else { "drop" };
                let line = format!("{text}{}", "x".repeat(per_file));
                model.push_file(file(&format!("/r/f{f:03}.rs"), &[(1, &line, &ranges)]));
            }
        };
        let ctx = egui::Context::default();
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        push(&mut model, 0, 50, 10);
        model.refresh_layout(true);
        model.request_layout(&ctx, |spec| spec.filter = "KEEP".into());
        push(&mut model, 50, 200, 1000);
        model.refresh_layout(true);
        let deadline = Instant::now() + Duration::from_secs(60);
        while model.is_laying_out() {
            assert!(Instant::now() < deadline, "the layout job did not end");
            model.poll_layout();
            std::thread::sleep(Duration::from_millis(1));
        }
        model.refresh_layout(true);
        let mut reference = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        push(&mut reference, 0, 50, 10);
        push(&mut reference, 50, 200, 1000);
        reference.set_filter("keep");
        let rows = |m: &ResultsModel| -> Vec<Option<RowRef>> {
            (0..m.row_count()).map(|r| m.row(r)).collect()
        };
        assert_eq!(model.row_count(), reference.row_count());
        assert_eq!(rows(&model), rows(&reference));
        assert_eq!(model.shown_file_count(), 67);
    }

    #[test]
    fn next_match_row_skips_headers_and_wraps() {
        let model = model();
        // Rows: a.rs, a:1, a:9, b.rs, b:3, b:3.
        assert_eq!(model.next_match_row(None, true), Some(1));
        assert_eq!(model.next_match_row(Some(2), true), Some(4));
        assert_eq!(model.next_match_row(Some(5), true), Some(1));
        assert_eq!(model.next_match_row(Some(1), false), Some(5));
        assert_eq!(model.next_match_row(None, false), Some(5));
    }

    #[test]
    fn occurrences_are_numbered_across_files_in_arrival_order() {
        let mut model = model();
        model.push_file(file(
            "/r/c.rs",
            &[(7, "foo", &[(0, 3)]), (8, "a longer foo line", &[(9, 12)])],
        ));
        // b.rs: 0 and 1; a.rs: 2 and 3; c.rs: 4 and 5.
        let expected = [
            (0, 3, "a foo b foo", 2..5),
            (0, 3, "a foo b foo", 8..11),
            (1, 1, "foo", 0..3),
            (1, 9, "x foo", 2..5),
            (2, 7, "foo", 0..3),
            (2, 8, "a longer foo line", 9..12),
        ];
        for (index, (file, line, text, highlight)) in expected.into_iter().enumerate() {
            assert_eq!(model.file_of(index), Some(file), "occurrence {index}");
            let view = model.occurrence(index).unwrap();
            assert_eq!(
                (view.file, view.line_number, view.text, view.highlight),
                (file, line, text, highlight)
            );
        }
        assert_eq!(model.match_count(), 6);
        assert_eq!(model.file_of(6), None);
        assert!(model.occurrence(6).is_none());
        assert_eq!(model.location(5).unwrap(), "/r/c.rs:8:10");
    }

    #[test]
    fn stored_records_stay_small() {
        assert_eq!(std::mem::size_of::<OccurrenceEntry>(), 32);
        assert_eq!(std::mem::size_of::<LineEntry>(), 24);
    }

    #[test]
    fn ingest_stops_at_its_budget_and_resumes() {
        let (tx, rx) = crossbeam_channel::unbounded();
        for i in 0..1000 {
            let path = format!("/r/f{i}.rs");
            let found = StoredFile::new(file(&path, &[(1, "foo", &[(0, 3)])]), Path::new("/r"));
            tx.send(SearchEvent::File(found)).unwrap();
        }
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Found);
        assert_eq!(model.ingest(&rx, Duration::ZERO), Ingest::MoreWaiting);
        assert!(
            model.file_count() < 100,
            "took {} files with no budget",
            model.file_count()
        );
        assert_eq!(model.ingest(&rx, Duration::from_secs(5)), Ingest::Idle);
        assert_eq!(model.file_count(), 1000);
        drop(tx);
        assert_eq!(model.ingest(&rx, Duration::from_secs(5)), Ingest::Finished);
    }

    #[cfg(unix)]
    #[test]
    fn shown_paths_escape_invalid_bytes_and_control_characters() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(
            b"d/bad\xff\nname \xc3\xa9-:.txt",
        ));
        assert_eq!(shown_path(path), "d/bad\\xFF\\nname \u{e9}-:.txt");
    }

    /// Copy all names a file as the export does (`Plan::rows`), a name that is not UTF-8 as
    /// `Path::display` shows it, as Copy all always has.
    #[cfg(unix)]
    #[test]
    fn copy_all_shows_a_name_that_is_not_utf8_as_display_does() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"/r/bad\xff\xc3name.rs"));
        let mut result = file("/r/x.rs", &[(1, "foo", &[(0, 3)])]);
        result.path = path.to_path_buf();
        let mut model = ResultsModel::new(PathBuf::from("/r"), SortOrder::Path);
        model.push_file(result);
        model.refresh_layout(true);
        assert_eq!(
            model.all_results_text(),
            format!("{}:1:1:foo\n", path.display())
        );
        assert_eq!(
            model.all_results_text(),
            "/r/bad\u{FFFD}\u{FFFD}name.rs:1:1:foo\n"
        );
    }

    #[test]
    fn locations_are_path_line_column() {
        let model = model();
        assert_eq!(model.location(1).unwrap(), "/r/b.rs:3:9");
        let view = model.occurrence(1).unwrap();
        assert_eq!(&view.text[view.highlight], "foo");
        let all = model.all_results_text();
        assert_eq!(all.lines().next(), Some("/r/a.rs:1:1:foo"));
        assert_eq!(all.lines().count(), 4);
    }
}
