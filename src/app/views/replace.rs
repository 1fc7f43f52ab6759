//! Replace's views: the Replace row under the pattern (the field, the button that says what it
//! will take, the progress of a replace and its Cancel, Undo and History), the confirmation,
//! the report of a replace or an undo, the history of replaces, the change each row shows, its
//! checkbox, and the panel with the selected match's lines after the change.

use egui::text::{LayoutJob, TextFormat};
use egui::{Button, FontId, Rect, RichText, Role, Sense, TextEdit, Ui, WidgetInfo, pos2};

use crate::app::numbers::{plural, thousands};
use crate::app::replace::{Confirm, Outcome, ReplaceUi, Tally};
use crate::app::replace_after::AfterState;
use crate::app::views::search_bar::{LABEL_WIDTH, error_line, field_label};
use crate::replace::{RecordSummary, UndoReport};

/// The Replace field's id, fixed so that Ctrl+H can focus it.
pub(crate) fn field_id() -> egui::Id {
    egui::Id::unique("trawl.replace")
}

/// What the person asked for in Replace's views.
pub(crate) enum ReplaceAction {
    /// Replace…: ask for confirmation.
    Ask,
    /// The confirmation's Replace.
    Confirmed,
    /// The confirmation's Cancel.
    NotConfirmed,
    /// Stop the running replace after the file it is at.
    CancelWrite,
    /// Undo a replace (the last one: `None`).
    Undo(Option<String>),
    OpenHistory,
    CloseHistory,
    CloseReport,
    /// Open a written file in the editor, at occurrence N of the results.
    OpenInEditor(usize),
}

/// What the Replace row draws.
pub(crate) struct ReplaceRow<'a> {
    pub(crate) replace: &'a mut ReplaceUi,
    /// The checked matches of the shown results, as far as they are counted (`None`: there
    /// are no results to replace in, or a search is running).
    pub(crate) tally: Option<Tally>,
    /// The shown results were searched with a regex: `$1`, `${name}`, `$$` work.
    pub(crate) regex: bool,
    /// Why Replace cannot be pressed now, if it cannot.
    pub(crate) blocked: Option<&'static str>,
}

