//! How the list shows what a search found: the files' order, the row filter, folded files and
//! the flat row index. Derived from a [`Found`] and rebuilt off the UI thread ([`build`]) when
//! the person sorts, filters or folds every file; while a search streams in, new files are
//! merged into the layout on screen ([`Layout::extend`]), which costs a pass over the files,
//! not over the matches.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Found, RowRef, SortOrder, saturate};

/// What the person asked the list to show: the order, the filter's text, and "fold (or
/// unfold) every file" until a layout has done it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayoutSpec {
    pub sort: SortOrder,
    /// Trimmed; empty is no filter.
    pub filter: String,
    pub collapse_all: Option<bool>,
}

/// Which of a file's occurrences pass the row filter.
#[derive(Clone, Copy, Debug)]
pub(super) enum Shown {
    /// Its path matches the filter, or every occurrence does: all of them.
    All,
    /// `count` occurrences, listed at `start` in [`RowFilter::picked`] (none hides the file);
    /// `bytes` is what their rows take in Copy all (long lines counted by their location).
    Some { start: u32, count: u32, bytes: u64 },
}

const NONE_SHOWN: Shown = Shown::Some {
    start: 0,
    count: 0,
    bytes: 0,
};

/// The filter box: narrows the rows to files whose path, or occurrences whose text, contains
/// what was typed (any case), without searching again.
#[derive(Clone, Debug)]
pub(super) struct RowFilter {
    pub(super) text: String,
    matcher: regex::Regex,
    /// Per file, for the files filtered so far.
    pub(super) shown: Vec<Shown>,
    /// The occurrences that pass, of the files whose path does not.
    pub(super) picked: Vec<u32>,
}

impl RowFilter {
    /// `None` for a blank text, or one that cannot compile (a size limit): everything shows.
    fn new(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let matcher = regex::RegexBuilder::new(&regex::escape(text))
            .case_insensitive(true)
            .build()
            .ok()?;
        Some(RowFilter {
            text: text.to_string(),
            matcher,
            shown: Vec::new(),
            picked: Vec::new(),
        })
    }

    /// Which of `file`'s occurrences pass; those picked one by one are added to `picked`.
    /// A file with millions of matches looks at `cancel` as it goes (a replaced job stops
    /// within it, not after it); what a cancelled call returns is not used.
    fn filter_file(&mut self, found: &Found, file: usize, cancel: &AtomicBool) -> Shown {
        let Some(entry) = found.files.get(file) else {
            return NONE_SHOWN;
        };
        let stored = &entry.found;
        if self.matcher.is_match(&stored.display) {
            return Shown::All;
        }
        let start = self.picked.len();
        let mut bytes = 0;
        // Occurrences on one line share its text: it is looked at once. A cut line's text
        // holds the windows of all its occurrences, so where it does not match, none of them
        // does; where it does, each occurrence's own window is looked at.
        let mut line_seen: Option<(u32, bool)> = None;
        for (local, occurrence) in stored.occurrences.iter().enumerate() {
            if local % CANCEL_CHECK_EVERY == CANCEL_CHECK_EVERY - 1
                && cancel.load(Ordering::Relaxed)
            {
                self.picked.truncate(start);
                return NONE_SHOWN;
            }
            let line = occurrence.line;
            let Some(line_entry) = stored.lines.get(line as usize) else {
                continue;
            };
            let text_matches = match line_seen {
                Some((seen, matches)) if seen == line => matches,
                _ => {
                    let matches = self.matcher.is_match(stored.line_text(line_entry));
                    line_seen = Some((line, matches));
                    matches
                }
            };
            let passes = text_matches
                && (line_entry.cut & super::CUT == 0
                    || found
                        .view_in(file, local)
                        .is_some_and(|view| self.matcher.is_match(view.text)));
            if passes {
                self.picked.push(saturate(entry.first_occurrence + local));
                bytes += stored.row_bytes_of(occurrence);
            }
        }
        let count = self.picked.len() - start;
        if count == stored.occurrences.len() && count > 0 {
            // Every occurrence passes: no list needed (a filter that passes most rows then
            // costs no memory per match).
            self.picked.truncate(start);
            return Shown::All;
        }
        Shown::Some {
            start: saturate(start),
            count: saturate(count),
            bytes,
        }
    }

    /// Filters the files not filtered yet.
    fn extend(&mut self, found: &Found) {
        let never = AtomicBool::new(false);
        for file in self.shown.len()..found.file_count() {
            let shown = self.filter_file(found, file, &never);
            self.shown.push(shown);
        }
    }
}

