//! Exporting every match of the results model to a file: JSON Lines (the CLI's `--json` objects,
//! written by the same code in [`crate::jsonl`]) or CSV.
//!
//! The whole export runs on its writer thread over a snapshot of the results
//! ([`Found`](crate::app::results::Found) and the list's [`Plan`](crate::app::results::Plan)
//! when it started, both shared, not copied): the UI thread only polls a counter for the
//! progress bar, and a new search replacing the results on screen does not
//! touch it. Memory stays that of a write buffer whatever the result count. The writer writes
//! to a temporary file next to the target and renames it over the target only once everything
//! is written, so a failed or cancelled export never leaves a half-written file under the
//! target's name.
//!
//! A match on a line longer than the model keeps has its whole line read back from the file
//! ([`crate::app::line_text`]) by the writer, so the export has the line `trawl --json` prints.
//! Where the file changed since the search, the record keeps the window (marked `…`) and the
//! outcome says so.
//!
//! The export holds what the list shows: with a filter set, only the results it lets through
//! (as Copy all); folded files are included. The JSON summary then counts the matches and
//! files exported, not those the search found (see `writer::summary_of`).
//!
//! - `writer`: the records, the writer thread ([`ExportJob`]) and the temporary file;
//! - `form`: the in-window form for when the system's save dialog cannot open;
//! - here: the formats, and `ExportUi`, the export's share of the window (dialog, form,
//!   running job, how the last one ended).

mod form;
mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::app::numbers::plural;
use crate::app::picker::{NativePicker, PickOutcome};
use crate::app::results::ResultsModel;

pub(crate) use form::{ExportForm, FormAction};
pub use writer::{ExportEnd, ExportJob};

/// The file name the save dialog proposes.
pub const DEFAULT_FILE_NAME: &str = "trawl-results.jsonl";

/// The CSV header row.
pub const CSV_HEADER: [&str; 6] = ["path", "line", "column", "byte_offset", "length", "text"];

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

/// How often the progress bar moves while an export is written.
const EXPORT_PROGRESS_REFRESH: Duration = Duration::from_millis(100);

/// How the last export ended, shown under the results toolbar until dismissed.
pub(crate) struct Outcome {
    pub(crate) text: String,
    pub(crate) failed: bool,
}

/// What the line under the toolbar says about how an export ended.
fn outcome_of(end: ExportEnd) -> Outcome {
    match end {
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
    }
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

/// What export reads of the rest of the window: the shown results, and whether a search is
/// on its way to replace them.
#[derive(Clone, Copy)]
pub(crate) struct ExportSource<'a> {
    pub(crate) results: Option<&'a ResultsModel>,
    /// A search runs, its pattern compiles, or search as you type waits to start one.
    pub(crate) searching: bool,
    /// Whether Export… tries the system's save dialog (tests turn it off).
    pub(crate) native_dialogs: bool,
}

impl ExportUi {
    /// Why Export is unavailable now, or `None` when it can start.
    pub(crate) fn blocked(&self, source: ExportSource<'_>) -> Option<&'static str> {
        if self.job.is_some() {
            Some("An export is running")
        } else if source.searching {
            Some("Export is available when the search has ended")
        } else if source.results.is_none_or(|r| r.match_count() == 0) {
            Some("Nothing to export: no matches")
        } else if source.results.is_some_and(ResultsModel::is_first_screenful) {
            Some("Export is available once the filter has gone through every result")
        } else if source.results.is_some_and(|r| r.shown_match_count() == 0) {
            Some("Nothing to export: the filter hides every result")
        } else {
            None
        }
    }

    /// Whether an export is being written.
    pub(crate) fn is_exporting(&self) -> bool {
        self.job.is_some()
    }

    /// How far the running export is, from 0 to 1.
    pub(crate) fn progress(&self) -> Option<f32> {
        self.job.as_ref().map(ExportJob::fraction)
    }

    /// How the last export ended ("Exported N matches to PATH", or why it failed).
    pub(crate) fn outcome_text(&self) -> Option<&str> {
        self.outcome.as_ref().map(|o| o.text.as_str())
    }

    /// Export…: the system's save dialog (off the UI thread), or the in-window form when it
    /// cannot open. When export is unavailable, the reason (for the notice).
    pub(crate) fn open(
        &mut self,
        ctx: &egui::Context,
        source: ExportSource<'_>,
    ) -> Result<(), &'static str> {
        if let Some(reason) = self.blocked(source) {
            return Err(reason);
        }
        if self.dialog.is_some() || self.form.is_some() {
            return Ok(());
        }
        let Some(root) = source.results.map(|r| r.root().to_path_buf()) else {
            return Ok(());
        };
        let folder = default_folder(&root);
        if !source.native_dialogs {
            self.form = Some(ExportForm::new(&folder.join(DEFAULT_FILE_NAME), None));
            return Ok(());
        }
        let start = folder.clone();
        self.dialog = NativePicker::run("trawl-save-dialog", ctx, move || {
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
        });
        if self.dialog.is_none() {
            self.form = Some(ExportForm::new(
                &folder.join(DEFAULT_FILE_NAME),
                Some("The save dialog could not be started: type the file's path.".into()),
            ));
        }
        Ok(())
    }

