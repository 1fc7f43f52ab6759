//! The search bar: folder (typed, browsed, dropped or recent), extensions, pattern with its
//! toggles and history, Search, Cancel and Options, with each field's problem shown right
//! under it.

use egui::text::CCursorRange;
use egui::{Button, Key, RichText, TextEdit, Ui};

use crate::app::numbers::thousands;
use crate::app::session::LargeFolders;
use crate::app::views::options;
use crate::app::{InputErrors, LARGE_FOLDER_FILES, SavedState, SearchFields};
use crate::search::CaseMode;

/// What the Extensions field takes, and whether case matters here.
const EXTENSIONS_HELP: &str = if crate::search::EXTENSIONS_IGNORE_CASE {
    "The file extensions to search: rs, .rs, \"rs, toml\" or \"rs toml\"; empty or * searches \
     every file. Any case matches: RS finds .rs files too."
} else {
    "The file extensions to search: rs, .rs, \"rs, toml\" or \"rs toml\"; empty or * searches \
     every file. Case-sensitive, as file names are on Linux: RS does not find .rs files."
};

/// What History and the pattern's toggles, and Search, Cancel and Options, take before their
/// first frame measures them (see [`RowWidths`]).
const PATTERN_TOOLS_WIDTH: f32 = 220.0;
const SEARCH_BUTTONS_WIDTH: f32 = 190.0;

/// Room left after the pattern's row: where the row holds the buttons too, History's menu
/// (400 points wide) then opens inside the window under its button (in a narrower window egui
/// moves the menu left to keep it inside).
const MENU_ROOM: f32 = 40.0;

/// What the pattern's tools and the search buttons took when last drawn, spacing included:
/// the pattern field gets the rest of its row, whatever the labels and the font make them
/// (a toggle added to the tools once pushed the last one out of a narrow window).
#[derive(Clone, Copy, PartialEq)]
struct RowWidths {
    tools: f32,
    buttons: f32,
}

impl Default for RowWidths {
    fn default() -> Self {
        RowWidths {
            tools: PATTERN_TOOLS_WIDTH,
            buttons: SEARCH_BUTTONS_WIDTH,
        }
    }
}

impl RowWidths {
    /// Kept in egui's memory of the window, as egui keeps its widgets' sizes.
    fn id() -> egui::Id {
        egui::Id::unique("trawl.pattern_row_widths")
    }

    /// The window width from which the extensions, the pattern and the buttons share one row
    /// with a pattern field of 200 points or more.
    fn one_row(self) -> f32 {
        LABEL_WIDTH + 170.0 + 60.0 + 200.0 + self.tools + self.buttons + MENU_ROOM + 4.0 * 8.0
    }
}

/// Lays out `add` as one horizontal group and says how wide it was, with the spacing after
/// it: what the pattern row gives the next frame's layout for its tools and buttons.
fn measured_group<R>(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> R) -> (R, f32) {
    let group = ui.horizontal(add);
    let width = group.response.rect.width() + ui.spacing().item_spacing.x;
    (group.inner, width)
}

/// Width of the label column, so the fields line up.
pub(super) const LABEL_WIDTH: f32 = 78.0;

/// The pattern field's id. Fixed (not derived from the layout) so that Ctrl+F can focus it.
fn pattern_id() -> egui::Id {
    egui::Id::unique("trawl.pattern")
}

/// Focuses the pattern field with all of `pattern` selected, so typing replaces it.
pub(crate) fn focus_pattern(ctx: &egui::Context, pattern: &str) {
    let id = pattern_id();
    let mut state = TextEdit::load_state(ctx, id).unwrap_or_default();
    state
        .cursor
        .set_char_range(Some(CCursorRange::select_all_str(pattern)));
    TextEdit::store_state(ctx, id, state);
    ctx.memory_mut(|memory| memory.request_focus(id));
}

/// What the search bar draws: the saved fields it edits, and what it shows of the search.
pub(crate) struct SearchBar<'a> {
    pub(crate) state: &'a mut SavedState,
    /// The fields' problems (none while the pattern compiles).
    pub(crate) errors: &'a InputErrors,
    /// Search can be pressed (the fields are valid, or the pattern still compiles).
    pub(crate) valid: bool,
    pub(crate) tried_empty_search: bool,
    /// The system's folder dialog is open.
    pub(crate) browsing: bool,
    /// Why the system's folder dialog did not show.
    pub(crate) picker_message: Option<&'a str>,
    pub(crate) chooser_open: bool,
    pub(crate) large_folders: &'a mut LargeFolders,
    pub(crate) searching: bool,
    /// The Replace field shows.
    pub(crate) replace_open: bool,
}

