//! The window: an eframe app over the search engine.
//!
//! [`TrawlApp`] is a thin coordinator over parts it owns; what persists between runs is the
//! [`SavedState`] inside it. Data flows one way: the search bar's fields become a
//! [`SearchRequest`](crate::search::SearchRequest), the engine streams events (each file already
//! in the model's form, [`StoredFile`], made on the search thread), each frame takes in a
//! bounded slice of them into the [`ResultsModel`], and the views draw the model. The window
//! only talks back to the engine through "start" (replacing the handle, which cancels the old
//! search) and "cancel".
//!
//! The parts never depend on the views or on `TrawlApp`; a view is a function that borrows the
//! parts it draws and returns what the person asked for as an action enum, which `TrawlApp`
//! applies (`panels`). A new feature is a part (a module here, a field of `TrawlApp`), a view
//! (a file in `views/`) and the match arm in `panels` that applies its actions.
//!
//! - `session`: the search's lifecycle, one enum of phases (idle, compiling, waiting for the
//!   typing pause, running, finished, cancelled), and search as you type;
//! - `shown`: the results on screen, the selection and the list's scroll state; replaced only
//!   through `TrawlApp::replace_results`;
//! - [`state`]: persisted fields and their validation;
//! - [`results`]: the compact results model and its virtual row index;
//! - [`picker`]: choosing the folder (`FolderPicking`): the native folder and save dialogs
//!   off the UI thread, and the in-window folder chooser (its folders listed off the UI
//!   thread);
//! - `dialogs`: the windows over the app as a stack, the topmost closed by Esc;
//! - [`editor`]: opening a match in the person's editor (a command template, no shell);
//! - [`preview`]: the lines around the selected match, read off the UI thread;
//! - `member`: a match inside an archive, read back through the engine (and copied,
//!   read-only, for the editor);
//! - [`export`]: every shown match to a JSON Lines or CSV file, written on its own thread;
//! - `copy`: copying a location, a line, or every shown result (bounded);
//! - `replace` and `replace_after`: Replace: the replacement, what is unchecked, the write and
//!   the undo on jobs, and the selected match's lines after the change; `replacing` places
//!   its views and applies their actions;
//! - `job`: the one background-task type (layout, copy, export, preview, pattern, dialogs,
//!   the chooser's folder listing);
//! - `dispose`: freeing large values on a thread of its own, not in a frame;
//! - `views`: the panels (search bar, options, progress, results list, preview, errors, status
//!   line) and the export and editor-settings windows, as functions returning actions;
//! - `panels` and `keys`: the coordinator's frame (where each view goes, applying actions)
//!   and its keyboard shortcuts.

/// What export reads of the window, as a value that borrows only the fields it names (so that
/// `self.export` can be changed meanwhile).
macro_rules! export_source {
    ($app:expr) => {
        $crate::app::export::ExportSource {
            results: $app.shown.model.as_ref(),
            searching: $app.session.is_searching() || $app.session.typing_search_pending(),
            native_dialogs: $app.native_dialogs,
        }
    };
}

mod copy;
mod dialogs;
mod dispose;
pub mod editor;
pub mod editor_shells;
pub mod export;
mod job;
mod keys;
pub mod line_text;
mod member;
mod numbers;
mod panels;
pub mod picker;
pub mod preview;
mod replace;
mod replace_after;
mod replacing;
pub mod results;
mod session;
mod shown;
mod signals;
pub mod state;
mod views;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::search::Progress;

use dialogs::DialogStack;
pub use export::ExportFormat;
use picker::FolderPicking;
pub use picker::{FolderChooser, NativePicker, PickOutcome};
pub use results::{Ingest, ResultsModel, RowRef, SortOrder, StoredFile};
pub use session::{SearchPhase, TYPING_PAUSE};
use session::{SearchSession, SessionEvent, ShownNow, Trigger};
use shown::ShownResults;
pub use state::{
    InputCheck, InputErrors, LARGE_FOLDER_FILES, SavedState, SearchFields, ThemeChoice, Validation,
};

/// The window icon, also installed by `assets/trawl.desktop`.
const ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// How long the "Copied" notice stays.
const NOTICE_FOR: Duration = Duration::from_millis(1800);

/// The state is saved this long after its last change (and on exit): a pattern typed just
/// before the session ends or the process is killed is not lost, and typing does not write the
/// file on every key.
pub const SAVE_AFTER: Duration = Duration::from_secs(1);

