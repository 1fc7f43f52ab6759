//! The preview panel under the results: a bar (show/hide, context lines, Edit file, Editor…,
//! the last editor error) and, when shown, the selected match in its file.

use egui::text::{LayoutJob, TextFormat};
use egui::{DragValue, Label, RichText, Role, Ui, WidgetInfo};

use crate::app::SavedState;
use crate::app::preview::{MAX_CONTEXT_LINES, Preview, PreviewLine, PreviewState};
use crate::app::views::results_list::OPEN_COPY_HOVER;

/// The panel is tall enough for up to this many lines; it can be made taller.
const MIN_HEIGHT_LINES: usize = 9;

/// What the preview's panels draw.
pub(crate) struct PreviewPanel<'a> {
    pub(crate) preview: &'a mut Preview,
    /// Whether the preview shows, its context lines and its height, which its bar changes.
    pub(crate) state: &'a mut SavedState,
    /// Which match is selected, if one is (Edit file can open it).
    pub(crate) selected: SelectedMatch,
    /// Why the editor could not be started last time.
    pub(crate) editor_error: Option<&'a str>,
}

/// What kind of match is selected: what Edit file does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SelectedMatch {
    /// No match (nothing, or a file's header).
    None,
    /// A match in a file: the editor opens the file.
    InFile,
    /// A match inside an archive: the editor opens a read-only copy of its member.
    InArchive,
}

/// What the person did in the preview's bar.
pub(crate) enum PreviewAction {
    /// Edit file: open the selected match in the editor.
    OpenInEditor,
    /// Editor…: open the editor settings.
    EditorSettings,
    DismissEditorError,
}

/// The preview's panels: a resizable one with the lines when the preview is shown, else
/// only its bar.
pub(crate) fn preview_panels(ui: &mut Ui, panel: PreviewPanel<'_>) -> Vec<PreviewAction> {
    let PreviewPanel {
        preview,
        state,
        selected,
        editor_error,
    } = panel;
    let mut actions = Vec::new();
    if state.show_preview {
        // The panel's height is the person's (drag its top edge), remembered between runs;
        // at first, the match and its context lines (up to a point) fit. At least three
        // lines show, and the list keeps a third of the window.
        let line_height = ui.text_style_height(&egui::TextStyle::Monospace);
        let lines = (2 * state.context_lines + 1).clamp(3, MIN_HEIGHT_LINES) as f32;
        let chrome = 60.0;
        let min = line_height * 4.0 + chrome;
        let max = (ui.available_height() * 0.66).max(min);
        let panel = egui::Panel::bottom("preview")
            .resizable(true)
            .min_size(min)
            .max_size(max)
            .default_size(line_height * (lines + 1.0) + chrome);
        // The remembered height, once the window has its size (the first frame may come
        // before): put where the panel keeps its size (egui's own memory of it may be
        // missing or older).
        if !preview.height_restored && ui.available_height() > 2.0 * min {
            preview.height_restored = true;
            if state.preview_height > 0 {
                let height = (state.preview_height as f32).clamp(min, max);
                let mut outer_rect = ui.max_rect();
                outer_rect.set_top(outer_rect.bottom() - height);
                let id = ui.scope_id().with("preview");
                ui.ctx().data_mut(|data| {
                    data.insert_persisted(id, egui::PanelState { outer_rect });
                });
            }
        }
        let shown = panel.show(ui, |ui| {
            // The panel is as tall as the person made it, whatever it shows: a panel takes
            // the height of its contents, and "Loading…" between two matches shrank it to
            // its minimum for good.
            ui.set_min_height(ui.max_rect().height());
            preview_bar(ui, state, selected, editor_error, &mut actions);
            ui.separator();
            preview_lines(ui, preview);
        });
        // Dragged by the person (its height changing while the button is held, which a
        // click elsewhere does not do): remembered, saved a moment after the drag.
        let height = shown.response.rect.height().round() as u32;
        let dragged = height != preview.panel_height
            && preview.panel_height > 0
            && ui.input(|i| i.pointer.primary_down());
        preview.panel_height = height;
        if preview.height_restored && dragged {
            state.preview_height = height;
        }
    } else {
        egui::Panel::bottom("preview_bar").show(ui, |ui| {
            preview_bar(ui, state, selected, editor_error, &mut actions)
        });
    }
    actions
}