/// The Replace row: its field, Replace (with what it takes), the progress of a replace,
/// Undo and History.
pub(crate) fn replace_row(ui: &mut Ui, row: ReplaceRow<'_>) -> Vec<ReplaceAction> {
    let ReplaceRow {
        replace,
        tally,
        regex,
        blocked,
    } = row;
    let mut actions = Vec::new();
    ui.horizontal(|ui| {
        let label = field_label(ui, "Replace");
        let hint = if regex {
            "Replacement: $1, ${name} for groups, $$ for $ (Ctrl+H)"
        } else {
            "Replacement text (Ctrl+H)"
        };
        let field = ui
            .add(
                TextEdit::singleline(&mut replace.template)
                    .id(field_id())
                    .hint_text(hint)
                    .font(egui::TextStyle::Monospace)
                    .desired_width((ui.available_width() - 420.0).max(160.0)),
            )
            .labelled_by(label.id)
            .on_hover_text(if regex {
                "What each match becomes: $1 or ${name} insert a group, $$ a dollar sign"
            } else {
                "What each match becomes, as typed (the pattern is not a regex, so $ is plain)"
            });
        if std::mem::take(&mut replace.focus) {
            field.request_focus();
        }
        let writing = replace.running.is_some();
        let counts = match tally {
            Some(Tally::Counted(counts)) => Some(counts),
            _ => None,
        };
        let text = match tally {
            Some(Tally::Counted(counts)) if counts.matches > 0 => format!(
                "Replace {} in {}",
                plural(counts.matches, "match", "matches"),
                plural(counts.files, "file", "files")
            ),
            Some(Tally::Counting) => "Replace (counting…)".to_string(),
            _ => "Replace…".to_string(),
        };
        let can = blocked.is_none() && counts.is_some_and(|c| c.matches > 0) && !writing;
        let button = ui
            .add_enabled(can, Button::new(RichText::new(text).strong()))
            .on_hover_text("Rewrite the checked matches of the results shown, after confirming");
        let button = match (blocked, tally) {
            (Some(why), _) => button.on_disabled_hover_text(why),
            _ if writing => button.on_disabled_hover_text("A replace is being written"),
            (None, Some(Tally::Counting)) => {
                button.on_disabled_hover_text("Counting the checked matches of the results shown…")
            }
            (None, Some(Tally::Failed)) => {
                button.on_disabled_hover_text("The checked matches could not be counted")
            }
            (None, _) => button.on_disabled_hover_text("No checked match to replace"),
        };
        if button.clicked() {
            actions.push(ReplaceAction::Ask);
        }
        let has_undo = replace.has_undo();
        let undo = ui
            .add_enabled(
                !writing && !replace.is_undoing() && has_undo != Some(false),
                Button::new("Undo"),
            )
            .on_hover_text("Restore the files of the last replace not undone yet")
            .on_disabled_hover_text(if writing {
                "A replace is being written"
            } else if replace.is_undoing() {
                "An undo is running"
            } else {
                "No replace left to undo (Undo history reads the journal again)"
            });
        if undo.clicked() {
            actions.push(ReplaceAction::Undo(None));
        }
        if ui
            .button("Undo history")
            .on_hover_text("Every recorded replace, also from before a restart: undo any of them")
            .clicked()
        {
            actions.push(ReplaceAction::OpenHistory);
        }
    });
    if let Some(error) = replace.error() {
        error_line(ui, ui.visuals().error_fg_color, error);
    }
    if let Some(Tally::Counted(counts)) = tally {
        for (files, what) in [
            (counts.in_archives, "inside archives or compressed files"),
            (counts.binary, "binary (searched as text)"),
        ] {
            if files > 0 {
                ui.horizontal(|ui| {
                    ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
                    ui.weak(format!(
                        "{} {what}: never written",
                        plural(files, "file", "files")
                    ));
                });
            }
        }
    }
    if let Some(running) = &replace.running {
        let progress = &running.progress;
        let done = progress
            .files_done
            .load(std::sync::atomic::Ordering::Relaxed);
        let total = running.counts.files.max(1);
        ui.horizontal(|ui| {
            ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
            ui.add(
                egui::ProgressBar::new(done as f32 / total as f32)
                    .desired_width(260.0)
                    .text(format!(
                        "Replacing: {} of {}",
                        thousands(done),
                        plural(running.counts.files, "file", "files")
                    )),
            );
            if ui
                .add_enabled(!running.cancelling(), Button::new("Cancel replace"))
                .on_hover_text(
                    "Stop after the file being written; the files written stay written and \
                     can be undone",
                )
                .clicked()
            {
                actions.push(ReplaceAction::CancelWrite);
            }
        });
    }
    actions
}

/// The confirmation before writing: what will be rewritten, where.
pub(crate) fn confirm_dialog(ctx: &egui::Context, confirm: &Confirm) -> Option<ReplaceAction> {
    let mut action = None;
    let modal = egui::Modal::new(egui::Id::unique("trawl.replace.confirm")).show(ctx, |ui| {
        ui.set_max_width(520.0);
        ui.heading("Replace in files?");
        ui.add_space(6.0);
        let with = if confirm.template.is_empty() {
            "with nothing (deleting them)".to_string()
        } else {
            format!("with \"{}\"", confirm.template)
        };
        ui.label(format!(
            "Replace {} in {} {with}",
            plural(confirm.counts.matches, "match", "matches"),
            plural(confirm.counts.files, "file", "files"),
        ));
        ui.label(format!("in {}", confirm.folder.display()));
        ui.label(format!(
            "This rewrites {}. Each is checked first: one that changed since the search is \
             left alone. Undo restores them.",
            plural(confirm.counts.files, "file", "files")
        ));
        if confirm.binary_as_text {
            ui.label(
                "Searched with \"Binary files as text\": the binary files found are not replaced, \
                 and one whose NUL byte the search did not see (past its first MiB) is left alone \
                 and listed in the report.",
            );
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui
                .button(RichText::new("Replace now").strong())
                .on_hover_text("Write the files now")
                .clicked()
            {
                action = Some(ReplaceAction::Confirmed);
            }
            if ui.button("Cancel").clicked() {
                action = Some(ReplaceAction::NotConfirmed);
            }
        });
    });
    if action.is_none() && modal.should_close() {
        action = Some(ReplaceAction::NotConfirmed);
    }
    action
}

