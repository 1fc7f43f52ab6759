//! Replace in the window: the replacement typed under the pattern, which matches of the
//! results on screen take part (every one, less those unchecked), and the write and the undo,
//! each on a [`Job`]. A replace never searches again: the plan is built from the results the
//! person reviewed, exactly the checked matches of the files the list shows, and
//! `trawl-replace`'s writer checks each file is still what the search read before it rewrites
//! it (docs/CONTRACT.md, "Replace").
//!
//! What is unchecked is stored, not what is checked: every match takes part by default, and a
//! person unchecks a handful, so 35 million matches cost nothing here. The counts on the bar
//! read every shown file (and every shown match of a file with some unchecked): they are
//! counted on a job, for one state of the results and the checkboxes at a time, and Replace
//! writes exactly the state its confirmation counted.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::app::job::{Job, Polled};
use crate::app::results::{Found, MatchView, Plan, ResultsModel};
use crate::replace::{
    FilePlan, FileStamp, Journal, PlannedMatch, RecordSummary, Replacer, UndoReport, WriteProgress,
    WriteReport,
};
use crate::search::{SearchOptions, searched_inside_archive};

/// Why a file of the results cannot take part in a replace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotWritable {
    /// Found inside an archive or a compressed file.
    InsideArchive,
    /// Binary (a NUL byte), found because binary files were searched as text.
    Binary,
}

impl NotWritable {
    /// Said on its row's checkbox's hover.
    pub(crate) fn why(self) -> &'static str {
        match self {
            NotWritable::InsideArchive => {
                "Inside an archive or a compressed file: trawl never writes those, so this is \
                 not replaced"
            }
            NotWritable::Binary => {
                "A binary file (it has a NUL byte), found because binary files were searched \
                 as text: trawl never writes those, so this is not replaced"
            }
        }
    }
}

/// The matches a person unchecked, for one set of results (cleared when the results change).
#[derive(Clone, Debug, Default)]
pub(crate) struct Exclusions {
    /// The results these are about ([`ResultsModel::id`]).
    model: Option<u64>,
    /// Files unchecked as a whole.
    files: HashSet<usize>,
    /// Matches unchecked one by one (model-wide occurrence → its file).
    matches: HashMap<usize, usize>,
    /// How many of each file's matches are in `matches`.
    per_file: HashMap<usize, usize>,
    /// Unchecked files with some matches checked again one by one: those matches. (Kept
    /// this way round so that checking one match of a file of millions costs one insert.)
    kept: HashMap<usize, HashSet<usize>>,
    /// Changes with every toggle, so the counts on the bar are counted again only then.
    version: u64,
}

impl Exclusions {
    /// Forgets what was unchecked when the results on screen are others than before.
    pub(crate) fn follow(&mut self, model: Option<u64>) {
        if self.model != model {
            *self = Exclusions {
                model,
                version: self.version + 1,
                ..Exclusions::default()
            };
        }
    }

    /// Changes with every toggle and with new results.
    pub(crate) fn version(&self) -> u64 {
        self.version
    }

    /// Whether `file` takes part (some of its matches may still be unchecked).
    pub(crate) fn file_checked(&self, file: usize) -> bool {
        !self.files.contains(&file) || self.kept.contains_key(&file)
    }

    /// Whether occurrence `index` of `file` takes part.
    pub(crate) fn match_checked(&self, file: usize, index: usize) -> bool {
        if self.files.contains(&file) {
            return self
                .kept
                .get(&file)
                .is_some_and(|kept| kept.contains(&index));
        }
        !self.matches.contains_key(&index)
    }

    /// Checks or unchecks a whole file: a file taking part (wholly or with some matches) is
    /// unchecked whole; an unchecked one is checked with each of its matches.
    pub(crate) fn toggle_file(&mut self, file: usize) {
        if self.kept.remove(&file).is_some() {
            // Unchecked with some matches checked again: unchecked whole now.
        } else if !self.files.remove(&file) {
            self.files.insert(file);
        } else if self.per_file.remove(&file).is_some() {
            self.matches.retain(|_, of| *of != file);
        }
        self.version += 1;
    }

