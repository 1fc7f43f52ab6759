//! The window: an eframe app over the search engine.
//!
//! One struct, [`TrawlApp`], holds all the window's state; what persists between runs is the
//! [`SavedState`] inside it. Data flows one way: the search bar builds a
//! [`SearchRequest`](crate::search::SearchRequest), the engine streams events (each file already
//! in the model's form, [`StoredFile`], made on the search thread), each frame takes in a
//! bounded slice of them into the [`ResultsModel`], and the views draw the model. The window
//! only talks back to the engine through "start" (replacing the handle, which cancels the old
//! search) and "cancel".
//!
//! - [`state`]: persisted fields and their validation;
//! - [`results`]: the compact results model and its virtual row index;
//! - [`picker`]: the native folder and save dialogs off the UI thread, and the in-window
//!   folder chooser (its folders listed off the UI thread);
//! - [`editor`]: opening a match in the person's editor (a command template, no shell);
//! - [`preview`]: the lines around the selected match, read off the UI thread;
//! - [`export`]: every shown match to a JSON Lines or CSV file, written on its own thread;
//! - `job`: the one background-task type (layout, copy, export, preview, pattern, dialogs,
//!   the chooser's folder listing);
//! - `dispose`: freeing large values on a thread of its own, not in a frame;
//! - `views`: the panels (search bar, options, progress, results list, preview, errors, status
//!   line) and the export and editor-settings windows.

mod copy;
mod dispose;
pub mod editor;
pub mod editor_shells;
pub mod export;
mod job;
pub mod line_text;
pub mod picker;
pub mod preview;
pub mod results;
mod signals;
pub mod state;
mod views;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::search::{Progress, ProgressSnapshot, Queued, SearchHandle, Summary, start_prepared};

pub use export::ExportFormat;
pub use picker::{FolderChooser, NativePicker, PickOutcome};
pub use results::{Ingest, ResultsModel, RowRef, SortOrder, StoredFile};
pub use state::{
    InputCheck, InputErrors, LARGE_FOLDER_FILES, SavedState, SearchFields, ThemeChoice, Validation,
};

/// What a search that ended (with `summary`, or dropped without one) tells search as you type
/// about its folder's size: a complete count, or a partial one that already shows the folder
/// is large (a folder whose searches are always replaced would otherwise never be known).
fn file_count_to_remember(summary: Option<&Summary>, files_found: u64) -> Option<u64> {
    match summary {
        Some(summary) if !summary.cancelled => Some(summary.files_searched),
        _ => Some(files_found).filter(|&n| n >= LARGE_FOLDER_FILES),
    }
}

/// The window icon, also installed by `assets/trawl.desktop`.
const ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// At most this long per frame goes to taking in results, so that the window keeps drawing at
/// a steady rate however fast the engine finds matches.
const INGEST_BUDGET: Duration = Duration::from_millis(6);

/// The budget once the engine has finished and only its queued results are left: the search
/// threads no longer want the CPU, so the backlog drains faster while frames stay under 16 ms.
const INGEST_BUDGET_DRAINING: Duration = Duration::from_millis(8);

/// How often the progress line is refreshed while a search runs without sending results.
const PROGRESS_REFRESH: Duration = Duration::from_millis(50);

/// How long the "Copied" notice stays.
const NOTICE_FOR: Duration = Duration::from_millis(1800);

/// The state is saved this long after its last change (and on exit): a pattern typed just
/// before the session ends or the process is killed is not lost, and typing does not write the
/// file on every key.
pub const SAVE_AFTER: Duration = Duration::from_secs(1);

/// Search as you type waits this long after the last change: long enough that a word typed
/// at a normal pace starts one search, short enough to feel immediate.
pub const TYPING_PAUSE: Duration = Duration::from_millis(300);

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

