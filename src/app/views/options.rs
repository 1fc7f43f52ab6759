//! The options panel under the search bar: the walker's switches (hidden files, .gitignore,
//! symlinks, binary files, inside archives), globs, size and thread limits with the CLI's
//! meanings, context lines for the preview, search as you type and the theme. Each field's
//! problem shows under it.
//!
//! The search's options are drawn from two tables, [`SWITCHES`] and [`TEXT_OPTIONS`]: a row
//! is an option's control, what it is called where the closed panel and the history list
//! what is set, and (for a typed value) its problem. A new option of [`SearchOptions`] is one
//! row here.

use std::borrow::Cow;

use egui::{Slider, TextEdit, Ui};

use crate::app::numbers::thousands;
use crate::app::session::LargeFolders;
use crate::app::state::{MAX_CONTEXT_LINES, MAX_THREADS, ThemeChoice, window_defaults};
use crate::app::views::search_bar::{LABEL_WIDTH, error_line, field_label, submitted};
use crate::app::{InputErrors, SavedState};
use crate::search::{Encoding, SearchOptions, TextEncoding};

/// The Encoding choice's named encodings, with what a person looks for (a language, a
/// script), in the order listed. Any other encoding_rs knows still loads and shows by name.
const NAMED_ENCODINGS: [(&str, &Encoding); 20] = [
    ("Western (Windows-1252, Latin-1)", encoding_rs::WINDOWS_1252),
    ("Central European (Windows-1250)", encoding_rs::WINDOWS_1250),
    ("Cyrillic (Windows-1251)", encoding_rs::WINDOWS_1251),
    ("Cyrillic (KOI8-R)", encoding_rs::KOI8_R),
    ("Greek (Windows-1253)", encoding_rs::WINDOWS_1253),
    ("Turkish (Windows-1254)", encoding_rs::WINDOWS_1254),
    ("Hebrew (Windows-1255)", encoding_rs::WINDOWS_1255),
    ("Arabic (Windows-1256)", encoding_rs::WINDOWS_1256),
    ("Baltic (Windows-1257)", encoding_rs::WINDOWS_1257),
    ("Vietnamese (Windows-1258)", encoding_rs::WINDOWS_1258),
    ("Thai (Windows-874)", encoding_rs::WINDOWS_874),
    ("Japanese (Shift_JIS)", encoding_rs::SHIFT_JIS),
    ("Japanese (EUC-JP)", encoding_rs::EUC_JP),
    ("Japanese (ISO-2022-JP)", encoding_rs::ISO_2022_JP),
    ("Chinese Simplified (GBK)", encoding_rs::GBK),
    ("Chinese Simplified (GB18030)", encoding_rs::GB18030),
    ("Chinese Traditional (Big5)", encoding_rs::BIG5),
    ("Korean (EUC-KR)", encoding_rs::EUC_KR),
    ("UTF-16LE (no byte-order mark)", encoding_rs::UTF_16LE),
    ("UTF-16BE (no byte-order mark)", encoding_rs::UTF_16BE),
];

/// What the Encoding choice shows for `encoding`.
fn encoding_label(encoding: TextEncoding) -> &'static str {
    match encoding {
        TextEncoding::Auto => "Auto-detect",
        TextEncoding::Utf8 => "UTF-8 only",
        TextEncoding::Bytes => "Raw bytes",
        TextEncoding::Named(named) => NAMED_ENCODINGS
            .iter()
            .find(|(_, e)| *e == named)
            .map_or(named.name(), |(label, _)| label),
    }
}

/// A switch of the panel: one `bool` of [`SearchOptions`].
struct Switch {
    label: &'static str,
    hover: &'static str,
    /// What the closed panel and the history call it when it differs from the window's
    /// default.
    when_set: &'static str,
    value: fn(&SearchOptions) -> bool,
    field: fn(&mut SearchOptions) -> &mut bool,
}

/// One row of [`SWITCHES`] for the field `$field`.
macro_rules! switch {
    ($label:literal, $hover:expr, $when_set:literal, $field:ident) => {
        Switch {
            label: $label,
            hover: $hover,
            when_set: $when_set,
            value: |options| options.$field,
            field: |options| &mut options.$field,
        }
    };
}

