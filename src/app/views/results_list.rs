//! The results list: one header per file, one row per occurrence, virtually scrolled.
//!
//! Only the rows in view are laid out (a `ScrollArea` viewport over the model's flat row
//! index, each row placed from the list's top), so a million matches cost the same per frame
//! as a hundred. Rows are painted by hand
//! rather than built from nested widgets: one allocation, one galley per visible row. Each row
//! still reports an accessible name, so screen readers and tests can find it.

use egui::text::{LayoutJob, TextFormat, TextWrapping};
use egui::{Align2, FontId, Rect, Role, Sense, Ui, WidgetInfo, pos2, vec2};

use crate::app::numbers::{megabytes, plural, thousands};
use crate::app::replace::{Exclusions, NotWritable, not_writable, replacement_of};
use crate::app::results::{FileView, MatchView, ResultsModel, RowRef, SortOrder};
use crate::app::shown::ShownResults;
use crate::app::views::export::{ExportAction, ExportBar};
use crate::app::views::replace::{change_formats, row_checkbox, split_for_checkbox};
use crate::replace::Replacer;

/// Indentation of occurrence rows under their file header.
const INDENT: f32 = 22.0;
/// Width of the `line:column` column, in characters.
const LOCATION_CHARS: usize = 11;
/// After the first line of a match that spans lines.
const MULTILINE_MARK: &str = "↵";

/// What the person did to a row this frame; applied after the list is drawn.
pub(crate) enum RowAction {
    Select(RowRef),
    Toggle(usize),
    Copy {
        text: String,
        what: &'static str,
    },
    CopyLineText(usize),
    CopyAll,
    OpenInEditor(usize),
    Export(ExportAction),
    /// Hide the "Copy all is too large" message.
    DismissCopyTooLarge,
    /// A file's Replace checkbox.
    ReplaceFile(usize),
    /// A match's Replace checkbox.
    ReplaceMatch(usize),
}

/// What the rows show of a replace: a checkbox each, and, once the replacement is compiled
/// and has text, each match's change.
pub(crate) struct RowsReplace<'a> {
    pub(crate) exclusions: &'a Exclusions,
    pub(crate) replacer: Option<&'a Replacer>,
}

/// What the results list draws.
pub(crate) struct ResultsList<'a> {
    pub(crate) shown: &'a mut ShownResults,
    /// The saved sort order, which the toolbar changes.
    pub(crate) sort: &'a mut SortOrder,
    pub(crate) export: ExportBar,
    /// Copy all refused: its text would take at least this many bytes, over this limit.
    pub(crate) copy_too_large: Option<(u64, usize)>,
    /// The shown results are of an earlier search than the fields ask for (drawn dimmed).
    pub(crate) outdated: bool,
    /// With `outdated`: no search is on its way, so a line says Enter searches the fields.
    pub(crate) press_enter: bool,
    /// The engine still runs the search.
    pub(crate) running: bool,
    /// The Replace field is open.
    pub(crate) replace: Option<RowsReplace<'a>>,
}