    /// Checks or unchecks one match. In an unchecked file, checking a match makes the file
    /// take part with that match alone (and the others checked so).
    pub(crate) fn toggle_match(&mut self, file: usize, index: usize) {
        if self.files.contains(&file) {
            let kept = self.kept.entry(file).or_default();
            if !kept.remove(&index) {
                kept.insert(index);
            }
            if kept.is_empty() {
                self.kept.remove(&file);
            }
        } else if self.matches.remove(&index).is_some() {
            self.uncount(file);
        } else {
            self.matches.insert(index, file);
            *self.per_file.entry(file).or_default() += 1;
        }
        self.version += 1;
    }

    fn uncount(&mut self, file: usize) {
        if let Some(count) = self.per_file.get_mut(&file) {
            *count -= 1;
            if *count == 0 {
                self.per_file.remove(&file);
            }
        }
    }

    /// The checked matches of `file` among `shown` (the file's occurrences the list shows).
    fn checked_in(&self, file: usize, shown: Shown<'_>) -> usize {
        if self.files.contains(&file) {
            let Some(kept) = self.kept.get(&file) else {
                return 0;
            };
            return match shown {
                Shown::All(_) => kept.len(),
                Shown::Picked(picked) => picked
                    .iter()
                    .filter(|&&i| kept.contains(&(i as usize)))
                    .count(),
            };
        }
        match shown {
            Shown::All(all) => all - self.per_file.get(&file).copied().unwrap_or(0),
            // A file with no match unchecked is counted without looking at its matches: a
            // filter can leave millions shown, and this runs in a frame.
            Shown::Picked(picked) if !self.per_file.contains_key(&file) => picked.len(),
            Shown::Picked(picked) => picked
                .iter()
                .filter(|&&i| !self.matches.contains_key(&(i as usize)))
                .count(),
        }
    }
}

/// A file's occurrences the list shows: all of them (how many), or those a filter picked.
enum Shown<'a> {
    All(usize),
    Picked(&'a [u32]),
}

fn shown_of<'a>(found: &Found, plan: &'a Plan, file: usize) -> Shown<'a> {
    match plan.picked(file) {
        Some(picked) => Shown::Picked(picked),
        None => Shown::All(found.occurrences_of(file).len()),
    }
}

/// What a replace of the results on screen would take now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Checked matches in files that can be written.
    pub(crate) matches: u64,
    /// Files with at least one of them.
    pub(crate) files: u64,
    /// Shown files inside archives: never written.
    pub(crate) in_archives: u64,
    /// Shown binary files (searched as text): never written.
    pub(crate) binary: u64,
}

/// Counts the checked matches of the shown files (a filter applying, as for Copy all and
/// Export), on a job: `None` when `cancel` was set meanwhile.
fn count(
    found: &Found,
    plan: &Plan,
    exclusions: &Exclusions,
    cancel: &AtomicBool,
) -> Option<Counts> {
    let mut counts = Counts::default();
    for file in plan.files() {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        match not_writable(found, file) {
            Some(NotWritable::InsideArchive) => counts.in_archives += 1,
            Some(NotWritable::Binary) => counts.binary += 1,
            None => {
                let checked = exclusions.checked_in(file, shown_of(found, plan, file));
                if checked > 0 {
                    counts.matches += checked as u64;
                    counts.files += 1;
                }
            }
        }
    }
    Some(counts)
}

/// What the bar knows of the checked matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tally {
    /// Being counted on a job (or the rows are being laid out): not to act on.
    Counting,
    /// Counted for the results, the filter and the checkboxes on screen now.
    Counted(Counts),
    /// The count's job could not run or ended without an answer.
    Failed,
}

/// What a count and a replace read: the results, the shown files and the checkboxes as they
/// were at one moment (cheap: shared lists, and what is unchecked).
#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    model: u64,
    found: Found,
    plan: Plan,
    exclusions: Exclusions,
}

