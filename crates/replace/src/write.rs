//! Writing a plan: each file checked and rewritten into a temporary file beside it, a batch
//! of them flushed to disk together and recorded, then each renamed into place.
//!
//! Two threads share the work: this one prepares files one at a time (reads, checks and
//! rewrites each into its temporary file), and a committing thread takes whatever has been
//! prepared whenever it is free, flushes that batch to disk together, records it and renames
//! its files. A flush waits on the disk (and a flush per file would cost a disk commit each,
//! about 1.7 ms here, for files that take 0.05 ms to copy), so the next files are prepared
//! meanwhile, and the slower the disk the larger the batches. The order that makes a replace
//! safe holds for every file: its new text, its original and its journal entry are on disk
//! before it is renamed (on Linux one `syncfs` takes all three; an entry on disk for a file
//! not renamed yet is harmless, since an undo finds that file as it was). A rename is on disk
//! by the next batch's flush, and every one of them by the time the writer returns.

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::encoding::{Encoding, Utf16Reader, Utf16Writer};
use crate::journal::{
    CopyingReader, EntryLog, Fingerprint, HashingWriter, Journal, JournalEntry, Kept, Recording,
    sync_dir,
};
use crate::rewrite::{Plain, RewriteError, rewrite};
use crate::{
    FilePlan, ReplaceError, ReplacePlan, Replacer, SkipReason, SkippedFile, WriteProgress,
    WriteReport, WrittenFile,
};

/// Files prepared and not yet renamed, at most (two open files each).
const IN_FLIGHT_FILES: usize = 256;
/// Bytes prepared (new files and copies) and not yet renamed, at most (one file may pass it).
const IN_FLIGHT_BYTES: u64 = 256 << 20;
/// A batch is taken once it has this many files (or the bytes below), or once its first file
/// has waited [`BATCH_WAIT`]: a flush costs a disk commit however little it carries.
const BATCH_FILES: usize = 64;
/// See [`BATCH_FILES`].
const BATCH_BYTES: u64 = 64 << 20;
/// See [`BATCH_FILES`]; it also bounds how long the progress counters stand still.
const BATCH_WAIT: Duration = Duration::from_millis(50);
/// Threads that flush a batch file by file (where `syncfs` is not used).
const FLUSH_THREADS: usize = 16;
/// Threads that close the replaced originals (see [`write_plan`]).
const RELEASE_THREADS: usize = 16;

/// Rewrites every file of `plan`, each atomically, recording each in `journal` before it is
/// renamed into place. Stops between files when `cancel` is set; files already written stay
/// written and recorded (files prepared but not yet renamed are still written). Fails as a
/// whole only when the journal cannot be written (then no further file is touched).
pub fn write_plan(
    plan: &ReplacePlan,
    replacer: &Replacer,
    journal: &Journal,
    progress: &WriteProgress,
    cancel: &AtomicBool,
) -> Result<WriteReport, ReplaceError> {
    write_each(
        &plan.root,
        &plan.pattern,
        &plan.files,
        replacer,
        journal,
        progress,
        cancel,
    )
}

/// [`write_plan`] over files handed one at a time: each [`FilePlan`] is taken only when its
/// file is reached and dropped once the file is prepared, so a caller that builds them as
/// they are asked for (the window, from results of millions of matches) holds one at a
/// time. `root` and `pattern` are recorded as a plan's are.
pub fn write_each<P: Borrow<FilePlan>>(
    root: &Path,
    pattern: &str,
    files: impl IntoIterator<Item = P>,
    replacer: &Replacer,
    journal: &Journal,
    progress: &WriteProgress,
    cancel: &AtomicBool,
) -> Result<WriteReport, ReplaceError> {
    // Each original stays open until after its rename, and is closed on several
    // threads: when the journal copied it rather than keeping it by a link (journal.rs),
    // closing it drops the old text's last reference, and the file system frees its blocks
    // then. Some do that synchronously (ext4 mounted with `discard` sends the disk a
    // discard and waits for it, 1 to 3 ms here), which a rename would otherwise pay file by
    // file; closed from 16 threads, those waits overlap (10,000 files: 34 s one by one, 2 s
    // from 16 threads; scripts/bench-replace-results.md). It changes nothing a reader of the
    // files sees: the name points to the new text from the rename on.
    closing_on_threads(|release| {
        let mut recording = journal.begin(root, pattern, replacer.template())?;
        let log = recording.entry_log()?;
        let handoff = Handoff::default();
        let (prepared, committed) = std::thread::scope(|scope| {
            let committer = scope.spawn(|| commit_all(&handoff, log, progress, release));
            let prepared = prepare_all(files, replacer, &mut recording, &handoff, progress, cancel);
            handoff.close(prepared.is_err());
            let committed = committer
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (prepared, committed)
        });
        let (mut skipped, cancelled) = prepared?;
        let committed = committed?;
        let kept_bytes = committed.kept_bytes;
        let mut report = WriteReport {
            id: Some(recording.id().to_string()),
            written: committed.written,
            skipped: Vec::new(),
            cancelled,
        };
        // In plan order, wherever each was found.
        skipped.extend(committed.skipped);
        skipped.sort_by_key(|(index, _)| *index);
        report.skipped = skipped.into_iter().map(|(_, file)| file).collect();
        if report.written.is_empty() {
            // Nothing to undo: no record (docs/CONTRACT.md, "The journal and undo").
            recording.discard();
            report.id = None;
        } else {
            recording.finish(kept_bytes);
        }
        journal.prune();
        Ok(report)
    })
}

/// Runs `work` with a channel whose files are closed on [`RELEASE_THREADS`] threads (see
/// [`write_each`]), all closed by the time it returns.
fn closing_on_threads<R>(work: impl FnOnce(&crossbeam_channel::Sender<File>) -> R) -> R {
    let (release, released) = crossbeam_channel::unbounded::<File>();
    std::thread::scope(|scope| {
        for _ in 0..RELEASE_THREADS {
            let released = released.clone();
            scope.spawn(move || released.iter().for_each(drop));
        }
        drop(released);
        let result = work(&release);
        drop(release);
        result
    })
}

