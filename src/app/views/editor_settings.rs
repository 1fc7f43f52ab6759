//! The "Editor settings" window: the command that opens a match, its placeholders, and a way
//! back to the default.

use egui::{RichText, TextEdit, Ui};

use crate::app::editor::{EditorCommand, PLACEHOLDER_HELP, template_in_effect};

/// What the settings window draws.
pub(crate) struct EditorSettings<'a> {
    /// The command as typed (empty: the default).
    pub(crate) command: &'a mut String,
    /// The command used when none is set.
    pub(crate) default_editor: &'a str,
    /// Why the editor could not be started last time.
    pub(crate) error: Option<&'a str>,
}

/// What the person did in the settings window.
pub(crate) enum EditorSettingsAction {
    /// The command changed: the last attempt's error no longer applies.
    ClearError,
    Close,
}

/// The settings window (drawn while it is open). Returns where it was drawn, and what the
/// person did.
pub(crate) fn editor_settings_window(
    ctx: &egui::Context,
    mut settings: EditorSettings<'_>,
) -> (Option<egui::Rect>, Vec<EditorSettingsAction>) {
    let mut actions = Vec::new();
    let mut open = true;
    let shown = egui::Window::new("Editor settings")
        .open(&mut open)
        .collapsible(false)
        .default_width(560.0)
        .show(ctx, |ui| editor_settings(ui, &mut settings, &mut actions));
    if !open {
        actions.push(EditorSettingsAction::Close);
    }
    (shown.map(|shown| shown.response.rect), actions)
}

/// The command field, what it will run, and the help.
fn editor_settings(
    ui: &mut Ui,
    settings: &mut EditorSettings<'_>,
    actions: &mut Vec<EditorSettingsAction>,
) {
    let label = ui.label("Editor command");
    ui.horizontal(|ui| {
            let field = ui.add(
                TextEdit::singleline(&mut *settings.command)
                    .id(egui::Id::unique("trawl.editor_command"))
                    .hint_text(settings.default_editor)
                    .font(egui::TextStyle::Monospace)
                    .desired_width((ui.available_width() - 140.0).max(200.0)),
            )
            .labelled_by(label.id)
            .on_hover_text(
                "Started directly, not through a shell; quote words with spaces. Empty: the default.",
            );
            // The last attempt's error was about the command as it was.
            if field.changed() {
                actions.push(EditorSettingsAction::ClearError);
            }
            if ui
                .add_enabled(
                    !settings.command.is_empty(),
                    egui::Button::new("Reset to default"),
                )
                .on_hover_text(format!("Use the default: {}", settings.default_editor))
                .clicked()
            {
                settings.command.clear();
                actions.push(EditorSettingsAction::ClearError);
            }
        });
    match EditorCommand::parse(template_in_effect(
        settings.command,
        settings.default_editor,
    )) {
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
                *settings.command = safe.to_string();
                actions.push(EditorSettingsAction::ClearError);
            }
        }
    }
    if let Some(error) = settings.error {
        ui.add(egui::Label::new(RichText::new(error).color(ui.visuals().error_fg_color)).wrap());
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
