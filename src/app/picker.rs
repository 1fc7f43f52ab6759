//! Choosing a folder: the native dialog (rfd) on a background thread, and an in-window chooser
//! for when the native one cannot open.
//!
//! rfd's portal backend returns `None` at once when no desktop portal runs (bare X11, a server),
//! which looks exactly like a cancel. A person who closes a real dialog takes far longer than a
//! few hundred milliseconds, so an instant `None` is taken to mean "no dialog could be shown",
//! and the window says so and offers its own chooser. The dialog may block for as long as the
//! person keeps it open, so it never runs on the UI thread.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
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
/// A folder is listed by a `Job`, never in a frame: a folder of 100,000 entries or a slow
/// network mount would stall the window. It never walks a tree.
pub struct FolderChooser {
    current: PathBuf,
    subfolders: Vec<String>,
    /// The subfolder clicked last, in `subfolders`.
    selected: Option<usize>,
    problem: Option<String>,
    /// The listing of `current` while it is being read; dropping it stops the read.
    reading: Option<Job<Listing>>,
    /// Where the chooser's window was last drawn.
    pub(crate) rect: Option<egui::Rect>,
}

/// A folder's subfolders as read by the chooser's job.
struct Listing {
    /// The folder listed (the start folder may fall back to home).
    dir: PathBuf,
    subfolders: Result<Vec<String>, String>,
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
    /// A chooser showing `start` (or the home folder, or `/` when that is not a folder), read
    /// in the background; `ctx` is woken when it has been read.
    pub fn new(start: Option<&Path>, ctx: &egui::Context) -> Self {
        let home = || {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/"))
        };
        let start = start.map(Path::to_path_buf);
        let mut chooser = FolderChooser {
            current: start.clone().unwrap_or_else(home),
            subfolders: Vec::new(),
            selected: None,
            problem: None,
            reading: None,
            rect: None,
        };
        chooser.read(ctx, move |cancel| {
            // Even whether the start is a folder is asked off the UI thread (a network mount).
            let dir = start.filter(|p| p.is_dir()).unwrap_or_else(home);
            list(dir, cancel)
        });
        chooser
    }

    /// Shows `dir` at once and its subfolders once they have been read.
    fn enter(&mut self, dir: PathBuf, ctx: &egui::Context) {
        self.current = dir.clone();
        self.read(ctx, move |cancel| list(dir, cancel));
    }

    /// Empties the listing and starts `work` reading the next one (dropping a read running).
    fn read(
        &mut self,
        ctx: &egui::Context,
        work: impl FnOnce(&AtomicBool) -> Listing + Send + 'static,
    ) {
        self.subfolders.clear();
        self.selected = None;
        self.problem = None;
        self.reading = Job::spawn("trawl-folder-list", ctx, work);
        if self.reading.is_none() {
            self.problem = Some(format!(
                "{}: could not start reading the folder",
                self.current.display()
            ));
        }
    }

    /// Whether the folder shown is still being read.
    pub fn is_reading(&self) -> bool {
        self.reading.is_some()
    }

