//! The window's keys: Esc, Ctrl+F, Ctrl+S, Ctrl+Q, F3, copying, and moving the selection.

use egui::{Event, Key, Modifiers};

use crate::app::views::search_bar;
use crate::app::{RowRef, TrawlApp};

impl TrawlApp {
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
        // Before any field is drawn: a text field takes Ctrl+H as Backspace.
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::H)) {
            self.toggle_replace();
        }
        // Esc closes the topmost dialog (once they are drawn), else cancels the search; an
        // open menu takes it first.
        if ctx.input(|i| i.key_pressed(Key::Escape)) && !egui::Popup::is_any_open(ctx) {
            if self.dialogs.is_empty() {
                if self.is_searching() {
                    self.cancel_search();
                }
            } else {
                self.dialogs.esc_pressed();
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
        if ctx.text_edit_focused() || self.picking.chooser_open() || self.export.form.is_some() {
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