/// A file left alone, with its place in the plan (the report lists them in plan order).
type Skip = (usize, SkippedFile);

/// Prepares the plan's files one at a time and hands each to the committing thread; the
/// files left alone here, and whether it was cancelled.
fn prepare_all<P: Borrow<FilePlan>>(
    files: impl IntoIterator<Item = P>,
    replacer: &Replacer,
    recording: &mut Recording,
    handoff: &Handoff,
    progress: &WriteProgress,
    cancel: &AtomicBool,
) -> Result<(Vec<Skip>, bool), ReplaceError> {
    let mut skipped = Vec::new();
    // A file reached by two paths (a link with -L) is written once.
    let mut seen: HashMap<FileId, PathBuf> = HashMap::new();
    // Relative paths are made absolute from here, once (not by each temporary file's own
    // look at the current folder).
    let cwd = std::env::current_dir().ok();
    for (index, file) in files.into_iter().enumerate() {
        let file = file.borrow();
        if cancel.load(Ordering::Relaxed) {
            return Ok((skipped, true));
        }
        match prepare(file, cwd.as_deref(), replacer, recording, &mut seen) {
            Ok(prepared) => {
                if !handoff.give(index, prepared) {
                    // The committing thread failed; it returns why.
                    break;
                }
            }
            Err(FileFailure::Skip(reason)) => {
                skipped.push((
                    index,
                    SkippedFile {
                        path: file.path.clone(),
                        reason,
                    },
                ));
                progress.files_done.fetch_add(1, Ordering::Relaxed);
            }
            Err(FileFailure::Journal(err)) => return Err(err),
        }
    }
    Ok((skipped, false))
}

/// Prepared files on their way from the preparing thread to the committing one.
#[derive(Default)]
struct Handoff {
    state: Mutex<HandoffState>,
    /// Signalled when a file is given or the preparing is over.
    given: Condvar,
    /// Signalled when files were renamed (room for more) or the committing failed.
    taken: Condvar,
}

#[derive(Default)]
struct HandoffState {
    /// Given and not taken yet, each with its place in the plan.
    waiting: Vec<(usize, Prepared)>,
    waiting_bytes: u64,
    /// When the first of `waiting` was given.
    oldest: Option<Instant>,
    /// Given and not yet renamed (or left alone), and their bytes.
    in_flight: usize,
    in_flight_bytes: u64,
    /// No more files will be given.
    closed: bool,
    /// The preparing failed: the files waiting are not written.
    abandoned: bool,
    /// The committing failed: no more files are taken.
    failed: bool,
    /// What renamed files leave, to be freed by the preparing thread that made it (glibc's
    /// malloc takes that thread's arena lock for a free on another: 2 % of a replace).
    spent: Vec<Spent>,
}

/// A renamed file's paths and entry, made by the preparing thread.
type Spent = (PathBuf, Option<PathBuf>, JournalEntry);