/// What the person asked for in the search bar.
pub(crate) enum SearchBarAction {
    /// Enter in a field, or Search, with valid fields.
    Start,
    /// Enter with a field empty or invalid.
    TriedEmpty,
    Cancel,
    Browse,
    OpenChooser,
    /// The folder field was typed in.
    FolderEdited,
    /// A recent folder was picked.
    Recent(String),
    /// A past search was picked.
    History(SearchFields),
    /// Show or hide the Replace field.
    ToggleReplace,
}

/// Draws the fields and buttons; Enter in a field or the Search button asks for a search.
///
/// The fields have fixed ids: egui's automatic ids shift when a widget before them appears
/// or goes (an error line), and focus would then jump out of the field.
pub(crate) fn search_bar(ui: &mut Ui, bar: SearchBar<'_>) -> Vec<SearchBarAction> {
    let SearchBar {
        state,
        errors,
        valid,
        tried_empty_search,
        browsing,
        picker_message,
        chooser_open,
        large_folders,
        searching,
        replace_open,
    } = bar;
    let mut actions = Vec::new();
    let mut enter = false;
    let error_color = ui.visuals().error_fg_color;

    // Folder row.
    ui.horizontal(|ui| {
        let label = field_label(ui, "Folder");
        let buttons_width = 190.0;
        let field = ui.add(
            TextEdit::singleline(&mut state.folder)
                .id(egui::Id::unique("trawl.folder"))
                .hint_text("Folder to search (type, paste, drop or browse)")
                .desired_width((ui.available_width() - buttons_width).max(120.0)),
        );
        let field = field.labelled_by(label.id);
        enter |= submitted(ui, &field);
        if field.changed() {
            actions.push(SearchBarAction::FolderEdited);
        }
        let browse = ui
            .add_enabled(
                !browsing,
                Button::new(if browsing { "Browsing…" } else { "Browse…" }),
            )
            .on_hover_text("Choose the folder in the system's folder dialog");
        if browse.clicked() {
            actions.push(SearchBarAction::Browse);
        }
        let mut chosen = None;
        ui.add_enabled_ui(!state.recent_folders.is_empty(), |ui| {
            ui.menu_button("Recent", |ui| {
                for folder in &state.recent_folders {
                    if ui
                        .button(folder.as_str())
                        .on_hover_text("Search this folder again")
                        .clicked()
                    {
                        chosen = Some(folder.clone());
                        ui.close();
                    }
                }
            })
            .response
            .on_hover_text("Folders searched before")
        });
        if let Some(folder) = chosen {
            actions.push(SearchBarAction::Recent(folder));
        }
    });
    if let Some(error) = &errors.folder
        && (tried_empty_search || !state.folder.trim().is_empty())
    {
        error_line(ui, error_color, error);
    }
    if let Some(message) = picker_message {
        ui.horizontal(|ui| {
            ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
            if !chooser_open
                && ui
                    .button("Open built-in chooser")
                    .on_hover_text("Pick a folder inside the window")
                    .clicked()
            {
                actions.push(SearchBarAction::OpenChooser);
            }
            // Wrapped, not cut mid-word, in a narrow window (after the button, which a
            // wrapped text would push out of sight).
            ui.add(
                egui::Label::new(RichText::new(message).color(ui.visuals().warn_fg_color)).wrap(),
            );
        });
    }

    // Extensions, pattern and its toggles, Search, Cancel and Options: one row where the
    // window is wide enough, else two (the buttons after the extensions), so that nothing
    // is pushed out of sight.
    let widths: RowWidths = ui
        .data(|data| data.get_temp(RowWidths::id()))
        .unwrap_or_default();
    let mut measured = widths;
    if ui.available_width() >= widths.one_row() {
        ui.horizontal(|ui| {
            enter |= extensions_field(ui, &mut state.extensions);
            let label = ui.label("Pattern");
            let width = ui.available_width() - widths.tools - widths.buttons - MENU_ROOM;
            enter |= pattern_field(ui, &mut state.pattern, &label, width);
            ((), measured.tools) = measured_group(ui, |ui| {
                pattern_tools(ui, state, replace_open, &mut actions)
            });
            let pressed;
            (pressed, measured.buttons) = measured_group(ui, |ui| {
                search_buttons(ui, state, valid, searching, &mut actions)
            });
            enter |= pressed;
        });
    } else {
        ui.horizontal(|ui| {
            enter |= extensions_field(ui, &mut state.extensions);
            ui.separator();
            let pressed;
            (pressed, measured.buttons) = measured_group(ui, |ui| {
                search_buttons(ui, state, valid, searching, &mut actions)
            });
            enter |= pressed;
        });
        ui.horizontal(|ui| {
            let label = field_label(ui, "Pattern");
            let width = ui.available_width() - widths.tools - MENU_ROOM;
            enter |= pattern_field(ui, &mut state.pattern, &label, width);
            ((), measured.tools) = measured_group(ui, |ui| {
                pattern_tools(ui, state, replace_open, &mut actions)
            });
        });
    }
    if measured != widths {
        ui.data_mut(|data| data.insert_temp(RowWidths::id(), measured));
        // Laid out with other widths than the row's own: drawn again at once, never shown.
        if (measured.tools - widths.tools).abs() > 0.5
            || (measured.buttons - widths.buttons).abs() > 0.5
        {
            ui.ctx()
                .request_discard("the pattern row's tools were measured");
        }
    }
    if let Some(error) = &errors.extensions {
        error_line(ui, error_color, error);
    }
    // An empty field is not an error yet (its hint says what to type), until Enter is
    // pressed with it still empty.
    if let Some(error) = &errors.pattern
        && (tried_empty_search || !state.pattern.is_empty())
    {
        error_line(ui, error_color, error);
    }

    if let Some(files) = state
        .search_as_you_type
        .then(|| large_folders.too_large_for_typing(state))
        .flatten()
    {
        ui.horizontal(|ui| {
            ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
            ui.add(
                egui::Label::new(
                    RichText::new(format!(
                        "Search as you type is off for this folder ({} files last time): press \
                         Enter to search.",
                        thousands(files)
                    ))
                    .weak(),
                )
                .wrap(),
            )
            .on_hover_text(format!(
                "Restarting a search of this many files on every keystroke would keep the \
                     disk and every core busy; a folder under {} files is searched as you type.",
                thousands(LARGE_FOLDER_FILES)
            ));
        });
    }

    if state.options_open {
        enter |= options::options_panel(ui, state, errors, large_folders);
    } else if errors.in_options() {
        // The closed panel must not hide why Search is disabled.
        for error in &errors.options {
            error_line(ui, error_color, &format!("{error} (in Options)"));
        }
    }

    if enter && valid {
        actions.push(SearchBarAction::Start);
    } else if enter {
        actions.push(SearchBarAction::TriedEmpty);
    }
    actions
}