impl Snapshot {
    fn of(results: &ResultsModel, exclusions: &Exclusions) -> Self {
        Snapshot {
            model: results.id(),
            found: results.found().clone(),
            plan: results.plan(),
            exclusions: exclusions.clone(),
        }
    }

    /// The results it was taken from.
    pub(crate) fn model(&self) -> u64 {
        self.model
    }
}

/// What the counts were counted for: they are counted again when any of it changes.
#[derive(Clone, Debug, PartialEq, Eq)]
struct CountKey {
    model: u64,
    matches: usize,
    shown_matches: u64,
    shown_files: usize,
    filter: String,
    exclusions: u64,
}

/// What the replacement is compiled for.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ReplacerKey {
    pattern: String,
    options: SearchOptions,
    template: String,
}

/// A replace being written: its plan built, then its files rewritten, on a job.
pub(crate) struct Running {
    job: Job<Result<Outcome, String>>,
    pub(crate) progress: Arc<WriteProgress>,
    cancel: Arc<AtomicBool>,
    /// What the confirmation counted.
    pub(crate) counts: Counts,
}

impl Running {
    /// Whether Cancel was pressed.
    pub(crate) fn cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// How a replace ended.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) report: WriteReport,
    /// The results the replace was made from, and for each written file (in the report's
    /// order) the first occurrence replaced in it, to open it in the editor.
    pub(crate) model: u64,
    pub(crate) first_occurrences: HashMap<PathBuf, usize>,
    pub(crate) folder: PathBuf,
}

/// An undo being made, or the journal's list being read.
enum JournalJob {
    Undo(Job<Result<UndoReport, String>>),
    List(Job<Result<Vec<RecordSummary>, String>>),
}

/// The confirmation asked before writing.
#[derive(Clone, Debug)]
pub(crate) struct Confirm {
    /// What is written if confirmed: exactly what `counts` counted.
    pub(crate) snapshot: Snapshot,
    pub(crate) counts: Counts,
    pub(crate) folder: PathBuf,
    pub(crate) template: String,
    /// The results were searched with "Binary files as text": the binary files found are not
    /// counted, and the writer leaves alone one whose NUL byte the search did not see (it
    /// looks at a large file's first MiB only).
    pub(crate) binary_as_text: bool,
}

/// Replace's state in the window.
#[derive(Default)]
pub(crate) struct ReplaceUi {
    /// The Replace field shows (its toggle, Ctrl+H).
    pub(crate) open: bool,
    /// The replacement as typed.
    pub(crate) template: String,
    /// The field is to take the focus on the next frame (Ctrl+H).
    pub(crate) focus: bool,
    compiled: Option<(ReplacerKey, Result<Arc<Replacer>, String>)>,
    compiling: Option<(ReplacerKey, Job<Result<Replacer, String>>)>,
    pub(crate) exclusions: Exclusions,
    /// The counts of the state on screen, once counted, and the job counting them (a state
    /// that has changed since its job started is counted again; its job is dropped).
    counted: Option<(CountKey, Option<Counts>)>,
    counting: Option<(CountKey, Job<Option<Counts>>)>,
    pub(crate) confirm: Option<Confirm>,
    pub(crate) running: Option<Running>,
    /// The last replace's outcome (or why it could not be made), shown in the report.
    pub(crate) outcome: Option<Result<Outcome, String>>,
    pub(crate) report_open: bool,
    journal_job: Option<JournalJob>,
    /// The last undo's report (or why it failed).
    pub(crate) undo_report: Option<Result<UndoReport, String>>,
    /// The journal's replaces, newest first, once read (or why they could not be).
    pub(crate) history: Option<Result<Vec<RecordSummary>, String>>,
    pub(crate) history_open: bool,
    /// Where the journal is; `None`: the user's (`Journal::open_default`).
    journal_dir: Option<PathBuf>,
}

