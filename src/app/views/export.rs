//! Export's controls: the toolbar button (or the progress and its Cancel), the outcome line
//! under the toolbar, and the in-window "Export results" form.

use egui::{Button, ProgressBar, Role, Ui, WidgetInfo};

use crate::app::export::{ExportForm, ExportFormat, ExportUi, FormAction};

/// What the person did with the toolbar's export controls.
pub(crate) enum ExportAction {
    Open,
    Cancel,
    Dismiss,
}

/// What the toolbar needs to draw export, copied out before the list borrows the results.
pub(crate) struct ExportBar {
    blocked: Option<&'static str>,
    progress: Option<f32>,
    outcome: Option<(String, bool)>,
}

impl ExportBar {
    /// Export… (disabled with the reason as its tooltip), or the running export's progress and
    /// Cancel.
    pub(super) fn controls(&self, ui: &mut Ui) -> Option<ExportAction> {
        if let Some(fraction) = self.progress {
            let percent = (fraction * 100.0).floor() as u32;
            let text = format!("Exporting… {percent}%");
            let bar = ui.add(
                ProgressBar::new(fraction)
                    .text(text.as_str())
                    .desired_width(160.0),
            );
            bar.widget_info(|| WidgetInfo::labeled(Role::ProgressIndicator, true, &text));
            let cancel = ui
                .button("Cancel export")
                .on_hover_text("Stop writing; the file is left as it was");
            return cancel.clicked().then_some(ExportAction::Cancel);
        }
        let button = ui
            .add_enabled(self.blocked.is_none(), Button::new("Export…"))
            .on_hover_text(
                "Save every shown match (the filter applying, folded files included) as JSON \
                 Lines (the command line's --json) or CSV (Ctrl+S)",
            );
        let button = match self.blocked {
            Some(reason) => button.on_disabled_hover_text(reason),
            None => button,
        };
        button.clicked().then_some(ExportAction::Open)
    }

    /// "Exported N matches to PATH" or why it failed, with a button to dismiss it.
    pub(super) fn outcome_line(&self, ui: &mut Ui) -> Option<ExportAction> {
        let (text, failed) = self.outcome.as_ref()?;
        let mut action = None;
        // Wrapped: a failure names the path and why, longer than the window is wide.
        ui.horizontal_wrapped(|ui| {
            if ui
                .small_button("Dismiss")
                .on_hover_text("Hide this message")
                .clicked()
            {
                action = Some(ExportAction::Dismiss);
            }
            let color = if *failed {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().hyperlink_color
            };
            ui.colored_label(color, text.as_str());
        });
        action
    }
}

/// Sets a widget's accessible name where its visible text is ambiguous.
trait LabeledForScreenReaders {
    fn widget_info_labeled(self, label: &str) -> Self;
}

impl LabeledForScreenReaders for egui::Response {
    fn widget_info_labeled(self, label: &str) -> Self {
        self.widget_info(|| WidgetInfo::labeled(Role::Button, self.enabled(), label));
        self
    }
}

impl ExportBar {
    /// What the toolbar shows of `export`; `blocked` says why Export… cannot start now.
    pub(crate) fn of(export: &ExportUi, blocked: Option<&'static str>) -> Self {
        ExportBar {
            blocked,
            progress: export.progress(),
            outcome: export.outcome.as_ref().map(|o| (o.text.clone(), o.failed)),
        }
    }
}

/// The in-window "Export results" form: path, format, Export and Cancel; an existing file
/// asks to be replaced first. Returns where it was drawn, and what the person did.
pub(crate) fn export_window(
    ctx: &egui::Context,
    form: &mut ExportForm,
) -> (Option<egui::Rect>, Option<FormAction>) {
    let mut action = None;
    let mut open = true;
    let shown = egui::Window::new("Export results")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .default_width(520.0)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            if let Some(note) = &form.note {
                ui.label(note.as_str());
                ui.add_space(4.0);
            }
            ui.horizontal(|ui| {
                let label = ui.label("Save to");
                let edit = ui
                    .add(egui::TextEdit::singleline(&mut form.path).desired_width(420.0))
                    .labelled_by(label.id);
                if edit.changed() {
                    form.path_edited();
                }
                if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    action = Some(FormAction::Export);
                }
            });
            ui.horizontal(|ui| {
                ui.label("Format");
                for format in ExportFormat::ALL {
                    let text = format!("{} (.{})", format.label(), format.extension());
                    if ui.radio_value(&mut form.format, format, text).changed() {
                        form.format_chosen();
                    }
                }
            });
            ui.weak(
                "JSON Lines holds the command line's --json objects (matches, unreadable \
                     files, the summary); CSV one row per match.",
            );
            if let Some(problem) = &form.problem {
                ui.colored_label(ui.visuals().error_fg_color, problem.as_str());
            }
            ui.separator();
            ui.horizontal(|ui| {
                if let Some(existing) = &form.replace {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!("{} already exists.", existing.display()),
                    );
                    if ui
                        .button("Replace")
                        .on_hover_text("Write over the existing file")
                        .clicked()
                    {
                        action = Some(FormAction::Replace);
                    }
                } else if ui
                    .button("Export")
                    .on_hover_text("Write every match to this file")
                    .clicked()
                {
                    action = Some(FormAction::Export);
                }
                // The search bar has a Cancel button too: screen readers (and tests) need
                // to tell them apart.
                if ui
                    .button("Cancel")
                    .widget_info_labeled("Cancel export")
                    .clicked()
                {
                    action = Some(FormAction::Close);
                }
            });
        });
    if !open {
        action = Some(FormAction::Close);
    }
    (shown.map(|shown| shown.response.rect), action)
}