/// The Extensions field; true when Enter was pressed in it.
fn extensions_field(ui: &mut Ui, extensions: &mut String) -> bool {
    let label = field_label(ui, "Extensions");
    let field = ui
        .add(
            TextEdit::singleline(extensions)
                .id(egui::Id::unique("trawl.extensions"))
                .hint_text("rs, toml  (empty or * = all)")
                .desired_width(170.0),
        )
        .labelled_by(label.id)
        .on_hover_text(EXTENSIONS_HELP);
    submitted(ui, &field)
}

/// The pattern field, `width` wide (at least a useful width); true when Enter was pressed
/// in it.
fn pattern_field(ui: &mut Ui, pattern: &mut String, label: &egui::Response, width: f32) -> bool {
    let field = ui
        .add(
            TextEdit::singleline(pattern)
                .id(pattern_id())
                .hint_text("Text or regex to find (Ctrl+F)")
                .font(egui::TextStyle::Monospace)
                .desired_width(width.max(120.0)),
        )
        .labelled_by(label.id)
        .on_hover_text("What to find: text, or a regex with .* on (Ctrl+F comes here)");
    submitted(ui, &field)
}

/// History and the pattern's toggles.
fn pattern_tools(
    ui: &mut Ui,
    state: &mut SavedState,
    replace_open: bool,
    actions: &mut Vec<SearchBarAction>,
) {
    if let Some(entry) = history_menu(ui, &state.history) {
        actions.push(SearchBarAction::History(entry));
    }
    let options = &mut state.options;
    // On: case-sensitive; off: any case (the window's default, as VS Code's).
    let mut match_case = options.case == CaseMode::Sensitive;
    if ui
        .toggle_value(&mut match_case, RichText::new("Aa").monospace())
        .on_hover_text("Match case")
        .changed()
    {
        options.case = if match_case {
            CaseMode::Sensitive
        } else {
            CaseMode::Insensitive
        };
    }
    ui.toggle_value(
        &mut options.whole_word,
        RichText::new("ab").monospace().underline(),
    )
    .on_hover_text("Match whole word");
    ui.toggle_value(&mut options.regex, RichText::new(".*").monospace())
        .on_hover_text("Use regular expression");
    let mut open = replace_open;
    if ui
        .toggle_value(&mut open, RichText::new("⇄").monospace())
        .on_hover_text("Replace (Ctrl+H)")
        .changed()
    {
        actions.push(SearchBarAction::ToggleReplace);
    }
}