/// The smallest window that shows every control: two rows of fields with Search, Cancel and
/// Options, the results toolbar in two rows, a few rows of results and the preview's bar.
pub const MIN_WINDOW_SIZE: [f32; 2] = [640.0, 440.0];

/// Opens the window (with `folder` filled in, when given) and returns when it is closed.
pub fn run(folder: Option<PathBuf>) -> ExitCode {
    // Before eframe starts a thread: they all inherit the mask.
    signals::hold();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("trawl")
        .with_app_id("trawl")
        .with_inner_size([1100.0, 740.0])
        .with_min_inner_size(MIN_WINDOW_SIZE)
        .with_drag_and_drop(true);
    // A broken icon is not worth refusing to start over.
    if let Ok(icon) = eframe::icon_data::from_png_bytes(ICON_PNG) {
        viewport = viewport.with_icon(Arc::new(icon));
    }
    let options = eframe::NativeOptions {
        viewport,
        persist_window: true,
        ..eframe::NativeOptions::default()
    };
    let result = eframe::run_native(
        "trawl",
        options,
        Box::new(move |cc| {
            signals::close_window_on_signal(cc.egui_ctx.clone());
            Ok(Box::new(TrawlApp::from_creation_context(cc, folder)))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!(
                "trawl: could not open the window: {err}\n\
                 (is a display available? The command line works without one: trawl DIR EXT PATTERN)"
            );
            ExitCode::from(2)
        }
    }
}

/// A short message at the bottom ("Copied …"), cleared after [`NOTICE_FOR`] (a warning stays
/// longer, [`WARNING_FOR`]).
struct Notice {
    text: String,
    shown: Instant,
    warning: bool,
}

/// How long a notice that warns stays: long enough to read a sentence.
const WARNING_FOR: Duration = Duration::from_secs(8);

impl Notice {
    /// Shows `text`, and asks for the frame that takes it away.
    fn show(ctx: &egui::Context, text: String) -> Self {
        ctx.request_repaint_after(NOTICE_FOR);
        Notice {
            text,
            shown: Instant::now(),
            warning: false,
        }
    }

    /// Shows `text` in the warning colour, for longer.
    fn warn(ctx: &egui::Context, text: String) -> Self {
        ctx.request_repaint_after(WARNING_FOR);
        Notice {
            text,
            shown: Instant::now(),
            warning: true,
        }
    }

    fn expired(&self) -> bool {
        let lasts = if self.warning {
            WARNING_FOR
        } else {
            NOTICE_FOR
        };
        self.shown.elapsed() >= lasts
    }
}

/// The whole window's state.
pub struct TrawlApp {
    state: SavedState,
    /// The search: the fields' check, search as you type, and the running or last search.
    session: SearchSession,
    /// The results on screen, how the list shows them, and the selection.
    shown: ShownResults,
    notice: Option<Notice>,
    /// Choosing the folder: the native dialog, the in-window chooser, and their message.
    picking: FolderPicking,
    /// The theme last handed to egui, to tell it again only when the choice changes.
    theme_applied: Option<ThemeChoice>,
    /// Steps of [`warm_glyphs`] still to run, one per frame.
    glyph_warming: u8,
    /// The selected match in its file.
    preview: preview::Preview,
    /// Opening a match in the editor: its default command, settings window, last error.
    editor: editor::Editor,
    /// Export: its dialog or form, the running export, how the last one ended.
    export: export::ExportUi,
    /// Copying: a copy being built, Copy all's refusal and limit.
    copier: copy::Copier,
    /// Replace: the field, what is unchecked, the write, the undo, the report.
    replace: replace::ReplaceUi,
    /// The selected match's lines after the replace.
    replace_after: replace_after::After,
    /// The open dialogs in stacking order.
    dialogs: DialogStack,
    /// Keyboard events held for the next frame (see [`TrawlApp::take_keys_in_turn`]).
    held_keys: Vec<egui::Event>,
    /// The window size last found under the minimum (and asked to grow), to ask once per size.
    undersized: Option<egui::Vec2>,
    /// The state as last seen, and when it last changed without being saved since.
    saving: (Option<SavedState>, Option<Instant>),
    /// Whether Browse… and Export… try the system's dialogs (tests turn them off: a real
    /// dialog would block them).
    native_dialogs: bool,
}

impl TrawlApp {
    /// An app over `state`, without eframe (tests, or a host that manages storage itself).
    pub fn new(state: SavedState) -> Self {
        let mut replace = replace::ReplaceUi::default();
        replace.template.clone_from(&state.replacement);
        replace.open = state.replace_open;
        TrawlApp {
            state,
            session: SearchSession::default(),
            shown: ShownResults::default(),
            notice: None,
            picking: FolderPicking::default(),
            theme_applied: None,
            glyph_warming: WARM_GLYPH_STEPS,
            preview: preview::Preview::default(),
            editor: editor::Editor::default(),
            export: export::ExportUi::default(),
            copier: copy::Copier::default(),
            replace,
            replace_after: replace_after::After::default(),
            dialogs: DialogStack::default(),
            held_keys: Vec::new(),
            undersized: None,
            saving: (None, None),
            native_dialogs: true,
        }
    }

    /// The app eframe starts: last run's state from eframe's storage, `folder` (from the command
    /// line) in the folder field when given.
    pub fn from_creation_context(
        cc: &eframe::CreationContext<'_>,
        folder: Option<PathBuf>,
    ) -> Self {
        let mut state = SavedState::load(cc.storage);
        if let Some(folder) = folder {
            let folder = std::path::absolute(&folder).unwrap_or(folder);
            state.folder = folder.display().to_string();
        }
        TrawlApp::new(state)
    }

    /// The persisted part of the state.
    pub fn state(&self) -> &SavedState {
        &self.state
    }

    /// The persisted part of the state, to change it (tests, drops).
    pub fn state_mut(&mut self) -> &mut SavedState {
        &mut self.state
    }

    /// The results on screen (`None` before the first search). While a new search has found
    /// nothing yet, these are still the previous search's.
    pub fn results(&self) -> Option<&ResultsModel> {
        self.shown.model.as_ref()
    }

    /// Whether the results on screen belong to an earlier search than the fields ask for: a
    /// new one is pending (typing), running without a result yet, or was cancelled early, or
    /// the fields changed since (search as you type off, a recent folder picked).
    pub fn results_outdated(&self) -> bool {
        self.shown.model.is_some()
            && (self.session.has_incoming()
                || self.session.showing_previous()
                || self.typing_search_pending()
                || self.fields_changed())
    }

    /// Whether the fields differ from those the shown results were searched with.
    pub fn fields_changed(&self) -> bool {
        self.shown.fields_changed(&self.state)
    }

    /// Sets how long search as you type waits after a change ([`TYPING_PAUSE`] by default):
    /// a test on a busy machine can make the pause long enough to look inside it.
    pub fn set_typing_pause(&mut self, pause: Duration) {
        self.session.set_typing_pause(pause);
    }

    /// Whether search as you type waits for the pause after a change to start a search.
    pub fn typing_search_pending(&self) -> bool {
        self.session.typing_search_pending()
    }

    /// The remembered file count of the folder in the field, when it is too large for search
    /// as you type ([`LARGE_FOLDER_FILES`] or more).
    pub fn folder_too_large_for_typing(&mut self) -> Option<u64> {
        self.session.folder_too_large_for_typing(&self.state)
    }

    /// Turns the system's file dialogs on or off: off, Browse… and Export… open the window's
    /// own chooser and form at once (tests, where a real dialog would block).
    pub fn set_native_dialogs(&mut self, on: bool) {
        self.native_dialogs = on;
    }

    /// Shows `model` as if a search had produced it, ending any running search (tests and
    /// benchmarks build large models directly).
    pub fn set_results(&mut self, mut model: ResultsModel) {
        self.session.clear(&mut self.state);
        model.refresh_layout(true);
        self.shown.list = shown::ListView::default();
        self.replace_results(Some(model), None);
    }

    /// The one place the results on screen are replaced (or removed): by a search's, by
    /// results set directly, or by nothing when a search cannot start. The old ones are freed
    /// off the UI thread; what was about them (the selection, the scroll position, a copy
    /// being built, its "too large" message) goes with them. The filter's text stays.
    fn replace_results(&mut self, model: Option<ResultsModel>, fields: Option<SearchFields>) {
        self.shown.replace(model, fields);
        self.copier.forget();
    }

    /// Applies what the search session asks of the shown results.
    fn apply_session(&mut self, event: Option<SessionEvent>) {
        match event {
            None => {}
            Some(SessionEvent::Started(first)) => {
                if let Some((model, fields)) = first {
                    self.replace_results(Some(model), Some(fields));
                }
                // The last export's outcome was about the results this search replaces.
                self.export.outcome = None;
            }
            Some(SessionEvent::Show(model, fields)) => {
                self.replace_results(Some(model), Some(fields));
            }
            Some(SessionEvent::CouldNotStart) => self.replace_results(None, None),
        }
    }

    /// Where the search stands: one phase.
    pub fn search_phase(&self) -> SearchPhase {
        self.session.phase()
    }

    /// Whether the built-in folder chooser is still reading the folder it shows (off the UI
    /// thread).
    pub fn is_reading_folder(&self) -> bool {
        self.picking.is_reading()
    }

    /// Whether the pattern typed last is still being compiled (off the UI thread).
    pub fn is_checking(&self) -> bool {
        self.session.is_checking()
    }

    /// Whether a search is running (or about to start, its pattern still compiling).
    pub fn is_searching(&self) -> bool {
        self.session.is_searching()
    }

    /// The running search's live counters (the progress line shows a per-frame copy of them);
    /// `None` when no search runs. Lets a benchmark watch them stop after a cancel.
    pub fn live_progress(&self) -> Option<Arc<Progress>> {
        self.session.live_progress()
    }

    /// Why the last search could not start, if it could not.
    pub fn start_error(&self) -> Option<&str> {
        self.session.start_error()
    }

    /// The selected row's item.
    pub fn selected(&self) -> Option<RowRef> {
        self.shown.selected
    }

    /// Why the editor could not be started, if the last attempt failed.
    pub fn editor_error(&self) -> Option<&str> {
        self.editor.error.as_deref()
    }

    /// Whether a match inside an archive is being copied out for the editor (off the UI
    /// thread; the editor starts when it is done).
    pub fn is_copying_for_editor(&self) -> bool {
        self.editor.is_copying()
    }

    /// What the preview panel shows.
    pub fn preview_state(&self) -> &preview::PreviewState {
        self.preview.state()
    }

    /// Starts a search with the current fields, replacing (and so cancelling) a running one.
    /// Does nothing when a field is invalid: the inline errors already say why.
    pub fn start_search(&mut self, ctx: &egui::Context) {
        let shown = ShownNow {
            any: self.shown.model.is_some(),
            filter: &self.shown.list.filter,
        };
        let event = self
            .session
            .start(ctx, &mut self.state, Trigger::Asked, shown);
        self.apply_session(event);
    }

    /// Asks the running search to stop (Esc, Cancel); the results found so far stay, and a
    /// search that found nothing yet shows that.
    pub fn cancel_search(&mut self) {
        self.session.cancel();
    }

    /// Takes in a bounded share of the running search's events.
    fn pump_results(&mut self, ctx: &egui::Context) {
        let event = self
            .session
            .pump(ctx, self.shown.model.as_mut(), &mut self.state);
        self.apply_session(event);
    }

    /// Puts text on the clipboard and shows the "Copied" notice.
    fn copy(&mut self, ctx: &egui::Context, text: String, what: &str) {
        let said = copy::put_on_clipboard(ctx, text, what);
        self.say(ctx, said);
    }

    /// Shows what a copy says in the notice.
    fn say(&mut self, ctx: &egui::Context, said: copy::Said) {
        match said {
            copy::Said::Nothing => {}
            copy::Said::Show(text) => self.notice = Some(Notice::show(ctx, text)),
            copy::Said::Warn(text) => self.notice = Some(Notice::warn(ctx, text)),
            copy::Said::Clear => self.notice = None,
        }
    }

    /// Copies every shown result (Copy all, Ctrl+Shift+C): built on a job; past the limit,
    /// the window offers Export instead.
    fn copy_all(&mut self, ctx: &egui::Context) {
        if let Some(results) = self.shown.model.as_ref() {
            let said = self.copier.copy_all(ctx, results);
            self.say(ctx, said);
        }
    }

    /// Copies the text of occurrence `index`'s line ("Copy line text").
    fn copy_line_text(&mut self, ctx: &egui::Context, index: usize) {
        if let Some(results) = self.shown.model.as_ref() {
            let said = self.copier.copy_line_text(ctx, results, index);
            self.say(ctx, said);
        }
    }

    /// Copies the selected row: a match's `path:line:column`, or a file header's path.
    fn copy_selection(&mut self, ctx: &egui::Context) {
        if let Some(results) = self.shown.model.as_ref() {
            let said = copy::copy_selection(ctx, results, self.shown.selected);
            self.say(ctx, said);
        }
    }

    /// Opens occurrence `index` in the editor; a failure is shown under the results until the
    /// next attempt.
    fn open_in_editor(&mut self, ctx: &egui::Context, index: usize) {
        let Some(results) = self.shown.model.as_ref() else {
            return;
        };
        if let Some(text) = self
            .editor
            .open(&self.state.editor_command, results, index, ctx)
        {
            self.notice = Some(Notice::show(ctx, text));
        }
    }

    /// Opens the selected row when it is a match (Enter, the preview's button).
    fn open_selected_in_editor(&mut self, ctx: &egui::Context) {
        if let Some(RowRef::Match(index)) = self.shown.selected {
            self.open_in_editor(ctx, index);
        }
    }

    /// Copy all's text would take at least this many bytes, past the clipboard's limit: the
    /// window says so and offers Export (cleared by the next copy or by dismissing it).
    pub fn copy_too_large(&self) -> Option<u64> {
        self.copier.too_large
    }

    /// Sets the most text Copy all puts on the clipboard (64 MiB by default):
    /// tests try the limit on small results.
    pub fn set_copy_limit(&mut self, bytes: usize) {
        self.copier.limit = bytes;
    }

    /// Whether a copy is waiting for lines to be read back from their files.
    pub fn is_copying(&self) -> bool {
        self.copier.is_copying()
    }

    /// The minimum size is a hint to the window manager; without one (a bare X server) the
    /// window can be made smaller than its controls need: it asks to grow back, once per size.
    fn keep_minimum_size(&mut self, ctx: &egui::Context) {
        let size = ctx
            .input(|i| i.viewport().inner_rect.map(|r| r.size()))
            .unwrap_or_else(|| ctx.content_rect().size());
        let min = egui::Vec2::from(MIN_WINDOW_SIZE);
        if (size.x + 0.5 < min.x || size.y + 0.5 < min.y) && self.undersized != Some(size) {
            self.undersized = Some(size);
            ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(size.max(min)));
        }
    }

    /// A folder or file dropped on the window fills the folder field (a file's folder).
    fn take_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.first().map(|f| f.path().to_path_buf()));
        if let Some(path) = dropped {
            let folder = if path.is_dir() {
                path
            } else {
                path.parent()
                    .map(std::path::Path::to_path_buf)
                    .unwrap_or(path)
            };
            self.state.folder = folder.display().to_string();
            self.picking.folder_set_elsewhere();
        }
    }

    /// Takes the native dialog's answer once it has one.
    fn poll_picker(&mut self, ctx: &egui::Context) {
        if let Some(folder) = self.picking.poll(self.state.root().as_deref(), ctx) {
            self.state.folder = folder.display().to_string();
        }
    }

    /// Opens the native folder dialog in the background.
    fn browse(&mut self, ctx: &egui::Context) {
        self.picking
            .browse(self.state.root(), self.native_dialogs, ctx);
    }
}

