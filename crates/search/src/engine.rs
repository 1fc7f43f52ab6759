//! Starting, running and cancelling a search.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, SendTimeoutError, Sender};
use grep_regex::RegexMatcher;
use ignore::WalkState;

use crate::archive::{self, Selection};
use crate::batch_read::BatchReader;
use crate::file_searcher::{DirSlot, FileSearcher};
use crate::priority;
use crate::split::{Helpers, SharedWork};
use crate::walk::{build_walk, io_message, walk_error};
use crate::{
    FileError, FileMatches, FileResult, Progress, SearchError, SearchEvent, SearchRequest, Summary,
    build_matcher, internal_error,
};

/// How many events may wait for the consumer before the search threads pause. Enough to ride out
/// a slow frame or terminal; small enough that a stalled consumer does not fill memory.
const EVENT_QUEUE: usize = 4096;
/// How often a search thread blocked on a full queue looks at the cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(5);
/// How many recent directories each walker thread remembers, so that the files of a directory
/// share one [`DirSlot`] even when a subfolder's files come between them.
const RECENT_DIRS: usize = 4;

/// A running search: its events, its progress counters and its cancel switch.
///
/// Dropping the handle cancels the search; the background threads then end on their own
/// within milliseconds, without the caller waiting for them.
///
/// `F` is what each matching file arrives as: the engine's [`FileResult`], or what the caller
/// had it turned into on the search thread (see [`start_prepared`]).
pub struct SearchHandle<F = FileResult> {
    events: Receiver<SearchEvent<F>>,
    progress: Arc<Progress>,
    cancel: Arc<AtomicBool>,
    started: Instant,
    thread: Option<JoinHandle<()>>,
}

impl<F> SearchHandle<F> {
    /// The stream of results; the last event is [`SearchEvent::Finished`], after which the
    /// channel is closed.
    pub fn events(&self) -> &Receiver<SearchEvent<F>> {
        &self.events
    }

    /// The live counters, shared: a progress bar or a status line reads them on its own
    /// schedule, without waiting for events.
    pub fn progress(&self) -> &Arc<Progress> {
        &self.progress
    }

    /// Asks the search to stop. Returns at once; the counters stop moving within milliseconds and
    /// a [`SearchEvent::Finished`] with `cancelled: true` follows.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// When the search started: the instant the summary's elapsed time counts from, so a
    /// consumer's rate and clock agree with it.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Waits until the background threads have ended, for a caller that must know nothing
    /// touches the counters or the files any more (a test, a program about to exit).
    pub fn join(mut self) {
        if let Some(thread) = self.thread.take() {
            // A panic there has already been reported as a per-file error or a missing summary.
            let _ = thread.join();
        }
    }
}

impl<F> Drop for SearchHandle<F> {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// Starts a search in the background. See [`start_with_notifier`].
pub fn start(request: SearchRequest) -> Result<SearchHandle, SearchError> {
    start_with_notifier(request, Arc::new(|_| {}))
}

/// What was just queued, for a [`Notify`] callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queued {
    /// A file's results or an error: a consumer may wait a little and take several at once.
    Event,
    /// The last event ([`SearchEvent::Finished`]): worth waking for at once.
    Finished,
}

/// Called after each event is queued (a window passes its "repaint" here so it wakes to take
/// the results in).
pub type Notify = Arc<dyn Fn(Queued) + Send + Sync>;

/// Starts a search in the background and calls `notify` after each event is queued.
///
/// Everything that can be wrong with the request is reported here, before any file is read.
pub fn start_with_notifier(
    request: SearchRequest,
    notify: Notify,
) -> Result<SearchHandle, SearchError> {
    let matcher = build_matcher(&request)?;
    start_prepared(request, matcher, notify, std::convert::identity)
}