impl Handoff {
    fn lock(&self) -> MutexGuard<'_, HandoffState> {
        // Neither side panics while holding it; if one did, the state is still whole.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Hands over a prepared file, once there is room; false (the file dropped, its kept
    /// link removed) when the committing thread has failed.
    fn give(&self, index: usize, prepared: Prepared) -> bool {
        let bytes = prepared.bytes();
        let mut state = self.lock();
        let spent = std::mem::take(&mut state.spent);
        if !spent.is_empty() {
            drop(state);
            drop(spent);
            state = self.lock();
        }
        while !state.failed
            && state.in_flight > 0
            && (state.in_flight >= IN_FLIGHT_FILES || state.in_flight_bytes >= IN_FLIGHT_BYTES)
        {
            state = self
                .taken
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        if state.failed {
            drop(state);
            drop_link(prepared.kept_link.as_deref());
            return false;
        }
        state.oldest.get_or_insert_with(Instant::now);
        state.waiting.push((index, prepared));
        state.waiting_bytes += bytes;
        state.in_flight += 1;
        state.in_flight_bytes += bytes;
        if state.waiting.len() >= BATCH_FILES || state.waiting_bytes >= BATCH_BYTES {
            self.given.notify_one();
        }
        true
    }

    /// No more files: the ones waiting are written, unless `abandon`.
    fn close(&self, abandon: bool) {
        let mut state = self.lock();
        state.closed = true;
        state.abandoned = abandon;
        self.given.notify_one();
    }

    /// The next batch: what is waiting once it is a batch's worth, has waited
    /// [`BATCH_WAIT`], or no more is coming; `None` at the end.
    fn take(&self) -> Option<Vec<(usize, Prepared)>> {
        let mut state = self.lock();
        loop {
            if state.closed && state.abandoned {
                let waiting = std::mem::take(&mut state.waiting);
                drop(state);
                for (_, prepared) in waiting {
                    drop_link(prepared.kept_link.as_deref());
                }
                return None;
            }
            let full = state.waiting.len() >= BATCH_FILES || state.waiting_bytes >= BATCH_BYTES;
            let waited = state.oldest.map(|oldest| oldest.elapsed());
            if full || state.closed || waited.is_some_and(|waited| waited >= BATCH_WAIT) {
                if state.waiting.is_empty() {
                    return None;
                }
                state.oldest = None;
                state.waiting_bytes = 0;
                return Some(std::mem::take(&mut state.waiting));
            }
            let wait = waited.map_or(BATCH_WAIT, |waited| BATCH_WAIT - waited);
            state = self
                .given
                .wait_timeout(state, wait)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    /// A batch of `files` files and `bytes` bytes is renamed (or left alone): room for more;
    /// `spent` is what the renamed ones leave, to free.
    fn done(&self, files: usize, bytes: u64, spent: &mut Vec<Spent>) {
        let mut state = self.lock();
        state.in_flight -= files;
        state.in_flight_bytes -= bytes;
        state.spent.append(spent);
        self.taken.notify_one();
    }

    /// The committing failed: the preparing stops, the files waiting are not written.
    fn fail(&self) {
        let mut state = self.lock();
        state.failed = true;
        let waiting = std::mem::take(&mut state.waiting);
        drop(state);
        self.taken.notify_one();
        for (_, prepared) in waiting {
            drop_link(prepared.kept_link.as_deref());
        }
    }
}

/// What the committing thread did.
#[derive(Default)]
struct Committed {
    written: Vec<WrittenFile>,
    skipped: Vec<Skip>,
    /// What the originals kept by a link take (see [`Recording::finish`]).
    kept_bytes: u64,
    /// What the last batch's renamed files leave (see [`HandoffState::spent`]).
    spent: Vec<Spent>,
}

/// The committing thread: flushes, records and renames each batch the preparing thread
/// hands over, then makes the last renames durable.
fn commit_all(
    handoff: &Handoff,
    mut log: EntryLog,
    progress: &WriteProgress,
    release: &crossbeam_channel::Sender<File>,
) -> Result<Committed, ReplaceError> {
    let mut committed = Committed::default();
    let mut renamed = Renamed::default();
    while let Some(batch) = handoff.take() {
        let files = batch.len();
        let bytes = batch.iter().map(|(_, prepared)| prepared.bytes()).sum();
        let result = commit_batch(
            batch,
            &mut log,
            &mut committed,
            &mut renamed,
            progress,
            release,
        );
        if let Err(err) = result {
            handoff.fail();
            renamed.make_durable();
            return Err(err);
        }
        handoff.done(files, bytes, &mut committed.spent);
    }
    renamed.make_durable();
    Ok(committed)
}

/// Renames not known to be on disk yet: their folders, and per file system one of the new
/// files, to flush it through.
#[derive(Default)]
struct Renamed {
    folders: BTreeSet<PathBuf>,
    #[cfg(target_os = "linux")]
    on_devices: HashMap<u64, File>,
}

impl Renamed {
    fn add(&mut self, real: &Path, meta: &fs::Metadata, new: File) {
        if let Some(folder) = real.parent()
            && !self.folders.contains(folder)
        {
            self.folders.insert(folder.to_path_buf());
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::MetadataExt;
            self.on_devices.entry(meta.dev()).or_insert(new);
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (meta, new);
    }

    /// The file systems `devices` were flushed whole: the renames made there are on disk.
    #[cfg(target_os = "linux")]
    fn flushed<'d>(&mut self, devices: impl Iterator<Item = &'d u64>) {
        for device in devices {
            self.on_devices.remove(device);
        }
        if self.on_devices.is_empty() {
            self.folders.clear();
        }
    }

    /// Puts the renames on disk: a `syncfs` of each file system they are on, or else a flush
    /// of each folder.
    fn make_durable(&mut self) {
        #[cfg(target_os = "linux")]
        if self.on_devices.values().all(syncfs) {
            self.on_devices.clear();
            self.folders.clear();
            return;
        }
        for folder in std::mem::take(&mut self.folders) {
            sync_dir(&folder);
        }
        #[cfg(target_os = "linux")]
        self.on_devices.clear();
    }
}

/// A file rewritten into its temporary file, not yet flushed, recorded or renamed.
struct Prepared {
    /// The path as the plan gave it (the report's).
    path: PathBuf,
    real: PathBuf,
    /// The original, open until it is replaced (see [`write_plan`]).
    source: File,
    /// The journal's link keeping the original (`journal.rs`), made for this file: removed
    /// if the file is not renamed after all.
    kept_link: Option<PathBuf>,
    temp: tempfile::NamedTempFile,
    meta: fs::Metadata,
    entry: JournalEntry,
}

impl Prepared {
    /// The bytes it put on the disk to flush (its new file, its original's copy).
    fn bytes(&self) -> u64 {
        self.entry.before.size + self.entry.after.size
    }
}

/// Records a batch's files, puts them on disk with their records and kept originals (and with
/// them the renames of the batches before), then renames each into place.
fn commit_batch(
    batch: Vec<(usize, Prepared)>,
    log: &mut EntryLog,
    committed: &mut Committed,
    renamed: &mut Renamed,
    progress: &WriteProgress,
    release: &crossbeam_channel::Sender<File>,
) -> Result<(), ReplaceError> {
    // A file changed since it was read is left alone before anything records it.
    let mut ready = Vec::with_capacity(batch.len());
    for (index, prepared) in batch {
        match unchanged(&prepared) {
            Ok(()) => ready.push((index, prepared)),
            Err(reason) => leave_alone(index, prepared, reason, committed, progress),
        }
    }
    if ready.is_empty() {
        return Ok(());
    }
    let ready = match record_and_flush(ready, log, renamed, committed, progress) {
        Ok(ready) => ready,
        Err((err, ready)) => {
            for (_, prepared) in &ready {
                drop_link(prepared.kept_link.as_deref());
            }
            return Err(err);
        }
    };
    for (index, prepared) in ready {
        let Prepared {
            path,
            real,
            source,
            kept_link,
            temp,
            meta,
            entry,
        } = prepared;
        match temp.persist(&real) {
            Ok(new) => {
                // Kept by a link, the original's text stays referenced: closing it frees
                // nothing and costs nothing here, where sending it to a closing thread wakes
                // one (10,000 files: 58,000 `sched_yield` and 30,000 `futex` calls). A copied
                // original's close may free its blocks: on a closing thread. Sending only
                // fails once the closing threads are gone, and then it drops it here.
                if kept_link.is_some() {
                    committed.kept_bytes += entry.before.size;
                    drop(source);
                } else {
                    let _ = release.send(source);
                }
                progress.files_written.fetch_add(1, Ordering::Relaxed);
                progress
                    .replacements
                    .fetch_add(entry.replacements, Ordering::Relaxed);
                progress
                    .bytes_written
                    .fetch_add(entry.after.size, Ordering::Relaxed);
                committed.written.push(WrittenFile {
                    path,
                    replacements: entry.replacements,
                });
                renamed.add(&real, &meta, new);
                committed.spent.push((real, kept_link, entry));
            }
            // Recorded but not renamed: an undo finds it as it was and says so.
            Err(err) => {
                drop_link(kept_link.as_deref());
                committed.skipped.push((
                    index,
                    SkippedFile {
                        path,
                        reason: SkipReason::Io(format!(
                            "renaming the new file into place failed: {}",
                            plain(&err.error)
                        )),
                    },
                ));
            }
        }
        progress.files_done.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

/// A prepared file not written after all: reported with `reason`, its kept link removed.
fn leave_alone(
    index: usize,
    prepared: Prepared,
    reason: SkipReason,
    committed: &mut Committed,
    progress: &WriteProgress,
) {
    drop_link(prepared.kept_link.as_deref());
    committed.skipped.push((
        index,
        SkippedFile {
            path: prepared.path,
            reason,
        },
    ));
    progress.files_done.fetch_add(1, Ordering::Relaxed);
}

/// A batch that could not be recorded, and its files (their kept links to remove).
type NotRecorded = (ReplaceError, Vec<(usize, Prepared)>);

/// Records the files and puts on disk, before any of them is renamed, their new text, their
/// kept originals and their records: the files to rename.
///
/// On Linux the records are appended first and one `syncfs` per file system takes all of it
/// (and the renames of the batches before) to disk: one disk commit for the batch. Elsewhere,
/// or if `syncfs` fails, each file is flushed, from several threads at once so that the
/// disk's journal commits many together, then the records are appended and flushed.
fn record_and_flush(
    ready: Vec<(usize, Prepared)>,
    log: &EntryLog,
    renamed: &mut Renamed,
    committed: &mut Committed,
    progress: &WriteProgress,
) -> Result<Vec<(usize, Prepared)>, NotRecorded> {
    #[allow(unused_mut)]
    let mut recorded = false;
    // Elsewhere each folder is flushed once all renames are made (`Renamed::make_durable`).
    #[cfg(not(target_os = "linux"))]
    let _ = renamed;
    #[cfg(target_os = "linux")]
    if let Some(devices) = devices_of(&ready, log) {
        if let Err(err) = log.append(entries(&ready)) {
            return Err((err, ready));
        }
        recorded = true;
        if devices.values().all(|file| syncfs(file)) {
            renamed.flushed(devices.keys());
            return Ok(ready);
        }
    }
    let each = flush_each(&ready, log.copies_file());
    let mut flushed = Vec::with_capacity(ready.len());
    for ((index, prepared), result) in ready.into_iter().zip(each) {
        match result {
            Ok(()) => flushed.push((index, prepared)),
            // When `syncfs` failed after the records were appended, this one stays recorded
            // and not renamed: an undo finds it as it was and says so.
            Err(reason) => leave_alone(index, prepared, reason, committed, progress),
        }
    }
    let recorded = if recorded {
        Ok(())
    } else {
        log.append(entries(&flushed))
    };
    match recorded.and_then(|()| log.flush_records()) {
        Ok(()) => Ok(flushed),
        Err(err) => Err((err, flushed)),
    }
}

/// The journal entries of a batch's files.
fn entries(batch: &[(usize, Prepared)]) -> impl Iterator<Item = &JournalEntry> {
    batch.iter().map(|(_, prepared)| &prepared.entry)
}

/// Flushes each of a batch's new files, and the journal's copies, to disk: one result per
/// file, in order.
fn flush_each(batch: &[(usize, Prepared)], copies: &File) -> Vec<Result<(), SkipReason>> {
    let copies_flushed = copies.sync_all();
    let per_thread = batch.len().div_ceil(FLUSH_THREADS).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = batch
            .chunks(per_thread)
            .map(|chunk| {
                let copies_flushed = &copies_flushed;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(_, prepared)| {
                            prepared.temp.as_file().sync_all().map_err(|err| {
                                SkipReason::Io(format!(
                                    "writing the temporary file failed: {}",
                                    plain(&err)
                                ))
                            })?;
                            copies_flushed.as_ref().map(|_| ()).map_err(|err| {
                                SkipReason::Io(format!(
                                    "writing its copy in the journal failed: {}",
                                    plain(err)
                                ))
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    vec![Err(SkipReason::Io("flushing it failed".into())); per_thread]
                })
            })
            .collect()
    })
}

/// The file systems a batch's new files and the journal (its records, copies and kept
/// originals) are on, each with one open file on it to `syncfs`; `None` if one is unknown.
#[cfg(target_os = "linux")]
fn devices_of<'a>(
    batch: &'a [(usize, Prepared)],
    log: &'a EntryLog,
) -> Option<HashMap<u64, &'a File>> {
    use std::os::unix::fs::MetadataExt;
    // A new file is in its original's folder, so on its file system.
    let mut devices: HashMap<u64, &File> = HashMap::new();
    for (_, prepared) in batch {
        devices
            .entry(prepared.meta.dev())
            .or_insert(prepared.temp.as_file());
    }
    let journal = log.entries_file();
    let meta = journal.metadata().ok()?;
    devices.entry(meta.dev()).or_insert(journal);
    Some(devices)
}

/// Flushes the whole file system `file` is on.
#[cfg(target_os = "linux")]
fn syncfs(file: &File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: syncfs takes an open file descriptor, which `file` holds for the call.
    unsafe { libc::syncfs(file.as_raw_fd()) == 0 }
}

/// Whatever changed a file since it was read: another size or time, another file at the path.
fn unchanged(prepared: &Prepared) -> Result<(), SkipReason> {
    let now = fs::metadata(&prepared.real)
        .map_err(|err| SkipReason::Io(format!("cannot read it again: {}", plain(&err))))?;
    let meta = &prepared.meta;
    if prepared.entry.before.size != meta.len()
        || now.len() != meta.len()
        || now.modified().ok() != meta.modified().ok()
        || !same_file(&now, meta)
    {
        return Err(SkipReason::Changed(
            "it changed while it was being rewritten".into(),
        ));
    }
    Ok(())
}

enum FileFailure {
    Skip(SkipReason),
    Journal(ReplaceError),
}

impl From<SkipReason> for FileFailure {
    fn from(reason: SkipReason) -> Self {
        FileFailure::Skip(reason)
    }
}

fn io_skip(what: &str) -> impl Fn(io::Error) -> FileFailure + '_ {
    move |err| FileFailure::Skip(SkipReason::Io(format!("{what}: {}", plain(&err))))
}

/// An I/O error's message without Rust's "(os error N)".
fn plain(err: &io::Error) -> String {
    trawl_search::without_os_error(err)
}

/// The file a path names (a symbolic link resolved; a relative path made absolute from `cwd`,
/// so that the journal names it wherever an undo runs), opened and checked against the plan.
fn open_checked(
    file: &FilePlan,
    cwd: Option<&Path>,
) -> Result<(PathBuf, File, fs::Metadata), SkipReason> {
    let cannot_open = |err: io::Error| SkipReason::Io(format!("cannot open it: {}", plain(&err)));
    let path = match cwd {
        // `components` leaves out the `.` parts a join keeps.
        Some(cwd) if file.path.is_relative() => cwd.join(&file.path).components().collect(),
        _ => file.path.clone(),
    };
    // Only a link as the last part needs resolving (the file it points to is replaced, so the
    // link stays a link); a folder reached through a link is renamed into as it is.
    let (real, source) = match open_unless_link(&path).map_err(cannot_open)? {
        Some(source) => (path, source),
        None => {
            let real = fs::canonicalize(&path).map_err(cannot_open)?;
            let source = open_unless_link(&real)
                .map_err(cannot_open)?
                .ok_or_else(|| cannot_open(io::Error::other("a link after links were resolved")))?;
            (real, source)
        }
    };
    let meta = source
        .metadata()
        .map_err(|err| SkipReason::Io(plain(&err)))?;
    if !meta.is_file() {
        return Err(SkipReason::NotRegular);
    }
    Ok((real, source, meta))
}

/// Opens `path` for reading; `None` when its last part is a symbolic link. One open (no look
/// at the link first), which does not wait on a FIFO put where the file was.
#[cfg(unix)]
fn open_unless_link(path: &Path) -> io::Result<Option<File>> {
    use std::os::unix::fs::OpenOptionsExt;
    let opened = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path);
    match opened {
        Ok(file) => Ok(Some(file)),
        Err(err) if err.raw_os_error() == Some(libc::ELOOP) => Ok(None),
        Err(err) => Err(err),
    }
}

