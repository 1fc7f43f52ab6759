//! Copying results: a location, a line's text, or every shown result.
//!
//! Most copies are put on the clipboard at once. Copy all builds its text on a background job
//! from a snapshot of the results, and a line longer than the model keeps is read back whole
//! from its file there ([`crate::app::line_text`]): the clipboard gets the text a frame or more
//! later, and never a window of the line passed off as the line. A clipboard cannot carry
//! gigabytes: past [`COPY_LIMIT`] nothing is copied, and the window says how large the text
//! would be and offers Export instead. Whether the results are past it is often known at once
//! (the layout counts what its rows take), else the job finds out without building more than
//! the limit.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::app::job::{Job, Polled};
use crate::app::line_text::{CutMatch, LineReader};
use crate::app::numbers::plural;
use crate::app::results::{CopyBuild, ResultsModel, RowRef, copy_text, fill_holes};

/// The most text a copy puts on the clipboard: clipboards (X11 selections, Wayland's pipes,
/// the Windows clipboard) are not made for more, and building more would take memory that
/// grows with the results. Export writes any size.
pub const COPY_LIMIT: usize = 64 << 20;

/// A copy being built (and its long lines read back).
pub(crate) struct CopyJob {
    job: Job<Result<CopyText, CopyError>>,
    /// What the notice calls it ("all 3 results").
    what: String,
}

/// A copy's text once its lines are read back, and the lines that could not be.
struct CopyText {
    text: String,
    kept_cut: u64,
    problem: Option<String>,
}

/// Why a copy put nothing on the clipboard.
enum CopyError {
    /// Its text would take at least this many bytes, past the limit.
    TooLarge(u64),
    Failed(String),
}

/// What a copy asks the status line's notice to say.
#[must_use]
pub(crate) enum Said {
    Nothing,
    Show(String),
    /// Shown in the warning colour, for longer.
    Warn(String),
    /// The notice goes ("Copying…" for a copy that found itself too large).
    Clear,
}

/// Puts `text` on the clipboard; the notice says "Copied {what}".
pub(crate) fn put_on_clipboard(ctx: &egui::Context, text: String, what: &str) -> Said {
    ctx.copy_text(text);
    Said::Show(format!("Copied {what}"))
}

/// Copying's share of the window: the copy being built, and Copy all's refusal.
pub(crate) struct Copier {
    job: Option<CopyJob>,
    /// Copy all refused: its text would take at least this many bytes.
    pub(crate) too_large: Option<u64>,
    /// The filter of the rows Copy all was pressed on: the refusal is about those rows only.
    copied_filter: String,
    /// The most text Copy all puts on the clipboard.
    pub(crate) limit: usize,
}

impl Default for Copier {
    fn default() -> Self {
        Copier {
            job: None,
            too_large: None,
            copied_filter: String::new(),
            limit: COPY_LIMIT,
        }
    }
}

impl Copier {
    /// The results it was about are replaced: a copy being built and its refusal go.
    pub(crate) fn forget(&mut self) {
        self.job = None;
        self.too_large = None;
    }

    /// The refusal goes once the rows shown are another filter's than those it was about:
    /// it may no longer be true of them.
    pub(crate) fn forget_if_other_rows(&mut self, results: Option<&ResultsModel>) {
        if self.too_large.is_some()
            && results.is_none_or(|results| results.shown_filter() != self.copied_filter)
        {
            self.too_large = None;
        }
    }

    /// Copies every shown result, one `path:line:column:text` line each (Copy all,
    /// Ctrl+Shift+C): built on a job; past the limit, the window offers Export instead.
    pub(crate) fn copy_all(&mut self, ctx: &egui::Context, results: &ResultsModel) -> Said {
        let count = results.shown_match_count();
        if count == 0 {
            return Said::Nothing;
        }
        if results.is_first_screenful() {
            // Its counts and rows are the first files' only: copying them would miss the rest.
            return Said::Warn(
                "Not copied yet: the filter is still going through the results.".into(),
            );
        }
        self.too_large = None;
        results.shown_filter().clone_into(&mut self.copied_filter);
        let at_least = results.copy_bytes_at_least();
        let limit = self.limit;
        if at_least > limit as u64 {
            // Known from the layout's counts: said in this frame, nothing built.
            self.too_large = Some(at_least);
            self.job = None;
            return Said::Nothing;
        }
        let what = match count {
            1 => "1 result".to_string(),
            n => format!("all {}", plural(n, "result", "results")),
        };
        let found = results.found().clone();
        let plan = results.plan();
        let job = Job::spawn("trawl-copy", ctx, move |cancel| {
            match copy_text(&found, &plan, limit, cancel) {
                None => Err(CopyError::Failed("Copy cancelled.".into())),
                Some(CopyBuild::TooLarge { bytes }) => Err(CopyError::TooLarge(bytes)),
                Some(CopyBuild::Text { text, holes }) => read_back(&text, &holes, limit, cancel),
            }
        });
        self.start_job(job, what)
    }