impl TrawlApp {
    /// Why Export is unavailable now, or `None` when it can start.
    pub fn export_blocked(&self) -> Option<&'static str> {
        self.export.blocked(export_source!(self))
    }

    /// Whether an export is being written.
    pub fn is_exporting(&self) -> bool {
        self.export.is_exporting()
    }

    /// How far the running export is, from 0 to 1.
    pub fn export_progress(&self) -> Option<f32> {
        self.export.progress()
    }

    /// How the last export ended ("Exported N matches to PATH", or why it failed).
    pub fn export_outcome(&self) -> Option<&str> {
        self.export.outcome_text()
    }

    /// Whether the in-window export form is open.
    pub fn export_form_open(&self) -> bool {
        self.export.form.is_some()
    }

    /// Export…: the system's save dialog (off the UI thread), or the in-window form when it
    /// cannot open. When export is unavailable the notice says why.
    pub fn open_export(&mut self, ctx: &egui::Context) {
        if let Err(reason) = self.export.open(ctx, export_source!(self)) {
            self.notice = Some(Notice::show(ctx, reason.to_string()));
        }
    }

    /// Starts writing every match to `path` in `format`, without any dialog (the dialog and
    /// the form end here). Progress shows in the toolbar; the outcome under it.
    pub fn export_to(
        &mut self,
        ctx: &egui::Context,
        path: PathBuf,
        format: ExportFormat,
    ) -> Result<(), String> {
        self.export
            .export_to(ctx, export_source!(self), path, format)
    }

    /// Stops the running export; the target is left as it was.
    pub fn cancel_export(&mut self) {
        self.export.cancel();
    }
}

