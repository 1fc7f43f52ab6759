//! One search's life in the window, as one enum of phases: idle, its pattern compiling,
//! waiting for the pause after typing, running, finished or cancelled (or unable to start).
//! Each phase holds what only it has: the engine's handle and the model not yet shown live in
//! [`Phase::Running`], the frozen counters in [`Phase::Finished`] and [`Phase::Cancelled`].
//!
//! The session never touches the shown results itself: what it wants shown comes back as a
//! [`SessionEvent`], which the app applies in its one place that replaces them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::app::dispose;
use crate::app::results::{Ingest, ResultsModel, StoredFile};
use crate::app::state::{InputCheck, LARGE_FOLDER_FILES, SavedState, SearchFields, Validation};
use crate::search::{Progress, ProgressSnapshot, Queued, SearchHandle, Summary, start_prepared};

/// At most this long per frame goes to taking in results, so that the window keeps drawing at
/// a steady rate however fast the engine finds matches.
const INGEST_BUDGET: Duration = Duration::from_millis(6);

/// The budget once the engine has finished and only its queued results are left: the search
/// threads no longer want the CPU, so the backlog drains faster while frames stay under 16 ms.
const INGEST_BUDGET_DRAINING: Duration = Duration::from_millis(8);

/// How often the progress line is refreshed while a search runs without sending results.
pub(crate) const PROGRESS_REFRESH: Duration = Duration::from_millis(50);

/// Search as you type waits this long after the last change: long enough that a word typed
/// at a normal pace starts one search, short enough to feel immediate.
pub const TYPING_PAUSE: Duration = Duration::from_millis(300);

/// What a search that ended (with `summary`, or dropped without one) tells search as you type
/// about its folder's size: a complete count, or a partial one that already shows the folder
/// is large (a folder whose searches are always replaced would otherwise never be known).
fn file_count_to_remember(summary: Option<&Summary>, files_found: u64) -> Option<u64> {
    match summary {
        Some(summary) if !summary.cancelled => Some(summary.files_searched),
        _ => Some(files_found).filter(|&n| n >= LARGE_FOLDER_FILES),
    }
}

/// What started a search: history and search as you type treat them differently.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// Enter, the Search button, or a caller of `TrawlApp::start_search`.
    Asked,
    /// A pause after typing, with search as you type on.
    Typing,
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

/// What every started search has, running or ended: what the progress line shows of it.
struct Search {
    started: Instant,
    /// The counters as last read (frozen once the search ended).
    last: ProgressSnapshot,
    /// The searched root as [`SavedState::root`] gives it, to remember its file count.
    root: String,
    /// The fields it searched with: its results are stale once the fields differ.
    fields: SearchFields,
}

/// A search the engine runs (or whose last results are still coming in).
struct Running {
    search: Search,
    handle: SearchHandle<StoredFile>,
    /// Its model until it has something to show. Until then the previous results stay on
    /// screen, so the list never flickers empty between searches.
    incoming: Option<ResultsModel>,
    /// The person cancelled it (Esc, Cancel): if it found nothing, its empty result replaces
    /// the previous ones, which belong to other fields.
    cancel_asked: bool,
    /// It ended before it found anything and the previous results stay shown.
    kept_previous: bool,
    /// Where the progress bar stood before the end (a cancelled search's final counters count
    /// the file it stopped in as searched).
    fraction: f32,
}

/// The phases of the window's search.
enum Phase {
    /// No search has run, or the results were set directly.
    Idle,
    /// The last start failed: why.
    CouldNotStart(String),
    /// Asked for while its pattern compiles (off the UI thread): it starts once it has.
    /// `before` is the phase it interrupts (never itself a start about to happen): its
    /// search may still be draining and its progress stays shown.
    Compiling {
        trigger: Trigger,
        before: Box<Phase>,
    },
    /// Search as you type waits until `due` after the last change.
    WaitingForPause {
        due: Instant,
        before: Box<Phase>,
    },
    Running(Box<Running>),
    Finished {
        search: Search,
        after: Duration,
    },
    Cancelled {
        search: Search,
        after: Duration,
        /// Where the bar stopped.
        fraction: f32,
        /// It found nothing and the previous results stay shown.
        kept_previous: bool,
    },
}

