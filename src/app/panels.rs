//! Where each view goes in the window, and the dialogs' stacking: the coordinator's frame.

use crate::app::copy::short;
use crate::app::dialogs::{Dialog, Drawn};
use crate::app::views::editor_settings::{
    EditorSettings, EditorSettingsAction, editor_settings_window,
};
use crate::app::views::export::{ExportAction, ExportBar};
use crate::app::views::preview::{PreviewAction, PreviewPanel, SelectedMatch, preview_panels};
use crate::app::views::results_list::{ResultsList, RowAction, results_list};
use crate::app::views::search_bar::{SearchBar, SearchBarAction, search_bar};
use crate::app::views::status::Status;
use crate::app::views::{self, drop_overlay};
use crate::app::{InputErrors, ResultsModel, RowRef, TrawlApp, Validation};

impl TrawlApp {
    /// Lays out the search bar and the progress line, on top.
    pub(super) fn show_search_bar(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        // While the pattern compiles, Search stays enabled: pressing it starts the search as
        // soon as the pattern is known to be valid.
        let (errors, valid) = match self.session.validation(&self.state, &ctx) {
            Validation::Valid(..) | Validation::Checking => (InputErrors::default(), true),
            Validation::Invalid(errors) => (errors, false),
        };
        egui::Panel::top("search_bar").show(ui, |ui| {
            ui.add_space(6.0);
            let searching = self.session.is_searching();
            let tried_empty_search = self.session.tried_empty_search();
            let actions = search_bar(
                ui,
                SearchBar {
                    state: &mut self.state,
                    errors: &errors,
                    valid,
                    tried_empty_search,
                    browsing: self.picking.is_browsing(),
                    picker_message: self.picking.message(),
                    chooser_open: self.picking.chooser_open(),
                    large_folders: self.session.large_folders_mut(),
                    searching,
                    replace_open: self.replace.open,
                },
            );
            for action in actions {
                self.apply_search_bar(&ctx, action);
            }
            self.show_replace_row(ui);
            ui.add_space(4.0);
            views::status::progress_line(ui, self.session.progress_line());
            ui.add_space(4.0);
        });
    }

    /// Applies what the search bar asked for.
    fn apply_search_bar(&mut self, ctx: &egui::Context, action: SearchBarAction) {
        match action {
            SearchBarAction::Start => self.start_search(ctx),
            SearchBarAction::TriedEmpty => self.session.note_tried_empty_search(),
            SearchBarAction::Cancel => self.cancel_search(),
            SearchBarAction::Browse => self.browse(ctx),
            SearchBarAction::OpenChooser => {
                self.picking.open_chooser(self.state.root().as_deref(), ctx);
            }
            SearchBarAction::FolderEdited => self.picking.folder_set_elsewhere(),
            SearchBarAction::Recent(folder) => {
                self.state.folder = folder;
                self.picking.folder_set_elsewhere();
            }
            SearchBarAction::History(entry) => {
                entry.apply_to(&mut self.state);
                self.picking.folder_set_elsewhere();
            }
            SearchBarAction::ToggleReplace => self.toggle_replace(),
        }
    }

