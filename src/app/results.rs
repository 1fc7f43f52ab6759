//! The results model: what a search found, stored compactly, and the flat row index the list
//! view scrolls over.
//!
//! A million matches must stay cheap, so nothing here is one allocation per match: a file's
//! line texts live in one string, each line is a 24-byte record and each occurrence a 32-byte
//! one. A file arrives in that form ([`StoredFile`], built on the search thread that found
//! it), so taking it in costs the UI thread one push however many matches it holds.
//! The list is virtual: a row is either a file header or one occurrence, and a row number is
//! turned into one of those with a binary search over per-file prefix sums, so laying out the
//! visible rows costs nothing in the size of the rest.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use serde::{Deserialize, Serialize};

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
                occurrences.push(OccurrenceEntry {
                    byte_offset: occurrence.byte_offset,
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
            modified: file.modified,
            // Each line's text starts where the ones before it end (`MatchLines::into_text`).
            text: file.lines.into_text().into_boxed_str(),
            lines: lines.into_boxed_slice(),
            occurrences: occurrences.into_boxed_slice(),
            max_columns,
            path: file.path,
        }
    }

    /// A line's text.
    fn line_text(&self, line: &LineEntry) -> &str {
        self.text
            .get(line.text_start..line.text_start + line.text_len as usize)
            .unwrap_or_default()
    }
}