/// Toolbar (sort, fold, copy all, export) and the virtual list; what the person did.
pub(crate) fn results_list(ui: &mut Ui, list: ResultsList<'_>) -> Vec<RowAction> {
    let ResultsList {
        shown,
        sort,
        export,
        copy_too_large,
        outdated,
        press_enter,
        running,
        replace,
    } = list;
    let ShownResults {
        model,
        selected,
        list,
        ..
    } = shown;
    // Results of an earlier search than the fields ask for stay readable but dimmed, so
    // that the list never flickers empty and never passes for the new answer; when no
    // search is on its way, one line says how to get the answer to the fields.
    if outdated {
        if press_enter {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(
                        "These results are for other fields than those above: press \
                             Enter to search.",
                    )
                    .color(ui.visuals().warn_fg_color),
                )
                .wrap(),
            );
        }
        ui.multiply_opacity(0.55);
    }
    let Some(results) = model.as_mut() else {
        ui.centered_and_justified(|ui| {
            ui.weak("Results appear here, grouped by file.");
        });
        return Vec::new();
    };

    let mut actions = Vec::new();
    // The toolbar: its actions, then the filter, then the counts on the right, on one row
    // where they fit, else the filter (and the counts) on a second and the counts on a
    // third, so that nothing overlaps in a narrow window. Where each group fits is judged
    // by its width in the last frame.
    let counts = counts_text(results);
    let counts_width = ui
        .painter()
        .layout_no_wrap(
            counts.clone(),
            egui::TextStyle::Body.resolve(ui.style()),
            egui::Color32::WHITE,
        )
        .size()
        .x;
    let spacing = ui.spacing().item_spacing.x;
    let [actions_width, filter_width] = list.toolbar_widths;
    let filter_fits = actions_width + filter_width + 3.0 * spacing + 8.0 <= ui.available_width();
    let mut measured = list.toolbar_widths;
    let mut counts_shown = false;
    ui.horizontal(|ui| {
        measured[0] = ui
            .horizontal(|ui| {
                toolbar_actions(ui, results, sort, &export, &mut actions);
            })
            .response
            .rect
            .width();
        if filter_fits {
            ui.separator();
            (measured[1], counts_shown) =
                filter_and_counts(ui, results, &mut list.filter, &counts, counts_width);
        }
    });
    if !filter_fits {
        ui.horizontal(|ui| {
            (measured[1], counts_shown) =
                filter_and_counts(ui, results, &mut list.filter, &counts, counts_width);
        });
    }
    if !counts_shown {
        ui.weak(counts);
    }
    list.toolbar_widths = measured;
    if let Some(action) = export.outcome_line(ui) {
        actions.push(RowAction::Export(action));
    }
    if let Some((bytes, limit)) = copy_too_large {
        copy_too_large_line(ui, bytes, limit, &mut actions);
    }
    ui.separator();

    let results: &ResultsModel = results;
    if results.row_count() == 0 {
        let text = if results.is_filtered() && results.match_count() > 0 {
            "No result contains the filter's text."
        } else if running {
            "Searching…"
        } else if results.summary().is_some_and(|s| s.cancelled) {
            "Cancelled before anything was found."
        } else {
            "No matches."
        };
        ui.centered_and_justified(|ui| ui.weak(text));
    }

    let mono = egui::TextStyle::Monospace.resolve(ui.style());
    let row_height = ui
        .text_style_height(&egui::TextStyle::Monospace)
        .max(ui.text_style_height(&egui::TextStyle::Body))
        + 6.0;
    let row_step = row_height + ui.spacing().item_spacing.y;
    let mut scroll = egui::ScrollArea::vertical()
        .id_salt("results")
        .auto_shrink(false)
        .animated(false);
    // Where rows are, in f64: past 16 million points (700,000 rows) an f32 is no longer exact.
    let (step, height) = (f64::from(row_step), f64::from(row_height));
    if list.scroll_to_selection {
        list.scroll_to_selection = false;
        let show_header = std::mem::take(&mut list.show_header);
        if let Some(row) = selected.and_then(|item| results.row_of(item)) {
            let bottom = row as f64 * step + height;
            // The file's header too, when it fits in the list with the row.
            let header = match *selected {
                Some(RowRef::Match(index)) if show_header => results
                    .file_of(index)
                    .and_then(|file| results.row_of(RowRef::File(file))),
                _ => None,
            };
            let (offset, shown) = (f64::from(list.offset), f64::from(list.height));
            let top = header
                .map(|header| header as f64 * step)
                .filter(|&top| bottom - top <= shown)
                .unwrap_or(row as f64 * step);
            if top < offset {
                scroll = scroll.vertical_scroll_offset(top as f32);
            } else if bottom > offset + shown {
                scroll = scroll.vertical_scroll_offset((bottom - shown) as f32);
            }
        }
    }
    let char_width = ui.ctx().fonts_mut(|f| f.glyph_width(&mono, '0')).max(1.0);
    let selected = *selected;
    let total_rows = results.row_count();
    // Not `show_rows`: it places each row at the content's top plus the row's distance from
    // it, both a long way from the list's top far down a long list, which f32 holds only to
    // the nearest 64 points at the docs tree's 32 million rows: the first file's header hid
    // under a line above the list. Rows are placed from the list's visible top here, their
    // distance from it reckoned in f64.
    let output = scroll.show_viewport(ui, |ui, viewport| {
        ui.style_mut().interaction.selectable_labels = false;
        ui.set_height(content_height(
            total_rows,
            row_step,
            ui.spacing().item_spacing.y,
        ));
        let (top, left, width) = (
            ui.clip_rect().top(),
            ui.max_rect().left(),
            ui.max_rect().width(),
        );
        // Below 0 while the list is pulled past its top (rubber-banding).
        let scrolled = f64::from(viewport.min.y);
        let first = ((scrolled.max(0.0) / step).floor() as usize).min(total_rows);
        let last =
            (first + (f64::from(viewport.height()) / step).ceil() as usize + 1).min(total_rows);
        // The same automatic ids for a row wherever the list is scrolled (as `show_rows`).
        ui.skip_ahead_auto_ids(first);
        for row in first..last {
            let Some(item) = results.row(row) else {
                continue;
            };
            let row_top = row_top(top, row, scrolled, step);
            let row_rect = Rect::from_min_size(pos2(left, row_top), vec2(width, row_height));
            ui.allocate_rect(row_rect, Sense::hover());
            // A stable id per item, so a click or an open context menu stays with its row
            // while rows above it come and go.
            // With Replace open, a checkbox before each row.
            let (check_rect, rect) = match replace {
                Some(_) => split_for_checkbox(row_rect),
                None => (Rect::NOTHING, row_rect),
            };
            let response = ui.interact(rect, egui::Id::unique(("trawl.row", item)), Sense::click());
            if !ui.is_rect_visible(row_rect) {
                continue;
            }
            let is_selected = selected == Some(item);
            paint_background(
                ui,
                row_rect,
                is_selected,
                ui.rect_contains_pointer(row_rect),
            );
            match item {
                RowRef::File(file) => {
                    let Some(view) = results.file(file) else {
                        continue;
                    };
                    let (shown, all) =
                        (thousands(view.shown.into()), thousands(view.matches.into()));
                    // A file that was not UTF-8 is named with the encoding it was
                    // decoded from.
                    let encoding = results
                        .found()
                        .encoding(file)
                        .filter(|&e| e != encoding_rs::UTF_8)
                        .map(encoding_rs::Encoding::name);
                    // A binary file searched as text says so: a replace leaves it alone.
                    let binary = results
                        .found()
                        .binary(file)
                        .then_some(if replace.is_some() {
                            "binary · not replaced"
                        } else {
                            "binary"
                        });
                    let note = match (encoding, binary) {
                        (Some(encoding), Some(binary)) => Some(format!("{encoding} · {binary}")),
                        (encoding, binary) => encoding.or(binary).map(str::to_string),
                    };
                    let name = match &note {
                        Some(note) => format!("{} · {note}", view.display),
                        None => view.display.to_string(),
                    };
                    let label = if view.shown == view.matches {
                        format!("{name} ({all})")
                    } else {
                        format!("{name} ({shown} of {all})")
                    };
                    response.widget_info(|| {
                        WidgetInfo::selected(Role::Button, true, is_selected, &label)
                    });
                    paint_file_row(ui, rect, &view, note.as_deref());
                    file_row_actions(&response, file, &view, &mut actions);
                    if let Some(replace) = &replace
                        && row_checkbox(
                            ui,
                            check_rect,
                            egui::Id::unique(("trawl.replace.check", item)),
                            replace.exclusions.file_checked(file),
                            &format!("Replace in {}", view.display),
                            not_writable(results.found(), file).map(NotWritable::why),
                        )
                    {
                        actions.push(RowAction::ReplaceFile(file));
                    }
                }
                RowRef::Match(index) => {
                    let Some(view) = results.occurrence(index) else {
                        continue;
                    };
                    let location = format!("{}:{}", view.line_number, view.column);
                    // An unchecked match, or one inside an archive or a binary file, shows
                    // as it is: it is not replaced.
                    let writable = || not_writable(results.found(), view.file).is_none();
                    let replacement = replace
                        .as_ref()
                        .filter(|r| r.exclusions.match_checked(view.file, index) && writable())
                        .and_then(|r| r.replacer)
                        .and_then(|replacer| replacement_of(replacer, &view));
                    response.widget_info(|| {
                        let label = match &replacement {
                            Some(replacement) => changed_row_label(&location, &view, replacement),
                            None if view.spans_lines => format!(
                                "{location} {} (continues on the next lines)",
                                view.text.trim()
                            ),
                            None => format!("{location} {}", view.text.trim()),
                        };
                        WidgetInfo::selected(Role::Button, true, is_selected, label)
                    });
                    paint_match_row(
                        ui,
                        rect,
                        &location,
                        &view,
                        replacement.as_deref(),
                        &mono,
                        char_width,
                    );
                    match_row_actions(ui, rect, &response, results, index, &mut actions);
                    if let Some(replace) = &replace
                        && let Some(file) = results.file(view.file)
                        && row_checkbox(
                            ui,
                            check_rect,
                            egui::Id::unique(("trawl.replace.check", item)),
                            replace.exclusions.match_checked(view.file, index),
                            &format!("Replace at {}:{location}", file.display),
                            not_writable(results.found(), view.file).map(NotWritable::why),
                        )
                    {
                        actions.push(RowAction::ReplaceMatch(index));
                    }
                }
            }
            if response.clicked() || response.secondary_clicked() {
                actions.push(RowAction::Select(item));
            }
        }
    });
    list.offset = output.state.clamped_offset().y;
    list.height = output.inner_rect.height();
    list.page_rows = (list.height / row_step).floor().max(1.0) as usize;

    actions
}

