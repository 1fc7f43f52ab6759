//! Where Replace's views go in the window and how their actions are applied (the coordinator's
//! part of Replace; its state is [`ReplaceUi`](crate::app::replace::ReplaceUi)).

use std::path::PathBuf;

use crate::app::dialogs::{Dialog, Drawn};
use crate::app::replace::{Confirm, ReplaceUi, Searched};
use crate::app::replace_after::AfterState;
use crate::app::views::replace::{
    ReplaceAction, ReplaceRow, after_panel, confirm_dialog, history_window, replace_row,
    report_window,
};
use crate::app::views::results_list::RowsReplace;
use crate::app::{RowRef, TrawlApp};
use crate::replace::{UndoReport, WriteReport};

impl TrawlApp {
    /// Why Replace cannot be pressed now, if it cannot.
    fn replace_blocked(&self) -> Option<&'static str> {
        if self.shown.fields.is_none() {
            Some("Search first: Replace rewrites the matches of the results shown")
        } else if self.session.is_searching() {
            Some("Wait for the search to end (or cancel it): Replace takes the results shown")
        } else if self
            .shown
            .model
            .as_ref()
            .is_some_and(|m| self.replace.wrote_from(m.id()))
        {
            Some("These results are from before the last replace: search again to replace more")
        } else if self.results_outdated() {
            Some("The results shown are for other fields than those above: search again first")
        } else if self.replace.error().is_some() {
            Some("The replacement cannot be used (see under the field)")
        } else if self.replace.replacer().is_none() {
            Some("Preparing the replacement…")
        } else {
            None
        }
    }

    /// The Replace row under the pattern, when it is open; its background work polled.
    pub(super) fn show_replace_row(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let searched = self.shown.fields.as_ref().map(|fields| Searched {
            pattern: &fields.pattern,
            options: &fields.options,
        });
        self.replace
            .follow(&ctx, self.shown.model.as_ref(), searched);
        self.replace.poll(&ctx);
        self.state.replace_open = self.replace.open;
        if !self.replace.open {
            return;
        }
        let blocked = self.replace_blocked();
        // Written results are not offered again (their files have changed): no counts, and
        // the button's hover says to search again.
        let tally = match self.shown.model.as_ref() {
            Some(results) if self.replace.wrote_from(results.id()) => None,
            Some(results) if !self.session.is_running() => Some(self.replace.tally(&ctx, results)),
            _ => None,
        };
        let regex = self
            .shown
            .fields
            .as_ref()
            .map_or(self.state.options.regex, |fields| fields.options.regex);
        let row = ReplaceRow {
            replace: &mut self.replace,
            tally,
            regex,
            blocked,
        };
        for action in replace_row(ui, row) {
            self.apply_replace(&ctx, action);
        }
        if self.state.replacement != self.replace.template {
            self.state.replacement.clone_from(&self.replace.template);
        }
        // A replacement typed in this frame starts compiling now, not a frame later.
        let searched = self.shown.fields.as_ref().map(|fields| Searched {
            pattern: &fields.pattern,
            options: &fields.options,
        });
        self.replace
            .follow(&ctx, self.shown.model.as_ref(), searched);
    }

    /// The panel with the selected match's lines after the change, while the rows show
    /// changes and the preview is on.
    pub(super) fn show_replace_after(&mut self, ui: &mut egui::Ui) {
        let occurrence = match self.shown.selected {
            Some(RowRef::Match(index)) if self.state.show_preview => Some(index),
            _ => None,
        };
        let replacer = self
            .replace
            .previewing()
            .then(|| self.replace.replacer())
            .flatten();
        match (self.shown.model.as_ref(), replacer) {
            // What the panel showed was written: the files are no longer what it reads.
            (Some(results), Some(_)) if self.replace.wrote_from(results.id()) => {
                self.replace_after.follow(
                    ui.ctx(),
                    results,
                    None,
                    None,
                    &self.replace.exclusions,
                    self.state.context_lines,
                );
                self.replace_after.state = AfterState::Failed(
                    "Written. Search again to see the files as they are now.".into(),
                );
            }
            (Some(results), Some(replacer)) => self.replace_after.follow(
                ui.ctx(),
                results,
                occurrence,
                Some(replacer),
                &self.replace.exclusions,
                self.state.context_lines,
            ),
            _ => self.replace_after.state = Default::default(),
        }
        self.replace_after.poll();
        if replacer.is_some() && self.state.show_preview && self.shown.model.is_some() {
            after_panel(ui, &self.replace_after.state);
        }
    }

    /// The confirmation, the report and the history, over the window.
    pub(super) fn show_replace_windows(&mut self, ctx: &egui::Context) -> [Drawn; 2] {
        let mut actions = Vec::new();
        if let Some(confirm) = &self.replace.confirm {
            actions.extend(confirm_dialog(ctx, confirm));
        }
        let report_open = self.replace.report_open
            && (self.replace.outcome.is_some() || self.replace.undo_report.is_some());
        let mut report_rect = None;
        if report_open {
            let (rect, report) = report_window(
                ctx,
                self.replace.outcome.as_ref(),
                self.replace.undo_report.as_ref(),
                self.shown.model.as_ref().map(|m| m.id()),
                self.replace.is_undoing(),
            );
            report_rect = rect;
            actions.extend(report);
        }
        let mut history_rect = None;
        if self.replace.history_open {
            let (rect, history) = history_window(
                ctx,
                self.replace.history.as_ref(),
                self.replace.is_undoing() || self.replace.is_writing(),
            );
            history_rect = rect;
            actions.extend(history);
        }
        for action in actions {
            self.apply_replace(ctx, action);
        }
        // The confirmation is a modal: egui closes it on Esc itself.
        [
            Drawn {
                dialog: Dialog::ReplaceReport,
                open: self.replace.report_open
                    && (self.replace.outcome.is_some() || self.replace.undo_report.is_some()),
                rect: report_rect,
            },
            Drawn {
                dialog: Dialog::ReplaceHistory,
                open: self.replace.history_open,
                rect: history_rect,
            },
        ]
    }

    /// Applies what the person asked for in Replace's views.
    fn apply_replace(&mut self, ctx: &egui::Context, action: ReplaceAction) {
        match action {
            ReplaceAction::Ask => {
                if self.replace_blocked().is_some() {
                    return;
                }
                // Asked only of counts made for the state on screen: the confirmation says
                // exactly what its Replace writes.
                if let Some(results) = self.shown.model.as_ref()
                    && let Some((snapshot, counts)) = self.replace.counted_snapshot(ctx, results)
                    && counts.matches > 0
                {
                    self.replace.confirm = Some(Confirm {
                        snapshot,
                        counts,
                        folder: results.root().to_path_buf(),
                        template: self.replace.template.clone(),
                        binary_as_text: self
                            .shown
                            .fields
                            .as_ref()
                            .is_some_and(|f| f.options.binary_as_text),
                    });
                }
            }
            ReplaceAction::Confirmed => {
                let Some(confirm) = self.replace.confirm.take() else {
                    return;
                };
                if self.replace_blocked().is_some()
                    || self.shown.model.as_ref().map(|m| m.id()) != Some(confirm.snapshot.model())
                {
                    return;
                }
                if let Some(fields) = self.shown.fields.as_ref() {
                    let pattern = fields.pattern.clone();
                    self.replace.start(ctx, confirm, &pattern);
                }
            }
            ReplaceAction::NotConfirmed => self.replace.confirm = None,
            ReplaceAction::CancelWrite => self.replace.cancel(),
            ReplaceAction::Undo(id) => self.replace.undo(ctx, id),
            ReplaceAction::OpenHistory => {
                self.replace.history_open = true;
                self.replace.history = None;
                self.replace.read_history(ctx);
            }
            ReplaceAction::CloseHistory => self.replace.history_open = false,
            ReplaceAction::CloseReport => self.replace.report_open = false,
            ReplaceAction::OpenInEditor(index) => {
                self.shown.selected = Some(RowRef::Match(index));
                self.open_in_editor(ctx, index);
            }
        }
    }

    /// Ctrl+H: shows the Replace field and puts the cursor in it, or hides it.
    pub(super) fn toggle_replace(&mut self) {
        self.replace.toggle();
    }

    /// A row's Replace checkbox was clicked.
    pub(super) fn toggle_replace_file(&mut self, file: usize) {
        self.replace.exclusions.toggle_file(file);
    }

    /// A match's Replace checkbox was clicked.
    pub(super) fn toggle_replace_match(&mut self, index: usize) {
        if let Some(results) = self.shown.model.as_ref()
            && let Some(file) = results.file_of(index)
        {
            self.replace.exclusions.toggle_match(file, index);
        }
    }
}