#[cfg(not(unix))]
fn open_unless_link(path: &Path) -> io::Result<Option<File>> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Ok(None);
    }
    File::open(path).map(Some)
}

/// Whether the file is still the size and age the search read.
fn check_stamp(file: &FilePlan, meta: &fs::Metadata) -> Result<(), SkipReason> {
    match &file.stamp {
        Some(stamp) if meta.len() != stamp.size || meta.modified().ok() != stamp.modified => Err(
            SkipReason::Changed("its size or modified time is not what the search read".into()),
        ),
        _ => Ok(()),
    }
}

/// Checks a file and rewrites it into a temporary file beside it, its original streamed into
/// the journal's copy; nothing is flushed, recorded or renamed yet.
fn prepare(
    file: &FilePlan,
    cwd: Option<&Path>,
    replacer: &Replacer,
    recording: &mut Recording,
    seen: &mut HashMap<FileId, PathBuf>,
) -> Result<Prepared, FileFailure> {
    let (real, source, meta) = open_checked(file, cwd)?;
    match seen.entry(file_id(&real, &meta)) {
        std::collections::hash_map::Entry::Occupied(first) => {
            return Err(SkipReason::SameFile(first.get().clone()).into());
        }
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(file.path.clone());
        }
    }
    check_stamp(file, &meta)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(SkipReason::HardLinked(meta.nlink()).into());
        }
    }
    if meta.permissions().readonly() {
        return Err(SkipReason::ReadOnly.into());
    }
    let path_text = real
        .to_str()
        .ok_or(SkipReason::PathNotRecordable)?
        .to_string();
    let folder = real.parent().unwrap_or(Path::new("."));
    let mut temp = recording
        .temp_in(folder)
        .map_err(io_skip("cannot create a temporary file in its folder"))?;
    keep_owner_and_mode(temp.as_file(), &meta)?;
    // The original's bytes are hashed as they are read; they go to the journal's copies
    // unless the original can be kept by a link (checked once its hash names it).
    let linking = recording.linking();
    let (copy_at, copies) = recording.copies();
    let buffer = buffer_size(meta.len());
    let streamed = {
        let mut reader = CopyingReader {
            inner: io::BufReader::with_capacity(buffer, &source),
            copy: HashingWriter::new(if linking {
                CopyTo::Nowhere
            } else {
                CopyTo::Copies(BufWriter::with_capacity(buffer, copies))
            }),
        };
        let mut out = HashingWriter::new(BufWriter::with_capacity(buffer, temp.as_file_mut()));
        stream(&mut reader, &mut out, file, replacer).and_then(|replacements| {
            let (after, mut out) = out.finish();
            out.flush()
                .map_err(io_skip("writing the temporary file failed"))?;
            let (before, mut copy) = reader.copy.finish();
            copy.flush().map_err(|err| {
                FileFailure::Journal(ReplaceError::Journal {
                    path: "copies.bin".into(),
                    message: plain(&err),
                })
            })?;
            Ok((replacements, before, after))
        })
    };
    let (replacements, before, after) = match streamed {
        Ok(done) => done,
        Err(failure) => {
            recording.forget_copy_from(copy_at);
            return Err(failure);
        }
    };
    let mut kept_link = None;
    if !linking {
        recording.copied(before.size);
    } else {
        match recording.keep_by_link(&source, &real, &meta, &before.sha256) {
            Kept::Linked(link) => kept_link = Some(link),
            Kept::NotKept => copy_original(&source, recording, &before)?,
        }
    }
    let entry = JournalEntry {
        path: path_text.into(),
        shown: file.path.to_string_lossy().into_owned(),
        replacements,
        before,
        after,
        copy_at,
    };
    Ok(Prepared {
        path: file.path.clone(),
        real,
        source,
        kept_link,
        temp,
        meta,
        entry,
    })
}

