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
            enter |= option_field(
                ui,
                &label,
                &mut self.state.globs,
                ("trawl.globs", "*.rs, !target/**", 220.0),
                "Include files matching a glob; !glob excludes. Several separated by commas \
                 or spaces, each like the command line's -g",
            );
            let label = ui.label("Max file size");
            enter |= option_field(
                ui,
                &label,
                &mut self.state.max_file_size,
                ("trawl.max_file_size", "no limit", 70.0),
                "Skip files larger than this: a number of bytes with an optional K, M or G \
                 (10M), like --max-filesize. Empty: no limit",
            );
            let label = ui.label("Threads");
            enter |= option_field(
                ui,
                &label,
                &mut self.state.threads,
                ("trawl.threads", "auto", 48.0),
                "Search threads, like -j. Empty or 0: one per core",
            );

            // The slider is one piece with its label: a new row when they do not fit.
            if ui.available_size_before_wrap().x < 240.0 {
                ui.end_row();
                ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
            }
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

            if ui.available_size_before_wrap().x < 240.0 {
                ui.end_row();
                ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
            } else {
                ui.separator();
            }
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

/// One of the panel's text fields after its `label`: `(id, hint, width)`, and what hovering
/// says. True when Enter was pressed in it.
fn option_field(
    ui: &mut Ui,
    label: &egui::Response,
    text: &mut String,
    (id, hint, width): (&str, &str, f32),
    hover: &str,
) -> bool {
    let field = ui
        .add(
            TextEdit::singleline(text)
                .id(egui::Id::unique(id))
                .hint_text(hint)
                .desired_width(width),
        )
        .labelled_by(label.id)
        .on_hover_text(hover);
    submitted(ui, &field)
}
