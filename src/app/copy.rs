//! Copying results: a location, a line's text, or every shown result.
//!
//! Most copies are put on the clipboard at once. A line longer than the model keeps is read back
//! whole from its file first ([`crate::app::line_text`]), on a background job: the clipboard
//! gets the text a frame or more later, and never a window of the line passed off as the line.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::app::TrawlApp;
use crate::app::job::{Job, Polled};
use crate::app::line_text::{CutMatch, LineReader};
use crate::app::results::fill_holes;
use crate::app::views::plural;
use crate::app::{Notice, RowRef};

/// The most text a copy reads back from files: past it the copy is refused (Export writes any
/// size), so that a copy cannot fill memory with one result set's long lines.
pub const COPY_READ_BACK_LIMIT: usize = 256 << 20;

/// A copy waiting for its long lines to be read back.
pub(crate) struct CopyJob {
    job: Job<Result<CopyText, String>>,
    /// What the notice calls it ("all 3 results").
    what: String,
}

/// A copy's text once its lines are read back, and the lines that could not be.
struct CopyText {
    text: String,
    kept_cut: u64,
    problem: Option<String>,
}

impl TrawlApp {
    /// Copies every shown result, one `path:line:column:text` line each (Copy all, Ctrl+Shift+C).
    pub(crate) fn copy_all(&mut self, ctx: &egui::Context) {
        let Some(results) = self.results.as_ref() else {
            return;
        };
        let count = results.shown_match_count();
        if count == 0 {
            return;
        }
        let (text, holes) = results.all_results_with_holes();
        let what = match count {
            1 => "1 result".to_string(),
            n => format!("all {}", plural(n, "result", "results")),
        };
        self.copy_with_holes(ctx, text, holes, what);
    }

    /// Copies the text of occurrence `index`'s line ("Copy line text").
    pub(crate) fn copy_line_text(&mut self, ctx: &egui::Context, index: usize) {
        let Some(results) = self.results.as_ref() else {
            return;
        };
        let Some(view) = results.occurrence(index) else {
            return;
        };
        match results.cut_match(view.file, index) {
            Some(cut) => {
                self.copy_with_holes(ctx, String::new(), vec![(0, cut)], "line text".into())
            }
            None => {
                let text = view.marked_text();
                let what = format!("line text: {}", short(&text));
                self.copy(ctx, text, &what);
            }
        }
    }

    /// Puts `text` on the clipboard with the line of each hole put in, read back from its file
    /// on a background job when there are holes.
    fn copy_with_holes(
        &mut self,
        ctx: &egui::Context,
        text: String,
        holes: Vec<(usize, CutMatch)>,
        what: String,
    ) {
        if holes.is_empty() {
            self.copy(ctx, text, &what);
            return;
        }
        let lines = holes.len() as u64;
        let job = Job::spawn("trawl-copy", ctx, move |cancel| {
            read_back(&text, &holes, cancel)
        });
        match job {
            Some(job) => {
                self.copy_job = Some(CopyJob { job, what });
                self.notice = Some(Notice::show(
                    ctx,
                    format!(
                        "Copying: reading {} back from their files…",
                        plural(lines, "long line", "long lines")
                    ),
                ));
            }
            None => {
                self.notice = Some(Notice::warn(
                    ctx,
                    "Not copied: could not start a thread to read the long lines back.".into(),
                ));
            }
        }
    }

    /// Puts a finished copy on the clipboard.
    pub(crate) fn poll_copy(&mut self, ctx: &egui::Context) {
        let Some(copy) = self.copy_job.as_ref() else {
            return;
        };
        let done = match copy.job.poll() {
            Polled::Running => return,
            Polled::Done(done) => done,
            Polled::Lost => Err("Not copied: reading the long lines back failed.".to_string()),
        };
        let Some(copy) = self.copy_job.take() else {
            return;
        };
        match done {
            Ok(CopyText {
                text, kept_cut: 0, ..
            }) => self.copy(ctx, text, &copy.what),
            Ok(CopyText {
                text,
                kept_cut,
                problem,
            }) => {
                ctx.copy_text(text);
                self.notice = Some(Notice::warn(
                    ctx,
                    format!(
                        "Copied {}, but {} could not be read back whole and {} cut, marked … \
                         ({}). Search again to copy them whole.",
                        copy.what,
                        plural(kept_cut, "long line", "long lines"),
                        if kept_cut == 1 { "is" } else { "are" },
                        problem.unwrap_or_default()
                    ),
                ));
            }
            Err(message) => self.notice = Some(Notice::warn(ctx, message)),
        }
    }

    /// Whether a copy is waiting for lines to be read back from their files.
    pub fn is_copying(&self) -> bool {
        self.copy_job.is_some()
    }

    /// Copies the selected row: a match's `path:line:column`, or a file header's path.
    pub(crate) fn copy_selection(&mut self, ctx: &egui::Context) {
        let Some(results) = self.results.as_ref() else {
            return;
        };
        let copied = match self.selected {
            Some(RowRef::Match(index)) => results.location(index).map(|l| (l, "location")),
            Some(RowRef::File(file)) => results
                .file(file)
                .map(|f| (f.path.display().to_string(), "file path")),
            None => None,
        };
        if let Some((text, what)) = copied {
            let what = format!("{what}: {text}");
            self.copy(ctx, text, &what);
        }
    }
}

/// The copy's text with every hole's line read back (its window where it cannot be), or why
/// it was not made.
fn read_back(
    text: &str,
    holes: &[(usize, CutMatch)],
    cancel: &AtomicBool,
) -> Result<CopyText, String> {
    let mut reader = LineReader::default();
    let mut lines = Vec::with_capacity(holes.len());
    let mut size = text.len();
    let (mut kept_cut, mut problem) = (0, None);
    for (_, cut) in holes {
        if cancel.load(Ordering::Relaxed) {
            return Err("Copy cancelled.".into());
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
        if size > COPY_READ_BACK_LIMIT {
            return Err(format!(
                "Not copied: with their whole lines the results are over {} MB. Use Export… \
                 to save them to a file.",
                COPY_READ_BACK_LIMIT >> 20
            ));
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