/// The buffer that streams a file of `size` bytes: the whole file when it is small, else 60
/// KiB. (A buffer of 64 KiB or more makes glibc's malloc sort its free lists whenever it is
/// freed: with three per file, 1.3 % of a replace of 10,000 small files.)
fn buffer_size(size: u64) -> usize {
    usize::try_from(size)
        .unwrap_or(usize::MAX)
        .saturating_add(1)
        .clamp(4 << 10, 60 << 10)
}

/// Where the original's bytes go as they are read: the journal's copies, through a buffer,
/// or nowhere when it is kept by a link (no buffer to copy them into for nothing).
enum CopyTo<'a> {
    Copies(BufWriter<&'a File>),
    Nowhere,
}

impl Write for CopyTo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            CopyTo::Copies(file) => file.write(buf),
            CopyTo::Nowhere => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            CopyTo::Copies(file) => file.flush(),
            CopyTo::Nowhere => Ok(()),
        }
    }
}

/// Copies the original, read again from its start, to the journal's copies when it could
/// not be kept by a link; it must be what was read the first time (`before`).
fn copy_original(
    source: &File,
    recording: &mut Recording,
    before: &Fingerprint,
) -> Result<(), FileFailure> {
    let (copy_at, copies) = recording.copies();
    let mut reader = source;
    io::Seek::seek(&mut reader, io::SeekFrom::Start(0))
        .map_err(io_skip("reading it again failed"))?;
    let mut copy = HashingWriter::new(BufWriter::with_capacity(buffer_size(before.size), copies));
    let copied = io::copy(&mut reader.take(before.size + 1), &mut copy);
    let (copied_print, mut out) = copy.finish();
    let flushed = out.flush();
    drop(out);
    let checked = match (flushed, copied) {
        (Err(err), _) => Err(FileFailure::Journal(ReplaceError::Journal {
            path: "copies.bin".into(),
            message: plain(&err),
        })),
        (Ok(()), Err(err)) => Err(io_skip("reading it again failed")(err)),
        (Ok(()), Ok(_)) if copied_print != *before => {
            Err(SkipReason::Changed("it changed while it was being read".into()).into())
        }
        (Ok(()), Ok(_)) => Ok(()),
    };
    match checked {
        Ok(()) => recording.copied(before.size),
        // Whatever went to the copies is no original the journal keeps.
        Err(_) => recording.forget_copy_from(copy_at),
    }
    checked
}