impl ReplaceUi {
    /// Whether a replace wrote files from `model`'s results: they are from before it, and
    /// another replace of them would only find changed files.
    pub(crate) fn wrote_from(&self, model: u64) -> bool {
        matches!(&self.outcome, Some(Ok(outcome))
            if outcome.model == model && !outcome.report.written.is_empty())
    }
}

/// The pattern and options the shown results were searched with.
pub(crate) struct Searched<'a> {
    pub(crate) pattern: &'a str,
    pub(crate) options: &'a SearchOptions,
}

impl ReplaceUi {
    /// Shows or hides the field (hiding it leaves the rows as they were).
    pub(crate) fn toggle(&mut self) {
        self.open = !self.open;
        self.focus = self.open;
    }

    /// Whether rows show their change: the field is open and has text.
    pub(crate) fn previewing(&self) -> bool {
        self.open && !self.template.is_empty()
    }

    /// Keeps the replacement compiled for the shown results' pattern (on a job: a pattern
    /// can take long to compile) and what is unchecked tied to those results.
    pub(crate) fn follow(
        &mut self,
        ctx: &egui::Context,
        results: Option<&ResultsModel>,
        searched: Option<Searched<'_>>,
    ) {
        self.exclusions.follow(results.map(ResultsModel::id));
        if let Some((_, job)) = &self.compiling {
            match job.poll() {
                Polled::Running | Polled::Update(_) => {}
                Polled::Done(result) => {
                    if let Some((key, _)) = self.compiling.take() {
                        self.compiled = Some((key, result.map(Arc::new)));
                    }
                }
                Polled::Lost => {
                    if let Some((key, _)) = self.compiling.take() {
                        self.compiled =
                            Some((key, Err("the replacement could not be compiled".into())));
                    }
                }
            }
        }
        let Some(searched) = searched.filter(|_| self.open) else {
            return;
        };
        // Compared in place, not built each frame.
        let known = |k: Option<&ReplacerKey>| {
            k.is_some_and(|k| {
                k.pattern == searched.pattern
                    && k.options == *searched.options
                    && k.template == self.template
            })
        };
        if known(self.compiled.as_ref().map(|(k, _)| k))
            || known(self.compiling.as_ref().map(|(k, _)| k))
        {
            return;
        }
        let key = ReplacerKey {
            pattern: searched.pattern.to_string(),
            options: searched.options.clone(),
            template: self.template.clone(),
        };
        let (options, pattern, template) = (
            key.options.clone(),
            key.pattern.clone(),
            key.template.clone(),
        );
        if let Some(job) = Job::spawn("trawl-replacer", ctx, move |_| {
            Replacer::new(&options, &pattern, &template).map_err(|err| err.to_string())
        }) {
            self.compiling = Some((key, job));
        }
    }

    /// The replacement compiled for the current template, once it is.
    pub(crate) fn replacer(&self) -> Option<&Arc<Replacer>> {
        match &self.compiled {
            Some((key, Ok(replacer))) if key.template == self.template => Some(replacer),
            _ => None,
        }
    }

    /// Why the replacement cannot be used.
    pub(crate) fn error(&self) -> Option<&str> {
        match &self.compiled {
            Some((key, Err(err))) if key.template == self.template => Some(err),
            _ => None,
        }
    }