/// The panel's switches, in the order they are drawn.
const SWITCHES: [Switch; 6] = [
    switch!(
        "Hidden files",
        "Also search hidden files and folders (names starting with a dot), like --hidden",
        "hidden files",
        hidden
    ),
    switch!(
        "Respect .gitignore",
        "Skip what .gitignore, .ignore and .git/info/exclude list; off is --no-ignore",
        "ignoring .gitignore",
        respect_ignore_files
    ),
    switch!(
        "Follow symlinks",
        "Search what symbolic links point to (loops are detected), like -L",
        "following symlinks",
        follow_symlinks
    ),
    switch!(
        "Binary files as text",
        "Search files with NUL bytes instead of skipping them, like -a",
        "binary as text",
        binary_as_text
    ),
    switch!(
        "Multiline",
        "Let a regex match across lines (\\n in the pattern), like -U; such a match shows its \
         first line, marked with a return arrow",
        "multiline",
        multiline
    ),
    switch!(
        "Search inside archives and compressed files",
        "Also search inside compressed files (.gz, .bz2, .xz, .zst, .lz4) and the members of \
         .zip, .jar and .tar archives (.tar.gz, .tgz, …), like -z; a member shows as \
         ARCHIVE!/MEMBER and is never written",
        "inside archives",
        search_zip
    ),
];

/// A text field of the panel: one typed value of [`SearchOptions`].
struct TextOption {
    label: &'static str,
    /// The field's id: fixed, so that focus stays in it when an error line appears.
    id: &'static str,
    hint: &'static str,
    width: f32,
    hover: &'static str,
    /// What the closed panel and the history call it, before what was typed.
    when_set: &'static str,
    field: fn(&mut SearchOptions) -> &mut String,
    /// What was typed, trimmed (empty: nothing set).
    typed: for<'o> fn(&'o SearchOptions) -> Cow<'o, str>,
    /// What is wrong with what was typed, shown under the panel's fields.
    problem: fn(&SearchOptions) -> Option<String>,
}

/// The panel's text fields, in the order they are drawn.
const TEXT_OPTIONS: [TextOption; 3] = [
    TextOption {
        label: "Globs",
        id: "trawl.globs",
        hint: "*.rs, !target/**",
        width: 220.0,
        hover: "Include files matching a glob; !glob excludes. Several separated by commas or \
                spaces, each like the command line's -g",
        when_set: "globs",
        field: |options| options.globs.typed_mut(),
        typed: |options| options.globs.text(),
        problem: |options| options.glob_list().err().map(|err| err.to_string()),
    },
    TextOption {
        label: "Max file size",
        id: "trawl.max_file_size",
        hint: "no limit",
        width: 70.0,
        hover: "Skip files larger than this: a number of bytes with an optional K, M or G (10M), \
                like --max-filesize. Empty: no limit",
        when_set: "max size",
        field: |options| &mut options.max_file_size,
        typed: |options| Cow::Borrowed(options.max_file_size.trim()),
        problem: |options| {
            let err = options.max_file_size_bytes().err()?;
            Some(format!("Max file size: {err}"))
        },
    },
    TextOption {
        label: "Threads",
        id: "trawl.threads",
        hint: "auto",
        width: 48.0,
        hover: "Search threads, like -j. Empty or 0: one per core",
        when_set: "threads",
        field: |options| &mut options.threads,
        typed: |options| Cow::Borrowed(options.threads.trim()),
        problem: |options| match options.thread_count() {
            Ok(threads) if threads > MAX_THREADS => Some(format!(
                "{threads} threads is more than this window starts (at most {MAX_THREADS})"
            )),
            Ok(_) => None,
            Err(err) => Some(err.to_string()),
        },
    },
];

/// The panel's options that differ from the window's defaults, named (with what was typed):
/// the closed panel's tooltip and the history list them.
pub(crate) fn options_in_effect(options: &SearchOptions) -> Vec<String> {
    let defaults = window_defaults();
    let switches = SWITCHES
        .iter()
        .filter(|switch| (switch.value)(options) != (switch.value)(&defaults))
        .map(|switch| switch.when_set.to_string());
    let fields = TEXT_OPTIONS.iter().filter_map(|option| {
        let typed = (option.typed)(options);
        (!typed.is_empty()).then(|| format!("{} {typed}", option.when_set))
    });
    let encoding = (options.encoding != defaults.encoding)
        .then(|| format!("encoding {}", options.encoding.name()));
    switches.chain(fields).chain(encoding).collect()
}

