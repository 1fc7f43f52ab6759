//! Choosing a folder: the native dialog (rfd) on a background thread, and an in-window chooser
//! for when the native one cannot open.
//!
//! rfd's portal backend returns `None` at once when no desktop portal runs (bare X11, a server),
//! which looks exactly like a cancel. A person who closes a real dialog takes far longer than a
//! few hundred milliseconds, so an instant `None` is taken to mean "no dialog could be shown",
//! and the window says so and offers its own chooser. The dialog may block for as long as the
//! person keeps it open, so it never runs on the UI thread.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::app::job::{Job, Polled};

/// A `None` faster than this is taken as "the native dialog did not open".
const INSTANT_NONE: Duration = Duration::from_millis(400);

/// What the native dialog reported.
#[derive(Debug, PartialEq, Eq)]
pub enum PickOutcome {
    /// The person chose a folder (or, for a save dialog, a file).
    Picked(PathBuf),
    /// The person closed the dialog without choosing.
    Cancelled,
    /// No dialog could be shown (no portal, no zenity, a failure): offer the fallback.
    Unavailable,
}

/// A native dialog (folder or save) running on its own thread.
pub struct NativePicker {
    started: Instant,
    answer: Job<Option<PathBuf>>,
}

impl NativePicker {
    /// Opens the native folder dialog in the background, starting in `start_dir` when it
    /// exists; the window repaints when it returns. `None` when the thread could not even be
    /// started.
    pub fn open(start_dir: Option<PathBuf>, ctx: &egui::Context) -> Option<Self> {
        Self::run("trawl-folder-dialog", ctx, move || {
            let mut dialog = rfd::FileDialog::new().set_title("Folder to search");
            if let Some(dir) = start_dir.filter(|d| d.is_dir()) {
                // The portal takes the folder; rfd's zenity fallback only the file name,
                // which zenity opens inside a folder when it ends with a separator (the
                // portal ignores the name when picking a folder).
                dialog = dialog
                    .set_directory(&dir)
                    .set_file_name(dialog_start(&dir).to_string_lossy());
            }
            dialog.pick_folder()
        })
    }

    /// Runs `dialog` (any blocking rfd call that answers with a path) on a thread named
    /// `name`; the window repaints when it returns. `None` when the thread could not be
    /// started.
    pub fn run(
        name: &str,
        ctx: &egui::Context,
        dialog: impl FnOnce() -> Option<PathBuf> + Send + 'static,
    ) -> Option<Self> {
        let answer = Job::spawn(name, ctx, move |_| {
            // A panic inside the dialog library must not take the window with it.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(dialog))
                .ok()
                .flatten()
        })?;
        Some(NativePicker {
            started: Instant::now(),
            answer,
        })
    }

    /// The dialog's outcome once it has returned.
    pub fn poll(&self) -> Option<PickOutcome> {
        match self.answer.poll() {
            Polled::Done(Some(path)) => Some(PickOutcome::Picked(path)),
            Polled::Done(None) if self.started.elapsed() < INSTANT_NONE => {
                Some(PickOutcome::Unavailable)
            }
            Polled::Done(None) => Some(PickOutcome::Cancelled),
            Polled::Running | Polled::Update(_) => None,
            Polled::Lost => Some(PickOutcome::Unavailable),
        }
    }
}

/// The name given to the folder dialog for `dir`: the folder with a trailing separator. zenity
/// (rfd's dialog where no desktop portal runs) is told only this name (`--filename`), not the
/// starting folder; without it, or with a path without the separator, it opens at "Recent";
/// with one it opens inside the folder.
pub fn dialog_start(dir: &Path) -> PathBuf {
    // Joining an empty name adds the separator.
    dir.join("")
}

/// The in-window folder chooser: one folder's subfolders at a time, with "Up" and "Choose". A
/// click selects a subfolder, a double click opens it; "Choose this folder" chooses the
/// selected subfolder, or the folder shown when none is selected.
///
/// It lists a single folder when the person opens it, which is instant; it never walks a tree.
pub struct FolderChooser {
    current: PathBuf,
    subfolders: Vec<String>,
    /// The subfolder clicked last, in `subfolders`.
    selected: Option<usize>,
    problem: Option<String>,
    /// Where the chooser's window was last drawn.
    pub(crate) rect: Option<egui::Rect>,
}