    /// The checked matches and files of the shown results, as far as they are counted: a
    /// change of the results, the filter or a checkbox starts a job that counts them (the
    /// frame takes a snapshot of shared lists and reads nothing of the results), and until
    /// its answer comes they are [`Tally::Counting`].
    pub(crate) fn tally(&mut self, ctx: &egui::Context, results: &ResultsModel) -> Tally {
        // The rows on screen are about to be others (a filter's first screenful, a layout
        // being made): what they take is counted once they are laid out.
        if results.is_laying_out() {
            self.counting = None;
            return Tally::Counting;
        }
        let key = CountKey {
            model: results.id(),
            matches: results.match_count(),
            shown_matches: results.shown_match_count(),
            shown_files: results.shown_file_count(),
            filter: results.shown_filter().to_string(),
            exclusions: self.exclusions.version,
        };
        if let Some((counted, counts)) = &self.counted
            && *counted == key
        {
            return counts.map_or(Tally::Failed, Tally::Counted);
        }
        if self.counting.as_ref().is_some_and(|(k, _)| *k == key) {
            return Tally::Counting;
        }
        let snapshot = Snapshot::of(results, &self.exclusions);
        let job = Job::spawn("trawl-replace-count", ctx, move |cancel| {
            count(
                &snapshot.found,
                &snapshot.plan,
                &snapshot.exclusions,
                cancel,
            )
        });
        match job {
            Some(job) => {
                self.counting = Some((key, job));
                Tally::Counting
            }
            None => {
                self.counted = Some((key, None));
                Tally::Failed
            }
        }
    }

    /// What a replace of the state on screen would write, with its counts: `None` unless
    /// they are counted for that very state.
    pub(crate) fn counted_snapshot(
        &mut self,
        ctx: &egui::Context,
        results: &ResultsModel,
    ) -> Option<(Snapshot, Counts)> {
        match self.tally(ctx, results) {
            Tally::Counted(counts) => Some((Snapshot::of(results, &self.exclusions), counts)),
            Tally::Counting | Tally::Failed => None,
        }
    }

    /// Whether the checked matches are being counted.
    pub(crate) fn is_counting(&self) -> bool {
        self.counting.is_some()
    }

    /// Whether the replacement is being compiled.
    pub(crate) fn is_compiling(&self) -> bool {
        self.compiling.is_some()
    }

    /// Whether a replace is being written.
    pub(crate) fn is_writing(&self) -> bool {
        self.running.is_some()
    }

    /// Whether an undo runs or the history is being read.
    pub(crate) fn is_busy_with_journal(&self) -> bool {
        self.journal_job.is_some()
    }

    /// Whether an undo runs.
    pub(crate) fn is_undoing(&self) -> bool {
        matches!(self.journal_job, Some(JournalJob::Undo(_)))
    }

    /// Whether the journal holds a replace not undone yet, once its list has been read (it is
    /// read when the Replace field first shows, and again after each replace and undo made
    /// here); `None` until then, or when it could not be read.
    pub(crate) fn has_undo(&self) -> Option<bool> {
        let history = self.history.as_ref()?.as_ref().ok()?;
        Some(history.iter().any(|record| !record.undone))
    }

    /// Puts the journal in `dir` instead of the user's data folder.
    pub(crate) fn set_journal_dir(&mut self, dir: PathBuf) {
        self.journal_dir = Some(dir);
    }

    fn journal(&self) -> Result<Journal, String> {
        match &self.journal_dir {
            Some(dir) => Ok(Journal::at(dir)),
            None => Journal::open_default().map_err(|err| err.to_string()),
        }
    }