/// "3 matches in 2 files shown", or with a filter "2 of 5 matches in 2 of 3 files shown".
fn counts_text(results: &ResultsModel) -> String {
    if results.is_first_screenful() || results.is_filtered() {
        let so_far = if results.is_first_screenful() {
            // The filter has not looked at every file yet: its counts are not the total.
            " so far (filtering…)"
        } else {
            ""
        };
        format!(
            "{} of {} in {} of {} shown{so_far}",
            thousands(results.shown_match_count()),
            plural(results.match_count() as u64, "match", "matches"),
            thousands(results.shown_file_count() as u64),
            plural(results.file_count() as u64, "file", "files")
        )
    } else {
        format!(
            "{} in {} shown",
            plural(results.match_count() as u64, "match", "matches"),
            plural(results.file_count() as u64, "file", "files")
        )
    }
}

/// The height of a list of `rows` rows `row_step` apart, as `ScrollArea::show_rows` makes it,
/// and past 16 million points (where an f32 holds whole points no longer) two of the f32's
/// steps more: the list's height and its scroll offset are each rounded to one, and the last
/// row must still be reachable.
fn content_height(rows: usize, row_step: f32, spacing: f32) -> f32 {
    let exact = (rows as f64 * f64::from(row_step) - f64::from(spacing)).max(0.0);
    let height = exact as f32;
    let precision = f32::from_bits(height.to_bits() + 1) - height;
    if precision > 1.0 {
        height + 2.0 * precision
    } else {
        height
    }
}