impl Phase {
    /// The phase under a start about to happen.
    fn settled(&self) -> &Phase {
        match self {
            Phase::Compiling { before, .. } | Phase::WaitingForPause { before, .. } => before,
            phase => phase,
        }
    }

    fn settled_mut(&mut self) -> &mut Phase {
        match self {
            Phase::Compiling { before, .. } | Phase::WaitingForPause { before, .. } => before,
            phase => phase,
        }
    }

    /// Takes the phase out, leaving [`Phase::Idle`], with a start about to happen dropped.
    fn take_settled(&mut self) -> Phase {
        match std::mem::replace(self, Phase::Idle) {
            Phase::Compiling { before, .. } | Phase::WaitingForPause { before, .. } => *before,
            phase => phase,
        }
    }

    fn running(&self) -> Option<&Running> {
        match self.settled() {
            Phase::Running(running) => Some(running),
            _ => None,
        }
    }

    fn search(&self) -> Option<&Search> {
        match self.settled() {
            Phase::Running(running) => Some(&running.search),
            Phase::Finished { search, .. } | Phase::Cancelled { search, .. } => Some(search),
            _ => None,
        }
    }
}

/// What the session asks of the shown results; the app applies it.
pub(crate) enum SessionEvent {
    /// A search started; its model is shown at once when nothing was shown before.
    Started(Option<(ResultsModel, SearchFields)>),
    /// The running search's model replaces the shown results: it found something, or it ended
    /// with nothing (then "No matches" is the truth).
    Show(ResultsModel, SearchFields),
    /// The search could not start: nothing is shown (see [`SearchSession::start_error`]).
    CouldNotStart,
}

/// The progress line's content.
pub(crate) struct ProgressLine {
    pub snapshot: ProgressSnapshot,
    pub elapsed: Duration,
    pub running: bool,
    pub fraction: f32,
}

/// Search as you type: what the fields were, and when the pause after a change ends.
struct TypingSearch {
    /// How long to wait after a change ([`TYPING_PAUSE`]).
    pause: Duration,
    /// The fields as last seen, to notice a change.
    seen: Option<SearchFields>,
    /// The history entry the last search started by typing recorded: typing on replaces it.
    recorded: Option<SearchFields>,
}

impl Default for TypingSearch {
    fn default() -> Self {
        TypingSearch {
            pause: TYPING_PAUSE,
            seen: None,
            recorded: None,
        }
    }
}

/// The window's search: the fields' check, search as you type, and the one search's phase.
pub(crate) struct SearchSession {
    phase: Phase,
    check: InputCheck,
    typing: TypingSearch,
    large_folders: LargeFolders,
    /// Enter was pressed while a field was empty or invalid: from then on an empty field's
    /// message shows too (at first its hint says what to type), until a search starts.
    tried_empty_search: bool,
}

impl Default for SearchSession {
    fn default() -> Self {
        SearchSession {
            phase: Phase::Idle,
            check: InputCheck::default(),
            typing: TypingSearch::default(),
            large_folders: LargeFolders::default(),
            tried_empty_search: false,
        }
    }
}

impl SearchSession {
    /// Where the search stands.
    pub(crate) fn phase(&self) -> SearchPhase {
        match &self.phase {
            Phase::Compiling { .. } => SearchPhase::Compiling,
            Phase::WaitingForPause { .. } => SearchPhase::WaitingForPause,
            Phase::Running(_) => SearchPhase::Running,
            Phase::Finished { .. } => SearchPhase::Finished,
            Phase::Cancelled { .. } => SearchPhase::Cancelled,
            Phase::Idle | Phase::CouldNotStart(_) => SearchPhase::Idle,
        }
    }

