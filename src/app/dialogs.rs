//! The windows over the app (folder chooser, editor settings, export form, Replace's report
//! and history) as a stack: the one
//! opened or clicked last is on top, and Esc closes that one only.

/// The windows over the app that Esc closes, the topmost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialog {
    /// The in-window folder chooser.
    Chooser,
    /// The editor command's settings.
    EditorSettings,
    /// The in-window export form.
    Export,
    /// Replace's report of the last replace and undo.
    ReplaceReport,
    /// Replace's history of recorded replaces.
    ReplaceHistory,
}

/// One dialog as drawn in this frame.
pub(crate) struct Drawn {
    pub(crate) dialog: Dialog,
    /// Whether it is still open after this frame.
    pub(crate) open: bool,
    /// Where it was drawn.
    pub(crate) rect: Option<egui::Rect>,
}

/// The open dialogs in stacking order, and an Esc waiting for them to be drawn.
#[derive(Default)]
pub(crate) struct DialogStack {
    order: Vec<Dialog>,
    esc_pressed: bool,
}

impl DialogStack {
    /// Whether no dialog is open (Esc then cancels the search instead).
    pub(crate) fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Esc was pressed with a dialog open: the topmost closes once they are drawn, so that
    /// keys typed before the Esc reach their fields first.
    pub(crate) fn esc_pressed(&mut self) {
        self.esc_pressed = true;
    }

    /// After the dialogs are drawn: keeps the open ones in stacking order (the last opened or
    /// pressed on top) and returns the one an Esc closes, if any; the caller closes it.
    pub(crate) fn restack(&mut self, ctx: &egui::Context, drawn: &[Drawn]) -> Option<Dialog> {
        let open = |dialog: Dialog| drawn.iter().any(|d| d.dialog == dialog && d.open);
        self.order.retain(|&dialog| open(dialog));
        for drawn in drawn.iter().filter(|d| d.open) {
            let pressed_in = drawn.rect.is_some_and(|rect| {
                ctx.input(|i| {
                    i.pointer.any_pressed()
                        && i.pointer.interact_pos().is_some_and(|p| rect.contains(p))
                })
            });
            if pressed_in || !self.order.contains(&drawn.dialog) {
                self.order.retain(|&d| d != drawn.dialog);
                self.order.push(drawn.dialog);
            }
        }
        let close = if self.esc_pressed {
            self.order.pop()
        } else {
            None
        };
        self.esc_pressed = false;
        close
    }
}