    /// What the bottom line says now.
    fn status(&self) -> Status<'_> {
        let results = self.shown.model.as_ref();
        if let Some(error) = self.session.start_error() {
            Status::CouldNotStart(error)
        } else if self.results_outdated() {
            if self.is_searching() {
                Status::SearchingOverPrevious
            } else if self.typing_search_pending() {
                Status::WaitingForPause
            } else if self.fields_changed() {
                Status::EarlierSearch(results.and_then(ResultsModel::summary))
            } else {
                Status::ReplacedBeforeFinding
            }
        } else if let Some(summary) = results.and_then(ResultsModel::summary) {
            Status::Summary(summary)
        } else if self.is_searching() {
            Status::Searching
        } else if results.is_some() {
            Status::NoSummary
        } else {
            Status::Empty
        }
    }

    /// Points the preview at the selected match (nothing when a file header or no row is
    /// selected, or the panel is hidden).
    fn preview_follow_selection(&mut self, ctx: &egui::Context) {
        let occurrence = match (self.shown.selected, self.shown.model.as_ref()) {
            (Some(RowRef::Match(index)), Some(results)) if self.state.show_preview => {
                Some((results, index))
            }
            _ => None,
        };
        self.preview
            .follow(occurrence, self.state.context_lines, ctx);
    }

    /// Lays out the rest of the window, under the search bar: status line at the bottom,
    /// unreadable files above it, results in the middle.
    pub(super) fn show_results(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status").show(ui, |ui| {
            let notice = self.notice.as_ref().map(|n| (n.text.as_str(), n.warning));
            views::status::status_line(ui, self.status(), notice);
        });
        if let Some(results) = self.shown.model.as_ref().filter(|r| !r.errors().is_empty()) {
            egui::Panel::bottom("errors")
                .resizable(true)
                .show(ui, |ui| views::status::errors_section(ui, results.errors()));
        }
        // The preview follows the selection (its lines read off the UI thread).
        self.preview_follow_selection(ui.ctx());
        self.preview.poll();

        let panel = PreviewPanel {
            preview: &mut self.preview,
            state: &mut self.state,
            selected: match (self.shown.selected, self.shown.model.as_ref()) {
                (Some(RowRef::Match(index)), Some(results))
                    if results
                        .file_of(index)
                        .is_some_and(|file| results.found().inside_archive(file)) =>
                {
                    SelectedMatch::InArchive
                }
                (Some(RowRef::Match(_)), _) => SelectedMatch::InFile,
                _ => SelectedMatch::None,
            },
            editor_error: self.editor.error.as_deref(),
        };
        for action in preview_panels(ui, panel) {
            match action {
                PreviewAction::OpenInEditor => self.open_selected_in_editor(ui.ctx()),
                PreviewAction::EditorSettings => self.editor.settings_open = true,
                PreviewAction::DismissEditorError => self.editor.error = None,
            }
        }
        self.show_replace_after(ui);
        let ctx = ui.ctx().clone();
        let export = ExportBar::of(&self.export, self.export_blocked());
        self.copier.forget_if_other_rows(self.shown.model.as_ref());
        let outdated = self.results_outdated();
        let press_enter = outdated
            && self.fields_changed()
            && !self.is_searching()
            && !self.typing_search_pending();
        let list = ResultsList {
            shown: &mut self.shown,
            sort: &mut self.state.sort,
            export,
            copy_too_large: self
                .copier
                .too_large
                .map(|bytes| (bytes, self.copier.limit)),
            outdated,
            press_enter,
            running: self.session.is_running(),
            replace: crate::app::replacing::rows_replace(&self.replace),
        };
        let actions = egui::CentralPanel::default()
            .show(ui, |ui| results_list(ui, list))
            .inner;
        for action in actions {
            self.apply_row_action(&ctx, action);
        }
        // A row clicked in this frame starts its preview's load now, not a frame later (the
        // panel above was drawn before the click was seen): what the panel shows is never
        // the previous row's once the selection has moved.
        self.preview_follow_selection(&ctx);

        let mut drawn = Vec::new();
        if let Some(folder) = self.picking.show_chooser(&ctx) {
            self.state.folder = folder.display().to_string();
        }
        drawn.push(Drawn {
            dialog: Dialog::Chooser,
            open: self.picking.chooser_open(),
            rect: self.picking.chooser_rect(),
        });
        let rect = if self.editor.settings_open {
            let settings = EditorSettings {
                command: &mut self.state.editor_command,
                default_editor: &self.editor.default,
                error: self.editor.error.as_deref(),
            };
            let (rect, actions) = editor_settings_window(&ctx, settings);
            for action in actions {
                match action {
                    EditorSettingsAction::ClearError => self.editor.error = None,
                    EditorSettingsAction::Close => self.editor.settings_open = false,
                }
            }
            rect
        } else {
            None
        };
        drawn.push(Drawn {
            dialog: Dialog::EditorSettings,
            open: self.editor.settings_open,
            rect,
        });
        let (rect, action) = match self.export.form.as_mut() {
            Some(form) => views::export::export_window(&ctx, form),
            None => (None, None),
        };
        if let Some(action) = action {
            self.export.form_action(&ctx, export_source!(self), action);
        }
        drawn.push(Drawn {
            dialog: Dialog::Export,
            open: self.export.form.is_some(),
            rect,
        });
        drawn.extend(self.show_replace_windows(&ctx));
        if let Some(top) = self.dialogs.restack(&ctx, &drawn) {
            self.close_dialog(top);
        }
        drop_overlay(&ctx);
    }

    /// Applies what the person did in the results list.
    fn apply_row_action(&mut self, ctx: &egui::Context, action: RowAction) {
        match action {
            RowAction::Select(item) => self.shown.selected = Some(item),
            RowAction::Toggle(file) => {
                if let Some(results) = self.shown.model.as_mut() {
                    results.toggle_collapsed(file);
                }
                self.shown.selected = Some(RowRef::File(file));
            }
            RowAction::Copy { text, what } => {
                let notice = format!("{what}: {}", short(&text));
                self.copy(ctx, text, &notice);
            }
            RowAction::OpenInEditor(index) => {
                self.shown.selected = Some(RowRef::Match(index));
                self.open_in_editor(ctx, index);
            }
            RowAction::Export(action) => match action {
                ExportAction::Open => self.open_export(ctx),
                ExportAction::Cancel => self.cancel_export(),
                ExportAction::Dismiss => self.export.outcome = None,
            },
            RowAction::CopyAll => self.copy_all(ctx),
            RowAction::DismissCopyTooLarge => self.copier.too_large = None,
            RowAction::CopyLineText(index) => self.copy_line_text(ctx, index),
            RowAction::ReplaceFile(file) => self.toggle_replace_file(file),
            RowAction::ReplaceMatch(index) => self.toggle_replace_match(index),
        }
    }

    /// Closes `dialog` (Esc on the topmost).
    fn close_dialog(&mut self, dialog: Dialog) {
        match dialog {
            Dialog::Chooser => self.picking.close_chooser(),
            Dialog::EditorSettings => self.editor.settings_open = false,
            Dialog::Export => self.export.form = None,
            Dialog::ReplaceReport => self.replace.report_open = false,
            Dialog::ReplaceHistory => self.replace.history_open = false,
        }
    }
}