/// The report of the last replace and of the last undo, with Undo and, for each written file,
/// Open. Its file lines are laid out only where they are in view: a replace of 10,000 files
/// listed whole took 350 ms a frame (and ~110 MB of laid-out text) while the report showed.
pub(crate) fn report_window(
    ctx: &egui::Context,
    outcome: Option<&Result<Outcome, String>>,
    undo: Option<&Result<UndoReport, String>>,
    model: Option<u64>,
    undoing: bool,
) -> (Option<egui::Rect>, Vec<ReplaceAction>) {
    let mut actions = Vec::new();
    let mut open = true;
    let shown = egui::Window::new("Replace report")
        .id(egui::Id::unique("trawl.replace.report"))
        .open(&mut open)
        .default_width(560.0)
        .default_height(360.0)
        .collapsible(false)
        .show(ctx, |ui| {
            if let Some(undo) = undo {
                undo_summary(ui, undo);
                ui.separator();
            }
            let outcome = match outcome {
                Some(Ok(outcome)) => {
                    let undone = matches!(undo, Some(Ok(u))
                        if Some(&u.id) == outcome.report.id.as_ref());
                    outcome_summary(ui, outcome, undoing, undone, &mut actions);
                    Some(outcome)
                }
                Some(Err(err)) => {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("Nothing was replaced: {err}"),
                    );
                    None
                }
                None => None,
            };
            let lines = ReportLines {
                undo: undo.and_then(|u| u.as_ref().ok()),
                outcome,
            };
            let count = lines.count();
            if count > 0 {
                ui.add_space(4.0);
                let row_height = ui.spacing().interact_size.y;
                egui::ScrollArea::vertical()
                    .auto_shrink([false, true])
                    .max_height(360.0)
                    .show_rows(ui, row_height, count, |ui, range| {
                        for index in range {
                            ui.horizontal(|ui| {
                                ui.set_min_height(row_height);
                                lines.show(ui, index, model, &mut actions);
                            });
                        }
                    });
            }
        });
    if !open {
        actions.push(ReplaceAction::CloseReport);
    }
    (shown.map(|w| w.response.rect), actions)
}

/// What a replace did, in counts, and its Undo.
fn outcome_summary(
    ui: &mut Ui,
    outcome: &Outcome,
    undoing: bool,
    undone: bool,
    actions: &mut Vec<ReplaceAction>,
) {
    let report = &outcome.report;
    ui.label(
        RichText::new(format!(
            "Replaced {} in {}",
            plural(report.replacements(), "match", "matches"),
            plural(report.written.len() as u64, "file", "files"),
        ))
        .strong(),
    );
    let failures = report
        .skipped
        .iter()
        .filter(|f| f.reason.is_failure())
        .count();
    if failures > 0 {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("{} left alone", plural(failures as u64, "file", "files")),
        );
    }
    if report.cancelled {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Cancelled: the files after the last one written were not touched.",
        );
    }
    ui.weak(format!(
        "In {}. The results shown are from before the replace: search again to see the files \
         as they are now.",
        outcome.folder.display()
    ));
    ui.horizontal(|ui| {
        if let Some(id) = &report.id
            && !report.written.is_empty()
            && ui
                .add_enabled(!undoing && !undone, Button::new("Undo this replace"))
                .on_hover_text(format!(
                    "Restore each written file, if it is still as this replace left it \
                     (recorded as replace {id})"
                ))
                .clicked()
        {
            actions.push(ReplaceAction::Undo(Some(id.clone())));
        }
    });
}