/// Removes a link that kept an original which is not replaced after all (it would make the
/// file look hard-linked).
fn drop_link(link: Option<&Path>) {
    if let Some(link) = link {
        let _ = fs::remove_file(link);
    }
}

/// How a file's text is read and written back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// Its bytes, the text starting after a UTF-8 byte-order mark of `text_start` bytes.
    Bytes { text_start: u64 },
    /// UTF-16 (`Encoding::Utf16Le` or `Utf16Be`), after its mark when `bom`.
    Utf16 { encoding: Encoding, bom: bool },
    /// Decoded from a legacy encoding, written back in it (crate::legacy).
    Legacy(&'static encoding_rs::Encoding),
}

/// How the search read `file`, whose first bytes (up to 3) are `head`: the encoding it was
/// decoded from, and the byte-order mark that decided it, which must still be there.
fn form(file: &FilePlan, head: &[u8]) -> Result<Form, SkipReason> {
    let mark = encoding_rs::Encoding::for_bom(head).map(|(encoding, _)| encoding);
    let new_mark = || {
        SkipReason::Changed("it starts with another byte-order mark than the search read".into())
    };
    match file.decoded_from {
        None => Ok(match Encoding::sniff(head) {
            Encoding::Utf8Bom => Form::Bytes { text_start: 3 },
            encoding if encoding.is_utf16() => Form::Utf16 {
                encoding,
                bom: true,
            },
            _ => Form::Bytes { text_start: 0 },
        }),
        Some(utf8) if utf8 == encoding_rs::UTF_8 => Ok(Form::Bytes {
            text_start: if mark == Some(utf8) { 3 } else { 0 },
        }),
        Some(utf16) if utf16 == encoding_rs::UTF_16LE || utf16 == encoding_rs::UTF_16BE => {
            let encoding = if utf16 == encoding_rs::UTF_16LE {
                Encoding::Utf16Le
            } else {
                Encoding::Utf16Be
            };
            match mark {
                // `-E utf-16le` decodes a file without a mark too.
                None => Ok(Form::Utf16 {
                    encoding,
                    bom: false,
                }),
                Some(mark) if mark == utf16 => Ok(Form::Utf16 {
                    encoding,
                    bom: true,
                }),
                Some(_) => Err(new_mark()),
            }
        }
        Some(legacy) if crate::legacy::writable(legacy) => match mark {
            // A mark would have decided the search's encoding.
            None => Ok(Form::Legacy(legacy)),
            Some(_) => Err(new_mark()),
        },
        Some(other) => Err(SkipReason::Encoding(other.name())),
    }
}