/// The running or last search, as the progress line shows it.
struct ActiveSearch {
    /// `None` once the search has ended (the handle is dropped then).
    handle: Option<SearchHandle<StoredFile>>,
    started: Instant,
    /// The counters when the search ended, frozen for display.
    last: ProgressSnapshot,
    ended_after: Option<Duration>,
    /// The searched root as [`SavedState::root`] gives it, to remember its file count.
    root: String,
    /// The search ended by a cancel (its progress bar stays where it stopped).
    cancelled: bool,
    /// Where the progress bar stood before the search's end, for a cancelled search (its
    /// final counters count the file it stopped in as searched).
    fraction_before_end: f32,
    /// The fields it searched with: its results are stale once the fields differ.
    fields: SearchFields,
}

/// The windows over the app that Esc closes, the topmost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialog {
    /// The in-window folder chooser.
    Chooser,
    /// The editor command's settings.
    EditorSettings,
    /// The in-window export form.
    Export,
}

/// What started a search: history and search as you type treat them differently.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trigger {
    /// Enter, the Search button, or a caller of [`TrawlApp::start_search`].
    Asked,
    /// A pause after typing, with search as you type on.
    Typing,
}

/// A search about to start.
#[derive(Clone, Copy)]
enum PendingStart {
    /// Asked for while its pattern compiles (off the UI thread): it starts once it has.
    Compiling(Trigger),
    /// Search as you type waits until then after the last change.
    TypingPause(Instant),
}

/// Where the search the fields ask for stands, as the window shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchPhase {
    /// No search has run (or the results were set directly).
    Idle,
    /// Asked for; its pattern still compiles.
    Compiling,
    /// Search as you type waits for the pause after the last change.
    WaitingForPause,
    /// The engine is searching (or its last results are still coming in).
    Running,
    /// The last search ended with its complete results.
    Finished,
    /// The last search was cancelled.
    Cancelled,
}

/// Search as you type: what the fields were, and when the pause after a change ends.
struct TypingSearch {
    /// How long to wait after a change ([`TYPING_PAUSE`]).
    pause: Duration,
    /// The fields as last seen, to notice a change.
    seen: Option<SearchFields>,
    /// The history entry the last search started by typing recorded: typing on replaces it.
    recorded: Option<SearchFields>,
    /// The folder field and its remembered file count, looked up again only when the field
    /// changes (it runs every frame).
    folder_count: Option<(String, Option<u64>)>,
}