/// Like [`start_with_notifier`] with the request's matcher already compiled by
/// [`build_matcher`]: a window compiles the pattern off its UI thread while the person types
/// (a huge regex can take a second), and then starts without compiling it again.
///
/// Each matching file's [`FileResult`] is passed through `convert` on the search thread that
/// found it, before it is queued. A window turns it into the form its model stores there:
/// the copying is then shared by the search threads instead of taking its UI thread's frames.
pub fn start_prepared<F: Send + 'static>(
    request: SearchRequest,
    matcher: RegexMatcher,
    notify: Notify,
    convert: impl Fn(FileResult) -> F + Send + Sync + 'static,
) -> Result<SearchHandle<F>, SearchError> {
    let started = Instant::now();
    match std::fs::metadata(&request.root) {
        Ok(meta) if meta.is_dir() || meta.is_file() => {}
        Ok(_) => return Err(SearchError::RootNotSearchable(request.root.clone())),
        Err(_) => return Err(SearchError::RootNotFound(request.root.clone())),
    }
    let resolved = request.options.resolve()?;
    let walk = build_walk(&request, &resolved)?;
    let archives = Selection::of(&request, &resolved)?;
    let threads = resolved.effective_threads();
    let background = request.background;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("trawl-search-{i}"))
        .start_handler(move |_| {
            if background {
                priority::make_current_thread_background();
            }
        })
        .build()
        .map_err(|err| SearchError::Threads(err.to_string()))?;

    let (events_tx, events) = crossbeam_channel::bounded(EVENT_QUEUE);
    let shared = Arc::new(Shared {
        progress: Arc::new(Progress::default()),
        cancel: Arc::new(AtomicBool::new(false)),
        events: events_tx,
        notify,
        convert: Box::new(convert),
        archives,
    });
    let progress = Arc::clone(&shared.progress);
    let cancel = Arc::clone(&shared.cancel);
    let thread = std::thread::Builder::new()
        .name("trawl-walk".to_string())
        .spawn(move || {
            // The walker threads it starts inherit it.
            if background {
                priority::make_current_thread_background();
            }
            run(&shared, walk, &pool, &request, matcher, started)
        })
        .map_err(|err| SearchError::Threads(err.to_string()))?;
    Ok(SearchHandle {
        events,
        progress,
        cancel,
        started,
        thread: Some(thread),
    })
}

/// What every thread of one search shares.
struct Shared<F> {
    progress: Arc<Progress>,
    cancel: Arc<AtomicBool>,
    events: Sender<SearchEvent<F>>,
    notify: Notify,
    /// Turns a file's results into what the consumer takes (see [`start_prepared`]).
    convert: Box<dyn Fn(FileResult) -> F + Send + Sync>,
    /// Which members of archives are searched; `None` without `-z`.
    archives: Option<Selection>,
}

impl<F> Shared<F> {
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Queues an event, waiting while the queue is full unless the search is cancelled, and
    /// says whether it was queued. A consumer that went away (a closed pipe, a closed window)
    /// cancels the search.
    fn send(&self, mut event: SearchEvent<F>) -> bool {
        loop {
            match self.events.send_timeout(event, CANCEL_POLL) {
                Ok(()) => break,
                Err(SendTimeoutError::Timeout(back)) => {
                    if self.cancelled() {
                        return false;
                    }
                    event = back;
                }
                Err(SendTimeoutError::Disconnected(_)) => {
                    self.cancel.store(true, Ordering::Relaxed);
                    return false;
                }
            }
        }
        (self.notify)(Queued::Event);
        true
    }

    /// Sends a file's matching lines and counts them, when there are any: a file searched
    /// whole, or the part of one searched before a cancel. Counted only once queued, so the
    /// summary's totals are those of the files the consumer received.
    fn send_file(&self, path: PathBuf, found: FileMatches) {
        if found.lines.is_empty() {
            self.progress.add_searched(found.bytes_read, 0);
            return;
        }
        let (bytes, matches) = (found.bytes_read, found.matches);
        let file = (self.convert)(FileResult {
            path,
            lines: found.lines,
            modified: found.modified,
            encoding: found.encoding,
            binary: found.has_nul,
        });
        if self.send(SearchEvent::File(file)) {
            self.progress.add_searched(bytes, matches);
        }
    }

    fn report_error(&self, error: FileError) {
        self.progress.add_error();
        self.send(SearchEvent::Error(error));
    }
}

/// At most this many files are searched together: the files of a folder the walk hands to a
/// search thread, or those a walker thread searching what it finds reads through its ring at once.
const BATCH: usize = 16;

/// The files a walker thread found in the folder it is reading, sent together when it goes
/// on to the next folder: a search thread waiting for files is woken once per folder, not once
/// per file.
struct Batch {
    queue: Sender<WalkBatch>,
    /// Batches the search threads are done with, to be filled again.
    recycled: Receiver<WalkBatch>,
    files: WalkBatch,
}