/// Whether any of the panel's options differs from the window's defaults (every frame: no
/// allocation).
pub(crate) fn any_option_set(options: &SearchOptions) -> bool {
    let defaults = window_defaults();
    SWITCHES
        .iter()
        .any(|switch| (switch.value)(options) != (switch.value)(&defaults))
        || TEXT_OPTIONS
            .iter()
            .any(|option| !(option.typed)(options).is_empty())
        || options.encoding != defaults.encoding
}

/// The problems of the panel's typed values, in the panel's order.
pub(crate) fn option_errors(options: &SearchOptions) -> Vec<String> {
    TEXT_OPTIONS
        .iter()
        .filter_map(|option| (option.problem)(options))
        .collect()
}

/// Draws the options; returns whether Enter was pressed in one of its fields.
///
/// Like the search bar's, the text fields have fixed ids so that focus stays in them when
/// an error line appears above or below.
pub(crate) fn options_panel(
    ui: &mut Ui,
    state: &mut SavedState,
    errors: &InputErrors,
    large_folders: &mut LargeFolders,
) -> bool {
    let mut enter = false;
    let error_color = ui.visuals().error_fg_color;
    ui.separator();

    ui.horizontal_wrapped(|ui| {
        ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
        for switch in &SWITCHES {
            ui.checkbox((switch.field)(&mut state.options), switch.label)
                .on_hover_text(switch.hover);
        }
        ui.separator();
        let large = large_folders.too_large_for_typing(state);
        ui.checkbox(&mut state.search_as_you_type, "Search as you type")
            .on_hover_text(
                "Start a search a moment after each change of the pattern, its toggles, \
                     the extensions or these options",
            );
        if let (true, Some(files)) = (state.search_as_you_type, large) {
            ui.weak("(off for this folder)").on_hover_text(format!(
                "The last search of this folder went through {} files: restarting that on \
                     every keystroke would keep the disk and every core busy. Press Enter instead.",
                thousands(files)
            ));
        }
    });

    ui.horizontal_wrapped(|ui| {
        for (k, option) in TEXT_OPTIONS.iter().enumerate() {
            // The first field lines up with the fields of the bar above.
            let label = if k == 0 {
                field_label(ui, option.label)
            } else {
                ui.label(option.label)
            };
            enter |= option_field(
                ui,
                &label,
                (option.field)(&mut state.options),
                (option.id, option.hint, option.width),
                option.hover,
            );
        }

        // The slider is one piece with its label: a new row when they do not fit.
        if ui.available_size_before_wrap().x < 240.0 {
            ui.end_row();
            ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
        }
        let label = ui.label("Context lines");
        ui.add(Slider::new(&mut state.context_lines, 0..=MAX_CONTEXT_LINES))
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
            ui.selectable_value(&mut state.theme, choice, choice.label())
                .on_hover_text(match choice {
                    ThemeChoice::System => "Dark or light as the system is set",
                    ThemeChoice::Light => "Always light",
                    ThemeChoice::Dark => "Always dark",
                });
        }

        // Last in the row, so that Tab goes from the fields to the slider as before.
        if ui.available_size_before_wrap().x < 300.0 {
            ui.end_row();
            ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
        } else {
            ui.separator();
        }
        encoding_choice(ui, &mut state.options.encoding);
    });
    for error in &errors.options {
        error_line(ui, error_color, error);
    }
    enter
}

/// The Encoding choice: auto-detection (the window's default), UTF-8 only (the command
/// line's default), or every file decoded from a named encoding (`-E NAME`).
fn encoding_choice(ui: &mut Ui, encoding: &mut TextEncoding) {
    let label = ui.label("Encoding");
    egui::ComboBox::from_id_salt("trawl.encoding")
        .selected_text(encoding_label(*encoding))
        .width(200.0)
        .show_ui(ui, |ui| {
            for choice in [TextEncoding::Auto, TextEncoding::Utf8]
                .into_iter()
                .chain(NAMED_ENCODINGS.iter().map(|(_, e)| TextEncoding::Named(e)))
            {
                ui.selectable_value(encoding, choice, encoding_label(choice));
            }
        })
        .response
        .labelled_by(label.id)
        .on_hover_text(
            "How files are read, like the command line's -E. Auto-detect: UTF-8 and files \
             with a byte-order mark as they are, any other file decoded from the encoding \
             detected in it. UTF-8 only: files are not decoded (as -E is not given). A named \
             encoding: every file is decoded from it; a byte-order mark still wins",
        );
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