    /// Whether a search is running (or about to start, its pattern still compiling).
    pub(crate) fn is_searching(&self) -> bool {
        matches!(self.phase, Phase::Compiling { .. }) || self.phase.running().is_some()
    }

    /// Whether the engine still runs a search (or its last results are still coming in).
    pub(crate) fn is_running(&self) -> bool {
        self.phase.running().is_some()
    }

    /// Whether search as you type waits for the pause after a change to start a search.
    pub(crate) fn typing_search_pending(&self) -> bool {
        matches!(self.phase, Phase::WaitingForPause { .. })
    }

    /// Whether a running search has a model that is not shown yet.
    pub(crate) fn has_incoming(&self) -> bool {
        self.phase.running().is_some_and(|r| r.incoming.is_some())
    }

    /// Whether the shown results are those of an earlier search: a newer one ended before it
    /// found anything.
    pub(crate) fn showing_previous(&self) -> bool {
        match self.phase.settled() {
            Phase::Running(running) => running.kept_previous,
            Phase::Cancelled { kept_previous, .. } => *kept_previous,
            _ => false,
        }
    }

    /// Why the last search could not start, if it could not.
    pub(crate) fn start_error(&self) -> Option<&str> {
        match self.phase.settled() {
            Phase::CouldNotStart(error) => Some(error),
            _ => None,
        }
    }

    /// The running search's live counters.
    pub(crate) fn live_progress(&self) -> Option<Arc<Progress>> {
        Some(Arc::clone(self.phase.running()?.handle.progress()))
    }

    /// Whether the running search was asked to stop and has not ended yet.
    pub(crate) fn cancel_pending(&self) -> bool {
        self.phase
            .running()
            .is_some_and(|r| r.handle.is_cancelled())
    }

    /// The progress bar of the running or last search.
    pub(crate) fn progress_line(&self) -> Option<ProgressLine> {
        let search = self.phase.search()?;
        let (elapsed, running, fraction) = match self.phase.settled() {
            Phase::Running(_) => (search.started.elapsed(), true, search.last.fraction()),
            Phase::Cancelled {
                after, fraction, ..
            } => (*after, false, *fraction),
            Phase::Finished { after, .. } => (*after, false, 1.0),
            _ => return None,
        };
        Some(ProgressLine {
            snapshot: search.last,
            elapsed,
            running,
            fraction,
        })
    }