impl Batch {
    /// Sends what was collected; false when nobody takes files any more.
    fn flush(&mut self) -> bool {
        if self.files.is_empty() {
            return true;
        }
        let next = self.recycled.try_recv().unwrap_or_default();
        self.queue
            .send(std::mem::replace(&mut self.files, next))
            .is_ok()
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Files as a walker thread hands them over: their paths copied into one buffer, so that the
/// walk's own `PathBuf`s are freed on the walker thread that made them, and the buffers go back
/// to the walk to be filled again ([`Batch::recycled`]). With glibc's malloc, memory made on one
/// thread and freed on another takes the lock of the maker's arena: one path per file freed on
/// a search thread cost the cargo registry's search 4–5 % of its wall time in lock waits
/// (scripts/bench-results.md, "Memory freed where it was made").
#[derive(Default)]
struct WalkBatch {
    /// Every file's path (`OsStr::as_encoded_bytes`), one after another.
    paths: Vec<u8>,
    files: Vec<WalkedFile>,
}

/// A file of a [`WalkBatch`].
struct WalkedFile {
    /// Where its path ends in [`WalkBatch::paths`] (it starts where the one before ends).
    end: usize,
    dir: Option<Arc<DirSlot>>,
    #[cfg(target_os = "linux")]
    via_link: bool,
}

impl WalkBatch {
    fn len(&self) -> usize {
        self.files.len()
    }

    fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn push(&mut self, path: &std::path::Path, dir: Option<Arc<DirSlot>>, via_link: bool) {
        self.paths
            .extend_from_slice(path.as_os_str().as_encoded_bytes());
        #[cfg(not(target_os = "linux"))]
        let _ = via_link;
        self.files.push(WalkedFile {
            end: self.paths.len(),
            dir,
            #[cfg(target_os = "linux")]
            via_link,
        });
    }

    /// Moves the files to `found`, each with a path allocated on this (the search) thread,
    /// and leaves the batch empty, its buffers kept.
    fn drain_into(&mut self, found: &mut Vec<FoundFile>) {
        let mut start = 0;
        for file in self.files.drain(..) {
            let bytes = &self.paths[start..file.end];
            start = file.end;
            // SAFETY: `bytes` are exactly what `as_encoded_bytes` gave for one whole `OsStr` in
            // `push`, in this process.
            let path = unsafe { std::ffi::OsStr::from_encoded_bytes_unchecked(bytes) };
            found.push(FoundFile {
                path: PathBuf::from(path),
                dir: file.dir,
                #[cfg(target_os = "linux")]
                via_link: file.via_link,
            });
        }
        self.paths.clear();
    }
}

/// A file found by the walk, on its way to a search thread.
struct FoundFile {
    path: PathBuf,
    /// The directory it is in (none for a root given as a file).
    dir: Option<Arc<DirSlot>>,
    /// Reached through a symbolic link (`-L`): the file may be on another file system (read
    /// only by a batch read, `crate::batch_read`).
    #[cfg(target_os = "linux")]
    via_link: bool,
}

/// The search thread: walks the tree (on ignore's walker threads) and searches the files on the
/// pool as they are found. Each found file carries its directory's [`DirSlot`], so the search
/// threads can open it relative to the directory.
fn run<F: Send>(
    shared: &Shared<F>,
    walk: ignore::WalkParallel,
    pool: &rayon::ThreadPool,
    request: &SearchRequest,
    matcher: RegexMatcher,
    started: Instant,
) {
    let (files_tx, files) = crossbeam_channel::unbounded::<WalkBatch>();
    let (recycle_tx, recycled) = crossbeam_channel::bounded::<WalkBatch>(RECYCLED_BATCHES);
    let (split_tx, splits) = crossbeam_channel::unbounded::<SharedWork>();
    let matcher = &matcher;
    let threads = pool.current_num_threads();
    pool.in_place_scope(|scope| {
        // One long-lived task per pool thread, each with its own searcher, pulling files from
        // the walk (walking ahead; otherwise none come, and it only helps): cheaper per file
        // than a par_bridge over the channel. A large file's segments come first: its result
        // goes out sooner and its memory is freed sooner.
        for _ in 0..threads {
            let files = Walked {
                batches: files.clone(),
                recycle: recycle_tx.clone(),
            };
            let splits = splits.clone();
            let helpers = (threads > 1).then(|| Helpers {
                queue: split_tx.clone(),
                count: threads - 1,
            });
            scope.spawn(move |_| {
                let mut searcher =
                    FileSearcher::new(request, matcher.clone(), Arc::clone(&shared.cancel));
                searcher.report_progress(Arc::clone(&shared.progress));
                searcher.share_large_files(helpers);
                // Without walking ahead no file comes to the pool's threads: no ring.
                let mut reader = request.walk_ahead.then(BatchReader::new).flatten();
                search_files(shared, &mut searcher, &mut reader, &files, &splits);
            });
        }
        drop(recycle_tx);
        if request.walk_ahead {
            hand_over(shared, walk, &files_tx, &recycled);
        } else {
            search_on_walker_threads(shared, walk, request, matcher, threads, &split_tx);
        }
        // The pool's threads end once nothing is left to share and no file comes any more.
        drop(split_tx);
        shared.progress.set_walk_done();
        drop(files_tx);
    });

    let totals = shared.progress.snapshot();
    let summary = Summary {
        files_searched: totals.files_searched,
        files_matched: totals.files_matched,
        matches: totals.matches,
        bytes_searched: totals.bytes_searched,
        errors: totals.errors,
        elapsed: started.elapsed(),
        cancelled: shared.cancelled(),
    };
    shared.progress.set_finished();
    // The final event goes out even after a cancel, so the consumer always learns the end.
    if shared.events.send(SearchEvent::Finished(summary)).is_ok() {
        (shared.notify)(Queued::Finished);
    }
}

/// The walk ahead of the search ([`SearchRequest::walk_ahead`]): the walker threads hand the
/// files of each folder to the pool's threads in batches ([`Batch`]).
fn hand_over<F: Send>(
    shared: &Shared<F>,
    walk: ignore::WalkParallel,
    files_tx: &Sender<WalkBatch>,
    recycled: &Receiver<WalkBatch>,
) {
    walk.run(|| {
        let mut batch = Batch {
            queue: files_tx.clone(),
            recycled: recycled.clone(),
            files: WalkBatch::default(),
        };
        let mut recent: Vec<Arc<DirSlot>> = Vec::with_capacity(RECENT_DIRS);
        Box::new(move |entry| {
            visit(shared, &mut recent, entry, |entry, dir| match entry {
                Some(entry) => {
                    batch.files.push(entry.path(), dir, entry.path_is_symlink());
                    batch.files.len() < BATCH || batch.flush()
                }
                // A folder is about to be read: what was found so far goes out first.
                None => batch.flush(),
            })
        })
    });
}

/// The walk without walking ahead ([`SearchRequest::walk_ahead`] off): ignore's walker
/// threads search the files they find, as ripgrep's do, where otherwise they hand them to the
/// pool's threads. On 2 cores the hand-over cost 4–8 % of the wall time (the Rust
/// documentation's rare literal 170.6 → 156.4 ms, a cargo registry's 117.0 → 112.7;
/// scripts/bench-results.md, "Searching on the walker threads"): a file's path, its folder's
/// handle and its directory entries were made on one core and used on the other, and four
/// busy threads took turns on two cores. The pool's threads wait to help with what a walker
/// thread shares (a large file's segments, an archive's members, [`search_files`]: no files
/// come to them); they end once every walker thread has ended and dropped `split_tx`'s clones.
fn search_on_walker_threads<F: Send>(
    shared: &Shared<F>,
    walk: ignore::WalkParallel,
    request: &SearchRequest,
    matcher: &RegexMatcher,
    threads: usize,
    split_tx: &Sender<SharedWork>,
) {
    walk.run(|| {
        let mut search = WalkerSearch {
            shared,
            request,
            matcher,
            // As many threads search at once as asked for: this one and, for what it shares,
            // as many helpers as there are other walker threads.
            helpers: (threads > 1).then(|| Helpers {
                queue: split_tx.clone(),
                count: threads - 1,
            }),
            searching: None,
            waiting: Vec::with_capacity(BATCH),
        };
        let mut recent: Vec<Arc<DirSlot>> = Vec::with_capacity(RECENT_DIRS);
        Box::new(move |entry| {
            visit(shared, &mut recent, entry, |entry, dir| {
                if let Some(entry) = entry {
                    #[cfg(target_os = "linux")]
                    let via_link = entry.path_is_symlink();
                    search.add(FoundFile {
                        path: entry.into_path(),
                        dir,
                        #[cfg(target_os = "linux")]
                        via_link,
                    });
                }
                true
            })
        })
    });
}

/// What a walker thread does with one entry of the walk: a regular file found goes to `found`
/// with its folder's [`DirSlot`] (never a FIFO, socket or device, even through a link); a
/// folder about to be read is told to `found` as `None`; an error is reported. `found` says
/// whether the walk goes on.
fn visit<F>(
    shared: &Shared<F>,
    recent: &mut Vec<Arc<DirSlot>>,
    entry: Result<ignore::DirEntry, ignore::Error>,
    mut found: impl FnMut(Option<ignore::DirEntry>, Option<Arc<DirSlot>>) -> bool,
) -> WalkState {
    if shared.cancelled() {
        return WalkState::Quit;
    }
    let going_on = match entry {
        Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
            shared.progress.add_found();
            let dir = if entry.depth() > 0 {
                dir_slot(recent, entry.path())
            } else {
                None
            };
            found(Some(entry), dir)
        }
        Ok(_) => found(None, None),
        Err(err) => {
            shared.report_error(walk_error(&err));
            true
        }
    };
    if going_on {
        WalkState::Continue
    } else {
        WalkState::Quit
    }
}

/// A walker thread searching the files it finds ([`search_on_walker_threads`]). Its searcher
/// and ring are made at its first file, on the walker thread: ignore builds one visitor more
/// than it has threads, for the roots alone. With a ring (`crate::batch_read`) found files
/// wait here until [`BATCH`] of them, from one folder or several, are read with one
/// submission; without one, each is searched as it is found. What still waits is searched when
/// the walker thread ends ([`Drop`]). Each path is made, used and freed on this one thread.
struct WalkerSearch<'s, F> {
    shared: &'s Shared<F>,
    request: &'s SearchRequest,
    matcher: &'s RegexMatcher,
    helpers: Option<Helpers>,
    searching: Option<(FileSearcher, Option<BatchReader<FoundFile>>)>,
    waiting: Vec<FoundFile>,
}