/// Where row `row` of a list whose visible top is at `list_top` starts, the list scrolled by
/// `scrolled` points and its rows `step` apart: their difference, small, is reckoned in f64
/// before it is added to the list's top.
fn row_top(list_top: f32, row: usize, scrolled: f64, step: f64) -> f32 {
    list_top + (row as f64 * step - scrolled) as f32
}

/// "Not copied: …" with Export… and Dismiss, when Copy all's text would be past the limit.
/// One short line even at the window's minimum width (the reason on hover): the list under
/// it keeps its rows.
fn copy_too_large_line(ui: &mut Ui, bytes: u64, limit: usize, actions: &mut Vec<RowAction>) {
    let limit = if limit >= 1 << 20 {
        format!("{} MiB", limit >> 20)
    } else {
        format!("{} KiB", limit >> 10)
    };
    ui.horizontal_wrapped(|ui| {
        if ui
            .small_button("Dismiss")
            .on_hover_text("Hide this message")
            .clicked()
        {
            actions.push(RowAction::DismissCopyTooLarge);
        }
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "Not copied: at least {}, past the clipboard's {limit}.",
                megabytes(bytes)
            ),
        )
        .on_hover_text(format!(
            "The shown results take at least {} as text, more than the {limit} a clipboard \
             can carry. Export writes them to a file.",
            megabytes(bytes)
        ));
        if ui
            .small_button("Export instead…")
            .on_hover_text("Save the shown results to a file")
            .clicked()
        {
            actions.push(RowAction::Export(ExportAction::Open));
        }
    });
}