    /// The fields' check: the request and matcher, or what is wrong (compiling the pattern
    /// off the UI thread when it changed).
    pub(crate) fn validation(&mut self, state: &SavedState, ctx: &egui::Context) -> Validation<'_> {
        self.check.get(state, ctx)
    }

    /// Whether the pattern typed last is still being compiled.
    pub(crate) fn is_checking(&self) -> bool {
        self.check.is_pending()
    }

    /// Enter was pressed with a field empty or invalid: empty fields say so from now on.
    pub(crate) fn tried_empty_search(&self) -> bool {
        self.tried_empty_search
    }

    pub(crate) fn note_tried_empty_search(&mut self) {
        self.tried_empty_search = true;
    }

    /// Sets how long search as you type waits after a change.
    pub(crate) fn set_typing_pause(&mut self, pause: Duration) {
        self.typing.pause = pause;
    }

    /// The remembered file count of the folder in the field, when it is too large for search
    /// as you type ([`LARGE_FOLDER_FILES`] or more).
    pub(crate) fn folder_too_large_for_typing(&mut self, state: &SavedState) -> Option<u64> {
        self.large_folders.too_large_for_typing(state)
    }

    /// The folder sizes search as you type looks at, for the views that say it is off.
    pub(crate) fn large_folders_mut(&mut self) -> &mut LargeFolders {
        &mut self.large_folders
    }

    /// Forgets a start that waits for its pattern to compile (a pause of search as you type
    /// stays: it is a later start).
    fn stop_compiling_start(&mut self) {
        if let Phase::Compiling { .. } = self.phase {
            let settled = self.phase.take_settled();
            self.phase = settled;
        }
    }

    /// Stops the running search, as a new one about to start does.
    pub(crate) fn stop(&mut self) {
        self.stop_compiling_start();
        if let Some(running) = self.phase.running() {
            running.handle.cancel();
        }
    }

    /// Asks the running search to stop (Esc, Cancel); the results found so far stay, and a
    /// search that found nothing yet shows that.
    pub(crate) fn cancel(&mut self) {
        if self.is_searching()
            && let Phase::Running(running) = self.phase.settled_mut()
        {
            running.cancel_asked = true;
        }
        self.stop();
    }

    /// For results set directly: any search ends and the phase is idle (a pause of search as
    /// you type stays).
    pub(crate) fn clear(&mut self, state: &mut SavedState) {
        self.stop_compiling_start();
        self.end_search(state);
    }

    /// Drops the running search (which cancels it), its unshown model freed off the UI
    /// thread. A search dropped after it had already found [`LARGE_FOLDER_FILES`] files still
    /// tells search as you type that its folder is large.
    fn end_search(&mut self, state: &mut SavedState) {
        let ended = std::mem::replace(self.phase.settled_mut(), Phase::Idle);
        if let Phase::Running(running) = ended {
            let running = *running;
            let found = running.handle.progress().snapshot().files_found;
            if let Some(files) = file_count_to_remember(None, found) {
                self.remember_file_count(state, &running.search.root, files);
            }
            if let Some(unshown) = running.incoming {
                dispose::dispose(unshown);
            }
        }
    }

    fn remember_file_count(&mut self, state: &mut SavedState, root: &str, files: u64) {
        state.remember_file_count(root, files);
        self.large_folders = LargeFolders::default();
    }

    /// A new start: the folder is looked at again (it may have appeared or gone since the
    /// fields last changed).
    pub(crate) fn start(
        &mut self,
        ctx: &egui::Context,
        state: &mut SavedState,
        trigger: Trigger,
        shown: ShownNow<'_>,
    ) -> Option<SessionEvent> {
        let settled = self.phase.take_settled();
        self.phase = settled;
        self.check.invalidate();
        self.try_start(ctx, state, trigger, shown)
    }

    /// Each frame: a start that waited for its pattern tries again.
    pub(crate) fn poll_compiling(
        &mut self,
        ctx: &egui::Context,
        state: &mut SavedState,
        shown: ShownNow<'_>,
    ) -> Option<SessionEvent> {
        let Phase::Compiling { trigger, .. } = self.phase else {
            return None;
        };
        self.try_start(ctx, state, trigger, shown)
    }

    /// Starts the search if the inputs are valid; while the pattern compiles, the next frames
    /// try again (without looking at the disk each time).
    fn try_start(
        &mut self,
        ctx: &egui::Context,
        state: &mut SavedState,
        trigger: Trigger,
        shown: ShownNow<'_>,
    ) -> Option<SessionEvent> {
        let (request, matcher) = match self.check.get(state, ctx) {
            Validation::Valid(request, matcher) => (request.clone(), matcher.clone()),
            // Starts as soon as the pattern has compiled (see `poll_compiling`).
            Validation::Checking => {
                if !matches!(self.phase, Phase::Compiling { .. }) {
                    let before = Box::new(self.phase.take_settled());
                    self.phase = Phase::Compiling { trigger, before };
                }
                return None;
            }
            // The inline errors say why; asking again each frame would not change that.
            Validation::Invalid(_) => {
                let settled = self.phase.take_settled();
                self.phase = settled;
                return None;
            }
        };
        let settled = self.phase.take_settled();
        self.phase = settled;
        self.tried_empty_search = false;
        // Dropping the old handle cancels that search at once; a model that never reached the
        // screen goes, the one on screen stays until the new search has something to show.
        self.end_search(state);
        let wake = ctx.clone();
        let root = request.root.clone();
        let searched_archives = request.options.search_zip;
        // Results can arrive thousands of times a second, and a running search already asks
        // for a frame every PROGRESS_REFRESH (see `pump`): that is soon enough for them. The
        // first result is shown at once, since that wait is what a person feels, and the last
        // event too, so the complete set shows without waiting for the next refresh. Only
        // those two take egui's context lock from a search thread (background work, which may
        // lose its core while holding it): with a search thread asking for every frame the
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
                state.remember_folder(&root_key);
                let refine = match trigger {
                    Trigger::Typing => self.typing.recorded.take(),
                    Trigger::Asked => None,
                };
                state.remember_search(refine.as_ref());
                self.typing.recorded = match trigger {
                    Trigger::Typing => state.history.first().cloned(),
                    Trigger::Asked => None,
                };
                let mut model = ResultsModel::new(root, state.sort);
                model.set_searched_archives(searched_archives);
                model.set_filter(shown.filter);
                let fields = SearchFields::of(state);
                let (incoming, first) = if shown.any {
                    (Some(model), None)
                } else {
                    (None, Some((model, fields.clone())))
                };
                self.phase = Phase::Running(Box::new(Running {
                    search: Search {
                        started,
                        last: ProgressSnapshot::default(),
                        root: root_key,
                        fields,
                    },
                    handle,
                    incoming,
                    cancel_asked: false,
                    kept_previous: false,
                    fraction: 0.0,
                }));
                // The search bar was drawn before the start: show its Cancel at once.
                ctx.request_repaint();
                Some(SessionEvent::Started(first))
            }
            Err(err) => {
                self.phase = Phase::CouldNotStart(format!("The search could not start: {err}"));
                Some(SessionEvent::CouldNotStart)
            }
        }
    }

    /// Takes in a bounded share of the running search's events: into its own model until that
    /// is shown, into `shown` after.
    pub(crate) fn pump(
        &mut self,
        ctx: &egui::Context,
        shown: Option<&mut ResultsModel>,
        state: &mut SavedState,
    ) -> Option<SessionEvent> {
        let Phase::Running(running) = self.phase.settled_mut() else {
            return None;
        };
        let results = running.incoming.as_mut().or(shown)?;
        let handle = &running.handle;
        running.search.last = handle.progress().snapshot();
        if !running.search.last.finished {
            running.fraction = running.search.last.fraction();
        }
        let engine_done = running.search.last.finished;
        let budget = if engine_done {
            INGEST_BUDGET_DRAINING
        } else {
            INGEST_BUDGET
        };
        let mut ended = None;
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
                running.search.last = handle.progress().snapshot();
                ended = Some(results.summary().copied());
            }
        }
        results.refresh_layout(false);
        if results.layout_pending() {
            ctx.request_repaint_after(PROGRESS_REFRESH);
        }
        let shown_now = running.promote_incoming();
        if let Some(summary) = ended {
            self.end_running(state, summary);
        }
        shown_now
    }

    /// The running search's last event came in: it is finished or cancelled now.
    fn end_running(&mut self, state: &mut SavedState, summary: Option<Summary>) {
        let Phase::Running(running) = std::mem::replace(self.phase.settled_mut(), Phase::Idle)
        else {
            return;
        };
        let Running {
            search,
            kept_previous,
            fraction,
            ..
        } = *running;
        let after = summary.map_or_else(|| search.started.elapsed(), |s| s.elapsed);
        let count = file_count_to_remember(summary.as_ref(), search.last.files_found);
        let root = search.root.clone();
        *self.phase.settled_mut() = if summary.is_some_and(|s| s.cancelled) {
            Phase::Cancelled {
                search,
                after,
                fraction,
                kept_previous,
            }
        } else {
            Phase::Finished { search, after }
        };
        if let Some(files) = count {
            self.remember_file_count(state, &root, files);
        }
    }

    /// Search as you type: a change of the pattern, its toggles, the extensions or the
    /// options cancels the running search and starts a new one after the pause. The
    /// folder field is not watched: typing a path would search `/` on the way to `/home/me`.
    pub(crate) fn search_as_you_type(
        &mut self,
        ctx: &egui::Context,
        state: &mut SavedState,
        shown: ShownNow<'_>,
    ) -> Option<SessionEvent> {
        let changed = match &self.typing.seen {
            Some(seen) => !seen.same_except_folder(state),
            None => {
                self.typing.seen = Some(SearchFields::of(state));
                false
            }
        };
        if changed {
            self.typing.seen = Some(SearchFields::of(state));
            if state.search_as_you_type && self.large_folders.too_large_for_typing(state).is_none()
            {
                self.stop();
                let before = Box::new(self.phase.take_settled());
                self.phase = Phase::WaitingForPause {
                    due: Instant::now() + self.typing.pause,
                    before,
                };
            }
        }
        let Phase::WaitingForPause { due, .. } = self.phase else {
            return None;
        };
        if !state.search_as_you_type {
            let settled = self.phase.take_settled();
            self.phase = settled;
            return None;
        }
        let now = Instant::now();
        if now >= due {
            self.start(ctx, state, Trigger::Typing, shown)
        } else {
            ctx.request_repaint_after(due - now);
            None
        }
    }
}