impl<F> WalkerSearch<'_, F> {
    fn add(&mut self, file: FoundFile) {
        let (searcher, reader) = self.searching.get_or_insert_with(|| {
            let mut searcher = FileSearcher::new(
                self.request,
                self.matcher.clone(),
                Arc::clone(&self.shared.cancel),
            );
            searcher.report_progress(Arc::clone(&self.shared.progress));
            searcher.share_large_files(self.helpers.take());
            (searcher, BatchReader::new())
        });
        if reader.is_none() {
            search_one(self.shared, searcher, file);
            return;
        }
        self.waiting.push(file);
        if self.waiting.len() == BATCH {
            self.search_waiting();
        }
    }

    fn search_waiting(&mut self) {
        let Some((searcher, reader)) = &mut self.searching else {
            return;
        };
        if self.waiting.is_empty() {
            return;
        }
        let files = std::mem::replace(&mut self.waiting, Vec::with_capacity(BATCH));
        search_batch(self.shared, searcher, reader, files);
    }
}

impl<F> Drop for WalkerSearch<'_, F> {
    fn drop(&mut self) {
        self.search_waiting();
        // Nothing more to share: the helpers stop waiting for this thread.
        if let Some((searcher, _)) = &mut self.searching {
            searcher.share_large_files(None);
        }
    }
}