/// The filter, then the counts on the right where they fit: the filter's width (the next
/// frame's layout is judged by it) and whether the counts were shown.
fn filter_and_counts(
    ui: &mut Ui,
    results: &mut ResultsModel,
    filter: &mut String,
    counts: &str,
    counts_width: f32,
) -> (f32, bool) {
    let filter_width = ui
        .horizontal(|ui| toolbar_filter(ui, results, filter))
        .response
        .rect
        .width();
    (filter_width, counts_on_the_right(ui, counts, counts_width))
}

/// The counts at the row's right end, when they fit in what is left of it.
fn counts_on_the_right(ui: &mut Ui, counts: &str, width: f32) -> bool {
    if ui.available_width() < width + ui.spacing().item_spacing.x {
        return false;
    }
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        ui.weak(counts);
    });
    true
}

/// Sort, fold, Copy all and Export (or the running export).
fn toolbar_actions(
    ui: &mut Ui,
    results: &mut ResultsModel,
    sort: &mut SortOrder,
    export: &ExportBar,
    actions: &mut Vec<RowAction>,
) {
    let label = ui.label("Sort by");
    let mut chosen = *sort;
    let _ = egui::ComboBox::from_id_salt("sort")
        .selected_text(chosen.label())
        .show_ui(ui, |ui| {
            for order in SortOrder::ALL {
                ui.selectable_value(&mut chosen, order, order.label());
            }
        })
        .response
        .labelled_by(label.id)
        .on_hover_text("Order of the files: path, match count, last modified, or as found");
    // Sorting, filtering and folding every file are laid out off the UI thread: the rows
    // shown stay until the new ones are ready.
    let ctx = ui.ctx().clone();
    if chosen != *sort {
        *sort = chosen;
        results.request_layout(&ctx, |spec| spec.sort = chosen);
    }
    if ui
        .button("Expand all")
        .on_hover_text("Show every file's matches")
        .clicked()
    {
        results.request_layout(&ctx, |spec| spec.collapse_all = Some(false));
    }
    if ui
        .button("Collapse all")
        .on_hover_text("Show only the file names")
        .clicked()
    {
        results.request_layout(&ctx, |spec| spec.collapse_all = Some(true));
    }
    if ui
        .add_enabled(results.match_count() > 0, egui::Button::new("Copy all"))
        .on_hover_text(
            "One path:line:column:text line per shown match, the filter applying, folded \
             files included (Ctrl+Shift+C)",
        )
        .clicked()
    {
        actions.push(RowAction::CopyAll);
    }
    if let Some(action) = export.controls(ui) {
        actions.push(RowAction::Export(action));
    }
}

/// The filter box, its Clear button, and what the filter means for Copy all and Export.
fn toolbar_filter(ui: &mut Ui, results: &mut ResultsModel, typed: &mut String) {
    let label = ui.label("Filter");
    let filter = ui
        .add(
            egui::TextEdit::singleline(typed)
                .id_salt("trawl.filter")
                .hint_text("path or text")
                .desired_width(160.0),
        )
        .labelled_by(label.id)
        .on_hover_text(
            "Show only files whose path, or matches whose line, contains this text (any \
             case); the search is not run again",
        );
    let ctx = ui.ctx().clone();
    if filter.changed() {
        let text = typed.clone();
        results.request_layout(&ctx, |spec| spec.filter = text);
    }
    if !typed.is_empty()
        && ui
            .small_button("Clear")
            .on_hover_text("Show every result again")
            .clicked()
    {
        typed.clear();
        results.request_layout(&ctx, |spec| spec.filter.clear());
    }
    if results.is_laying_out() {
        ui.spinner().on_hover_text(
            "Laying out the results; the rows shown until then are the previous ones",
        );
    }
    if results.is_filtered() {
        // Said where the filter is, so nobody exports "everything" by surprise.
        ui.weak("Copy all and Export take these").on_hover_text(
            "With a filter set, Copy all and Export… take the shown results only; Clear it to \
             take every result",
        );
    }
}