/// What an undo did, in counts.
fn undo_summary(ui: &mut Ui, undo: &Result<UndoReport, String>) {
    match undo {
        Ok(report) => {
            ui.label(
                RichText::new(format!(
                    "Undid replace {}: {} restored, {} left alone",
                    report.id,
                    plural(report.restored.len() as u64, "file", "files"),
                    thousands(report.left.len() as u64)
                ))
                .strong(),
            );
        }
        Err(err) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Nothing was undone: {err}"),
            );
        }
    }
}

/// The report's lines, one a file (and a heading before the written and the skipped), in the
/// order shown: the undo's files, then the replace's written files, then those it left alone.
struct ReportLines<'a> {
    undo: Option<&'a UndoReport>,
    outcome: Option<&'a Outcome>,
}

/// One line of the report.
enum ReportLine<'a> {
    Restored(&'a str),
    Unchanged(&'a str),
    Left(&'a str, &'a str),
    WrittenHeading,
    Written(&'a crate::replace::WrittenFile),
    SkippedHeading,
    Skipped(&'a crate::replace::SkippedFile),
}

impl<'a> ReportLines<'a> {
    fn count(&self) -> usize {
        let undo = self
            .undo
            .map_or(0, |u| u.restored.len() + u.unchanged.len() + u.left.len());
        let outcome = self.outcome.map_or(0, |o| {
            let (written, skipped) = (o.report.written.len(), o.report.skipped.len());
            written + usize::from(written > 0) + skipped + usize::from(skipped > 0)
        });
        undo + outcome
    }

    /// Line `index`, found by counting through the sections (no list is built).
    fn line(&self, mut index: usize) -> Option<ReportLine<'a>> {
        if let Some(undo) = self.undo {
            if let Some(path) = undo.restored.get(index) {
                return Some(ReportLine::Restored(path));
            }
            index -= undo.restored.len();
            if let Some(path) = undo.unchanged.get(index) {
                return Some(ReportLine::Unchanged(path));
            }
            index -= undo.unchanged.len();
            if let Some((path, reason)) = undo.left.get(index) {
                return Some(ReportLine::Left(path, reason));
            }
            index -= undo.left.len();
        }
        let report = &self.outcome?.report;
        for (files, heading) in [
            (report.written.len(), ReportLine::WrittenHeading),
            (report.skipped.len(), ReportLine::SkippedHeading),
        ] {
            if files == 0 {
                continue;
            }
            if index == 0 {
                return Some(heading);
            }
            index -= 1;
            if index < files {
                return match heading {
                    ReportLine::WrittenHeading => {
                        report.written.get(index).map(ReportLine::Written)
                    }
                    _ => report.skipped.get(index).map(ReportLine::Skipped),
                };
            }
            index -= files;
        }
        None
    }

    fn show(
        &self,
        ui: &mut Ui,
        index: usize,
        model: Option<u64>,
        actions: &mut Vec<ReplaceAction>,
    ) {
        let warn = ui.visuals().warn_fg_color;
        let text = match self.line(index) {
            None => return,
            Some(ReportLine::Restored(path)) => RichText::new(format!("{path}: restored")),
            Some(ReportLine::Unchanged(path)) => {
                RichText::new(format!("{path}: already as before the replace"))
            }
            Some(ReportLine::Left(path, reason)) => {
                RichText::new(format!("{path}: left alone: {reason}")).color(warn)
            }
            Some(ReportLine::WrittenHeading) => RichText::new("Written:"),
            Some(ReportLine::SkippedHeading) => RichText::new("Not written:"),
            Some(ReportLine::Written(file)) => {
                let Some(outcome) = self.outcome else { return };
                let first = outcome.first_occurrences.get(&file.path).copied();
                let openable = first.is_some() && model == Some(outcome.model);
                let open = ui
                    .add_enabled(openable, Button::new("Open").small())
                    .on_hover_text("Open the file in the editor at its first replaced match")
                    .on_disabled_hover_text("The results it was replaced from are gone");
                if open.clicked()
                    && let Some(first) = first
                {
                    actions.push(ReplaceAction::OpenInEditor(first));
                }
                RichText::new(format!(
                    "{}: {}",
                    file.path.display(),
                    plural(file.replacements, "replacement", "replacements")
                ))
            }
            Some(ReportLine::Skipped(file)) => {
                let color = if file.reason.is_failure() {
                    warn
                } else {
                    ui.visuals().weak_text_color()
                };
                RichText::new(format!(
                    "{}: not written: {}",
                    file.path.display(),
                    file.reason
                ))
                .color(color)
            }
        };
        // One line each, cut at the window's edge: every row must be as high as the others.
        ui.add(egui::Label::new(text).truncate());
    }
}

/// The recorded replaces, newest first, each with Undo.
pub(crate) fn history_window(
    ctx: &egui::Context,
    history: Option<&Result<Vec<RecordSummary>, String>>,
    busy: bool,
) -> (Option<egui::Rect>, Vec<ReplaceAction>) {
    let mut actions = Vec::new();
    let mut open = true;
    let shown = egui::Window::new("Replace history")
        .id(egui::Id::unique("trawl.replace.history"))
        .open(&mut open)
        .default_width(620.0)
        .collapsible(false)
        .show(ctx, |ui| match history {
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Reading the journal…");
                });
            }
            Some(Err(err)) => {
                ui.colored_label(ui.visuals().error_fg_color, err);
            }
            Some(Ok(list)) if list.is_empty() => {
                ui.weak("No replace was recorded yet.");
            }
            Some(Ok(list)) => {
                egui::ScrollArea::vertical()
                    .max_height(360.0)
                    .show(ui, |ui| {
                        for record in list {
                            ui.horizontal(|ui| {
                                let undo = ui
                                    .add_enabled(
                                        !record.undone && !busy,
                                        Button::new(format!("Undo #{}", record.id)).small(),
                                    )
                                    .on_hover_text(format!("Undo replace {}", record.id))
                                    .on_disabled_hover_text(if record.undone {
                                        "Undone already"
                                    } else {
                                        "Busy with the journal"
                                    });
                                if undo.clicked() {
                                    actions.push(ReplaceAction::Undo(Some(record.id.clone())));
                                }
                                ui.label(history_line(record));
                            });
                        }
                    });
            }
        });
    if !open {
        actions.push(ReplaceAction::CloseHistory);
    }
    (shown.map(|w| w.response.rect), actions)
}