/// Search, Cancel and Options; true when Search was clicked.
fn search_buttons(
    ui: &mut Ui,
    state: &mut SavedState,
    valid: bool,
    searching: bool,
    actions: &mut Vec<SearchBarAction>,
) -> bool {
    let search = ui
        .add_enabled(valid, Button::new(RichText::new("Search").strong()))
        .on_disabled_hover_text("Fill in a folder and a pattern, and fix any field marked in red");
    if ui
        .add_enabled(searching, Button::new("Cancel"))
        .on_hover_text("Stop the search (Esc); the results found so far stay")
        .clicked()
    {
        actions.push(SearchBarAction::Cancel);
    }
    let any_set = options::any_option_set(&state.options);
    let text = if any_set {
        // Marked so that an option hidden in the closed panel never surprises, in an
        // orange that reads on the button and on the selected button's blue (a contrast
        // of 4.5 or more): light in the dark theme, dark in the light one. The warning
        // orange had 2.5 to 3.2.
        let color = if ui.visuals().dark_mode {
            egui::Color32::from_rgb(0xff, 0xc8, 0x78)
        } else {
            egui::Color32::from_rgb(0x80, 0x30, 0x00)
        };
        RichText::new("Options").color(color)
    } else {
        RichText::new("Options")
    };
    let toggle = ui.toggle_value(&mut state.options_open, text);
    // Built only while hovered, not every frame.
    toggle.on_hover_ui(|ui| {
        let set = options::options_in_effect(&state.options);
        ui.label(if set.is_empty() {
            "Hidden files, .gitignore, globs, size and thread limits, search as you type, \
                 theme"
                .to_string()
        } else {
            format!("Options in effect: {}", set.join(", "))
        });
    });
    search.clicked()
}

/// The "History" drop-down: past searches, most recent first. Returns the one picked.
fn history_menu(ui: &mut Ui, history: &[SearchFields]) -> Option<SearchFields> {
    let mut chosen = None;
    ui.add_enabled_ui(!history.is_empty(), |ui| {
        ui.menu_button("History", |ui| {
            ui.set_max_width(400.0);
            for entry in history {
                let line = entry.summary();
                if ui
                    .add(Button::new(line.as_str()).truncate())
                    .on_hover_text(line.as_str())
                    .clicked()
                {
                    chosen = Some(entry.clone());
                    ui.close();
                }
            }
        })
        .response
        .on_hover_text("Past searches: pick one to fill in its folder, pattern and options")
        .on_disabled_hover_text("Searches you start are listed here")
    });
    chosen
}

/// A fixed-width label before a field, returned so the field can be labelled by it.
pub(super) fn field_label(ui: &mut Ui, text: &str) -> egui::Response {
    ui.add_sized(
        [LABEL_WIDTH, ui.spacing().interact_size.y],
        egui::Label::new(text),
    )
}

/// A field's problem, under it, in the error colour (wrapped in a narrow window).
pub(super) fn error_line(ui: &mut Ui, color: egui::Color32, message: &str) {
    ui.horizontal(|ui| {
        ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
        ui.add(egui::Label::new(RichText::new(message).color(color)).wrap());
    });
}

/// Enter pressed in this single-line field (egui moves focus away on Enter).
pub(super) fn submitted(ui: &Ui, field: &egui::Response) -> bool {
    field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter))
}