/// Selected rows use the selection colour; hovered rows a faint one.
fn paint_background(ui: &Ui, rect: Rect, selected: bool, hovered: bool) {
    let visuals = ui.visuals();
    if selected {
        ui.painter()
            .rect_filled(rect, 2.0, visuals.selection.bg_fill);
    } else if hovered {
        ui.painter()
            .rect_filled(rect, 2.0, visuals.widgets.hovered.weak_bg_fill);
    }
}

/// `▼ src/main.rs   3` — the fold arrow, the path relative to the folder (` · Shift_JIS`
/// after it for a file decoded from an encoding other than UTF-8), the count.
fn paint_file_row(ui: &Ui, rect: Rect, view: &FileView<'_>, note: Option<&str>) {
    let visuals = ui.visuals();
    let body = egui::TextStyle::Body.resolve(ui.style());
    let arrow = if view.collapsed { "▶" } else { "▼" };
    // The arrows are in the bundled monospace font (Hack), not in the proportional one.
    let arrow_font = FontId::monospace(body.size * 0.8);
    let mut job = LayoutJob::default();
    job.append(
        arrow,
        0.0,
        TextFormat::simple(arrow_font, visuals.weak_text_color()),
    );
    job.append(
        view.display,
        6.0,
        TextFormat::simple(body.clone(), visuals.strong_text_color()),
    );
    if let Some(note) = note {
        job.append(
            &format!(" · {note}"),
            0.0,
            TextFormat::simple(body.clone(), visuals.weak_text_color()),
        );
    }
    // The same separators as the progress bar and the summary.
    let count = match (u64::from(view.shown), u64::from(view.matches)) {
        (shown, all) if shown != all => format!(
            "{} of {}",
            thousands(shown),
            plural(all, "match", "matches")
        ),
        (_, all) => plural(all, "match", "matches"),
    };
    job.append(
        &count,
        12.0,
        TextFormat::simple(body, visuals.weak_text_color()),
    );
    job.wrap = single_line(rect.width() - 8.0);
    let galley = ui.painter().layout_job(job);
    let pos = pos2(rect.left() + 4.0, rect.center().y - galley.size().y / 2.0);
    ui.painter().galley(pos, galley, visuals.text_color());
}

/// `  12:5   the line with the match highlighted`, the line cut so the match is in view.
fn paint_match_row(
    ui: &Ui,
    rect: Rect,
    location: &str,
    view: &MatchView<'_>,
    replacement: Option<&str>,
    mono: &FontId,
    char_width: f32,
) {
    let visuals = ui.visuals();
    let location_width = LOCATION_CHARS as f32 * char_width;
    let location_pos = pos2(rect.left() + INDENT + location_width, rect.center().y);
    ui.painter().text(
        location_pos,
        Align2::RIGHT_CENTER,
        location,
        mono.clone(),
        visuals.weak_text_color(),
    );

    if view.spans_lines {
        // The match goes on below its first line, which is what the row shows: a return
        // arrow (in the monospace font) in the indent says so, visible however long the line.
        ui.painter().text(
            pos2(rect.left() + INDENT - 4.0, rect.center().y),
            Align2::RIGHT_CENTER,
            MULTILINE_MARK,
            mono.clone(),
            visuals.weak_text_color(),
        );
    }
    let text_left = rect.left() + INDENT + location_width + 2.0 * char_width;
    let width = (rect.right() - text_left - 4.0).max(char_width);
    let visible_chars = (width / char_width) as usize;
    let job = highlighted_line(ui, view, replacement, mono, visible_chars, width);
    let galley = ui.painter().layout_job(job);
    let pos = pos2(text_left, rect.center().y - galley.size().y / 2.0);
    ui.painter().galley(pos, galley, visuals.text_color());
}