/// The fonts the results use, times egui's four sub-pixel offsets: [`warm_glyphs`]' steps.
const WARM_GLYPH_STEPS: u8 = 12;

/// Lays out every printable ASCII character in one of the fonts the results use at one
/// sub-pixel offset (`step` picks which, below [`WARM_GLYPH_STEPS`]). egui rasterises a glyph
/// the first time it is laid out at each of four offsets: the first frame with results,
/// showing most of them at once, took 15-18 ms of UI time for that alone. All of it at once
/// takes about 45 ms, so the first frames after the start take a step each (about 4 ms).
fn warm_glyphs(ui: &egui::Ui, step: u8) {
    let style = match step / 4 {
        0 => egui::TextStyle::Monospace,
        1 => egui::TextStyle::Body,
        _ => egui::TextStyle::Small,
    };
    let printable: String = (' '..='~').collect();
    let mut job = egui::text::LayoutJob::simple_singleline(
        printable,
        style.resolve(ui.style()),
        egui::Color32::WHITE,
    );
    if let Some(section) = job.sections.first_mut() {
        section.leading_space = f32::from(step % 4) * 0.25;
    }
    let _ = ui.painter().layout_job(job);
}

/// Whether `event` moves the focus or acts on a field as a whole: keys after it belong to the
/// field that has the focus afterwards, keys before it to the one that has it before.
fn moves_focus(event: &egui::Event) -> bool {
    use egui::Key;
    match event {
        egui::Event::PointerButton { pressed: true, .. } => true,
        egui::Event::Key {
            key,
            pressed: true,
            modifiers,
            ..
        } => {
            // Not Tab: egui moves the focus for it before the app sees the frame's events.
            matches!(key, Key::Escape | Key::Enter)
                || (modifiers.command && matches!(key, Key::F | Key::S | Key::Q | Key::H))
        }
        _ => false,
    }
}