/// Reads a file's text (decoding it as the search did), replaces and writes it back in the
/// same encoding.
fn stream<R: Read, W: Write>(
    mut reader: R,
    out: &mut W,
    file: &FilePlan,
    replacer: &Replacer,
) -> Result<u64, FileFailure> {
    let mut head = [0u8; 3];
    let mut got = 0;
    while got < head.len() {
        match reader.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(io_skip("reading it failed")(err)),
        }
    }
    let head = &head[..got];
    let result = match form(file, head)? {
        Form::Utf16 { encoding, bom } => {
            let skip = if bom { 2 } else { 0 };
            let text = Utf16Reader::new(io::Cursor::new(&head[skip..]).chain(reader), encoding);
            if bom {
                out.write_all(encoding.utf16_bom())
                    .map_err(io_skip("writing the temporary file failed"))?;
            }
            let mut encoder = Utf16Writer::new(&mut *out, encoding);
            let count = rewrite(text, &mut Plain(&mut encoder), &file.matches, replacer, 0);
            match count {
                Ok(count) => encoder.finish().map(|_| count).map_err(|err| {
                    if err.kind() == io::ErrorKind::InvalidData {
                        RewriteError::Skip(SkipReason::Undecodable(err.to_string()))
                    } else {
                        RewriteError::Write(err)
                    }
                }),
                Err(err) => Err(err),
            }
        }
        Form::Legacy(encoding) => {
            let (text, mut sink) = crate::legacy::rewriter(
                io::Cursor::new(head).chain(reader),
                &mut *out,
                encoding,
                &file.matches,
            );
            rewrite(text, &mut sink, &file.matches, replacer, 0)
                .and_then(|count| sink.finish().map(|_| count))
        }
        // The search skipped a UTF-8 mark but counts it in offsets.
        Form::Bytes { text_start } => rewrite(
            io::Cursor::new(head).chain(reader),
            &mut Plain(&mut *out),
            &file.matches,
            replacer,
            text_start,
        ),
    };
    result.map_err(|err| match err {
        RewriteError::Skip(reason) => FileFailure::Skip(reason),
        RewriteError::Read(err) => io_skip("reading it failed")(err),
        RewriteError::Write(err) => {
            if err.kind() == io::ErrorKind::InvalidData {
                FileFailure::Skip(SkipReason::Undecodable(err.to_string()))
            } else {
                io_skip("writing the temporary file failed")(err)
            }
        }
    })
}

/// What tells two paths to one file apart from two files.
#[cfg(unix)]
type FileId = (u64, u64);
#[cfg(not(unix))]
type FileId = PathBuf;

#[cfg(unix)]
fn file_id(_real: &Path, meta: &fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// Without inode numbers here, a file is known by its path with every link resolved.
#[cfg(not(unix))]
fn file_id(real: &Path, _meta: &fs::Metadata) -> FileId {
    fs::canonicalize(real).unwrap_or_else(|_| real.to_path_buf())
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    true
}

/// Gives a new file the original's permissions and (Unix) owner and group, before any byte is
/// written to it.
pub(crate) fn keep_owner_and_mode(file: &File, meta: &fs::Metadata) -> Result<(), SkipReason> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let now = file.metadata().map_err(|err| SkipReason::Io(plain(&err)))?;
        if (now.uid(), now.gid()) != (meta.uid(), meta.gid()) {
            std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()))
                .map_err(|err| SkipReason::Owner(plain(&err)))?;
        }
    }
    file.set_permissions(meta.permissions())
        .map_err(|err| SkipReason::Io(format!("cannot set its permissions: {}", plain(&err))))
}

/// A file's text before and after the replace, for review (`--diff`): nothing is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    /// The file's encoding; the texts below are decoded for a decoded file (UTF-16 or a
    /// legacy encoding), so they are UTF-8.
    pub encoding: Encoding,
    /// The text now.
    pub before: Vec<u8>,
    /// The text after the replace.
    pub after: Vec<u8>,
    /// Matches replaced.
    pub replacements: u64,
}