/// The line's text as a layout job: leading indentation dropped, and the start cut (with `…`)
/// when the match would otherwise sit past the right edge.
fn highlighted_line(
    ui: &Ui,
    view: &MatchView<'_>,
    replacement: Option<&str>,
    mono: &FontId,
    visible_chars: usize,
    width: f32,
) -> LayoutJob {
    let visuals = ui.visuals();
    let text = view.text;
    let highlight = view.highlight.clone();
    let indent = text.len() - text.trim_start().len();
    let mut start = indent.min(highlight.start);
    let mut cut_before = view.ellipsis_before;
    if text[start..highlight.end].chars().count() > visible_chars * 2 / 3 {
        // Keep about a third of the row before the match.
        let keep_before = (visible_chars / 3).max(1);
        if let Some((cut, _)) = text[..highlight.start]
            .char_indices()
            .rev()
            .nth(keep_before - 1)
            && cut > start
        {
            start = cut;
            cut_before = true;
        }
    }
    // Lay out no more than the row can show: lines may be hundreds of characters long.
    let end = text[start..]
        .char_indices()
        .nth(visible_chars + 2)
        .map_or(text.len(), |(i, _)| start + i);
    let mark_start = highlight.start.clamp(start, end);
    let mark_end = highlight.end.clamp(mark_start, end);

    let normal = TextFormat::simple(mono.clone(), visuals.text_color());
    let marked = super::match_format(visuals, mono.clone());
    let mut job = LayoutJob::default();
    if cut_before {
        job.append(
            "…",
            0.0,
            TextFormat::simple(mono.clone(), visuals.weak_text_color()),
        );
    }
    job.append(&text[start..mark_start], 0.0, normal.clone());
    match replacement {
        // The change in place: the match struck out, what replaces it beside it.
        Some(replacement) => {
            let (removed, added) = change_formats(ui, mono.clone());
            job.append(&text[mark_start..mark_end], 0.0, removed);
            job.append(replacement, 0.0, added);
        }
        None => job.append(&text[mark_start..mark_end], 0.0, marked),
    }
    job.append(&text[mark_end..end], 0.0, normal);
    if end == text.len() && view.ellipsis_after {
        job.append(
            "…",
            0.0,
            TextFormat::simple(mono.clone(), visuals.weak_text_color()),
        );
    }

    job.wrap = single_line(width);
    job
}

/// A changed row's accessible name: `12:5 old line → new line`.
fn changed_row_label(location: &str, view: &MatchView<'_>, replacement: &str) -> String {
    let text = view.text;
    let (start, end) = (view.highlight.start, view.highlight.end);
    let new = format!(
        "{}{replacement}{}",
        text.get(..start).unwrap_or(""),
        text.get(end..).unwrap_or("")
    );
    format!("{location} {} → {}", text.trim(), new.trim())
}

/// One row, cut at `width` with `…`.
fn single_line(width: f32) -> TextWrapping {
    TextWrapping {
        max_width: width.max(1.0),
        max_rows: 1,
        break_anywhere: true,
        overflow_character: Some('…'),
    }
}

/// Click folds; the context menu copies.
fn file_row_actions(
    response: &egui::Response,
    file: usize,
    view: &FileView<'_>,
    actions: &mut Vec<RowAction>,
) {
    if response.clicked() {
        actions.push(RowAction::Toggle(file));
    }
    response.context_menu(|ui| {
        if ui
            .button(if view.collapsed { "Expand" } else { "Collapse" })
            .clicked()
        {
            actions.push(RowAction::Toggle(file));
            ui.close();
        }
        if ui.button("Copy file path").clicked() {
            actions.push(RowAction::Copy {
                text: view.path.display().to_string(),
                what: "file path",
            });
            ui.close();
        }
        if ui.button("Copy all results").clicked() {
            actions.push(RowAction::CopyAll);
            ui.close();
        }
    });
}

/// "Open in editor" for a match inside an archive, which has no file of its own to open.
pub(crate) const OPEN_COPY_LABEL: &str = "Open a read-only copy (inside an archive)";
/// What hovering [`OPEN_COPY_LABEL`] says.
pub(crate) const OPEN_COPY_HOVER: &str = "Open a read-only copy (inside an archive): trawl \
     never writes into an archive, so the match's file is copied to a read-only temporary \
     file, opened in the editor at this line and column (double-click, Enter)";