fn preview_bar(
    ui: &mut Ui,
    state: &mut SavedState,
    selected: SelectedMatch,
    editor_error: Option<&str>,
    actions: &mut Vec<PreviewAction>,
) {
    ui.horizontal(|ui| {
        ui.toggle_value(&mut state.show_preview, "Preview")
            .on_hover_text("Show or hide the selected match in its file");
        if state.show_preview {
            let label = ui.label("Context lines");
            ui.add(DragValue::new(&mut state.context_lines).range(0..=MAX_CONTEXT_LINES))
                .labelled_by(label.id)
                .on_hover_text("Lines shown above and below the match");
        }
        let (label, hover) = if selected == SelectedMatch::InArchive {
            ("Open a read-only copy", OPEN_COPY_HOVER)
        } else {
            (
                "Edit file",
                "Open the selected match in the editor at its line and column \
                 (double-click or Enter)",
            )
        };
        if ui
            .add_enabled(selected != SelectedMatch::None, egui::Button::new(label))
            .on_hover_text(hover)
            .on_disabled_hover_text("Select a match first")
            .clicked()
        {
            actions.push(PreviewAction::OpenInEditor);
        }
        if ui
            .button("Editor…")
            .on_hover_text("Choose the command that opens a match in an editor")
            .clicked()
        {
            actions.push(PreviewAction::EditorSettings);
        }
        if let Some(error) = editor_error {
            if ui
                .small_button("Dismiss")
                .on_hover_text("Dismiss this message")
                .clicked()
            {
                actions.push(PreviewAction::DismissEditorError);
            }
            ui.add(Label::new(RichText::new(error).color(ui.visuals().error_fg_color)).wrap());
        }
    });
}