    /// Takes the listing once it has been read.
    fn poll(&mut self) {
        let Some(job) = &self.reading else { return };
        match job.poll() {
            Polled::Running | Polled::Update(_) => return,
            Polled::Done(listing) => {
                match listing.subfolders {
                    Ok(subfolders) => self.subfolders = subfolders,
                    Err(problem) => self.problem = Some(problem),
                }
                self.current = listing.dir;
            }
            Polled::Lost => {
                self.problem = Some(format!(
                    "{}: reading the folder failed",
                    self.current.display()
                ));
            }
        }
        self.reading = None;
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
        self.poll();
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
                // Only the rows in view are laid out: a folder may hold 100,000 subfolders.
                let row_height = (ui.text_style_height(&egui::TextStyle::Button)
                    + 2.0 * ui.spacing().button_padding.y)
                    .max(ui.spacing().interact_size.y);
                let rows = self.subfolders.len();
                egui::ScrollArea::vertical()
                    .max_height(300.0)
                    .auto_shrink([false, false])
                    .show_rows(ui, row_height, rows, |ui, range| {
                        if self.reading.is_some() {
                            ui.weak("Reading…");
                        } else if rows == 0 && self.problem.is_none() {
                            ui.weak("(no subfolders)");
                        }
                        for i in range {
                            let Some(name) = self.subfolders.get(i) else {
                                break;
                            };
                            let row = ui.add(
                                egui::Button::selectable(
                                    self.selected == Some(i),
                                    format!("{name}/"),
                                )
                                .min_size(egui::vec2(0.0, row_height)),
                            );
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
            self.enter(dir, ctx);
        }
        if !open {
            action = ChooserAction::Closed;
        }
        action
    }
}

/// `dir`'s subfolders, sorted, hidden ones last; stops early when `cancel` is set (another
/// folder was entered, the chooser closed).
fn list(dir: PathBuf, cancel: &AtomicBool) -> Listing {
    let subfolders = match std::fs::read_dir(&dir) {
        Ok(entries) => {
            let mut names = Vec::new();
            for entry in entries.filter_map(Result::ok) {
                if cancel.load(Ordering::Relaxed) {
                    break;
                }
                // The entry's type needs no call for most; a link is followed to see a folder.
                let is_dir = entry.file_type().is_ok_and(|kind| {
                    kind.is_dir() || (kind.is_symlink() && entry.path().is_dir())
                });
                if is_dir {
                    names.push(entry.file_name().to_string_lossy().into_owned());
                }
            }
            names.sort_by_cached_key(|name| (name.starts_with('.'), name.to_lowercase()));
            Ok(names)
        }
        Err(err) => Err(format!("{}: {err}", dir.display())),
    };
    Listing { dir, subfolders }
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

    #[test]
    fn a_listing_has_the_subfolders_sorted_hidden_last_and_stops_when_cancelled() {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in [".git", "beta", "Alpha", "gamma"] {
            std::fs::create_dir(dir.path().join(name)).expect("mkdir");
        }
        std::fs::write(dir.path().join("file.rs"), "").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("beta"), dir.path().join("link"))
            .expect("symlink");
        let listing = list(dir.path().to_path_buf(), &AtomicBool::new(false));
        let mut expected = vec!["Alpha", "beta", "gamma"];
        if cfg!(unix) {
            expected.push("link");
        }
        expected.push(".git");
        assert_eq!(
            listing.subfolders,
            Ok(expected.into_iter().map(String::from).collect())
        );

        let cancelled = list(dir.path().to_path_buf(), &AtomicBool::new(true));
        assert_eq!(cancelled.subfolders, Ok(Vec::new()));

        let missing = list(dir.path().join("missing"), &AtomicBool::new(false));
        assert!(missing.subfolders.is_err());
    }
}

/// Choosing the folder to search, as one part: the native dialog while it is open, the
/// in-window chooser, and why the native dialog could not open. The window asks it to browse
/// and draws what it says; it hands back the folder chosen.
#[derive(Default)]
pub(crate) struct FolderPicking {
    native: Option<NativePicker>,
    /// Why the native dialog did not show (or that it failed), under the folder field.
    message: Option<String>,
    chooser: Option<FolderChooser>,
}

impl FolderPicking {
    /// Browse…: the native folder dialog in the background (or the in-window chooser, when
    /// `native` is off or the dialog's thread cannot start), starting in `start`.
    pub(crate) fn browse(&mut self, start: Option<PathBuf>, native: bool, ctx: &egui::Context) {
        if self.native.is_some() {
            return;
        }
        if !native {
            self.open_chooser(start.as_deref(), ctx);
            return;
        }
        self.native = NativePicker::open(start.clone(), ctx);
        if self.native.is_none() {
            self.message =
                Some("The folder dialog could not be started; use the built-in chooser.".into());
            self.open_chooser(start.as_deref(), ctx);
        }
    }

    /// The native dialog's answer once it has one: the folder chosen. A dialog that could not
    /// show says why and opens the in-window chooser at `start`.
    pub(crate) fn poll(&mut self, start: Option<&Path>, ctx: &egui::Context) -> Option<PathBuf> {
        let outcome = self.native.as_ref().and_then(NativePicker::poll)?;
        self.native = None;
        match outcome {
            PickOutcome::Picked(path) => {
                self.message = None;
                Some(path)
            }
            PickOutcome::Cancelled => None,
            PickOutcome::Unavailable => {
                self.message = Some(
                    "The system folder dialog could not open here (no desktop portal or dialog \
                     program). Type or paste the path above, drop a folder on the window, or use \
                     the built-in chooser."
                        .to_string(),
                );
                self.open_chooser(start, ctx);
                None
            }
        }
    }

    /// Opens the in-window chooser at `start`.
    pub(crate) fn open_chooser(&mut self, start: Option<&Path>, ctx: &egui::Context) {
        self.chooser = Some(FolderChooser::new(start, ctx));
    }

    /// Draws the in-window chooser when it is open; the folder chosen in it, if one was.
    pub(crate) fn show_chooser(&mut self, ctx: &egui::Context) -> Option<PathBuf> {
        let chooser = self.chooser.as_mut()?;
        match chooser.show(ctx) {
            ChooserAction::Open => None,
            ChooserAction::Chosen(path) => {
                self.message = None;
                self.chooser = None;
                Some(path)
            }
            ChooserAction::Closed => {
                self.chooser = None;
                None
            }
        }
    }

    /// The folder was set some other way (typed, dropped, a recent one): the native dialog's
    /// message no longer applies.
    pub(crate) fn folder_set_elsewhere(&mut self) {
        self.message = None;
    }

    pub(crate) fn close_chooser(&mut self) {
        self.chooser = None;
    }

    /// Whether the native dialog is open.
    pub(crate) fn is_browsing(&self) -> bool {
        self.native.is_some()
    }

    pub(crate) fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    pub(crate) fn chooser_open(&self) -> bool {
        self.chooser.is_some()
    }

    /// Where the chooser was last drawn, while it is open.
    pub(crate) fn chooser_rect(&self) -> Option<egui::Rect> {
        self.chooser.as_ref().and_then(|c| c.rect)
    }

    /// Whether the chooser is still reading the folder it shows.
    pub(crate) fn is_reading(&self) -> bool {
        self.chooser.as_ref().is_some_and(FolderChooser::is_reading)
    }
}
