//! The search bar: folder (typed, browsed, dropped or recent), extensions, pattern and its
//! toggles, Search and Cancel, with each field's problem shown right under it.

use egui::{Button, Key, RichText, TextEdit, Ui};

use crate::app::{TrawlApp, Validation};

/// Width of the label column, so the fields line up.
const LABEL_WIDTH: f32 = 78.0;

impl TrawlApp {
    /// Draws the fields and buttons; Enter in a field or the Search button starts a search.
    ///
    /// The fields have fixed ids: egui's automatic ids shift when a widget before them
    /// appears or goes (an error line), and focus would then jump out of the field.
    pub(super) fn search_bar(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        // While the pattern compiles, Search stays enabled: pressing it starts the search as
        // soon as the pattern is known to be valid.
        let (errors, valid) = match self.check.get(&self.state, &ctx) {
            Validation::Valid(..) | Validation::Checking => (Default::default(), true),
            Validation::Invalid(errors) => (errors, false),
        };
        let mut enter = false;
        let error_color = ui.visuals().error_fg_color;

        // Folder row.
        ui.horizontal(|ui| {
            let label = field_label(ui, "Folder");
            let buttons_width = 190.0;
            let field = ui.add(
                TextEdit::singleline(&mut self.state.folder)
                    .id(egui::Id::unique("trawl.folder"))
                    .hint_text("Folder to search (type, paste, drop or browse)")
                    .desired_width((ui.available_width() - buttons_width).max(120.0)),
            );
            let field = field.labelled_by(label.id);
            enter |= submitted(ui, &field);
            if field.changed() {
                self.picker_message = None;
            }
            let browsing = self.picker.is_some();
            let browse = ui
                .add_enabled(
                    !browsing,
                    Button::new(if browsing { "Browsing…" } else { "Browse…" }),
                )
                .on_hover_text("Choose the folder in the system's folder dialog");
            if browse.clicked() {
                self.browse(&ctx);
            }
            let mut chosen = None;
            ui.add_enabled_ui(!self.state.recent_folders.is_empty(), |ui| {
                ui.menu_button("Recent", |ui| {
                    for folder in &self.state.recent_folders {
                        if ui.button(folder.as_str()).clicked() {
                            chosen = Some(folder.clone());
                            ui.close();
                        }
                    }
                })
                .response
                .on_hover_text("Folders searched before")
            });
            if let Some(folder) = chosen {
                self.state.folder = folder;
                self.picker_message = None;
            }
        });
        if let Some(error) = &errors.folder
            && (self.tried_empty_search || !self.state.folder.trim().is_empty())
        {
            error_line(ui, error_color, error);
        }
        if let Some(message) = self.picker_message.clone() {
            ui.horizontal(|ui| {
                ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
                ui.colored_label(ui.visuals().warn_fg_color, message);
                if self.chooser.is_none() && ui.button("Open built-in chooser").clicked() {
                    self.chooser =
                        Some(crate::app::FolderChooser::new(self.state.root().as_deref()));
                }
            });
        }

        // Extensions, pattern and toggles.
        ui.horizontal(|ui| {
            let label = field_label(ui, "Extensions");
            let field = ui
                .add(
                    TextEdit::singleline(&mut self.state.extensions)
                        .id(egui::Id::unique("trawl.extensions"))
                        .hint_text("rs, toml  (empty or * = all)")
                        .desired_width(170.0),
                )
                .labelled_by(label.id);
            enter |= submitted(ui, &field);

            let label = ui.label("Pattern");
            let buttons_width = 300.0;
            let field = ui
                .add(
                    TextEdit::singleline(&mut self.state.pattern)
                        .id(egui::Id::unique("trawl.pattern"))
                        .hint_text("Text or regex to find")
                        .font(egui::TextStyle::Monospace)
                        .desired_width((ui.available_width() - buttons_width).max(120.0)),
                )
                .labelled_by(label.id);
            enter |= submitted(ui, &field);

            ui.toggle_value(&mut self.state.match_case, RichText::new("Aa").monospace())
                .on_hover_text("Match case");
            ui.toggle_value(
                &mut self.state.whole_word,
                RichText::new("ab").monospace().underline(),
            )
            .on_hover_text("Match whole word");
            ui.toggle_value(&mut self.state.regex, RichText::new(".*").monospace())
                .on_hover_text("Use regular expression");

            let search = ui
                .add_enabled(valid, Button::new(RichText::new("Search").strong()))
                .on_disabled_hover_text(
                    "Fill in a folder and a pattern, and fix any field marked in red",
                );
            if search.clicked() {
                enter = true;
            }
            if ui
                .add_enabled(self.is_searching(), Button::new("Cancel"))
                .on_hover_text("Stop the search (Esc); the results found so far stay")
                .clicked()
            {
                self.cancel_search();
            }
        });
        if let Some(error) = &errors.extensions {
            error_line(ui, error_color, error);
        }
        // An empty field is not an error yet (its hint says what to type), until Enter is
        // pressed with it still empty.
        if let Some(error) = &errors.pattern
            && (self.tried_empty_search || !self.state.pattern.is_empty())
        {
            error_line(ui, error_color, error);
        }

        if enter && valid {
            self.start_search(&ctx);
        } else if enter {
            self.tried_empty_search = true;
        }
    }
}

/// A fixed-width label before a field, returned so the field can be labelled by it.
fn field_label(ui: &mut Ui, text: &str) -> egui::Response {
    ui.add_sized(
        [LABEL_WIDTH, ui.spacing().interact_size.y],
        egui::Label::new(text),
    )
}

/// A field's problem, under it, in the error colour.
fn error_line(ui: &mut Ui, color: egui::Color32, message: &str) {
    ui.horizontal(|ui| {
        ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
        ui.colored_label(color, message);
    });
}

/// Enter pressed in this single-line field (egui moves focus away on Enter).
fn submitted(ui: &Ui, field: &egui::Response) -> bool {
    field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter))
}