/// One file with matches.
#[derive(Debug)]
struct FileEntry {
    found: StoredFile,
    /// The model-wide number of its first occurrence; a file's occurrences are numbered
    /// contiguously, files in the order they arrived.
    first_occurrence: usize,
    /// The person folded this file's header.
    collapsed: bool,
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

/// Everything one search found, plus the list's order and folding.
#[derive(Debug)]
pub struct ResultsModel {
    /// Unique to this model: whoever keeps positions in it (an export) can tell when the app
    /// has replaced it with another.
    id: u64,
    root: PathBuf,
    files: Vec<FileEntry>,
    /// The engine's `max_columns`, for the lines it cut (the same for every line of a search).
    max_columns: usize,
    errors: Vec<FileError>,
    summary: Option<Summary>,
    sort: SortOrder,
    /// Files in display order. New files are merged in (only they are sorted), so a relayout
    /// during a search with many files costs a linear pass, not a sort of everything.
    order: Vec<u32>,
    /// The previous `order` during a merge, kept to reuse its allocation.
    merge_scratch: Vec<u32>,
    /// The files of `order` that the row filter lets through (all of them without one).
    laid: Vec<u32>,
    /// `row_starts[i]` is the first row of `laid[i]`; one more entry holds the row count.
    row_starts: Vec<u64>,
    /// Position of each file in `laid`, or `u32::MAX` for a file filtered out.
    position: Vec<u32>,
    /// The filter box's matcher and what it let through.
    filter: Option<RowFilter>,
    /// Occurrences the laid-out rows hold (folded files' included).
    shown_matches: u64,
    /// Files or folding changed since the row index was built.
    layout_dirty: bool,
    last_layout: Option<Instant>,
}

/// Which of a file's occurrences pass the row filter.
#[derive(Clone, Copy, Debug)]
enum Shown {
    /// Its path matches the filter: every occurrence.
    All,
    /// `count` occurrences, listed at `start` in [`RowFilter::picked`]; none hides the file.
    Some { start: u32, count: u32 },
}

/// The filter box: narrows the rows to files whose path, or occurrences whose text, contains
/// what was typed (any case), without searching again.
#[derive(Debug)]
struct RowFilter {
    matcher: regex::Regex,
    /// Per file, for the files filtered so far (new ones are filtered at the next layout).
    shown: Vec<Shown>,
    /// The occurrences that pass, of the files whose path does not.
    picked: Vec<u32>,
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
            root,
            files: Vec::new(),
            max_columns: 0,
            errors: Vec::new(),
            summary: None,
            sort,
            order: Vec::new(),
            merge_scratch: Vec::new(),
            laid: Vec::new(),
            row_starts: vec![0],
            position: Vec::new(),
            filter: None,
            shown_matches: 0,
            layout_dirty: false,
            last_layout: None,
        }
    }

    /// Unique to this model (see [`ResultsModel`]'s `id`).
    pub fn id(&self) -> u64 {
        self.id
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
            SearchEvent::File(file) => SearchEvent::File(StoredFile::new(file, &self.root)),
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
                self.errors.push(error);
                false
            }
            SearchEvent::Finished(summary) => {
                self.summary = Some(summary);
                self.layout_dirty = true;
                // Nothing is added after the last event: give back what the doubling file list
                // left unused. A large one is mapped pages, shrunk in place without a copy.
                self.files.shrink_to_fit();
                true
            }
        }
    }

    /// Adds one file's occurrences, in the engine's form.
    pub fn push_file(&mut self, file: FileResult) {
        self.push_stored(StoredFile::new(file, &self.root));
    }

    /// Adds one file's occurrences.
    fn push_stored(&mut self, found: StoredFile) {
        if found.max_columns > 0 {
            self.max_columns = found.max_columns;
        }
        self.files.push(FileEntry {
            found,
            first_occurrence: self.match_count(),
            collapsed: false,
        });
        self.layout_dirty = true;
    }

    /// Rebuilds the row index if files arrived or folding changed. While the search runs this
    /// happens at most every [`RELAYOUT_EVERY`]; `force` rebuilds now (a click, the end).
    pub fn refresh_layout(&mut self, force: bool) {
        if !self.layout_dirty {
            return;
        }
        let due = self
            .last_layout
            .is_none_or(|t| t.elapsed() >= RELAYOUT_EVERY);
        if !(force || due || self.summary.is_some()) {
            return;
        }
        self.place_new_files();
        self.filter_new_files();
        self.laid.clear();
        self.row_starts.clear();
        self.position.clear();
        self.position.resize(self.files.len(), u32::MAX);
        self.shown_matches = 0;
        let mut row = 0u64;
        for &file in &self.order {
            let shown = self.shown_count(file as usize);
            if shown == 0 && self.filter.is_some() {
                continue;
            }
            self.position[file as usize] = saturate(self.laid.len());
            self.laid.push(file);
            self.row_starts.push(row);
            self.shown_matches += u64::from(shown);
            row += 1 + if self.files[file as usize].collapsed {
                0
            } else {
                u64::from(shown)
            };
        }
        self.row_starts.push(row);
        self.layout_dirty = false;
        // An empty layout does not hold back the first files' (they show at once).
        self.last_layout = (!self.files.is_empty()).then(Instant::now);
    }

    /// Narrows the rows to files whose path, or occurrences whose text, contains `typed` in
    /// any case; an empty (or blank) filter shows everything again.
    pub fn set_filter(&mut self, typed: &str) {
        let typed = typed.trim();
        if typed.is_empty() && self.filter.is_none() {
            return;
        }
        self.filter = if typed.is_empty() {
            None
        } else {
            // An escaped literal always compiles; a failure (a size limit) shows everything.
            regex::RegexBuilder::new(&regex::escape(typed))
                .case_insensitive(true)
                .build()
                .ok()
                .map(|matcher| RowFilter {
                    matcher,
                    shown: Vec::new(),
                    picked: Vec::new(),
                })
        };
        self.layout_dirty = true;
        self.refresh_layout(true);
    }

    /// Whether a row filter is set.
    pub fn is_filtered(&self) -> bool {
        self.filter.is_some()
    }

    /// Runs the filter over the files that arrived since it last ran.
    fn filter_new_files(&mut self) {
        let Some(mut filter) = self.filter.take() else {
            return;
        };
        for file in filter.shown.len()..self.files.len() {
            let shown = self.filter_file(&filter.matcher, file, &mut filter.picked);
            filter.shown.push(shown);
        }
        self.filter = Some(filter);
    }

    /// Which of `file`'s occurrences `matcher` lets through; those it picks one by one are
    /// added to `picked`.
    fn filter_file(&self, matcher: &regex::Regex, file: usize, picked: &mut Vec<u32>) -> Shown {
        let entry = &self.files[file];
        if matcher.is_match(&entry.found.display) {
            return Shown::All;
        }
        let start = picked.len();
        // Occurrences on one uncut line share its text: it is looked at once.
        let mut line_seen: Option<(u32, bool)> = None;
        for (local, occurrence) in entry.found.occurrences.iter().enumerate() {
            let line = occurrence.line;
            let passes = match line_seen {
                Some((seen, passes)) if seen == line => passes,
                _ => {
                    let Some(line_entry) = entry.found.lines.get(line as usize) else {
                        continue;
                    };
                    if line_entry.cut & CUT == 0 {
                        let passes = matcher.is_match(entry.found.line_text(line_entry));
                        line_seen = Some((line, passes));
                        passes
                    } else {
                        // A cut line's text holds its neighbours' windows too: look only at
                        // what this occurrence's row shows.
                        self.view_in(file, local)
                            .is_some_and(|view| matcher.is_match(view.text))
                    }
                }
            };
            if passes {
                picked.push(saturate(entry.first_occurrence + local));
            }
        }
        Shown::Some {
            start: saturate(start),
            count: saturate(picked.len() - start),
        }
    }

    /// How many of `file`'s occurrences pass the filter.
    fn shown_count(&self, file: usize) -> u32 {
        match self.filter.as_ref().and_then(|f| f.shown.get(file)) {
            Some(Shown::Some { count, .. }) => *count,
            _ => self.files.get(file).map_or(0, FileEntry::count),
        }
    }

    /// The occurrences of `file` the filter picked one by one, or `None` when all of them are
    /// shown (no filter, or its path matches).
    fn picked(&self, file: usize) -> Option<&[u32]> {
        let filter = self.filter.as_ref()?;
        match filter.shown.get(file)? {
            Shown::All => None,
            Shown::Some { start, count } => {
                let start = *start as usize;
                filter.picked.get(start..start + *count as usize)
            }
        }
    }

    /// The `k`-th occurrence of `file` that passes the filter.
    fn shown_occurrence(&self, file: usize, k: usize) -> Option<usize> {
        let entry = self.files.get(file)?;
        match self.picked(file) {
            Some(picked) => picked.get(k).map(|&index| index as usize),
            None => (k < entry.found.occurrences.len()).then_some(entry.first_occurrence + k),
        }
    }

    /// Where occurrence `index` of `file` is among the file's shown ones.
    fn shown_rank(&self, file: usize, index: usize) -> Option<usize> {
        let entry = self.files.get(file)?;
        match self.picked(file) {
            Some(picked) => picked.binary_search(&saturate(index)).ok(),
            None => index.checked_sub(entry.first_occurrence),
        }
    }

    /// Adds the files that arrived since the last layout to `order`: they are sorted among
    /// themselves, then merged with the files already placed (a file never changes once added,
    /// so their order still holds).
    fn place_new_files(&mut self) {
        let placed = self.order.len();
        if placed >= self.files.len() {
            return;
        }
        let (files, sort) = (&self.files, self.sort);
        let mut new: Vec<u32> = (saturate(placed)..saturate(files.len())).collect();
        if sort == SortOrder::Found {
            self.order.extend(new);
            return;
        }
        let before = |a: u32, b: u32| {
            let (a, b) = (&files[a as usize], &files[b as usize]);
            let by_path = || a.found.display.cmp(&b.found.display);
            match sort {
                SortOrder::Matches => b.count().cmp(&a.count()).then_with(by_path),
                // Newest first; files without a time last.
                SortOrder::Modified => b.found.modified.cmp(&a.found.modified).then_with(by_path),
                SortOrder::Path | SortOrder::Found => by_path(),
            }
        };
        new.sort_by(|&a, &b| before(a, b));
        std::mem::swap(&mut self.order, &mut self.merge_scratch);
        let old = &self.merge_scratch;
        self.order.clear();
        self.order.reserve(old.len() + new.len());
        let (mut i, mut j) = (0, 0);
        while i < old.len() && j < new.len() {
            if before(new[j], old[i]).is_lt() {
                self.order.push(new[j]);
                j += 1;
            } else {
                self.order.push(old[i]);
                i += 1;
            }
        }
        self.order.extend_from_slice(&old[i..]);
        self.order.extend_from_slice(&new[j..]);
    }

    /// Whether files arrived that the row index does not show yet.
    pub fn layout_pending(&self) -> bool {
        self.layout_dirty
    }

    /// Changes the order of the files.
    pub fn set_sort(&mut self, sort: SortOrder) {
        if self.sort != sort {
            self.sort = sort;
            // Every file is placed again in the new order.
            self.order.clear();
            self.layout_dirty = true;
            self.refresh_layout(true);
        }
    }

    /// Folds or unfolds a file's header.
    pub fn toggle_collapsed(&mut self, file: usize) {
        if let Some(entry) = self.files.get_mut(file) {
            entry.collapsed = !entry.collapsed;
            self.layout_dirty = true;
            self.refresh_layout(true);
        }
    }

    /// Folds or unfolds every file.
    pub fn set_all_collapsed(&mut self, collapsed: bool) {
        for entry in &mut self.files {
            entry.collapsed = collapsed;
        }
        self.layout_dirty = true;
        self.refresh_layout(true);
    }

    /// Rows in the list as last laid out.
    pub fn row_count(&self) -> usize {
        self.row_starts
            .last()
            .map_or(0, |&n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// What row `row` shows.
    pub fn row(&self, row: usize) -> Option<RowRef> {
        let row = row as u64;
        if row >= *self.row_starts.last()? {
            return None;
        }
        // The last start not after `row`.
        let pos = self
            .row_starts
            .partition_point(|&start| start <= row)
            .checked_sub(1)?;
        let file = *self.laid.get(pos)? as usize;
        let offset = row - self.row_starts[pos];
        if offset == 0 {
            Some(RowRef::File(file))
        } else {
            let index = self.shown_occurrence(file, usize::try_from(offset - 1).ok()?)?;
            Some(RowRef::Match(index))
        }
    }

    /// The row showing `item`, if it is visible (its file laid out and not folded).
    pub fn row_of(&self, item: RowRef) -> Option<usize> {
        let (file, offset) = match item {
            RowRef::File(file) => (file, 0),
            RowRef::Match(index) => {
                let file = self.file_of(index)?;
                if self.files[file].collapsed {
                    return None;
                }
                (file, 1 + self.shown_rank(file, index)? as u64)
            }
        };
        let pos = *self.position.get(file)? as usize;
        if pos == u32::MAX as usize {
            return None;
        }
        let start = *self.row_starts.get(pos)?;
        if pos + 1 >= self.row_starts.len() {
            return None;
        }
        usize::try_from(start + offset).ok()
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

    /// Every file in the list's order, as laid out last (folded and filtered ones included).
    pub fn files_in_order(&self) -> impl Iterator<Item = usize> + '_ {
        self.order.iter().map(|&file| file as usize)
    }

    /// The occurrences of `file`, as indices for [`occurrence`](Self::occurrence).
    pub fn occurrences_of(&self, file: usize) -> Range<usize> {
        self.files.get(file).map_or(0..0, FileEntry::numbers)
    }

    /// A file header's contents.
    pub fn file(&self, file: usize) -> Option<FileView<'_>> {
        let entry = self.files.get(file)?;
        Some(FileView {
            display: &entry.found.display,
            path: &entry.found.path,
            matches: entry.count(),
            collapsed: entry.collapsed,
            shown: self.shown_count(file),
        })
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
        if !view.line_cut {
            return None;
        }
        let path = self.files.get(file)?.found.path.clone();
        Some(CutMatch {
            path,
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

    /// Every shown occurrence (folded files' included, filtered ones not), one
    /// `path:line:column:text` a line, files in display order; a long line as the model keeps
    /// it, a window marked `…` (see [`all_results_with_holes`](Self::all_results_with_holes)).
    pub fn all_results_text(&self) -> String {
        let (text, holes) = self.all_results_with_holes();
        fill_holes(&text, &holes, |cut| Some(cut.marked.as_str()))
    }

    /// [`all_results_text`](Self::all_results_text) with the text of each long line left out:
    /// a hole at each position given, with what is needed to read the line back from its file.
    pub fn all_results_with_holes(&self) -> (String, Vec<(usize, CutMatch)>) {
        let mut out = String::new();
        let mut holes = Vec::new();
        for &file in &self.laid {
            let file = file as usize;
            let Some(entry) = self.files.get(file) else {
                continue;
            };
            let path = entry.found.path.display();
            for k in 0..self.shown_count(file) as usize {
                let Some(index) = self.shown_occurrence(file, k) else {
                    break;
                };
                let Some(view) = self.occurrence_in(file, index) else {
                    continue;
                };
                // Writing to a String cannot fail.
                let _ = write!(out, "{path}:{}:{}:", view.line_number, view.column);
                match self.cut_match(file, index) {
                    Some(cut) => holes.push((out.len(), cut)),
                    None => view.write_marked(&mut out),
                }
                out.push('\n');
            }
        }
        (out, holes)
    }

    /// What an export writes, in the list's order: every file the list shows (folded ones
    /// included), each with the occurrences the filter lets through (all without a filter).
    /// A copy, so that a later change of the filter or the order does not move the export.
    pub fn shown_plan(&self) -> Vec<(usize, Option<Box<[u32]>>)> {
        if !self.is_filtered() {
            let mut files: Vec<usize> = self.files_in_order().collect();
            // Files that arrived after the last layout are not in the order yet; they are
            // always the last indices, so they go at the end rather than being lost.
            files.extend(files.len()..self.file_count());
            return files.into_iter().map(|file| (file, None)).collect();
        }
        self.laid
            .iter()
            .map(|&file| {
                let file = file as usize;
                (file, self.picked(file).map(Box::from))
            })
            .collect()
    }

    /// Occurrences in the laid-out rows: all of them, or those the filter lets through.
    pub fn shown_match_count(&self) -> u64 {
        self.shown_matches
    }

    /// Files in the laid-out rows.
    pub fn shown_file_count(&self) -> usize {
        self.laid.len()
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
        let files = self.laid.len();
        if self.shown_matches == 0 || files == 0 {
            return None;
        }
        // Where to start: a file's position in the list, and a rank among its shown
        // occurrences (`None`: before its first).
        let (mut pos, mut rank) = match from {
            Some(RowRef::Match(index)) => {
                let file = self.file_of(index)?;
                let pos = *self.position.get(file)? as usize;
                match (pos < files)
                    .then(|| self.shown_rank(file, index))
                    .flatten()
                {
                    Some(rank) => (pos, Some(rank)),
                    // Filtered out or not laid out: as from the list's start or end.
                    None => (0, None),
                }
            }
            Some(RowRef::File(file)) => match self.position.get(file) {
                Some(&pos) if (pos as usize) < files => (pos as usize, None),
                _ => (0, None),
            },
            None => (0, None),
        };
        if from.is_none() && !forward {
            // Backwards from nowhere: the very last occurrence.
            pos = files - 1;
            rank = Some(self.shown_count(self.laid[pos] as usize) as usize);
        }
        for _ in 0..=files {
            let file = self.laid[pos] as usize;
            let count = self.shown_count(file) as usize;
            let next = match (forward, rank) {
                (true, None) => (count > 0).then_some(0),
                (true, Some(k)) => (k + 1 < count).then_some(k + 1),
                (false, None) => None,
                (false, Some(k)) => k.checked_sub(1).filter(|&k| k < count),
            };
            if let Some(k) = next {
                return self.shown_occurrence(file, k);
            }
            // On to the next (or previous) file, wrapping around.
            if forward {
                pos = (pos + 1) % files;
                rank = None;
            } else {
                pos = (pos + files - 1) % files;
                rank = Some(self.shown_count(self.laid[pos] as usize) as usize);
            }
        }
        None
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

    /// Bytes the model holds on the heap (capacities, not just lengths), for the memory budget
    /// per stored match. Each of a file's allocations is counted with
    /// [`ALLOCATION_OVERHEAD`] more for the allocator's bookkeeping. Errors are counted by
    /// their path and message only.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let files: usize = self
            .files
            .iter()
            .map(|f| {
                let found = &f.found;
                found.path.capacity()
                    + found.display.len()
                    + found.text.len()
                    + found.lines.len() * size_of::<LineEntry>()
                    + found.occurrences.len() * size_of::<OccurrenceEntry>()
                    + 5 * ALLOCATION_OVERHEAD
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
            + (self.order.capacity() + self.merge_scratch.capacity() + self.laid.capacity())
                * size_of::<u32>()
            + self.row_starts.capacity() * size_of::<u64>()
            + self.position.capacity() * size_of::<u32>()
    }
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
/// to 16 bytes, so 16 on average is a fair estimate of what a file's five allocations (path,
/// shown path, text, lines, occurrences) add.
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
                    byte_offset: 0,
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
            let incremental = model.order.clone();
            model.order.clear();
            model.layout_dirty = true;
            model.refresh_layout(true);
            assert_eq!(incremental, model.order, "{sort:?}");
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