/// What the rows show of a replace (`None`: the field is closed).
pub(super) fn rows_replace(replace: &ReplaceUi) -> Option<RowsReplace<'_>> {
    replace.open.then(|| RowsReplace {
        exclusions: &replace.exclusions,
        replacer: replace
            .previewing()
            .then(|| replace.replacer().map(|r| r.as_ref()))
            .flatten(),
    })
}

/// What tests and hosts read and set of Replace.
impl TrawlApp {
    /// Keeps the replace journal in `dir` rather than in the user's data folder (tests: a
    /// new app over the same folder sees the same history, as after a restart).
    pub fn set_journal_dir(&mut self, dir: PathBuf) {
        self.replace.set_journal_dir(dir);
    }

    /// Whether the Replace field shows.
    pub fn replace_open(&self) -> bool {
        self.replace.open
    }

    /// Whether a replace is being written.
    pub fn is_replacing(&self) -> bool {
        self.replace.is_writing()
    }

    /// Whether an undo runs, the history is being read, the change of the selected match is
    /// being made, or the checked matches are being counted.
    pub fn is_busy_with_replace(&self) -> bool {
        self.replace.is_writing()
            || self.replace.is_busy_with_journal()
            || self.replace_after.is_loading()
            || self.replace.is_compiling()
            || self.replace.is_counting()
    }

    /// The running replace's files done (written or left alone) and the files it counted.
    pub fn replace_progress(&self) -> Option<(u64, u64)> {
        self.replace.running.as_ref().map(|running| {
            (
                running
                    .progress
                    .files_done
                    .load(std::sync::atomic::Ordering::Relaxed),
                running.counts.files,
            )
        })
    }

    /// The last replace's report (`None` before any, or when it could not start).
    pub fn replace_report(&self) -> Option<&WriteReport> {
        match &self.replace.outcome {
            Some(Ok(outcome)) => Some(&outcome.report),
            _ => None,
        }
    }

    /// The last undo's report.
    pub fn undo_report(&self) -> Option<&UndoReport> {
        match &self.replace.undo_report {
            Some(Ok(report)) => Some(report),
            _ => None,
        }
    }
}