/// A search thread's work: the walk's files, and segments of the large files other threads
/// found, those first. Once no file is left to find, it helps with the large files still being
/// searched until every thread is done with its own (each then stops asking for help).
fn search_files<F>(
    shared: &Shared<F>,
    searcher: &mut FileSearcher,
    reader: &mut Option<BatchReader<FoundFile>>,
    files: &Walked,
    splits: &Receiver<SharedWork>,
) {
    loop {
        crossbeam_channel::select_biased! {
            recv(splits) -> work => match work {
                Ok(work) => help(shared, searcher, work),
                // Nobody can share a file any more (a single thread): files only.
                Err(_) => break,
            },
            recv(files.batches) -> batch => match batch {
                Ok(batch) => {
                    let batch = gather(batch, files, reader.is_some());
                    search_batch(shared, searcher, reader, batch);
                }
                Err(_) => break,
            },
        }
    }
    while let Ok(batch) = files.batches.recv() {
        let batch = gather(batch, files, reader.is_some());
        search_batch(shared, searcher, reader, batch);
    }
    searcher.share_large_files(None);
    for work in splits {
        help(shared, searcher, work);
    }
}

/// How many emptied [`WalkBatch`]es wait to be filled again; past that they are freed.
const RECYCLED_BATCHES: usize = 64;

