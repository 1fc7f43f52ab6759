//! The "Editor settings" window: the command that opens a match, its placeholders, and a way
//! back to the default.

use egui::{RichText, TextEdit, Ui};

use crate::app::TrawlApp;
use crate::app::editor::{EditorCommand, PLACEHOLDER_HELP};

impl TrawlApp {
    /// The settings window, while it is open.
    /// Returns where it was drawn.
    pub(crate) fn editor_settings_window(&mut self, ctx: &egui::Context) -> Option<egui::Rect> {
        if !self.editor_settings_open {
            return None;
        }
        let mut open = true;
        let shown = egui::Window::new("Editor settings")
            .open(&mut open)
            .collapsible(false)
            .default_width(560.0)
            .show(ctx, |ui| self.editor_settings(ui));
        if !open {
            self.editor_settings_open = false;
        }
        shown.map(|shown| shown.response.rect)
    }

    /// The command field, what it will run, and the help.
    pub(super) fn editor_settings(&mut self, ui: &mut Ui) {
        let label = ui.label("Editor command");
        ui.horizontal(|ui| {
            let field = ui.add(
                TextEdit::singleline(&mut self.state.editor_command)
                    .id(egui::Id::unique("trawl.editor_command"))
                    .hint_text(self.default_editor.as_str())
                    .font(egui::TextStyle::Monospace)
                    .desired_width((ui.available_width() - 140.0).max(200.0)),
            )
            .labelled_by(label.id)
            .on_hover_text(
                "Started directly, not through a shell; quote words with spaces. Empty: the default.",
            );
            // The last attempt's error was about the command as it was.
            if field.changed() {
                self.editor_error = None;
            }
            if ui
                .add_enabled(
                    !self.state.editor_command.is_empty(),
                    egui::Button::new("Reset to default"),
                )
                .on_hover_text(format!("Use the default: {}", self.default_editor))
                .clicked()
            {
                self.state.editor_command.clear();
                self.editor_error = None;
            }
        });
        match EditorCommand::parse(self.editor_template()) {
            Ok(command) => {
                ui.weak(format!("Starts `{}`", command.program()));
            }
            Err(err) => {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("Cannot be used: {err}."))
                            .color(ui.visuals().error_fg_color),
                    )
                    .wrap(),
                );
                if let Some(safe) = err.safe_template()
                    && ui
                        .button("Use the safe form")
                        .on_hover_text(format!("Set the command to {safe}"))
                        .clicked()
                {
                    self.state.editor_command = safe.to_string();
                    self.editor_error = None;
                }
            }
        }
        if let Some(error) = &self.editor_error {
            ui.add(
                egui::Label::new(RichText::new(error).color(ui.visuals().error_fg_color)).wrap(),
            );
        }
        ui.add_space(4.0);
        ui.label(RichText::new(format!("Placeholders: {PLACEHOLDER_HELP}.")).small());
        ui.label(RichText::new("Examples:").small());
        for example in [
            "code -g {path}:{line}:{column}",
            "subl {path}:{line}:{column}",
            "gvim +{line} {path}",
            "x-terminal-emulator -e vim +{line} {path}",
        ] {
            ui.label(RichText::new(example).small().monospace());
        }
        ui.label(
            RichText::new(
                "Empty uses the default: $VISUAL or $EDITOR when it is a desktop editor, else \
                 the desktop's opener (which cannot go to the line).",
            )
            .small(),
        );
    }
}