impl Running {
    /// Its model, once it has a result, or once it finished without one. A search the person
    /// cancelled before it found anything shows that (the previous results belong to other
    /// fields); one replaced by typing leaves the previous results on screen, dimmed, until
    /// the next one finds something.
    fn promote_incoming(&mut self) -> Option<SessionEvent> {
        let model = self.incoming.as_ref()?;
        let summary = model.summary().copied();
        if model.file_count() > 0 || summary.is_some_and(|s| !s.cancelled || self.cancel_asked) {
            let mut model = self.incoming.take()?;
            model.refresh_layout(true);
            return Some(SessionEvent::Show(model, self.search.fields.clone()));
        }
        if summary.is_some() {
            if let Some(unshown) = self.incoming.take() {
                dispose::dispose(unshown);
            }
            self.kept_previous = true;
        }
        None
    }
}

/// The folder field and its remembered file count, looked up again only when the field
/// changes (search as you type asks every frame).
#[derive(Default)]
pub(crate) struct LargeFolders {
    folder_count: Option<(String, Option<u64>)>,
}

impl LargeFolders {
    /// The remembered file count of the folder in the field, when it is too large for search
    /// as you type ([`LARGE_FOLDER_FILES`] or more).
    pub(crate) fn too_large_for_typing(&mut self, state: &SavedState) -> Option<u64> {
        let stale = self
            .folder_count
            .as_ref()
            .is_none_or(|(typed, _)| *typed != state.folder);
        if stale {
            let count = state
                .root()
                .and_then(|root| state.file_count(&root.display().to_string()));
            self.folder_count = Some((state.folder.clone(), count));
        }
        self.folder_count
            .as_ref()
            .and_then(|(_, count)| *count)
            .filter(|&files| files >= LARGE_FOLDER_FILES)
    }
}

/// What a start needs to know of the shown results.
#[derive(Clone, Copy)]
pub(crate) struct ShownNow<'a> {
    /// Some results are shown (a new search's model then waits until it has something).
    pub any: bool,
    /// The filter's text, which a new model starts with.
    pub filter: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_or_dropped_search_remembers_only_a_large_count() {
        let cancelled = Summary {
            files_searched: 10,
            files_matched: 0,
            matches: 0,
            bytes_searched: 0,
            errors: 0,
            elapsed: Duration::ZERO,
            cancelled: true,
        };
        assert_eq!(file_count_to_remember(Some(&cancelled), 10), None);
        assert_eq!(
            file_count_to_remember(None, LARGE_FOLDER_FILES),
            Some(LARGE_FOLDER_FILES)
        );
        let finished = Summary {
            cancelled: false,
            ..cancelled
        };
        assert_eq!(file_count_to_remember(Some(&finished), 3), Some(10));
    }
}