/// What a search thread takes the walk's files from, and gives the emptied batches back to.
struct Walked {
    batches: Receiver<WalkBatch>,
    recycle: Sender<WalkBatch>,
}

impl Walked {
    /// The batch's files, and the batch back to the walk.
    fn take(&self, mut batch: WalkBatch, found: &mut Vec<FoundFile>) {
        batch.drain_into(found);
        let _ = self.recycle.try_send(batch);
    }
}

/// The files of `batch`, with those of the batches already waiting while they are fewer than
/// [`BATCH`] and the thread reads through a ring: in a tree of small folders (a cargo
/// registry's five files each) the ring then reads the files of several folders in one
/// submission, where a folder's files alone are too few to gain from it. Nothing is waited for.
fn gather(batch: WalkBatch, files: &Walked, batched_reads: bool) -> Vec<FoundFile> {
    let mut found = Vec::with_capacity(BATCH);
    files.take(batch, &mut found);
    while batched_reads && found.len() < BATCH {
        match files.batches.try_recv() {
            Ok(more) => files.take(more, &mut found),
            Err(_) => break,
        }
    }
    found
}

/// Takes part in work another search thread shares.
fn help<F>(shared: &Shared<F>, searcher: &mut FileSearcher, work: SharedWork) {
    match work {
        SharedWork::Split(split) => searcher.help_with(&split),
        SharedWork::Member(member) => {
            if shared.cancelled() {
                return;
            }
            with_members(shared, member.path(), |members| {
                archive::search_queued(searcher, &member, members)
            });
        }
        SharedWork::Zip(job) => {
            let Some(selection) = &shared.archives else {
                return;
            };
            with_members(shared, job.path(), |members| {
                archive::help_with_zip(searcher, selection, &job, members)
            });
        }
    }
}

/// The slot of the directory holding `path`, from the walker thread's recent ones or new.
fn dir_slot(recent: &mut Vec<Arc<DirSlot>>, path: &std::path::Path) -> Option<Arc<DirSlot>> {
    if let Some(slot) = recent.iter().find(|slot| slot.is_parent_of(path)) {
        return Some(Arc::clone(slot));
    }
    let slot = Arc::new(DirSlot::new(path.parent()?.to_path_buf()));
    if recent.len() == RECENT_DIRS {
        recent.pop();
    }
    recent.insert(0, Arc::clone(&slot));
    Some(slot)
}

/// Searches the files of a batch the walk handed over: on Linux, where the thread has a ring
/// and the batch is not too small to gain from it (`crate::batch_read`), its small files read
/// together, the others one at a time.
fn search_batch<F>(
    shared: &Shared<F>,
    searcher: &mut FileSearcher,
    reader: &mut Option<BatchReader<FoundFile>>,
    batch: Vec<FoundFile>,
) {
    #[cfg(target_os = "linux")]
    if let Some(reader) = reader
        && batch.len() >= crate::batch_read::MIN_FILES
    {
        use crate::batch_read::Fetched;
        if shared.cancelled() {
            return;
        }
        let archive = |path: &std::path::Path| {
            (shared.archives.as_ref())
                .is_some_and(|selection| selection.kind_of_file(path).is_some())
        };
        reader.read(
            batch,
            |file, name| match &file.dir {
                Some(dir) if !archive(&file.path) => {
                    dir.open_target(&file.path, file.via_link, name)
                }
                _ => None,
            },
            |file, fetched| match fetched {
                Fetched::Whole(bytes) => search_fetched(shared, searcher, file, bytes),
                Fetched::Start(start) => search_one_after(shared, searcher, file, start),
                Fetched::Plain => search_one(shared, searcher, file),
            },
        );
        return;
    }
    let _ = reader;
    batch
        .into_iter()
        .for_each(|file| search_one(shared, searcher, file));
}