/// The keyboard's events (the pointer's are taken in from the whole frame's input by egui
/// before the app runs, so they stay where they are).
fn is_keyboard(event: &egui::Event) -> bool {
    matches!(
        event,
        egui::Event::Key { .. }
            | egui::Event::Text(_)
            | egui::Event::Copy
            | egui::Event::Cut
            | egui::Event::Paste(_)
            | egui::Event::Ime(_)
    )
}

impl TrawlApp {
    /// Gives this frame the keys up to the first event that moves the focus (a click, Ctrl+F,
    /// Esc, Enter), holding the rest for the next frame: keys typed fast arrive several in
    /// one frame, and egui gives all of a frame's text to the field focused when it is drawn
    /// (a field clicked in the frame takes none of it, and an Esc drops the focus before any
    /// field is drawn). Text typed right after a click then reaches the clicked field, text
    /// typed before Ctrl+F stays in its field and after it goes to the pattern, and the last
    /// characters typed before Esc closes a window reach its field. Called by eframe on each
    /// frame's input ([`eframe::App::raw_input_hook`]), before egui reads it. Pointer events
    /// stay where they are: egui has taken them in for the whole frame.
    fn take_keys_in_turn(&mut self, events: &mut Vec<egui::Event>) {
        if !self.held_keys.is_empty() {
            let mut held = std::mem::take(&mut self.held_keys);
            held.append(events);
            *events = held;
        }
        let Some(at) = events.iter().position(moves_focus) else {
            return;
        };
        // A key that moves the focus after other keys waits for the next frame itself, so
        // that they reach the field focused now; one that comes first is taken now.
        let keys_before = events[..at].iter().any(is_keyboard);
        let cut = if is_keyboard(&events[at]) && keys_before {
            at
        } else {
            at + 1
        };
        if !events[cut..].iter().any(is_keyboard) {
            return;
        }
        let mut kept = Vec::with_capacity(events.len());
        for (i, event) in std::mem::take(events).into_iter().enumerate() {
            if i >= cut && is_keyboard(&event) {
                self.held_keys.push(event);
            } else {
                kept.push(event);
            }
        }
        *events = kept;
    }
}