fn preview_lines(ui: &mut Ui, preview: &mut Preview) {
    // Set only when new lines arrive, so taking it here loses nothing.
    let scroll = std::mem::take(&mut preview.scroll_to_match);
    // The match's line goes in the middle of the panel when new lines arrive and whenever
    // the panel's height changes (a drag, more context lines).
    let viewport = ui.available_height();
    if scroll || (viewport - preview.viewport_height).abs() > 0.5 {
        // Twice: a scroll area clamps an offset to the size of what it showed the frame
        // before, which for new lines is the old ones (or "Loading…").
        preview.center_frames = 2;
    }
    preview.viewport_height = viewport;
    let center = preview.center_frames > 0;
    if center {
        preview.center_frames -= 1;
        ui.ctx().request_repaint();
    }
    let content = match preview.state() {
        PreviewState::Empty => {
            ui.weak("Select a match to see it in its file.");
            return;
        }
        PreviewState::Loading => {
            ui.weak("Loading…");
            return;
        }
        PreviewState::Failed(message) => {
            ui.colored_label(ui.visuals().warn_fg_color, message);
            return;
        }
        PreviewState::Ready(content) => content,
    };
    let target_line = preview.target().map(|t| t.line);
    let location = preview.target().map(|t| {
        format!(
            "{}:{}:{}",
            crate::app::results::shown_path(&t.path),
            t.line,
            t.column
        )
    });
    // A file that was not UTF-8 is shown decoded: its encoding is named, first so that a
    // long path cannot push it out of sight.
    let encoding = preview
        .target()
        .and_then(|t| t.encoding)
        .filter(|&e| e != encoding_rs::UTF_8);
    ui.horizontal(|ui| {
        if let Some(encoding) = encoding {
            ui.label(RichText::new(encoding.name()).small().strong())
                .on_hover_text(format!(
                    "The file is not UTF-8: it is shown decoded from {}, as it was searched",
                    encoding.name()
                ));
        }
        if let Some(location) = location {
            ui.add(Label::new(RichText::new(location).small().weak()).truncate());
        }
    });
    let digits = content
        .lines
        .last()
        .map_or(1, |l| l.number.to_string().len());
    let mono = egui::TextStyle::Monospace.resolve(ui.style());
    // Computed from the line height rather than asked of the scroll area, which took it
    // before the panel had its final height and left the line cut at the bottom.
    let viewport = ui.available_height();
    let line_height = ui.text_style_height(&egui::TextStyle::Monospace);
    let mut vertical = egui::ScrollArea::vertical()
        .id_salt("preview")
        .auto_shrink(false);
    let mut horizontal = egui::ScrollArea::horizontal()
        .id_salt("preview_text")
        .auto_shrink([false, true]);
    if center
        && let Some(at) = content
            .lines
            .iter()
            .position(|l| Some(l.number) == target_line)
    {
        let middle = (at as f32 + 0.5) * line_height;
        vertical = vertical.vertical_scroll_offset((middle - viewport / 2.0).max(0.0));
        if center {
            // The match itself, not only its line: it may lie far to the right. The font
            // is monospaced: its column is a number of glyph widths in.
            let (_, mark) = line_job(ui, &content.lines[at]);
            let char_width = ui.fonts_mut(|f| f.glyph_width(&mono, '0'));
            let x = mark.unwrap_or(0) as f32 * char_width;
            let width = ui.available_width();
            horizontal = horizontal.horizontal_scroll_offset((x - width / 3.0).max(0.0));
        }
    }
    vertical.show(ui, |ui| {
        ui.spacing_mut().item_spacing.y = 0.0;
        ui.horizontal_top(|ui| {
            // The numbers stay in sight while the text scrolls sideways.
            ui.vertical(|ui| {
                for line in &content.lines {
                    let color = if Some(line.number) == target_line {
                        ui.visuals().strong_text_color()
                    } else {
                        ui.visuals().weak_text_color()
                    };
                    let number = format!("{:>digits$}", line.number);
                    ui.add(Label::new(
                        RichText::new(number).font(mono.clone()).color(color),
                    ));
                }
            });
            horizontal.show(ui, |ui| {
                ui.vertical(|ui| {
                    ui.style_mut().interaction.selectable_labels = true;
                    for line in &content.lines {
                        let (job, _) = line_job(ui, line);
                        let galley = ui.painter().layout_job(job);
                        let response = ui.add(Label::new(galley).extend());
                        // Read out with its number, as the person sees the row.
                        response.widget_info(|| {
                            WidgetInfo::labeled(
                                Role::Label,
                                true,
                                format!("{}  {}", line.number, line.text),
                            )
                        });
                    }
                });
            });
        });
    });
}

/// The line with the match highlighted; also the character index where the match starts, to
/// scroll to it.
fn line_job(ui: &Ui, line: &PreviewLine) -> (LayoutJob, Option<usize>) {
    let visuals = ui.visuals();
    let mono = egui::TextStyle::Monospace.resolve(ui.style());
    let mut job = LayoutJob::default();
    let mut mark = None;
    let normal = TextFormat::simple(mono.clone(), visuals.text_color());
    match line.highlight.clone() {
        Some(range) if range.end <= line.text.len() => {
            let marked = super::match_format(visuals, mono);
            mark = Some(line.text[..range.start].chars().count());
            job.append(&line.text[..range.start], 0.0, normal.clone());
            job.append(&line.text[range.clone()], 0.0, marked);
            job.append(&line.text[range.end..], 0.0, normal);
        }
        _ => job.append(&line.text, 0.0, normal),
    }
    (job, mark)
}