/// Searches a file a batch read whole (`bytes`) and reports what it found, as [`search_one`]
/// does for a file it reads.
#[cfg(target_os = "linux")]
fn search_fetched<F>(
    shared: &Shared<F>,
    searcher: &mut FileSearcher,
    file: FoundFile,
    bytes: &[u8],
) {
    if shared.cancelled() {
        return;
    }
    let FoundFile { path, dir, .. } = file;
    drop(dir);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        searcher.search_whole(bytes, || std::fs::metadata(&path))
    }));
    report_outcome(shared, searcher, path, outcome);
}

/// Searches one file on a pool thread and reports what it found.
fn search_one<F>(shared: &Shared<F>, searcher: &mut FileSearcher, file: FoundFile) {
    search_one_after(shared, searcher, file, &[]);
}

/// Like [`search_one`] for a file whose first bytes, `start`, a batch read already.
fn search_one_after<F>(
    shared: &Shared<F>,
    searcher: &mut FileSearcher,
    file: FoundFile,
    start: &[u8],
) {
    if shared.cancelled() {
        return;
    }
    let FoundFile { path, dir, .. } = file;
    if let Some(selection) = &shared.archives
        && let Some(kind) = selection.kind_of_file(&path)
    {
        drop(dir);
        search_archive(shared, searcher, selection, path, kind);
        return;
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| match &dir {
        Some(dir) => searcher.search_in_dir(dir, &path, start),
        None => searcher.search_path(&path),
    }));
    // Close the directory as soon as its last file is done.
    drop(dir);
    report_outcome(shared, searcher, path, outcome);
}

/// Reports how the search of the file at `path` ended: its matches, what a cancel left of
/// them, or why it could not be searched.
fn report_outcome<F>(
    shared: &Shared<F>,
    searcher: &mut FileSearcher,
    path: PathBuf,
    outcome: std::thread::Result<std::io::Result<FileMatches>>,
) {
    match outcome {
        // A file searched to its end stays, a cancel arriving meanwhile or not.
        Ok(Ok(found)) => shared.send_file(path, found),
        // What the file's search found before the cancel stopped it stays too, as the files
        // searched before it do: the window and the command line keep what was found.
        Ok(Err(err)) if err.kind() == std::io::ErrorKind::Interrupted && shared.cancelled() => {
            if let Some(found) = searcher.take_stopped() {
                shared.send_file(path, found);
            }
        }
        Ok(Err(err)) => {
            shared.progress.add_failed();
            shared.report_error(FileError {
                path,
                message: io_message(&err),
            });
        }
        Err(panic) => {
            shared.progress.add_failed();
            shared.report_error(FileError {
                path,
                message: internal_error(&*panic),
            });
        }
    }
}

/// Searches inside an archive or a compressed file (`-z`): each member is a file of its own,
/// found, searched and reported as the walk's files are.
fn search_archive<F>(
    shared: &Shared<F>,
    searcher: &mut FileSearcher,
    selection: &Selection,
    path: PathBuf,
    kind: archive::Kind,
) {
    // The archive is no file to search: what it holds is.
    shared.progress.retract_found();
    with_members(shared, &path, |members| {
        archive::search(searcher, selection, &path, kind, members)
    });
}

/// Runs `search`, a search inside an archive, with its members sent on as the walk's files
/// are; a panic inside it is reported as the failure of `path` (the archive or the member it
/// was searching), as a panic in a file's search is.
fn with_members<F>(
    shared: &Shared<F>,
    path: &std::path::Path,
    search: impl FnOnce(&mut Members<'_, F>),
) {
    let mut members = Members(shared);
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| search(&mut members))) {
        let message = internal_error(&*panic);
        archive::Report::failed(&mut members, path.to_path_buf(), message);
    }
}

/// Sends an archive's members on as the walk's files are sent.
struct Members<'s, F>(&'s Shared<F>);

impl<F> archive::Report for Members<'_, F> {
    fn searched(&mut self, path: PathBuf, found: FileMatches) {
        self.0.progress.add_found();
        self.0.send_file(path, found);
    }
    fn failed(&mut self, path: PathBuf, message: String) {
        self.0.progress.add_found();
        self.0.progress.add_failed();
        self.0.report_error(FileError { path, message });
    }
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}