    /// Starts writing every match to `path` in `format`, without any dialog (the dialog and
    /// the form end here). Progress shows in the toolbar; the outcome under it.
    pub(crate) fn export_to(
        &mut self,
        ctx: &egui::Context,
        source: ExportSource<'_>,
        path: PathBuf,
        format: ExportFormat,
    ) -> Result<(), String> {
        if let Some(reason) = self.blocked(source) {
            return Err(reason.to_string());
        }
        let Some(results) = source.results else {
            return Err("Nothing to export: no matches".into());
        };
        self.outcome = None;
        match ExportJob::start(ctx, results, path, format) {
            Ok(job) => {
                self.job = Some(job);
                ctx.request_repaint();
                Ok(())
            }
            Err(message) => {
                self.outcome = Some(Outcome {
                    text: message.clone(),
                    failed: true,
                });
                Err(message)
            }
        }
    }

    /// Stops the running export; the target is left as it was.
    pub(crate) fn cancel(&mut self) {
        // The writer may have ended already (the file in place): then that is what happened.
        if let Some(end) = self.job.as_ref().and_then(ExportJob::poll) {
            self.job = None;
            self.outcome = Some(outcome_of(end));
            return;
        }
        if let Some(job) = self.job.take() {
            self.outcome = Some(Outcome {
                text: format!(
                    "Export cancelled: {} was not written.",
                    job.target().display()
                ),
                failed: false,
            });
        }
    }

    /// Each frame: takes the save dialog's answer, and the writer's end.
    pub(crate) fn pump(&mut self, ctx: &egui::Context, source: ExportSource<'_>) {
        if let Some(outcome) = self.dialog.as_ref().and_then(NativePicker::poll) {
            self.dialog = None;
            match outcome {
                PickOutcome::Picked(path) => {
                    let format = ExportFormat::from_path(&path);
                    // A failure to start is shown as the outcome.
                    let _ = self.export_to(ctx, source, path, format);
                }
                PickOutcome::Cancelled => {}
                PickOutcome::Unavailable => {
                    let target = source
                        .results
                        .map(|r| default_folder(r.root()).join(DEFAULT_FILE_NAME))
                        .unwrap_or_else(|| PathBuf::from(DEFAULT_FILE_NAME));
                    self.form = Some(ExportForm::new(
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
        let Some(job) = self.job.as_ref() else {
            return;
        };
        // The writer wakes the window when it ends; the progress bar moves on a timer.
        let Some(end) = job.poll() else {
            ctx.request_repaint_after(EXPORT_PROGRESS_REFRESH);
            return;
        };
        self.job = None;
        self.outcome = Some(outcome_of(end));
    }

    /// Acts on the export form's buttons.
    pub(crate) fn form_action(
        &mut self,
        ctx: &egui::Context,
        source: ExportSource<'_>,
        action: FormAction,
    ) {
        let Some(form) = self.form.as_mut() else {
            return;
        };
        let target = match action {
            FormAction::Close => {
                self.form = None;
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
        match self.export_to(ctx, source, path, format) {
            Ok(()) => self.form = None,
            Err(message) => {
                if let Some(form) = self.form.as_mut() {
                    form.problem = Some(message);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