/// The list's rows over one [`Found`].
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub(super) sort: SortOrder,
    /// Files in display order. New files are merged in (only they are sorted), so a relayout
    /// during a search with many files costs a linear pass, not a sort of everything. Shared
    /// with the jobs that read the shown files (a count, a copy, a replace), so that taking
    /// them costs a frame nothing.
    order: Arc<Vec<u32>>,
    /// The row filter and what it let through, shared with the jobs that read it (a copy, an
    /// export) without copying its lists.
    pub(super) filter: Option<Arc<RowFilter>>,
    /// Per file: folded (files past its end are not).
    collapsed: Vec<bool>,
    /// The files of `order` that the row filter lets through (all of them without one);
    /// shared as `order` is.
    laid: Arc<Vec<u32>>,
    /// `row_starts[i]` is the first row of `laid[i]`; one more entry holds the row count.
    row_starts: Vec<u64>,
    /// Position of each file in `laid`, or `u32::MAX` for a file filtered out.
    position: Vec<u32>,
    /// Occurrences the laid-out rows hold (folded files' included).
    shown_matches: u64,
    /// What the laid-out rows take in Copy all, long lines counted by their location only.
    copy_bytes: u64,
    /// False for a filter's first screenful, shown while the filter goes on.
    complete: bool,
}

/// Occurrences between two looks at a filter job's cancel flag inside one file.
const CANCEL_CHECK_EVERY: usize = 1 << 16;

/// Files a filter walks before it hands its first screenful on, at least.
const FIRST_SCREEN_ROWS: u64 = 200;

/// Builds the layout `spec` asks for over `found`, taking from `base` (the layout on screen)
/// what still holds: the order when the sort is the same, the filter's results when its text
/// is, the folded files. Off the UI thread: a filter over 35 million matches takes seconds.
/// A filter hands its first screenful to `first_screen` as soon as it has one. `None` when
/// `cancel` was set meanwhile.
pub(crate) fn build(
    found: &Found,
    spec: &LayoutSpec,
    base: &Layout,
    cancel: &AtomicBool,
    mut first_screen: impl FnMut(Layout),
) -> Option<Layout> {
    let mut layout = Layout {
        sort: spec.sort,
        order: if base.sort == spec.sort && base.complete {
            base.order.clone()
        } else {
            Arc::default()
        },
        collapsed: match spec.collapse_all {
            Some(collapsed) => vec![collapsed; found.file_count()],
            None => base.collapsed.clone(),
        },
        complete: true,
        ..Layout::default()
    };
    layout.place_new_files(found);
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    let text = spec.filter.trim();
    layout.filter = match &base.filter {
        Some(filter) if filter.text == text && base.complete => {
            let mut filter = Arc::clone(filter);
            if filter.shown.len() < found.file_count() {
                // The files that arrived since it ran, filtered here, off the UI thread.
                Arc::make_mut(&mut filter).extend(found);
            }
            Some(filter)
        }
        _ => match RowFilter::new(text) {
            None => None,
            Some(mut filter) => {
                filter.shown = vec![NONE_SHOWN; found.file_count()];
                let mut rows = 0u64;
                let mut published = false;
                for (k, &file) in layout.order.iter().enumerate() {
                    if cancel.load(Ordering::Relaxed) {
                        return None;
                    }
                    let file = file as usize;
                    let shown = filter.filter_file(found, file, cancel);
                    filter.shown[file] = shown;
                    let count = u64::from(shown_count(Some(&filter), found, file));
                    if !published && count > 0 {
                        rows += 1 + count;
                        if rows >= FIRST_SCREEN_ROWS {
                            published = true;
                            let mut first = Layout {
                                sort: layout.sort,
                                order: Arc::new(layout.order[..=k].to_vec()),
                                filter: Some(Arc::new(filter.clone())),
                                collapsed: layout.collapsed.clone(),
                                complete: false,
                                ..Layout::default()
                            };
                            first.rebuild_rows(found);
                            first_screen(first);
                        }
                    }
                }
                Some(Arc::new(filter))
            }
        },
    };
    layout.rebuild_rows(found);
    Some(layout)
}

/// How many of `file`'s occurrences pass `filter`.
/// A file the filter has not looked at yet (it arrived since) shows none.
fn shown_count(filter: Option<&RowFilter>, found: &Found, file: usize) -> u32 {
    match filter.map(|f| f.shown.get(file)) {
        Some(Some(Shown::Some { count, .. })) => *count,
        Some(None) => 0,
        Some(Some(Shown::All)) | None => found.files.get(file).map_or(0, |f| f.count()),
    }
}

impl Layout {
    /// An empty layout in `sort` order.
    pub(super) fn new(sort: SortOrder) -> Self {
        Layout {
            sort,
            row_starts: vec![0],
            complete: true,
            ..Layout::default()
        }
    }

    /// Whether this is all of the layout asked for (not a filter's first screenful).
    pub(super) fn is_complete(&self) -> bool {
        self.complete
    }