    /// Starts writing what `confirm` counted, exactly: the plan is built on the job (reading
    /// each file's size), then written file by file.
    pub(crate) fn start(&mut self, ctx: &egui::Context, confirm: Confirm, pattern: &str) {
        if self.running.is_some() {
            return;
        }
        // The replacement must be the one the confirmation showed.
        let Some(replacer) = self
            .replacer()
            .filter(|r| r.template() == confirm.template)
            .cloned()
        else {
            return;
        };
        let journal = match self.journal() {
            Ok(journal) => journal,
            Err(err) => {
                self.outcome = Some(Err(err));
                self.report_open = true;
                return;
            }
        };
        let Confirm {
            snapshot, counts, ..
        } = confirm;
        let pattern = pattern.to_string();
        let progress = Arc::new(WriteProgress::default());
        let cancel = Arc::new(AtomicBool::new(false));
        let (progress_in_job, cancel_in_job) = (Arc::clone(&progress), Arc::clone(&cancel));
        let job = Job::spawn("trawl-replace", ctx, move |_| {
            let Snapshot {
                model,
                found,
                plan,
                exclusions,
            } = snapshot;
            // Each file's plan is made when the writer reaches it and dropped once the file
            // is prepared: memory holds a batch's plans, not one per checked match of the
            // whole result (35 million matches would be gigabytes).
            let mut first_occurrences = HashMap::new();
            let files = plan.files().filter_map(|file| {
                let (file_plan, first) = file_plan(&found, &plan, &exclusions, file)?;
                first_occurrences.insert(file_plan.path.clone(), first);
                Some(file_plan)
            });
            let report = crate::replace::write_each(
                found.root(),
                &pattern,
                files,
                &replacer,
                &journal,
                &progress_in_job,
                &cancel_in_job,
            )
            .map_err(|err| err.to_string())?;
            Ok(Outcome {
                report,
                model,
                first_occurrences,
                folder: found.root().to_path_buf(),
            })
        });
        match job {
            Some(job) => {
                self.running = Some(Running {
                    job,
                    progress,
                    cancel,
                    counts,
                });
                self.outcome = None;
                self.undo_report = None;
            }
            None => {
                self.outcome = Some(Err("no thread could be started for the replace".into()));
                self.report_open = true;
            }
        }
    }