/// `#3 · 2026-12-04 12:00:00 · foo → bar · 2 files, 5 replacements · /src (undone)`.
fn history_line(record: &RecordSummary) -> String {
    format!(
        "#{} · {} · {} replaced with {} · {}, {} · {}{}",
        record.id,
        humantime::format_rfc3339_seconds(record.time),
        record.pattern,
        record.template,
        plural(record.files, "file", "files"),
        plural(record.replacements, "replacement", "replacements"),
        record.folder.display(),
        if record.undone { " (undone)" } else { "" }
    )
}

/// A row's checkbox, painted in `rect` (a widget would be laid out taller than the row).
/// Returns whether it was clicked.
pub(crate) fn row_checkbox(
    ui: &mut Ui,
    rect: Rect,
    id: egui::Id,
    checked: bool,
    label: &str,
    disabled_because: Option<&str>,
) -> bool {
    let enabled = disabled_because.is_none();
    let sense = if enabled {
        Sense::click()
    } else {
        Sense::hover()
    };
    let response = ui.interact(rect, id, sense);
    response.widget_info(|| WidgetInfo::selected(Role::CheckBox, enabled, checked, label));
    let visuals = ui.style().interact(&response);
    let side = rect.height().min(14.0);
    let square = Rect::from_center_size(rect.center(), egui::vec2(side, side));
    let painter = ui.painter();
    if enabled {
        painter.rect(
            square,
            2.0,
            visuals.bg_fill,
            visuals.bg_stroke,
            egui::StrokeKind::Inside,
        );
        if checked {
            // Drawn as egui's own checkbox draws its mark: no font need have a glyph for it.
            let inner = square.shrink(3.0);
            painter.add(egui::Shape::line(
                vec![
                    pos2(inner.left(), inner.center().y),
                    pos2(inner.center().x - 1.0, inner.bottom()),
                    pos2(inner.right(), inner.top()),
                ],
                visuals.fg_stroke,
            ));
        }
    } else {
        let inner = square.shrink(3.0);
        painter.line_segment(
            [
                pos2(inner.left(), inner.center().y),
                pos2(inner.right(), inner.center().y),
            ],
            egui::Stroke::new(1.5, ui.visuals().weak_text_color()),
        );
    }
    match disabled_because {
        Some(why) => {
            response.on_hover_text(why);
            false
        }
        None => response.clicked(),
    }
}