    /// Matches of the files that arrived since the filter ran (none without a filter): what
    /// [`extend`](Self::extend) would filter.
    pub(super) fn unfiltered_matches(&self, found: &Found) -> usize {
        self.filter.as_ref().map_or(0, |filter| {
            found.files.get(filter.shown.len()..).map_or(0, |files| {
                files.iter().map(|f| f.found.occurrences.len()).sum()
            })
        })
    }

    /// Takes in the files that arrived since it was built: placed in the order, filtered,
    /// and the row index rebuilt (a pass over the files).
    pub(super) fn extend(&mut self, found: &Found) {
        if !self.complete {
            // A first screenful is replaced by its whole layout soon; it is not extended.
            return;
        }
        self.place_new_files(found);
        if let Some(filter) = self.filter.as_mut()
            && filter.shown.len() < found.file_count()
        {
            Arc::make_mut(filter).extend(found);
        }
        self.rebuild_rows(found);
    }

    /// Adds the files not placed yet to `order`: they are sorted among themselves, then merged
    /// with the files already placed (a file never changes once added, so their order holds).
    fn place_new_files(&mut self, found: &Found) {
        let placed = self.order.len();
        let files = &found.files;
        if placed >= files.len() {
            return;
        }
        let sort = self.sort;
        let mut new: Vec<u32> = (saturate(placed)..saturate(files.len())).collect();
        if sort == SortOrder::Found {
            Arc::make_mut(&mut self.order).extend(new);
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
        if placed == 0 {
            self.order = Arc::new(new);
            return;
        }
        let old = std::mem::take(&mut self.order);
        let mut order = Vec::with_capacity(old.len() + new.len());
        let (mut i, mut j) = (0, 0);
        while i < old.len() && j < new.len() {
            if before(new[j], old[i]).is_lt() {
                order.push(new[j]);
                j += 1;
            } else {
                order.push(old[i]);
                i += 1;
            }
        }
        order.extend_from_slice(&old[i..]);
        order.extend_from_slice(&new[j..]);
        self.order = Arc::new(order);
    }

    /// Rebuilds the row index from the order, the filter and the folding.
    fn rebuild_rows(&mut self, found: &Found) {
        // A job may still read the list before: this one is new.
        let mut laid = Vec::with_capacity(self.laid.len());
        self.row_starts.clear();
        self.position.clear();
        self.position.resize(found.file_count(), u32::MAX);
        self.shown_matches = 0;
        self.copy_bytes = 0;
        let filter = self.filter.as_deref();
        let mut row = 0u64;
        for &file in self.order.iter() {
            let index = file as usize;
            let (shown, bytes) = match filter.map(|f| f.shown.get(index)) {
                Some(Some(Shown::Some { count, bytes, .. })) => (*count, *bytes),
                // Not filtered yet (it arrived since): not shown until it is.
                Some(None) => (0, 0),
                _ => match found.files.get(index) {
                    Some(entry) => (entry.count(), entry.found.row_bytes),
                    None => (0, 0),
                },
            };
            if shown == 0 && filter.is_some() {
                continue;
            }
            self.position[index] = saturate(laid.len());
            laid.push(file);
            self.row_starts.push(row);
            self.shown_matches += u64::from(shown);
            self.copy_bytes += bytes;
            row += 1 + if self.is_collapsed(index) {
                0
            } else {
                u64::from(shown)
            };
        }
        self.row_starts.push(row);
        self.laid = Arc::new(laid);
    }

    /// Folds or unfolds one file (a click: a pass over the files, on the UI thread).
    pub(super) fn toggle(&mut self, found: &Found, file: usize) {
        if file >= found.file_count() {
            return;
        }
        if self.collapsed.len() <= file {
            self.collapsed.resize(file + 1, false);
        }
        self.collapsed[file] = !self.collapsed[file];
        self.rebuild_rows(found);
    }

    pub(super) fn is_collapsed(&self, file: usize) -> bool {
        self.collapsed.get(file).copied().unwrap_or(false)
    }

    pub(super) fn is_filtered(&self) -> bool {
        self.filter.is_some()
    }

    /// How many of `file`'s occurrences pass the filter.
    pub(super) fn shown_count(&self, found: &Found, file: usize) -> u32 {
        shown_count(self.filter.as_deref(), found, file)
    }

    /// The occurrences of `file` the filter picked one by one, or `None` when all of them are
    /// shown (no filter, or all pass).
    pub(super) fn picked(&self, file: usize) -> Option<&[u32]> {
        let filter = self.filter.as_ref()?;
        match filter.shown.get(file)? {
            Shown::All => None,
            Shown::Some { start, count, .. } => {
                let start = *start as usize;
                filter.picked.get(start..start + *count as usize)
            }
        }
    }

    /// The `k`-th occurrence of `file` that passes the filter.
    pub(super) fn shown_occurrence(&self, found: &Found, file: usize, k: usize) -> Option<usize> {
        let entry = found.files.get(file)?;
        match self.picked(file) {
            Some(picked) => picked.get(k).map(|&index| index as usize),
            None => (k < entry.found.occurrences.len()).then_some(entry.first_occurrence + k),
        }
    }

    /// Where occurrence `index` of `file` is among the file's shown ones.
    fn shown_rank(&self, found: &Found, file: usize, index: usize) -> Option<usize> {
        let entry = found.files.get(file)?;
        match self.picked(file) {
            Some(picked) => picked.binary_search(&saturate(index)).ok(),
            None => index
                .checked_sub(entry.first_occurrence)
                .filter(|&k| k < entry.found.occurrences.len()),
        }
    }

    pub(super) fn row_count(&self) -> usize {
        self.row_starts
            .last()
            .map_or(0, |&n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(super) fn row(&self, found: &Found, row: usize) -> Option<RowRef> {
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
            let index = self.shown_occurrence(found, file, usize::try_from(offset - 1).ok()?)?;
            Some(RowRef::Match(index))
        }
    }

    pub(super) fn row_of(&self, found: &Found, item: RowRef) -> Option<usize> {
        let (file, offset) = match item {
            RowRef::File(file) => (file, 0),
            RowRef::Match(index) => {
                let file = found.file_of(index)?;
                if self.is_collapsed(file) {
                    return None;
                }
                (file, 1 + self.shown_rank(found, file, index)? as u64)
            }
        };
        let pos = *self.position.get(file)? as usize;
        if pos == u32::MAX as usize || pos + 1 >= self.row_starts.len() {
            return None;
        }
        usize::try_from(self.row_starts.get(pos)? + offset).ok()
    }

    /// Every placed file in the list's order (folded and filtered ones included).
    pub(super) fn order(&self) -> &[u32] {
        &self.order
    }

    /// The files the rows show, in order.
    pub(super) fn laid(&self) -> &[u32] {
        &self.laid
    }

    /// [`order`](Self::order), shared, for a job to read.
    pub(super) fn shared_order(&self) -> Arc<Vec<u32>> {
        Arc::clone(&self.order)
    }

    /// [`laid`](Self::laid), shared, for a job to read.
    pub(super) fn shared_laid(&self) -> Arc<Vec<u32>> {
        Arc::clone(&self.laid)
    }

    pub(super) fn shown_matches(&self) -> u64 {
        self.shown_matches
    }

    pub(super) fn copy_bytes(&self) -> u64 {
        self.copy_bytes
    }

    /// The next (or previous) shown occurrence after `from`, in the list's order, wrapping
    /// around (see [`super::ResultsModel::next_match`]). A pass over the files at most.
    pub(super) fn next_match(
        &self,
        found: &Found,
        from: Option<RowRef>,
        forward: bool,
    ) -> Option<usize> {
        let files = self.laid.len();
        if self.shown_matches == 0 || files == 0 {
            return None;
        }
        // Where to start: a file's position in the list, and a rank among its shown
        // occurrences (`None`: before its first).
        let (mut pos, mut rank) = match from {
            Some(RowRef::Match(index)) => {
                let file = found.file_of(index)?;
                let pos = *self.position.get(file)? as usize;
                match (pos < files)
                    .then(|| self.shown_rank(found, file, index))
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
            rank = Some(self.shown_count(found, self.laid[pos] as usize) as usize);
        }
        for _ in 0..=files {
            let file = self.laid[pos] as usize;
            let count = self.shown_count(found, file) as usize;
            let next = match (forward, rank) {
                (true, None) => (count > 0).then_some(0),
                (true, Some(k)) => (k + 1 < count).then_some(k + 1),
                (false, None) => None,
                (false, Some(k)) => k.checked_sub(1).filter(|&k| k < count),
            };
            if let Some(k) = next {
                return self.shown_occurrence(found, file, k);
            }
            // On to the next (or previous) file, wrapping around.
            if forward {
                pos = (pos + 1) % files;
                rank = None;
            } else {
                pos = (pos + files - 1) % files;
                rank = Some(self.shown_count(found, self.laid[pos] as usize) as usize);
            }
        }
        None
    }

    /// Bytes held (capacities), for the model's estimate.
    pub(super) fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        (self.order.capacity() + self.laid.capacity() + self.position.capacity()) * size_of::<u32>()
            + self.row_starts.capacity() * size_of::<u64>()
            + self.collapsed.capacity()
            + self.filter.as_ref().map_or(0, |f| {
                f.shown.capacity() * size_of::<Shown>() + f.picked.capacity() * size_of::<u32>()
            })
    }
}