/// A copy button on the hovered row, and the context menu.
fn match_row_actions(
    ui: &mut Ui,
    rect: Rect,
    response: &egui::Response,
    results: &ResultsModel,
    index: usize,
    actions: &mut Vec<RowAction>,
) {
    let location = || results.location(index).unwrap_or_default();
    if response.double_clicked() {
        actions.push(RowAction::OpenInEditor(index));
    }
    if ui.rect_contains_pointer(rect) {
        // Painted by hand inside the row: a regular button would be laid out taller than the
        // row, and leaving the row's rect hides it again.
        let button_rect = Rect::from_min_size(
            pos2(rect.right() - 52.0, rect.top() + 1.0),
            vec2(48.0, rect.height() - 2.0),
        );
        let button = ui.interact(
            button_rect,
            egui::Id::unique(("trawl.copy", index)),
            Sense::click(),
        );
        button.widget_info(|| WidgetInfo::labeled(Role::Button, true, "Copy"));
        let look = ui.style().interact(&button);
        ui.painter()
            .rect_filled(button_rect, 3.0, look.weak_bg_fill);
        ui.painter().text(
            button_rect.center(),
            Align2::CENTER_CENTER,
            "Copy",
            egui::TextStyle::Small.resolve(ui.style()),
            look.text_color(),
        );
        if button.on_hover_text("Copy path:line:column").clicked() {
            actions.push(RowAction::Copy {
                text: location(),
                what: "location",
            });
        }
    }
    response.context_menu(|ui| {
        let in_archive = results
            .file_of(index)
            .is_some_and(|file| results.found().inside_archive(file));
        let (open_label, open_hover) = if in_archive {
            (OPEN_COPY_LABEL, OPEN_COPY_HOVER)
        } else {
            (
                "Open in editor",
                "Open the file at this line and column (double-click, Enter)",
            )
        };
        if ui.button(open_label).on_hover_text(open_hover).clicked() {
            actions.push(RowAction::OpenInEditor(index));
            ui.close();
        }
        if ui.button("Copy path:line:column").clicked() {
            actions.push(RowAction::Copy {
                text: location(),
                what: "location",
            });
            ui.close();
        }
        if ui.button("Copy line text").clicked() {
            actions.push(RowAction::CopyLineText(index));
            ui.close();
        }
        if ui.button("Copy file path").clicked() {
            let text = results
                .file_of(index)
                .and_then(|f| results.file(f))
                .map(|f| f.path.display().to_string())
                .unwrap_or_default();
            actions.push(RowAction::Copy {
                text,
                what: "file path",
            });
            ui.close();
        }
        if ui.button("Copy all results").clicked() {
            actions.push(RowAction::CopyAll);
            ui.close();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::{content_height, row_top};

    /// The docs tree's `e` in every file: 32,147,614 matches in 48,625 files, one row each.
    const ROWS: usize = 32_196_239;
    const STEP: f32 = 24.0;

    #[test]
    fn the_first_row_starts_at_the_list_s_top_however_long_the_list() {
        // What `show_rows` did: the content's top, `rows × step` points above its end, and
        // back. In f32 the top of a list under a notice (151) came back as 128, and the first
        // file's header hid under the notice.
        let end = 151.0_f32 + ROWS as f32 * STEP;
        assert_ne!(end - ROWS as f32 * STEP, 151.0, "f32 keeps it after all");
        for list_top in [128.0, 151.0, 151.5] {
            assert_eq!(row_top(list_top, 0, 0.0, STEP.into()), list_top);
            assert_eq!(row_top(list_top, 1, 0.0, STEP.into()), list_top + STEP);
        }
    }

    #[test]
    fn far_down_a_long_list_rows_are_one_step_apart_and_the_last_can_be_reached() {
        let height = content_height(ROWS, STEP, 4.0);
        let exact = ROWS as f64 * f64::from(STEP) - 4.0;
        assert!(f64::from(height) >= exact + 64.0, "{height} for {exact}");
        // Scrolled to its end (the offset an f32 holds), the last row is still in view.
        let shown = 488.0_f64;
        let scrolled = f64::from((f64::from(height) - shown) as f32);
        let last = row_top(128.0, ROWS - 1, scrolled, STEP.into());
        assert!(
            last + STEP <= 128.0 + shown as f32,
            "the last row at {last}"
        );
        let before = row_top(128.0, ROWS - 2, scrolled, STEP.into());
        assert_eq!(last - before, STEP);
        // A short list is exactly as `show_rows` makes it.
        assert_eq!(content_height(3, STEP, 4.0), 3.0 * STEP - 4.0);
    }
}