    fn start_job(&mut self, job: Option<Job<Result<CopyText, CopyError>>>, what: String) -> Said {
        match job {
            Some(job) => {
                self.job = Some(CopyJob { job, what });
                Said::Show("Copying…".into())
            }
            None => Said::Warn("Not copied: could not start a thread to build the text.".into()),
        }
    }

    /// Copies the text of occurrence `index`'s line ("Copy line text").
    pub(crate) fn copy_line_text(
        &mut self,
        ctx: &egui::Context,
        results: &ResultsModel,
        index: usize,
    ) -> Said {
        let Some(view) = results.occurrence(index) else {
            return Said::Nothing;
        };
        match results.cut_match(view.file, index) {
            Some(cut) => {
                let limit = self.limit;
                let job = Job::spawn("trawl-copy", ctx, move |cancel| {
                    read_back("", &[(0, cut)], limit, cancel)
                });
                self.start_job(job, "line text".into())
            }
            None => {
                let text = view.marked_text();
                let what = format!("line text: {}", short(&text));
                put_on_clipboard(ctx, text, &what)
            }
        }
    }

    /// Puts a finished copy on the clipboard.
    pub(crate) fn poll(&mut self, ctx: &egui::Context) -> Said {
        let Some(copy) = self.job.as_ref() else {
            return Said::Nothing;
        };
        let done = match copy.job.poll() {
            Polled::Running | Polled::Update(_) => return Said::Nothing,
            Polled::Done(done) => done,
            Polled::Lost => Err(CopyError::Failed(
                "Not copied: building the text failed.".to_string(),
            )),
        };
        let Some(copy) = self.job.take() else {
            return Said::Nothing;
        };
        match done {
            Ok(CopyText {
                text, kept_cut: 0, ..
            }) => put_on_clipboard(ctx, text, &copy.what),
            Ok(CopyText {
                text,
                kept_cut,
                problem,
            }) => {
                ctx.copy_text(text);
                Said::Warn(format!(
                    "Copied {}, but {} could not be read back whole and {} cut, marked … \
                     ({}). Search again to copy them whole.",
                    copy.what,
                    plural(kept_cut, "long line", "long lines"),
                    if kept_cut == 1 { "is" } else { "are" },
                    problem.unwrap_or_default()
                ))
            }
            Err(CopyError::TooLarge(bytes)) => {
                self.too_large = Some(bytes);
                Said::Clear
            }
            Err(CopyError::Failed(message)) => Said::Warn(message),
        }
    }

    /// Whether a copy is waiting for lines to be read back from their files.
    pub(crate) fn is_copying(&self) -> bool {
        self.job.is_some()
    }
}

/// Copies the selected row: a match's `path:line:column`, or a file header's path.
pub(crate) fn copy_selection(
    ctx: &egui::Context,
    results: &ResultsModel,
    selected: Option<RowRef>,
) -> Said {
    let copied = match selected {
        Some(RowRef::Match(index)) => results.location(index).map(|l| (l, "location")),
        Some(RowRef::File(file)) => results
            .file(file)
            .map(|f| (f.path.display().to_string(), "file path")),
        None => None,
    };
    match copied {
        Some((text, what)) => {
            let what = format!("{what}: {text}");
            put_on_clipboard(ctx, text, &what)
        }
        None => Said::Nothing,
    }
}

/// The copy's text with every hole's line read back (its window where it cannot be), or why
/// it was not made: past `limit` bytes it stops.
fn read_back(
    text: &str,
    holes: &[(usize, CutMatch)],
    limit: usize,
    cancel: &AtomicBool,
) -> Result<CopyText, CopyError> {
    let mut reader = LineReader::default();
    let mut lines = Vec::with_capacity(holes.len());
    let mut size = text.len();
    let (mut kept_cut, mut problem) = (0, None);
    for (_, cut) in holes {
        if cancel.load(Ordering::Relaxed) {
            return Err(CopyError::Failed("Copy cancelled.".into()));
        }
        let line = match reader.read(cut) {
            Ok(line) => Some(line.to_string()),
            Err(err) => {
                kept_cut += 1;
                problem.get_or_insert(err.message);
                None
            }
        };
        size += line.as_ref().map_or(cut.marked.len(), String::len);
        if size > limit {
            // At least: the lines after this one are counted by their windows.
            let rest: usize = holes
                .iter()
                .skip(lines.len() + 1)
                .map(|(_, c)| c.marked.len())
                .sum();
            return Err(CopyError::TooLarge((size + rest) as u64));
        }
        lines.push(line);
    }
    let mut next = lines.iter();
    let text = fill_holes(text, holes, |_| next.next().and_then(Option::as_deref));
    Ok(CopyText {
        text,
        kept_cut,
        problem,
    })
}

/// The copied text as the notice quotes it: at most 80 characters.
pub(crate) fn short(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