    /// Asks the running replace to stop after the file it is at.
    pub(crate) fn cancel(&self) {
        if let Some(running) = &self.running {
            running.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Takes the replace's and the journal's answers once they come.
    pub(crate) fn poll(&mut self, ctx: &egui::Context) {
        if let Some((_, job)) = &self.counting {
            let answer = match job.poll() {
                Polled::Running | Polled::Update(_) => None,
                Polled::Done(counts) => Some(counts),
                Polled::Lost => Some(None),
            };
            // Its job is dropped when what it counts changes, never cancelled otherwise: an
            // answer of `None` is a job that could not count.
            if let Some(counts) = answer
                && let Some((key, _)) = self.counting.take()
            {
                self.counted = Some((key, counts));
            }
        }
        if let Some(running) = &self.running {
            let answer = match running.job.poll() {
                Polled::Running | Polled::Update(_) => {
                    // The progress bar reads the counters; the job wakes the window only at
                    // its end.
                    ctx.request_repaint_after(std::time::Duration::from_millis(100));
                    None
                }
                Polled::Done(answer) => Some(answer),
                Polled::Lost => Some(Err("the replace stopped unexpectedly".into())),
            };
            if let Some(answer) = answer {
                self.running = None;
                self.outcome = Some(answer);
                self.report_open = true;
                // The history has one more replace.
                if self.history.is_some() {
                    self.read_history(ctx);
                }
            }
        }
        match &self.journal_job {
            Some(JournalJob::Undo(job)) => {
                let answer = match job.poll() {
                    Polled::Running | Polled::Update(_) => None,
                    Polled::Done(answer) => Some(answer),
                    Polled::Lost => Some(Err("the undo stopped unexpectedly".into())),
                };
                if let Some(answer) = answer {
                    self.journal_job = None;
                    self.undo_report = Some(answer);
                    self.report_open = true;
                    if self.history.is_some() {
                        self.read_history(ctx);
                    }
                }
            }
            Some(JournalJob::List(job)) => {
                let answer = match job.poll() {
                    Polled::Running | Polled::Update(_) => None,
                    Polled::Done(answer) => Some(answer),
                    Polled::Lost => Some(Err("the journal could not be read".into())),
                };
                if let Some(answer) = answer {
                    self.journal_job = None;
                    self.history = Some(answer);
                }
            }
            None => {}
        }
        // Undo says whether there is anything to undo once the field shows: the journal's
        // list is read once then, on a job.
        if self.open && self.history.is_none() && self.journal_job.is_none() {
            self.read_history(ctx);
        }
    }

    /// Undoes replace `id` (the last one not undone: `None`) on a job. A reading of the
    /// history still under way is dropped (the list is read again after the undo).
    pub(crate) fn undo(&mut self, ctx: &egui::Context, id: Option<String>) {
        if self.is_undoing() || self.running.is_some() {
            return;
        }
        let journal = match self.journal() {
            Ok(journal) => journal,
            Err(err) => {
                self.undo_report = Some(Err(err));
                self.report_open = true;
                return;
            }
        };
        self.undo_report = None;
        self.journal_job = Job::spawn("trawl-undo", ctx, move |_| {
            journal.undo(id.as_deref()).map_err(|err| err.to_string())
        })
        .map(JournalJob::Undo);
    }

    /// Reads the journal's list of replaces on a job.
    pub(crate) fn read_history(&mut self, ctx: &egui::Context) {
        if self.journal_job.is_some() {
            return;
        }
        let journal = match self.journal() {
            Ok(journal) => journal,
            Err(err) => {
                self.history = Some(Err(err));
                return;
            }
        };
        self.journal_job = Job::spawn("trawl-journal", ctx, move |_| {
            journal.list().map_err(|err| err.to_string())
        })
        .map(JournalJob::List);
    }
}

/// The replacement of a match as its row shows it: the template expanded with the match's
/// captures in its line (`None` when the row is not replaced: no replacement compiled yet).
pub(crate) fn replacement_of(replacer: &Replacer, view: &MatchView<'_>) -> Option<String> {
    let text = view.text;
    let highlight = view.highlight.clone();
    let replaced = replacer.replace_in_line(text, [highlight.clone()]);
    // Everything outside the match is kept as it is: what is between is the replacement.
    let tail = text.len().checked_sub(highlight.end)?;
    let end = replaced.len().checked_sub(tail)?;
    replaced.get(highlight.start..end).map(str::to_string)
}

/// Whether a file of the results can take part in a replace, and why not.
pub(crate) fn not_writable(found: &Found, file: usize) -> Option<NotWritable> {
    if found.path(file).is_some_and(searched_inside_archive) {
        Some(NotWritable::InsideArchive)
    } else if found.binary(file) {
        Some(NotWritable::Binary)
    } else {
        None
    }
}

/// The plan of `file`'s checked matches among those the list shows, and the first of them;
/// `None` when it has none or cannot be written.
pub(crate) fn file_plan(
    found: &Found,
    plan: &Plan,
    exclusions: &Exclusions,
    file: usize,
) -> Option<(FilePlan, usize)> {
    let path = found.path(file)?;
    if not_writable(found, file).is_some() || !exclusions.file_checked(file) {
        return None;
    }
    let indices: Box<dyn Iterator<Item = usize>> = match plan.picked(file) {
        Some(picked) => Box::new(picked.iter().map(|&i| i as usize)),
        None => Box::new(found.occurrences_of(file)),
    };
    let mut first = None;
    let mut matches = Vec::new();
    for index in indices {
        if !exclusions.match_checked(file, index) {
            continue;
        }
        let Some(view) = found.occurrence_in(file, index) else {
            continue;
        };
        first.get_or_insert(index);
        matches.push(planned(&view));
    }
    matches.sort_by_key(|m| m.offset);
    matches.dedup_by_key(|m| m.offset);
    // As `FilePlan::from_result`: the size now, the modified time the search saw.
    let stamp = std::fs::metadata(path).ok().map(|meta| FileStamp {
        size: meta.len(),
        modified: found.modified(file).or_else(|| meta.modified().ok()),
    });
    let file_plan = FilePlan {
        path: path.to_path_buf(),
        matches,
        stamp,
        decoded_from: found.encoding(file),
    };
    Some((file_plan, first?))
}

/// A match as the writer checks it: what the row showed of it, whole or its start.
fn planned(view: &MatchView<'_>) -> PlannedMatch {
    let seen = view.text.get(view.highlight.clone()).unwrap_or("");
    PlannedMatch {
        offset: view.byte_offset,
        length: view.length,
        seen: seen.into(),
        seen_whole: !view.spans_lines && seen.len() as u64 == view.length,
    }
}
