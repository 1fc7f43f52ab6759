//! The options panel under the search bar: the walker's switches (hidden files, .gitignore,
//! symlinks, binary files), globs, size and thread limits with the CLI's meanings, context lines
//! for the preview, search as you type and the theme. Each field's problem shows under it.

use egui::{Slider, TextEdit, Ui};

use crate::app::state::{MAX_CONTEXT_LINES, ThemeChoice};
use crate::app::views::search_bar::{LABEL_WIDTH, error_line, field_label, submitted};
use crate::app::views::status::thousands;
use crate::app::{InputErrors, TrawlApp};

impl TrawlApp {
    /// Draws the options; returns whether Enter was pressed in one of its fields.
    ///
    /// Like the search bar's, the text fields have fixed ids so that focus stays in them when
    /// an error line appears above or below.
    pub(super) fn options_panel(&mut self, ui: &mut Ui, errors: &InputErrors) -> bool {
        let mut enter = false;
        let error_color = ui.visuals().error_fg_color;
        ui.separator();

        ui.horizontal_wrapped(|ui| {
            ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
            ui.checkbox(&mut self.state.hidden, "Hidden files")
                .on_hover_text("Also search hidden files and folders (names starting with a dot), like --hidden");
            ui.checkbox(&mut self.state.respect_ignore, "Respect .gitignore")
                .on_hover_text(
                    "Skip what .gitignore, .ignore and .git/info/exclude list; off is --no-ignore",
                );
            ui.checkbox(&mut self.state.follow_symlinks, "Follow symlinks")
                .on_hover_text("Search what symbolic links point to (loops are detected), like -L");
            ui.checkbox(&mut self.state.binary_as_text, "Binary files as text")
                .on_hover_text("Search files with NUL bytes instead of skipping them, like -a");
            ui.checkbox(&mut self.state.multiline, "Multiline")
                .on_hover_text(
                    "Let a regex match across lines (\\n in the pattern), like -U; such a match \
                     shows its first line, marked with a return arrow",
                );
            ui.separator();
            let large = self.folder_too_large_for_typing();
            ui.checkbox(&mut self.state.search_as_you_type, "Search as you type")
                .on_hover_text(
                    "Start a search a moment after each change of the pattern, its toggles, \
                     the extensions or these options",
                );
            if let (true, Some(files)) = (self.state.search_as_you_type, large) {
                ui.weak("(off for this folder)").on_hover_text(format!(
                    "The last search of this folder went through {} files: restarting that on \
                     every keystroke would keep the disk and every core busy. Press Enter instead.",
                    thousands(files)
                ));
            }
        });

        ui.horizontal_wrapped(|ui| {
            let label = field_label(ui, "Globs");
            let field = ui
                .add(
                    TextEdit::singleline(&mut self.state.globs)
                        .id(egui::Id::unique("trawl.globs"))
                        .hint_text("*.rs, !target/**")
                        .desired_width(220.0),
                )
                .labelled_by(label.id)
                .on_hover_text(
                    "Include files matching a glob; !glob excludes. Several separated by commas \
                     or spaces, each like the command line's -g",
                );
            enter |= submitted(ui, &field);

            let label = ui.label("Max file size");
            let field = ui
                .add(
                    TextEdit::singleline(&mut self.state.max_file_size)
                        .id(egui::Id::unique("trawl.max_file_size"))
                        .hint_text("no limit")
                        .desired_width(70.0),
                )
                .labelled_by(label.id)
                .on_hover_text(
                    "Skip files larger than this: a number of bytes with an optional K, M or G \
                     (10M), like --max-filesize. Empty: no limit",
                );
            enter |= submitted(ui, &field);

            let label = ui.label("Threads");
            let field = ui
                .add(
                    TextEdit::singleline(&mut self.state.threads)
                        .id(egui::Id::unique("trawl.threads"))
                        .hint_text("auto")
                        .desired_width(48.0),
                )
                .labelled_by(label.id)
                .on_hover_text("Search threads, like -j. Empty or 0: one per core");
            enter |= submitted(ui, &field);

            let label = ui.label("Context lines");
            ui.add(Slider::new(
                &mut self.state.context_lines,
                0..=MAX_CONTEXT_LINES,
            ))
            .labelled_by(label.id)
            .on_hover_text(format!(
                "Lines shown before and after a match in the preview (0 to \
                     {MAX_CONTEXT_LINES}); drag, use the arrow keys, or type the number"
            ));

            ui.separator();
            ui.label("Theme");
            for choice in ThemeChoice::ALL {
                ui.selectable_value(&mut self.state.theme, choice, choice.label())
                    .on_hover_text(match choice {
                        ThemeChoice::System => "Dark or light as the system is set",
                        ThemeChoice::Light => "Always light",
                        ThemeChoice::Dark => "Always dark",
                    });
            }
        });
        for error in errors.option_errors() {
            error_line(ui, error_color, error);
        }
        enter
    }
}