/// What the person did in the chooser this frame.
pub enum ChooserAction {
    /// Nothing yet.
    Open,
    /// Chose this folder.
    Chosen(PathBuf),
    /// Closed it without choosing.
    Closed,
}

impl FolderChooser {
    /// A chooser showing `start` (or the home folder, or `/` when that is missing).
    pub fn new(start: Option<&Path>) -> Self {
        let start = start
            .filter(|p| p.is_dir())
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("/"));
        let mut chooser = FolderChooser {
            current: PathBuf::new(),
            subfolders: Vec::new(),
            selected: None,
            problem: None,
            rect: None,
        };
        chooser.enter(start);
        chooser
    }

    /// Shows `dir`'s subfolders, sorted, hidden ones last.
    fn enter(&mut self, dir: PathBuf) {
        self.subfolders.clear();
        self.selected = None;
        self.problem = None;
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                self.subfolders = entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                self.subfolders
                    .sort_by_key(|name| (name.starts_with('.'), name.to_lowercase()));
            }
            Err(err) => self.problem = Some(format!("{}: {err}", dir.display())),
        }
        self.current = dir;
    }

    /// The folder "Choose this folder" chooses: the selected subfolder, or the one shown.
    pub fn choice(&self) -> PathBuf {
        match self.selected.and_then(|i| self.subfolders.get(i)) {
            Some(name) => self.current.join(name),
            None => self.current.clone(),
        }
    }

    /// Draws the chooser in a window over the app.
    pub fn show(&mut self, ctx: &egui::Context) -> ChooserAction {
        let mut action = ChooserAction::Open;
        let mut go_to = None;
        let mut select = None;
        let mut open = true;
        let shown = egui::Window::new("Choose a folder")
            .open(&mut open)
            .collapsible(false)
            .default_width(460.0)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    if ui
                        .button("Up")
                        .on_hover_text("The folder above this one")
                        .clicked()
                        && let Some(parent) = self.current.parent()
                    {
                        go_to = Some(parent.to_path_buf());
                    }
                    ui.label(self.current.display().to_string());
                });
                if let Some(problem) = &self.problem {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
                ui.separator();
                egui::ScrollArea::vertical()
                    .max_height(300.0)
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        if self.subfolders.is_empty() && self.problem.is_none() {
                            ui.weak("(no subfolders)");
                        }
                        for (i, name) in self.subfolders.iter().enumerate() {
                            let row =
                                ui.selectable_label(self.selected == Some(i), format!("{name}/"));
                            if row.double_clicked() {
                                go_to = Some(self.current.join(name));
                            } else if row.clicked() {
                                select = Some(i);
                            }
                        }
                    });
                ui.weak("Click a folder to select it, double-click to open it.");
                ui.separator();
                ui.horizontal(|ui| {
                    let choice = self.choice();
                    if ui
                        .button("Choose this folder")
                        .on_hover_text(format!(
                            "Search {} (it fills the Folder field)",
                            choice.display()
                        ))
                        .clicked()
                    {
                        action = ChooserAction::Chosen(choice.clone());
                    }
                    if ui
                        .button("Cancel")
                        .on_hover_text("Close without choosing")
                        .clicked()
                    {
                        action = ChooserAction::Closed;
                    }
                });
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(format!("Chooses {}", self.choice().display()))
                            .small()
                            .weak(),
                    )
                    .truncate(),
                );
            });
        self.rect = shown.map(|shown| shown.response.rect);
        if let Some(i) = select {
            self.selected = Some(i);
        }
        if let Some(dir) = go_to {
            self.enter(dir);
        }
        if !open {
            action = ChooserAction::Closed;
        }
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dialog_starts_inside_the_folder() {
        // zenity opens a folder given with its trailing separator, not its parent's "Recent".
        let start = dialog_start(Path::new("/home/me/src"));
        assert!(
            start
                .as_os_str()
                .to_string_lossy()
                .ends_with(std::path::MAIN_SEPARATOR),
            "{}",
            start.display()
        );
        assert_eq!(start.components().count(), 4);
    }
}