impl TrawlApp {
    /// Notes a change of the saved state, and asks for the frame that saves it.
    fn watch_for_changes(&mut self, ctx: &egui::Context) {
        let (seen, changed) = &mut self.saving;
        match seen {
            Some(seen) if *seen != self.state => {
                seen.clone_from(&self.state);
                *changed = Some(Instant::now());
            }
            Some(_) => {}
            // The state as loaded is saved already.
            None => *seen = Some(self.state.clone()),
        }
        // The frame at the due time saves (see `ui`).
        if let Some(changed) = changed {
            let wait = (*changed + SAVE_AFTER).saturating_duration_since(Instant::now());
            if !wait.is_zero() {
                ctx.request_repaint_after(wait);
            }
        }
    }

    /// Writes the state to `storage` once [`SAVE_AFTER`] has passed since its last change
    /// (eframe also saves it on exit). Returns whether it wrote it.
    pub fn save_if_due(&mut self, storage: &mut dyn eframe::Storage) -> bool {
        let due = self
            .saving
            .1
            .is_some_and(|changed| changed.elapsed() >= SAVE_AFTER);
        if due {
            self.state.store(storage);
            storage.flush();
            self.saving.1 = None;
        }
        due
    }

    /// Whether a change of the state waits to be saved.
    pub fn unsaved_changes(&self) -> bool {
        self.saving.1.is_some()
    }
}