impl Default for TypingSearch {
    fn default() -> Self {
        TypingSearch {
            pause: TYPING_PAUSE,
            seen: None,
            recorded: None,
            folder_count: None,
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

/// Where the results list was scrolled last frame, to keep a keyboard selection in view, and
/// the filter box's text (kept across searches, as VS Code keeps its filters).
#[derive(Default)]
struct ListView {
    filter: String,
    offset: f32,
    height: f32,
    scroll_to_selection: bool,
    /// With `scroll_to_selection`: keep the selected match's file header in view too.
    show_header: bool,
    /// The results toolbar's actions and filter group, as wide as last drawn: where they fit.
    toolbar_widths: [f32; 2],
    /// Rows per page, for Page Up/Down.
    page_rows: usize,
}

impl ListView {
    /// For a new set of results: back to the top, the filter (and the toolbar's widths) kept.
    fn new_results(&mut self) {
        *self = ListView {
            filter: std::mem::take(&mut self.filter),
            toolbar_widths: self.toolbar_widths,
            ..ListView::default()
        };
    }
}

/// The whole window's state.
pub struct TrawlApp {
    state: SavedState,
    check: InputCheck,
    search: Option<ActiveSearch>,
    results: Option<ResultsModel>,
    /// Why the last search could not start (shown instead of results).
    start_error: Option<String>,
    selected: Option<RowRef>,
    list: ListView,
    notice: Option<Notice>,
    picker: Option<NativePicker>,
    /// Explains why the native dialog did not show (or that it failed).
    picker_message: Option<String>,
    chooser: Option<FolderChooser>,
    /// Enter was pressed while a field was empty or invalid: from then on an empty field's
    /// message shows too (at first its hint says what to type), until a search starts.
    tried_empty_search: bool,
    /// A search about to start: its pattern compiling, or search as you type's pause.
    pending: Option<PendingStart>,
    /// The running search's model until it has something to show. Until then the previous
    /// results stay on screen, so the list never flickers empty between searches.
    incoming: Option<ResultsModel>,
    /// The shown results are those of an earlier search: a newer one was cancelled before it
    /// found anything.
    showing_previous: bool,
    /// The fields the shown results were searched with (`None` for results set directly).
    results_fields: Option<SearchFields>,
    /// The person cancelled the running search (Esc, Cancel): if it found nothing, its empty
    /// result replaces the previous ones, which belong to other fields.
    cancel_asked: bool,
    typing: TypingSearch,
    /// The theme last handed to egui, to tell it again only when the choice changes.
    theme_applied: Option<ThemeChoice>,
    /// Steps of [`warm_glyphs`] still to run, one per frame.
    glyph_warming: u8,
    /// The selected match in its file.
    preview: preview::Preview,
    /// The editor command used when none is set, from the environment at start.
    default_editor: String,
    /// The "Editor settings" window is open.
    editor_settings_open: bool,
    /// Why the editor could not be started last time (shown until the next attempt).
    editor_error: Option<String>,
    /// Export: its dialog or form, the running export, how the last one ended.
    export: export::ExportUi,
    /// A copy being built, its long lines read back from their files.
    copy_job: Option<copy::CopyJob>,
    /// Copy all refused: its text would take at least this many bytes.
    copy_too_large: Option<u64>,
    /// The most text Copy all puts on the clipboard.
    copy_limit: usize,
    /// The open dialogs, the topmost last.
    dialogs: Vec<Dialog>,
    /// Esc was pressed with a dialog open: the topmost closes once they are drawn.
    esc_for_dialogs: bool,
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
        TrawlApp {
            state,
            check: InputCheck::default(),
            search: None,
            results: None,
            start_error: None,
            selected: None,
            list: ListView::default(),
            notice: None,
            picker: None,
            picker_message: None,
            chooser: None,
            tried_empty_search: false,
            pending: None,
            incoming: None,
            showing_previous: false,
            results_fields: None,
            cancel_asked: false,
            typing: TypingSearch::default(),
            theme_applied: None,
            glyph_warming: WARM_GLYPH_STEPS,
            preview: preview::Preview::default(),
            default_editor: editor::default_template(),
            editor_settings_open: false,
            editor_error: None,
            export: export::ExportUi::default(),
            copy_job: None,
            copy_too_large: None,
            copy_limit: copy::COPY_LIMIT,
            dialogs: Vec::new(),
            esc_for_dialogs: false,
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
        self.results.as_ref()
    }

    /// Whether the results on screen belong to an earlier search than the fields ask for: a
    /// new one is pending (typing), running without a result yet, or was cancelled early, or
    /// the fields changed since (search as you type off, a recent folder picked).
    pub fn results_outdated(&self) -> bool {
        self.results.is_some()
            && (self.incoming.is_some()
                || self.showing_previous
                || self.typing_search_pending()
                || self.fields_changed())
    }

    /// Whether the fields differ from those the shown results were searched with.
    pub fn fields_changed(&self) -> bool {
        self.results_fields
            .as_ref()
            .is_some_and(|fields| !fields.same_as(&self.state))
    }

    /// Sets how long search as you type waits after a change ([`TYPING_PAUSE`] by default):
    /// a test on a busy machine can make the pause long enough to look inside it.
    pub fn set_typing_pause(&mut self, pause: Duration) {
        self.typing.pause = pause;
    }

    /// Whether search as you type waits for the pause after a change to start a search.
    pub fn typing_search_pending(&self) -> bool {
        matches!(self.pending, Some(PendingStart::TypingPause(_)))
    }

    /// The remembered file count of the folder in the field, when it is too large for search
    /// as you type ([`LARGE_FOLDER_FILES`] or more).
    pub fn folder_too_large_for_typing(&mut self) -> Option<u64> {
        let stale = self
            .typing
            .folder_count
            .as_ref()
            .is_none_or(|(typed, _)| *typed != self.state.folder);
        if stale {
            let count = self
                .state
                .root()
                .and_then(|root| self.state.file_count(&root.display().to_string()));
            self.typing.folder_count = Some((self.state.folder.clone(), count));
        }
        self.typing
            .folder_count
            .as_ref()
            .and_then(|(_, count)| *count)
            .filter(|&files| files >= LARGE_FOLDER_FILES)
    }

    /// Turns the system's file dialogs on or off: off, Browse… and Export… open the window's
    /// own chooser and form at once (tests, where a real dialog would block).
    pub fn set_native_dialogs(&mut self, on: bool) {
        self.native_dialogs = on;
    }

    /// Shows `model` as if a search had produced it, ending any running search (tests and
    /// benchmarks build large models directly).
    pub fn set_results(&mut self, mut model: ResultsModel) {
        self.stop_compiling_start();
        self.end_search();
        if let Some(unshown) = self.incoming.take() {
            dispose::dispose(unshown);
        }
        model.refresh_layout(true);
        self.list = ListView::default();
        self.replace_results(Some(model), None);
        self.start_error = None;
    }

    /// The one place the results on screen are replaced (or removed): by a search's, by
    /// results set directly, or by nothing when a search cannot start. The old ones are freed
    /// off the UI thread; what was about them (the selection, the scroll position, a copy
    /// being built, its "too large" message) goes with them. The filter's text stays.
    fn replace_results(&mut self, model: Option<ResultsModel>, fields: Option<SearchFields>) {
        if let Some(old) = std::mem::replace(&mut self.results, model) {
            dispose::dispose(old);
        }
        self.results_fields = fields;
        self.selected = None;
        self.list.new_results();
        self.showing_previous = false;
        self.copy_job = None;
        self.copy_too_large = None;
    }

    /// Where the search stands: one phase, from the pending start and the last search.
    pub fn search_phase(&self) -> SearchPhase {
        match (self.pending, &self.search) {
            (Some(PendingStart::Compiling(_)), _) => SearchPhase::Compiling,
            (Some(PendingStart::TypingPause(_)), _) => SearchPhase::WaitingForPause,
            (None, Some(search)) if search.handle.is_some() => SearchPhase::Running,
            (None, Some(search)) if search.cancelled => SearchPhase::Cancelled,
            (None, Some(_)) => SearchPhase::Finished,
            (None, None) => SearchPhase::Idle,
        }
    }

    /// Forgets a start that waits for its pattern to compile (a pause of search as you type
    /// stays: it is a later start).
    fn stop_compiling_start(&mut self) {
        if matches!(self.pending, Some(PendingStart::Compiling(_))) {
            self.pending = None;
        }
    }

    /// Whether the built-in folder chooser is still reading the folder it shows (off the UI
    /// thread).
    pub fn is_reading_folder(&self) -> bool {
        self.chooser.as_ref().is_some_and(FolderChooser::is_reading)
    }

    /// Whether the pattern typed last is still being compiled (off the UI thread).
    pub fn is_checking(&self) -> bool {
        self.check.is_pending()
    }

    /// Whether a search is running (or about to start, its pattern still compiling).
    pub fn is_searching(&self) -> bool {
        matches!(self.pending, Some(PendingStart::Compiling(_)))
            || self.search.as_ref().is_some_and(|s| s.handle.is_some())
    }

    /// The running search's live counters (the progress line shows a per-frame copy of them);
    /// `None` when no search runs. Lets a benchmark watch them stop after a cancel.
    pub fn live_progress(&self) -> Option<Arc<Progress>> {
        let handle = self.search.as_ref()?.handle.as_ref()?;
        Some(Arc::clone(handle.progress()))
    }

    /// Why the last search could not start, if it could not.
    pub fn start_error(&self) -> Option<&str> {
        self.start_error.as_deref()
    }

    /// The selected row's item.
    pub fn selected(&self) -> Option<RowRef> {
        self.selected
    }

    /// Why the editor could not be started, if the last attempt failed.
    pub fn editor_error(&self) -> Option<&str> {
        self.editor_error.as_deref()
    }

    /// What the preview panel shows.
    pub fn preview_state(&self) -> &preview::PreviewState {
        self.preview.state()
    }

    /// Starts a search with the current fields, replacing (and so cancelling) a running one.
    /// Does nothing when a field is invalid: the inline errors already say why.
    pub fn start_search(&mut self, ctx: &egui::Context) {
        self.start(ctx, Trigger::Asked);
    }

    /// A new start: the folder is looked at again (it may have appeared or gone since the
    /// fields last changed).
    fn start(&mut self, ctx: &egui::Context, trigger: Trigger) {
        self.pending = None;
        self.check.invalidate();
        self.try_start(ctx, trigger);
    }

    /// Starts the search if the inputs are valid; while the pattern compiles, the next frames
    /// try again (without looking at the disk each time).
    fn try_start(&mut self, ctx: &egui::Context, trigger: Trigger) {
        let (request, matcher) = match self.check.get(&self.state, ctx) {
            Validation::Valid(request, matcher) => (request.clone(), matcher.clone()),
            // Starts as soon as the pattern has compiled (see `pending`).
            Validation::Checking => {
                self.pending = Some(PendingStart::Compiling(trigger));
                return;
            }
            // The inline errors say why; asking again each frame would not change that.
            Validation::Invalid(_) => {
                self.pending = None;
                return;
            }
        };
        self.pending = None;
        self.tried_empty_search = false;
        // Dropping the old handle cancels that search at once.
        self.end_search();
        // A model that never reached the screen goes; the one on screen stays until the new
        // search has something to show (see `promote_incoming`).
        if let Some(unshown) = self.incoming.take() {
            dispose::dispose(unshown);
        }
        let wake = ctx.clone();
        let root = request.root.clone();
        // Results can arrive thousands of times a second, and a running search already asks
        // for a frame every PROGRESS_REFRESH (see `pump_results`): that is soon enough for
        // them. The first result is shown at once, since that wait is what a person feels, and
        // the last event too, so the complete set shows without waiting for the next refresh.
        // Only those two take egui's context lock from a search thread (background work, which
        // may lose its core while holding it): with a search thread asking for every frame the
        // slowest docs-tree frames took 21-25 ms, without 8-14 ms.
        let first = AtomicBool::new(true);
        let notify = move |queued: Queued| {
            if queued == Queued::Finished || first.swap(false, Ordering::Relaxed) {
                wake.request_repaint();
            }
        };
        // Each file's results are put into the model's form on the search thread that found
        // them: a frame then takes a file in with one push.
        let model_root = root.clone();
        let convert = move |file| StoredFile::new(file, &model_root);
        match start_prepared(request, matcher, Arc::new(notify), convert) {
            Ok(handle) => {
                let started = handle.started();
                let root_key = root.display().to_string();
                self.state.remember_folder(&root_key);
                let refine = match trigger {
                    Trigger::Typing => self.typing.recorded.take(),
                    Trigger::Asked => None,
                };
                self.state.remember_search(refine.as_ref());
                self.typing.recorded = match trigger {
                    Trigger::Typing => self.state.history.first().cloned(),
                    Trigger::Asked => None,
                };
                let mut model = ResultsModel::new(root, self.state.sort);
                model.set_filter(&self.list.filter);
                let fields = SearchFields::of(&self.state);
                if self.results.is_some() {
                    self.incoming = Some(model);
                } else {
                    self.replace_results(Some(model), Some(fields.clone()));
                }
                self.showing_previous = false;
                self.cancel_asked = false;
                self.start_error = None;
                // The last export's outcome was about the results this search replaces.
                self.export.outcome = None;
                self.search = Some(ActiveSearch {
                    handle: Some(handle),
                    started,
                    last: ProgressSnapshot::default(),
                    ended_after: None,
                    root: root_key,
                    cancelled: false,
                    fraction_before_end: 0.0,
                    fields,
                });
                // The search bar was drawn before the start: show its Cancel at once.
                ctx.request_repaint();
            }
            Err(err) => {
                self.replace_results(None, None);
                self.search = None;
                self.start_error = Some(format!("The search could not start: {err}"));
            }
        }
    }

    /// Drops the running search (which cancels it). A search dropped after it had already
    /// found [`LARGE_FOLDER_FILES`] files still tells search as you type that its folder is
    /// large: otherwise a folder whose searches are always replaced would never be known.
    fn end_search(&mut self) {
        if let Some(search) = self.search.take()
            && let Some(handle) = &search.handle
        {
            let found = handle.progress().snapshot().files_found;
            if let Some(files) = file_count_to_remember(None, found) {
                self.remember_file_count(&search.root, files);
            }
        }
    }

    fn remember_file_count(&mut self, root: &str, files: u64) {
        self.state.remember_file_count(root, files);
        self.typing.folder_count = None;
    }

    /// Shows the running search's model once it has a result, or once it finished without
    /// one (then "No matches" is the truth). A search the person cancelled before it found
    /// anything shows that (the previous results belong to other fields); one replaced by
    /// typing leaves the previous results on screen, dimmed, until the next one finds
    /// something.
    fn promote_incoming(&mut self) {
        let Some(model) = self.incoming.as_ref() else {
            return;
        };
        let summary = model.summary().copied();
        if model.file_count() > 0 || summary.is_some_and(|s| !s.cancelled || self.cancel_asked) {
            let Some(mut model) = self.incoming.take() else {
                return;
            };
            model.refresh_layout(true);
            let fields = self.search.as_ref().map(|s| s.fields.clone());
            self.replace_results(Some(model), fields);
        } else if summary.is_some() {
            if let Some(unshown) = self.incoming.take() {
                dispose::dispose(unshown);
            }
            self.showing_previous = true;
        }
    }

    /// Search as you type: a change of the pattern, its toggles, the extensions or the
    /// options cancels the running search and starts a new one after the pause. The
    /// folder field is not watched: typing a path would search `/` on the way to `/home/me`.
    fn search_as_you_type(&mut self, ctx: &egui::Context) {
        let changed = match &self.typing.seen {
            Some(seen) => !seen.same_except_folder(&self.state),
            None => {
                self.typing.seen = Some(SearchFields::of(&self.state));
                false
            }
        };
        if changed {
            self.typing.seen = Some(SearchFields::of(&self.state));
            if self.state.search_as_you_type && self.folder_too_large_for_typing().is_none() {
                self.stop_search();
                self.pending = Some(PendingStart::TypingPause(
                    Instant::now() + self.typing.pause,
                ));
            }
        }
        let Some(PendingStart::TypingPause(due)) = self.pending else {
            return;
        };
        if !self.state.search_as_you_type {
            self.pending = None;
            return;
        }
        let now = Instant::now();
        if now >= due {
            self.start(ctx, Trigger::Typing);
        } else {
            ctx.request_repaint_after(due - now);
        }
    }

    /// Asks the running search to stop (Esc, Cancel); the results found so far stay, and a
    /// search that found nothing yet shows that.
    pub fn cancel_search(&mut self) {
        if self.is_searching() {
            self.cancel_asked = true;
        }
        self.stop_search();
    }

    /// Stops the running search, as a new one about to start does.
    fn stop_search(&mut self) {
        self.stop_compiling_start();
        if let Some(handle) = self.search.as_ref().and_then(|s| s.handle.as_ref()) {
            handle.cancel();
        }
    }

    /// Takes in a bounded share of the running search's events.
    fn pump_results(&mut self, ctx: &egui::Context) {
        let Some(search) = self.search.as_mut() else {
            return;
        };
        let Some(results) = self.incoming.as_mut().or(self.results.as_mut()) else {
            return;
        };
        let Some(handle) = search.handle.as_ref() else {
            return;
        };
        search.last = handle.progress().snapshot();
        if !search.last.finished {
            search.fraction_before_end = search.last.fraction();
        }
        let engine_done = search.last.finished;
        let mut count = None;
        let budget = if engine_done {
            INGEST_BUDGET_DRAINING
        } else {
            INGEST_BUDGET
        };
        match results.ingest(handle.events(), budget) {
            // Once the engine has finished (a cancel included) its last event is on its way:
            // take it in at the next frame, so "Cancelled" or the summary shows at once.
            // (A cancel is looked at again at the end of every frame.)
            Ingest::Idle if engine_done => ctx.request_repaint(),
            Ingest::Idle => ctx.request_repaint_after(PROGRESS_REFRESH),
            Ingest::MoreWaiting => ctx.request_repaint(),
            Ingest::Finished => {
                // The search bar, drawn before this intake, shows the end in the next frame.
                ctx.request_repaint();
                search.last = handle.progress().snapshot();
                let summary = results.summary().copied();
                search.ended_after =
                    Some(summary.map_or_else(|| search.started.elapsed(), |s| s.elapsed));
                search.cancelled = summary.is_some_and(|s| s.cancelled);
                search.handle = None;
                count = file_count_to_remember(summary.as_ref(), search.last.files_found)
                    .map(|files| (search.root.clone(), files));
            }
        }
        if let Some((root, files)) = count {
            self.remember_file_count(&root, files);
        }
        if let Some(results) = self.incoming.as_mut().or(self.results.as_mut()) {
            results.refresh_layout(false);
            if results.layout_pending() {
                ctx.request_repaint_after(PROGRESS_REFRESH);
            }
        }
        self.promote_incoming();
    }

    /// Puts text on the clipboard and shows the "Copied" notice.
    fn copy(&mut self, ctx: &egui::Context, text: String, what: &str) {
        ctx.copy_text(text);
        self.notice = Some(Notice::show(ctx, format!("Copied {what}")));
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
            self.picker_message = None;
        }
    }

    /// Takes the native dialog's answer once it has one.
    fn poll_picker(&mut self, ctx: &egui::Context) {
        let Some(outcome) = self.picker.as_ref().and_then(NativePicker::poll) else {
            return;
        };
        self.picker = None;
        match outcome {
            PickOutcome::Picked(path) => {
                self.state.folder = path.display().to_string();
                self.picker_message = None;
            }
            PickOutcome::Cancelled => {}
            PickOutcome::Unavailable => {
                self.picker_message = Some(
                    "The system folder dialog could not open here (no desktop portal or dialog \
                     program). Type or paste the path above, drop a folder on the window, or use \
                     the built-in chooser."
                        .to_string(),
                );
                self.chooser = Some(FolderChooser::new(self.state.root().as_deref(), ctx));
            }
        }
    }

    /// Opens the native folder dialog in the background.
    fn browse(&mut self, ctx: &egui::Context) {
        if self.picker.is_some() {
            return;
        }
        if !self.native_dialogs {
            self.chooser = Some(FolderChooser::new(self.state.root().as_deref(), ctx));
            return;
        }
        self.picker = NativePicker::open(self.state.root(), ctx);
        if self.picker.is_none() {
            self.picker_message =
                Some("The folder dialog could not be started; use the built-in chooser.".into());
            self.chooser = Some(FolderChooser::new(self.state.root().as_deref(), ctx));
        }
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
                || (modifiers.command && matches!(key, Key::F | Key::S | Key::Q))
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
        self.pump_export(&ctx);
        // Esc and the bar's Cancel before this frame's intake of results: a cancel then
        // reaches the engine at once, not after the frame's share of results is taken in.
        self.handle_keys(&ctx);
        self.show_search_bar(ui);
        self.pump_results(&ctx);
        if let Some(PendingStart::Compiling(trigger)) = self.pending {
            self.try_start(&ctx, trigger);
        }
        self.poll_copy(&ctx);
        if let Some(results) = self.results.as_mut()
            && results.poll_layout()
        {
            // The rows moved under the selection: keep it in view.
            self.list.scroll_to_selection = self.selected.is_some();
        }
        if self.notice.as_ref().is_some_and(Notice::expired) {
            self.notice = None;
        }
        self.show_results(ui);
        // After the views, so that a change made in this frame starts its pause now: no
        // further frame may come until the next input.
        self.search_as_you_type(&ctx);
        // A cancel pressed in this frame comes after this frame's intake: look again at the
        // next frame rather than at the next progress refresh, so "Cancelled" shows at once.
        if self
            .search
            .as_ref()
            .and_then(|s| s.handle.as_ref())
            .is_some_and(SearchHandle::is_cancelled)
        {
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
