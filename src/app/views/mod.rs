//! The window's panels. Each is a function that borrows only the parts it draws and returns
//! what the person asked for as an action, which the app applies; none of them touches the
//! engine. Views depend on the parts' types; no part depends on a view.

pub(crate) mod editor_settings;
pub(crate) mod export;
pub(crate) mod options;
pub(crate) mod preview;
pub(crate) mod replace;
pub(crate) mod results_list;
pub(crate) mod search_bar;
pub(crate) mod status;

/// How a match is marked in a row and in the preview: the same colours in both, readable in
/// the dark and the light theme.
pub(crate) fn match_format(visuals: &egui::Visuals, font: egui::FontId) -> egui::TextFormat {
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
pub(crate) fn drop_overlay(ctx: &egui::Context) {
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