/// The formats of a row's change: the match struck out, the replacement beside it.
pub(crate) fn change_formats(ui: &Ui, font: FontId) -> (TextFormat, TextFormat) {
    let visuals = ui.visuals();
    let mut removed = super::match_format(visuals, font.clone());
    removed.strikethrough = egui::Stroke::new(1.5, removed.color);
    let (background, color) = if visuals.dark_mode {
        (
            egui::Color32::from_rgb(0x1f, 0x6f, 0x3a),
            egui::Color32::WHITE,
        )
    } else {
        (
            egui::Color32::from_rgb(0xa6, 0xe9, 0xb5),
            egui::Color32::BLACK,
        )
    };
    let added = TextFormat {
        background,
        ..TextFormat::simple(font, color)
    };
    (removed, added)
}

/// The panel with the selected match's lines after the change (read and replaced off the UI
/// thread).
pub(crate) fn after_panel(ui: &mut Ui, state: &AfterState) {
    egui::Panel::bottom("replace_after")
        .resizable(false)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong("After the replace");
                ui.weak("the selected match's lines once the checked matches are replaced");
            });
            let mono = egui::TextStyle::Monospace.resolve(ui.style());
            match state {
                AfterState::Nothing => {
                    ui.weak("Select a match to see its lines after the replace.");
                }
                AfterState::Loading => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.weak("Reading…");
                    });
                }
                AfterState::Failed(message) => {
                    ui.colored_label(ui.visuals().warn_fg_color, message);
                }
                AfterState::Lines(lines) => {
                    let (_, added) = change_formats(ui, mono.clone());
                    let normal = TextFormat::simple(mono.clone(), ui.visuals().text_color());
                    let weak = TextFormat::simple(mono.clone(), ui.visuals().weak_text_color());
                    for line in lines {
                        let mut job = LayoutJob::default();
                        job.append(&format!("{:>6}  ", line.number), 0.0, weak.clone());
                        let mut at = 0;
                        for range in &line.inserted {
                            let (start, end) = (range.start.max(at), range.end.max(at));
                            if let (Some(before), Some(new)) =
                                (line.text.get(at..start), line.text.get(start..end))
                            {
                                job.append(before, 0.0, normal.clone());
                                job.append(new, 0.0, added.clone());
                                at = end;
                            }
                        }
                        job.append(line.text.get(at..).unwrap_or(""), 0.0, normal.clone());
                        job.wrap.max_rows = 1;
                        job.wrap.break_anywhere = true;
                        job.wrap.max_width = ui.available_width();
                        let text = format!("{}: {}", line.number, line.text);
                        let response = ui.add(egui::Label::new(job).selectable(false));
                        response.widget_info(|| WidgetInfo::labeled(Role::Label, true, &text));
                    }
                }
            }
        });
}

/// A position in the row for the checkbox: the left end of `rect`, and what is left.
pub(crate) fn split_for_checkbox(rect: Rect) -> (Rect, Rect) {
    let width = 20.0;
    let check = Rect::from_min_max(rect.min, pos2(rect.left() + width, rect.bottom()));
    let rest = Rect::from_min_max(pos2(rect.left() + width, rect.top()), rect.max);
    (check, rest)
}