impl eframe::App for TrawlApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        if !self.held_keys.is_empty() {
            // The keys held back by `raw_input_hook` come in the next frame.
            ctx.request_repaint();
        }
        if self.theme_applied != Some(self.state.theme) {
            ctx.set_theme(self.state.theme.preference());
            self.theme_applied = Some(self.state.theme);
        }
        if self.glyph_warming > 0 {
            self.glyph_warming -= 1;
            warm_glyphs(ui, self.glyph_warming);
            ctx.request_repaint();
        }
        self.keep_minimum_size(&ctx);
        self.take_dropped_files(&ctx);
        self.poll_picker(&ctx);
        // Before the results: a new search stops the export before its model can be replaced.
        self.export.pump(&ctx, export_source!(self));
        // Esc and the bar's Cancel before this frame's intake of results: a cancel then
        // reaches the engine at once, not after the frame's share of results is taken in.
        self.handle_keys(&ctx);
        self.show_search_bar(ui);
        self.pump_results(&ctx);
        let shown = ShownNow {
            any: self.shown.model.is_some(),
            filter: &self.shown.list.filter,
        };
        let event = self.session.poll_compiling(&ctx, &mut self.state, shown);
        self.apply_session(event);
        let said = self.copier.poll(&ctx);
        self.say(&ctx, said);
        if let Some(text) = self.editor.poll() {
            self.notice = Some(Notice::show(&ctx, text));
        }
        if let Some(results) = self.shown.model.as_mut()
            && results.poll_layout()
        {
            // The rows moved under the selection: keep it in view.
            self.shown.list.scroll_to_selection = self.shown.selected.is_some();
        }
        if self.notice.as_ref().is_some_and(Notice::expired) {
            self.notice = None;
        }
        self.show_results(ui);
        // After the views, so that a change made in this frame starts its pause now: no
        // further frame may come until the next input.
        let shown = ShownNow {
            any: self.shown.model.is_some(),
            filter: &self.shown.list.filter,
        };
        let event = self
            .session
            .search_as_you_type(&ctx, &mut self.state, shown);
        self.apply_session(event);
        // A cancel pressed in this frame comes after this frame's intake: look again at the
        // next frame rather than at the next progress refresh, so "Cancelled" shows at once.
        if self.session.cancel_pending() {
            ctx.request_repaint();
        }
        self.watch_for_changes(&ctx);
        match frame.storage_mut() {
            Some(storage) => {
                self.save_if_due(storage);
            }
            // Nowhere to save (no data folder, tests): nothing waits for it.
            None if self
                .saving
                .1
                .is_some_and(|changed| changed.elapsed() >= SAVE_AFTER) =>
            {
                self.saving.1 = None;
            }
            None => {}
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.state.store(storage);
        self.saving = (Some(self.state.clone()), None);
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        self.take_keys_in_turn(&mut raw_input.events);
    }
}
