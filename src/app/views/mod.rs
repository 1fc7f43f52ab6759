//! The window's panels. Each draws part of [`TrawlApp`] and changes only what its controls
//! change; none of them touches the engine except through start and cancel.

mod editor_settings;
mod export;
pub(crate) mod options;
mod preview;
mod results_list;
mod search_bar;
mod status;

use egui::{Event, Key, Modifiers};

use crate::app::{Dialog, RowRef, TrawlApp};

impl TrawlApp {
    /// Lays out the search bar and the progress line, on top.
    pub(super) fn show_search_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("search_bar").show(ui, |ui| {
            ui.add_space(6.0);
            self.search_bar(ui);
            ui.add_space(4.0);
            self.progress_line(ui);
            ui.add_space(4.0);
        });
    }

    /// Lays out the rest of the window, under the search bar: status line at the bottom,
    /// unreadable files above it, results in the middle.
    pub(super) fn show_results(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status").show(ui, |ui| self.status_line(ui));
        if self
            .shown
            .model
            .as_ref()
            .is_some_and(|r| !r.errors().is_empty())
        {
            egui::Panel::bottom("errors")
                .resizable(true)
                .show(ui, |ui| self.errors_section(ui));
        }
        self.preview_panels(ui);
        egui::CentralPanel::default().show(ui, |ui| self.results_list(ui));

        let ctx = ui.ctx().clone();
        let mut drawn = Vec::new();
        if let Some(chooser) = self.chooser.as_mut() {
            match chooser.show(&ctx) {
                crate::app::picker::ChooserAction::Open => {}
                crate::app::picker::ChooserAction::Chosen(path) => {
                    self.state.folder = path.display().to_string();
                    self.picker_message = None;
                    self.chooser = None;
                }
                crate::app::picker::ChooserAction::Closed => self.chooser = None,
            }
            drawn.push((Dialog::Chooser, self.chooser.as_ref().and_then(|c| c.rect)));
        }
        drawn.push((Dialog::EditorSettings, self.editor_settings_window(&ctx)));
        drawn.push((Dialog::Export, self.export_window(&ctx)));
        self.stack_dialogs(&ctx, &drawn);
        drop_overlay(&ctx);
    }

    /// Whether `dialog` is open.
    fn dialog_open(&self, dialog: Dialog) -> bool {
        match dialog {
            Dialog::Chooser => self.chooser.is_some(),
            Dialog::EditorSettings => self.editor_settings_open,
            Dialog::Export => self.export.form.is_some(),
        }
    }

    /// Keeps the open dialogs in the order they are stacked (the last opened or clicked on
    /// top), and closes the topmost on Esc. After the dialogs are drawn, so that keys typed
    /// before the Esc reach their fields first.
    fn stack_dialogs(&mut self, ctx: &egui::Context, drawn: &[(Dialog, Option<egui::Rect>)]) {
        let mut stack = std::mem::take(&mut self.dialogs);
        stack.retain(|&dialog| self.dialog_open(dialog));
        for &(dialog, rect) in drawn {
            if !self.dialog_open(dialog) {
                continue;
            }
            let pressed_in = rect.is_some_and(|rect| {
                ctx.input(|i| {
                    i.pointer.any_pressed()
                        && i.pointer.interact_pos().is_some_and(|p| rect.contains(p))
                })
            });
            if pressed_in || !stack.contains(&dialog) {
                stack.retain(|&d| d != dialog);
                stack.push(dialog);
            }
        }
        if self.esc_for_dialogs
            && let Some(top) = stack.pop()
        {
            match top {
                Dialog::Chooser => self.chooser = None,
                Dialog::EditorSettings => self.editor_settings_open = false,
                Dialog::Export => self.export.form = None,
            }
        }
        self.esc_for_dialogs = false;
        self.dialogs = stack;
    }

    /// Esc cancels; with no text field focused, arrows move the selection, Ctrl+C copies it and
    /// Enter opens a match in the editor.
    /// Ctrl+Q closes the window the way the close button does, so the state is saved.
    /// Ctrl+F goes to the pattern field, its text selected so that typing replaces it.
    /// Ctrl+S exports the results (or says why it cannot), from any field too.
    pub(super) fn handle_keys(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.modifiers.command && i.key_pressed(Key::Q)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
            search_bar::focus_pattern(ctx, &self.state.pattern);
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::S)) {
            self.open_export(ctx);
        }
        // Esc closes the topmost dialog (once they are drawn), else cancels the search; an
        // open menu takes it first.
        if ctx.input(|i| i.key_pressed(Key::Escape)) && !egui::Popup::is_any_open(ctx) {
            if self.dialogs.is_empty() {
                if self.is_searching() {
                    self.cancel_search();
                }
            } else {
                self.esc_for_dialogs = true;
            }
        }
        // F3 / Shift+F3 and Ctrl+Shift+C work wherever the focus is, as in an editor.
        // Shift+F3 first: a shortcut without Shift also matches the key with Shift held.
        if ctx.input_mut(|i| i.consume_key(Modifiers::SHIFT, Key::F3)) {
            self.select_next_match(false);
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::F3)) {
            self.select_next_match(true);
        }
        // egui turns Ctrl+C into `Event::Copy` on desktops, with Shift too; a bare key event
        // (tests, some platforms) is accepted as well.
        let copy_all = ctx.input(|i| {
            i.events.iter().any(|e| match e {
                Event::Copy => i.modifiers.shift,
                Event::Key {
                    key: Key::C,
                    pressed: true,
                    modifiers,
                    ..
                } => modifiers.command && modifiers.shift,
                _ => false,
            })
        });
        if copy_all {
            self.copy_all(ctx);
            return;
        }
        if ctx.text_edit_focused() || self.chooser.is_some() || self.export.form.is_some() {
            return;
        }
        // egui turns Ctrl+C into `Event::Copy` on desktops; a bare key event (tests, some
        // platforms) is accepted too.
        let (copy, moves) = ctx.input(|i| {
            let copy = i.events.iter().any(|e| match e {
                Event::Copy => true,
                Event::Key {
                    key: Key::C,
                    pressed: true,
                    modifiers,
                    ..
                } => modifiers.command,
                _ => false,
            });
            let page = self.shown.list.page_rows.max(1) as isize;
            let mut moves = Vec::new();
            for (key, step) in [
                (Key::ArrowDown, 1),
                (Key::ArrowUp, -1),
                (Key::PageDown, page),
                (Key::PageUp, -page),
                (Key::Home, isize::MIN),
                (Key::End, isize::MAX),
            ] {
                if i.key_pressed(key) && i.modifiers.matches_logically(Modifiers::NONE) {
                    moves.push(step);
                }
            }
            (copy, moves)
        });
        let toggle = ctx.input(|i| {
            i.key_pressed(Key::ArrowLeft)
                || i.key_pressed(Key::ArrowRight)
                || i.key_pressed(Key::Enter)
        });
        for step in moves {
            self.move_selection(step);
        }
        if toggle {
            self.toggle_selected_file(ctx);
        }
        // Enter on a file header folds it (above); on a match it opens the editor.
        if ctx.input(|i| i.key_pressed(Key::Enter)) {
            self.open_selected_in_editor(ctx);
        }
        if copy {
            self.copy_selection(ctx);
        }
    }

    /// Selects the next (or previous) match, wrapping around; F3 / Shift+F3. A folded file
    /// it moves into is unfolded, and the list scrolls so that the match's file header shows
    /// too where the list is tall enough.
    fn select_next_match(&mut self, forward: bool) {
        let Some(results) = self.shown.model.as_mut() else {
            return;
        };
        let Some(index) = results.next_match(self.shown.selected, forward) else {
            return;
        };
        if let Some(file) = results.file_of(index)
            && results.file(file).is_some_and(|f| f.collapsed)
        {
            results.toggle_collapsed(file);
        }
        self.shown.selected = Some(RowRef::Match(index));
        self.shown.list.scroll_to_selection = true;
        self.shown.list.show_header = true;
    }

    /// Moves the selection by `step` rows (`isize::MIN`/`MAX`: first/last row).
    fn move_selection(&mut self, step: isize) {
        let Some(results) = self.shown.model.as_ref() else {
            return;
        };
        let count = results.row_count();
        if count == 0 {
            return;
        }
        let current = self.shown.selected.and_then(|item| results.row_of(item));
        let target = match (current, step) {
            (_, isize::MIN) => 0,
            (_, isize::MAX) => count - 1,
            (None, _) => 0,
            (Some(row), step) => row.saturating_add_signed(step).min(count - 1),
        };
        self.shown.selected = results.row(target);
        self.shown.list.scroll_to_selection = true;
    }

    /// Left/Right/Enter on a file header folds or unfolds it.
    fn toggle_selected_file(&mut self, ctx: &egui::Context) {
        let Some(RowRef::File(file)) = self.shown.selected else {
            return;
        };
        let Some(results) = self.shown.model.as_mut() else {
            return;
        };
        let collapsed = results.file(file).is_some_and(|f| f.collapsed);
        let (left, right, enter) = ctx.input(|i| {
            (
                i.key_pressed(Key::ArrowLeft),
                i.key_pressed(Key::ArrowRight),
                i.key_pressed(Key::Enter),
            )
        });
        if enter || (left && !collapsed) || (right && collapsed) {
            results.toggle_collapsed(file);
            self.shown.list.scroll_to_selection = true;
        }
    }
}

/// How a match is marked in a row and in the preview: the same colours in both, readable in
/// the dark and the light theme.
fn match_format(visuals: &egui::Visuals, font: egui::FontId) -> egui::TextFormat {
    let (background, color) = if visuals.dark_mode {
        (
            egui::Color32::from_rgb(0x8a, 0x6a, 0x00),
            egui::Color32::WHITE,
        )
    } else {
        (
            egui::Color32::from_rgb(0xff, 0xd8, 0x4d),
            egui::Color32::BLACK,
        )
    };
    egui::TextFormat {
        background,
        ..egui::TextFormat::simple(font, color)
    }
}

/// While files are dragged over the window, says that dropping a folder fills the field.
fn drop_overlay(ctx: &egui::Context) {
    if ctx.input(|i| i.raw.hovered_files.is_empty()) {
        return;
    }
    let screen = ctx.content_rect();
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("trawl.drop_overlay"),
    ));
    painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(170));
    painter.text(
        screen.center(),
        egui::Align2::CENTER_CENTER,
        "Drop a folder to search it",
        egui::FontId::proportional(26.0),
        egui::Color32::WHITE,
    );
}