/// What `file` would become, checked exactly as a write checks it (a legacy file's is
/// written to memory, encoded and checked as a write does, then decoded). Holds the file's
/// text in memory twice, so it is for review, not for writing.
pub fn preview_file(file: &FilePlan, replacer: &Replacer) -> Result<Preview, SkipReason> {
    let (_, source, meta) = open_checked(file, None)?;
    check_stamp(file, &meta)?;
    let mut before = Vec::new();
    io::BufReader::new(source)
        .read_to_end(&mut before)
        .map_err(|err| SkipReason::Io(format!("reading it failed: {}", plain(&err))))?;
    let form = form(file, &before[..before.len().min(3)])?;
    let skip = |err: RewriteError| match err {
        RewriteError::Skip(reason) => reason,
        RewriteError::Read(err) | RewriteError::Write(err) => SkipReason::Io(plain(&err)),
    };
    let (encoding, text_start) = match form {
        Form::Legacy(legacy) => {
            let mut written = Vec::with_capacity(before.len());
            let (text, mut sink) =
                crate::legacy::rewriter(&before[..], &mut written, legacy, &file.matches);
            let replacements = rewrite(text, &mut sink, &file.matches, replacer, 0)
                .and_then(|count| sink.finish().map(|_| count))
                .map_err(skip)?;
            // The write checked that `written` decodes to the replaced text.
            return Ok(Preview {
                encoding: Encoding::Legacy(legacy),
                before: legacy
                    .decode_without_bom_handling(&before)
                    .0
                    .into_owned()
                    .into(),
                after: legacy
                    .decode_without_bom_handling(&written)
                    .0
                    .into_owned()
                    .into(),
                replacements,
            });
        }
        Form::Utf16 { encoding, bom } => {
            let mut text = Vec::new();
            Utf16Reader::new(&before[if bom { 2 } else { 0 }..], encoding)
                .read_to_end(&mut text)
                .map_err(|err| SkipReason::Undecodable(err.to_string()))?;
            before = text;
            (encoding, 0)
        }
        Form::Bytes { text_start } => (
            if text_start == 3 {
                Encoding::Utf8Bom
            } else {
                Encoding::Bytes
            },
            text_start,
        ),
    };
    let mut after = Vec::with_capacity(before.len());
    let replacements = rewrite(
        &before[..],
        &mut Plain(&mut after),
        &file.matches,
        replacer,
        text_start,
    )
    .map_err(skip)?;
    if encoding.is_utf16() && std::str::from_utf8(&after).is_err() {
        return Err(SkipReason::Undecodable(
            "the replaced text is not valid Unicode, so it cannot be written as UTF-16".into(),
        ));
    }
    Ok(Preview {
        encoding,
        before,
        after,
        replacements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PlannedMatch;
    use trawl_search::SearchOptions;

    fn plan_of(path: PathBuf) -> FilePlan {
        FilePlan {
            path,
            matches: vec![PlannedMatch {
                offset: 4,
                length: 3,
                seen: "foo".into(),
                seen_whole: true,
            }],
            stamp: None,
            decoded_from: None,
        }
    }

    /// Writes `files` (each replacing `foo` with `bar`) into `journal`.
    fn write_foo_as_bar<P: Borrow<FilePlan>>(
        tree: &Path,
        files: impl IntoIterator<Item = P>,
        journal: &Journal,
        progress: &WriteProgress,
    ) -> WriteReport {
        let replacer = Replacer::new(&SearchOptions::default(), "foo", "bar").unwrap();
        write_each(
            tree,
            "foo",
            files,
            &replacer,
            journal,
            progress,
            &AtomicBool::new(false),
        )
        .unwrap()
    }

    /// The committing thread renames what is prepared while the next files are prepared: the
    /// first file is written (recorded first) before the tenth is even asked for, where a
    /// batch of [`BATCH_FILES`] would otherwise be prepared first. Every file is still
    /// recorded before its rename: the journal's entries name each written file, in order.
    #[test]
    fn files_are_renamed_while_later_ones_are_prepared() {
        const FILES: usize = 200;
        let tree = tempfile::tempdir().unwrap();
        let journal_dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..FILES)
            .map(|i| tree.path().join(format!("f{i:03}.txt")))
            .collect();
        for path in &paths {
            fs::write(path, "one foo\n").unwrap();
        }
        let progress = WriteProgress::default();
        let written_before_tenth = std::cell::Cell::new(None);
        let files = paths.iter().enumerate().map(|(i, path)| {
            if i == 9 {
                // Generous for a loaded machine; a batch is taken after 50 ms.
                let until = Instant::now() + Duration::from_secs(20);
                while progress.files_written.load(Ordering::Relaxed) == 0 && Instant::now() < until
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                written_before_tenth.set(Some(progress.files_written.load(Ordering::Relaxed)));
            }
            plan_of(path.clone())
        });
        let journal = Journal::at(journal_dir.path());
        let report = write_foo_as_bar(tree.path(), files, &journal, &progress);
        assert!(
            written_before_tenth
                .get()
                .is_some_and(|written| written > 0)
        );
        assert_eq!(report.written.len(), FILES);
        assert!(report.skipped.is_empty());
        for path in &paths {
            assert_eq!(fs::read(path).unwrap(), b"one bar\n");
        }
        let entries = journal.entries(report.id.as_deref().unwrap()).unwrap();
        let recorded: Vec<&Path> = entries.iter().map(|entry| entry.path.as_path()).collect();
        let planned: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        assert_eq!(recorded, planned);
        // No temporary file is left in the tree.
        assert_eq!(fs::read_dir(tree.path()).unwrap().count(), FILES);
    }

    /// A file that changes after it was prepared is left alone by the committing thread
    /// before anything records it: not renamed, not in the journal, its kept original's link
    /// removed; the others are written and recorded.
    #[test]
    fn a_file_changed_after_it_was_prepared_is_neither_recorded_nor_renamed() {
        let tree = tempfile::tempdir().unwrap();
        let journal_dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..5)
            .map(|i| tree.path().join(format!("f{i}.txt")))
            .collect();
        for (i, path) in paths.iter().enumerate() {
            fs::write(path, format!("one foo {i}\n")).unwrap();
        }
        let files = paths.iter().enumerate().map(|(i, path)| {
            if i == 1 {
                // The first file is prepared and waits for its batch (taken after 50 ms).
                let mut first = fs::OpenOptions::new().append(true).open(&paths[0]).unwrap();
                first.write_all(b"changed\n").unwrap();
            }
            plan_of(path.clone())
        });
        let journal = Journal::at(journal_dir.path());
        let report = write_foo_as_bar(tree.path(), files, &journal, &WriteProgress::default());
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].path, paths[0]);
        assert!(matches!(report.skipped[0].reason, SkipReason::Changed(_)));
        assert_eq!(fs::read(&paths[0]).unwrap(), b"one foo 0\nchanged\n");
        for (i, path) in paths.iter().enumerate().skip(1) {
            assert_eq!(fs::read(path).unwrap(), format!("one bar {i}\n").as_bytes());
        }
        let id = report.id.as_deref().unwrap();
        let recorded: Vec<PathBuf> = journal
            .entries(id)
            .unwrap()
            .into_iter()
            .map(|entry| entry.path)
            .collect();
        assert_eq!(recorded, paths[1..]);
        let kept = fs::read_dir(journal_dir.path().join(id).join(crate::journal::KEPT_DIR))
            .unwrap()
            .count();
        assert_eq!(kept, 4);
        // The size the record says counts the four kept originals, not the dropped one's.
        let record = journal_dir.path().join(id);
        let said = fs::read_to_string(record.join(crate::journal::SIZE_FILE)).unwrap();
        let measured = crate::journal::folder_size(&record) - said.len() as u64;
        assert_eq!(said, measured.to_string());
    }

    /// Files left alone are reported in plan order (the two threads' lists are merged by
    /// each file's place in the plan); here the preparing thread finds them.
    #[test]
    fn files_left_alone_are_reported_in_plan_order() {
        let tree = tempfile::tempdir().unwrap();
        let journal_dir = tempfile::tempdir().unwrap();
        let mut plans = Vec::new();
        for i in 0..150 {
            let path = tree.path().join(format!("f{i:03}.txt"));
            // Every tenth file no longer has the match the plan names.
            fs::write(
                &path,
                if i % 10 == 0 {
                    "one moo\n"
                } else {
                    "one foo\n"
                },
            )
            .unwrap();
            plans.push(plan_of(path));
        }
        let report = write_foo_as_bar(
            tree.path(),
            &plans,
            &Journal::at(journal_dir.path()),
            &WriteProgress::default(),
        );
        let skipped: Vec<&Path> = report.skipped.iter().map(|s| s.path.as_path()).collect();
        let expected: Vec<&Path> = plans
            .iter()
            .step_by(10)
            .map(|plan| plan.path.as_path())
            .collect();
        assert_eq!(skipped, expected);
        assert_eq!(report.written.len(), 135);
    }
}
