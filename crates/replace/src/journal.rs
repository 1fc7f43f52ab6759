//! The journal of replaces: what each one changed, and a copy of every file as it was, so
//! that `--undo` (and the window's Undo, after a restart too) restores them byte for byte.
//!
//! Layout, one folder per replace, named by its ID (1, 2, 3, …):
//!
//! - `replace.json`: when, the folder, the pattern, the template (written and flushed before
//!   any file is touched);
//! - `files.jsonl`: one [`JournalEntry`] per written file, appended and flushed before that
//!   file is renamed;
//! - `kept/SHA256`: a written file as it was before the replace, kept by a hard link to it
//!   made before its rename (the file system keeps the old text under this name only, and
//!   neither copies it nor frees it); its name is its SHA-256 before;
//! - `copies.bin`: the bytes before the replace of every written file that could not be kept
//!   so (on another file system than the journal), one after another (an entry says where its
//!   file's copy starts; its length is the file's size before);
//! - `size`: the bytes the record takes, written when its replace ends, so that the pruning
//!   after every replace reads one number per record instead of measuring up to 50 records
//!   file by file (10,000 `statx` for a replace of 10,000 files); a record without it (its
//!   run was killed) is measured;
//! - `undone.json`: present once the replace was undone;
//! - `temps-TOKEN`: while a replace or an undo of it runs, the folders it creates temporary
//!   files in (`temps.rs`; a dead run's are swept by the next replace or undo).
//!
//! A replace that wrote no file leaves no record (its folder is removed when it ends), and a
//! record without a written file (its run was killed before the first rename) is not listed.
//!
//! The last [`KEEP_REPLACES`] replaces are kept, fewer when they take more than
//! [`KEEP_BYTES`] together; the newest is always kept.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ReplaceError;
use crate::temps::{TempLedger, sweep};

/// The environment variable that moves the journal (tests; a person who wants it elsewhere).
pub const JOURNAL_DIR_ENV: &str = "TRAWL_JOURNAL_DIR";
/// How many replaces are kept.
pub const KEEP_REPLACES: usize = 50;
/// How many bytes of copies the kept replaces may take together.
pub const KEEP_BYTES: u64 = 1 << 30;
/// The folder of a replace's originals kept by a link.
pub(crate) const KEPT_DIR: &str = "kept";

/// The journal's folder.
#[derive(Clone, Debug)]
pub struct Journal {
    dir: PathBuf,
}

/// What a replace was, as recorded before it touched a file.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct RecordHeader {
    id: String,
    /// Seconds since 1970.
    time: u64,
    folder: PathBuf,
    pattern: String,
    template: String,
}

/// A file's size and SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hexadecimal.
    pub sha256: String,
}

/// One written file, as the journal records it before renaming it into place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The file written (a symbolic link resolved), absolute.
    pub path: PathBuf,
    /// The path as the search reached it, as shown.
    pub shown: String,
    /// Matches replaced.
    pub replacements: u64,
    /// The file before.
    pub before: Fingerprint,
    /// The file after.
    pub after: Fingerprint,
    /// Where the copy of the file before starts in the replace's `copies.bin` (its length is
    /// `before.size`).
    pub copy_at: u64,
}

/// One recorded replace, for `--undo-list` and the window's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordSummary {
    /// The ID `--undo ID` takes.
    pub id: String,
    /// When it was made.
    pub time: SystemTime,
    /// The folder searched.
    pub folder: PathBuf,
    /// The pattern.
    pub pattern: String,
    /// The replacement template.
    pub template: String,
    /// Files written.
    pub files: u64,
    /// Replacements made.
    pub replacements: u64,
    /// It was undone.
    pub undone: bool,
}

/// What an undo did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UndoReport {
    /// The replace undone.
    pub id: String,
    /// Files restored (as shown when written).
    pub restored: Vec<String>,
    /// Files that were already as before the replace (its rename never happened, or an undo
    /// ran before).
    pub unchanged: Vec<String>,
    /// Files left alone, and why (changed since the replace, or the restore failed).
    pub left: Vec<(String, String)>,
}

/// A replace being recorded.
pub(crate) struct Recording {
    dir: PathBuf,
    id: String,
    entries: File,
    copies: File,
    copies_len: u64,
    temps: TempLedger,
    /// Originals are kept by a link until a link fails (another file system): then copied.
    linking: bool,
    #[cfg(unix)]
    kept_dir_made: bool,
}

/// Links the very file `source` has open (not whatever its path names by now) as `link`:
/// through `/proc/self/fd`, the one way an unprivileged process links an open file on Linux.
#[cfg(target_os = "linux")]
fn link_open_file(source: &File, link: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let from = CString::new(format!("/proc/self/fd/{}", source.as_raw_fd()))?;
    let to = CString::new(link.as_os_str().as_bytes())?;
    // SAFETY: both are NUL-terminated paths that live across the call; `source` keeps its
    // descriptor open for it.
    let linked = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if linked == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// How [`Recording::keep_by_link`] kept an original.
pub(crate) enum Kept {
    /// By this new link, to remove should the file not be renamed after all. (Only Unix
    /// links an original.)
    #[cfg_attr(not(unix), allow(dead_code))]
    Linked(PathBuf),
    /// Not: the caller copies it.
    NotKept,
}

fn journal_error(path: &Path, err: impl std::fmt::Display) -> ReplaceError {
    ReplaceError::Journal {
        path: path.to_path_buf(),
        message: err.to_string(),
    }
}

impl Journal {
    /// The journal in the user's data folder (`$XDG_DATA_HOME/trawl/journal` on Linux, beside
    /// the window's saved state), or in `$TRAWL_JOURNAL_DIR`.
    pub fn open_default() -> Result<Journal, ReplaceError> {
        if let Some(dir) = std::env::var_os(JOURNAL_DIR_ENV).filter(|d| !d.is_empty()) {
            return Ok(Journal::at(dir));
        }
        let data = dirs::data_dir().ok_or_else(|| ReplaceError::Journal {
            path: PathBuf::new(),
            message: "the system names no data folder for it (set TRAWL_JOURNAL_DIR)".into(),
        })?;
        Ok(Journal::at(data.join("trawl").join("journal")))
    }

    /// A journal in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Journal {
        Journal { dir: dir.into() }
    }

    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Starts recording a replace: a new numbered folder with its header on disk.
    pub(crate) fn begin(
        &self,
        folder: &Path,
        pattern: &str,
        template: &str,
    ) -> Result<Recording, ReplaceError> {
        // Private: it holds copies of the files a person replaced in.
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&self.dir)
            .map_err(|err| journal_error(&self.dir, err))?;
        sweep(&self.dir);
        let mut number = self.ids()?.into_iter().max().unwrap_or(0) + 1;
        // Another trawl may take the same number at the same moment: the folder that exists
        // first wins, the other takes the next.
        let dir = loop {
            let dir = self.dir.join(number.to_string());
            match fs::create_dir(&dir) {
                Ok(()) => break dir,
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => number += 1,
                Err(err) => return Err(journal_error(&dir, err)),
            }
        };
        let id = number.to_string();
        let temps = TempLedger::create(&dir).map_err(|err| journal_error(&dir, err))?;
        let header = RecordHeader {
            id: id.clone(),
            time: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            folder: std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf()),
            pattern: pattern.to_string(),
            template: template.to_string(),
        };
        let header_path = dir.join("replace.json");
        write_synced(
            &header_path,
            &serde_json::to_vec(&header).unwrap_or_default(),
        )
        .map_err(|err| journal_error(&header_path, err))?;
        let entries_path = dir.join("files.jsonl");
        let entries = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&entries_path)
            .map_err(|err| journal_error(&entries_path, err))?;
        let copies_path = dir.join("copies.bin");
        let copies = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&copies_path)
            .map_err(|err| journal_error(&copies_path, err))?;
        sync_dir(&dir);
        sync_dir(&self.dir);
        Ok(Recording {
            dir,
            id,
            entries,
            copies,
            copies_len: 0,
            temps,
            linking: cfg!(unix),
            #[cfg(unix)]
            kept_dir_made: false,
        })
    }

    /// The recorded replaces' IDs.
    fn ids(&self) -> Result<Vec<u64>, ReplaceError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(journal_error(&self.dir, err)),
        };
        Ok(entries
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
            .collect())
    }

    /// The recorded replaces, newest first.
    pub fn list(&self) -> Result<Vec<RecordSummary>, ReplaceError> {
        let mut ids = self.ids()?;
        ids.sort_unstable_by(|a, b| b.cmp(a));
        let mut list = Vec::new();
        for id in ids {
            // A folder whose header is missing was never begun properly, and one without a
            // written file changed nothing: nothing to list.
            if let Ok(summary) = self.summary(&id.to_string())
                && summary.files > 0
            {
                list.push(summary);
            }
        }
        Ok(list)
    }

    fn summary(&self, id: &str) -> Result<RecordSummary, ReplaceError> {
        let dir = self.dir.join(id);
        let header_path = dir.join("replace.json");
        let header: RecordHeader = fs::read(&header_path)
            .map_err(|err| journal_error(&header_path, err))
            .and_then(|bytes| {
                serde_json::from_slice(&bytes).map_err(|err| journal_error(&header_path, err))
            })?;
        let entries = self.entries(id)?;
        Ok(RecordSummary {
            id: id.to_string(),
            time: UNIX_EPOCH + std::time::Duration::from_secs(header.time),
            folder: header.folder,
            pattern: header.pattern,
            template: header.template,
            files: entries.len() as u64,
            replacements: entries.iter().map(|e| e.replacements).sum(),
            undone: dir.join("undone.json").exists(),
        })
    }

    /// A replace's entries. A last line cut short by a crash is not an entry: its file was
    /// never renamed.
    pub fn entries(&self, id: &str) -> Result<Vec<JournalEntry>, ReplaceError> {
        let path = self.dir.join(id).join("files.jsonl");
        let file = File::open(&path).map_err(|err| journal_error(&path, err))?;
        let mut entries = Vec::new();
        for line in BufReader::new(file).lines() {
            let line = line.map_err(|err| journal_error(&path, err))?;
            if let Ok(entry) = serde_json::from_str(&line) {
                entries.push(entry);
            }
        }
        Ok(entries)
    }

    /// Restores the files of replace `id`, or of the newest one not undone yet, each only if
    /// it is still exactly as the replace left it.
    pub fn undo(&self, id: Option<&str>) -> Result<UndoReport, ReplaceError> {
        sweep(&self.dir);
        let id = match id {
            Some(id) => {
                if !self.dir.join(id).join("replace.json").is_file() {
                    return Err(ReplaceError::NoSuchReplace(format!(
                        "no recorded replace has the ID {id} (see --undo-list)"
                    )));
                }
                id.to_string()
            }
            None => self
                .list()?
                .into_iter()
                .find(|summary| !summary.undone)
                .map(|summary| summary.id)
                .ok_or_else(|| {
                    ReplaceError::NoSuchReplace("there is no replace left to undo".into())
                })?,
        };
        let dir = self.dir.join(&id);
        let mut report = UndoReport {
            id: id.clone(),
            ..UndoReport::default()
        };
        let mut temps = TempLedger::create(&dir).map_err(|err| journal_error(&dir, err))?;
        // The newest change first: if a file was written twice, its first state comes last.
        for entry in self.entries(&id)?.into_iter().rev() {
            match restore(&dir, &entry, &mut temps) {
                Ok(true) => report.restored.push(entry.shown),
                Ok(false) => report.unchanged.push(entry.shown),
                Err(reason) => report.left.push((entry.shown, reason)),
            }
        }
        report.restored.reverse();
        report.unchanged.reverse();
        report.left.reverse();
        temps.finish();
        let undone = dir.join("undone.json");
        let when = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        write_synced(&undone, format!("{{\"time\":{when}}}\n").as_bytes())
            .map_err(|err| journal_error(&undone, err))?;
        Ok(report)
    }

    /// Drops the oldest replaces beyond [`KEEP_REPLACES`] or [`KEEP_BYTES`].
    pub(crate) fn prune(&self) {
        self.prune_to(KEEP_REPLACES, KEEP_BYTES);
    }

    fn prune_to(&self, keep_replaces: usize, keep_bytes: u64) {
        let Ok(mut ids) = self.ids() else { return };
        ids.sort_unstable_by(|a, b| b.cmp(a));
        let mut total = 0u64;
        for (kept, id) in ids.iter().enumerate() {
            let dir = self.dir.join(id.to_string());
            total += record_size(&dir);
            if kept > 0 && (kept >= keep_replaces || total > keep_bytes) {
                let _ = fs::remove_dir_all(&dir);
            }
        }
    }
}

impl Recording {
    /// This replace's ID.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// Where the next copy starts, and the file it is appended to.
    pub(crate) fn copies(&self) -> (u64, &File) {
        (self.copies_len, &self.copies)
    }

    /// A copy of `len` bytes was appended.
    pub(crate) fn copied(&mut self, len: u64) {
        self.copies_len += len;
    }

    /// Takes back what was appended after `at` (a file that was not written after all).
    pub(crate) fn forget_copy_from(&mut self, at: u64) {
        if self.copies.set_len(at).is_ok() {
            self.copies_len = at;
        }
    }

    /// A temporary file in `folder`, named and recorded so that a later run removes it should
    /// this one die (`temps.rs`).
    pub(crate) fn temp_in(&mut self, folder: &Path) -> io::Result<tempfile::NamedTempFile> {
        self.temps.temp_in(folder)
    }

    /// The replace is over; its temporary files are renamed or removed, and the record says
    /// its size (not flushed: a record that lost it is measured instead). `kept_bytes` is what
    /// the originals kept by a link take, each as big as it was read: counted by the writer,
    /// since measuring them is a `statx` per file (10,000 for a replace of 10,000 files).
    pub(crate) fn finish(self, kept_bytes: u64) {
        self.temps.finish();
        let size = files_size(&self.dir) + kept_bytes;
        let _ = fs::write(self.dir.join(SIZE_FILE), size.to_string());
    }

    /// The replace is over and wrote no file: its record goes, so that neither `--undo-list`
    /// nor `--undo` finds a replace that changed nothing.
    pub(crate) fn discard(self) {
        let Recording {
            dir,
            entries,
            copies,
            temps,
            ..
        } = self;
        drop((entries, copies));
        temps.finish();
        let _ = fs::remove_dir_all(&dir);
    }

    /// Whether the next original may be kept by a link (else it is copied as it is read).
    pub(crate) fn linking(&self) -> bool {
        self.linking
    }

    /// Keeps the original at `real`, opened as `meta`, whose bytes hash to `sha256`, by a hard
    /// link in the journal: the file system then neither writes it again nor frees it when the
    /// new file is renamed over it (a copy would write every byte once more, and freeing can
    /// wait on the disk: see write.rs). [`Kept::NotKept`] when the journal is on another file
    /// system or the path names another file by now; the caller then copies it.
    pub(crate) fn keep_by_link(
        &mut self,
        source: &File,
        real: &Path,
        meta: &fs::Metadata,
        sha256: &str,
    ) -> Kept {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let kept = self.dir.join(KEPT_DIR);
            if !self.kept_dir_made {
                match fs::create_dir(&kept) {
                    Ok(()) => self.kept_dir_made = true,
                    Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                        self.kept_dir_made = true
                    }
                    Err(_) => {
                        self.linking = false;
                        return Kept::NotKept;
                    }
                }
            }
            let link = kept.join(sha256);
            // Elsewhere the open file cannot be linked: by its path alone, below.
            #[cfg(not(target_os = "linux"))]
            let _ = source;
            #[cfg(target_os = "linux")]
            match link_open_file(source, &link) {
                Ok(()) => return Kept::Linked(link),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => return Kept::NotKept,
                // No /proc here, or another file system: by its path, checked below.
                Err(_) => {}
            }
            match fs::hard_link(real, &link) {
                Ok(()) => match fs::symlink_metadata(&link) {
                    Ok(now) if now.dev() == meta.dev() && now.ino() == meta.ino() => {
                        Kept::Linked(link)
                    }
                    // Another file took the name since it was opened: it is not the one read.
                    _ => {
                        let _ = fs::remove_file(&link);
                        Kept::NotKept
                    }
                },
                // An identical original of this replace is kept already; it may still be
                // dropped (its file skipped), so this one is copied.
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Kept::NotKept,
                Err(_) => {
                    self.linking = false;
                    Kept::NotKept
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = (source, real, meta, sha256);
            self.linking = false;
            Kept::NotKept
        }
    }

    /// The file of copies, to flush.
    #[cfg(test)]
    pub(crate) fn copies_file(&self) -> &File {
        &self.copies
    }

    /// The part of this recording that records written files, for the thread that flushes
    /// and renames them while this one prepares the next (write.rs).
    pub(crate) fn entry_log(&self) -> Result<EntryLog, ReplaceError> {
        let dup = |file: &File, name: &str| {
            file.try_clone()
                .map_err(|err| journal_error(&self.dir.join(name), err))
        };
        Ok(EntryLog {
            dir: self.dir.clone(),
            entries: dup(&self.entries, "files.jsonl")?,
            copies: dup(&self.copies, "copies.bin")?,
        })
    }

    /// Records written files, on disk before the caller renames them into place.
    #[cfg(test)]
    pub(crate) fn commit_all<'e>(
        &mut self,
        entries: impl IntoIterator<Item = &'e JournalEntry>,
    ) -> Result<(), ReplaceError> {
        self.entry_log()?.commit_all(entries)
    }
}

/// Where written files are recorded: a replace's `files.jsonl` (and its copies, to flush),
/// held by the thread that renames them.
pub(crate) struct EntryLog {
    dir: PathBuf,
    entries: File,
    copies: File,
}

impl EntryLog {
    /// The file of copies, to flush.
    pub(crate) fn copies_file(&self) -> &File {
        &self.copies
    }

    /// The file of entries (its file system is flushed with the new files').
    #[cfg(target_os = "linux")]
    pub(crate) fn entries_file(&self) -> &File {
        &self.entries
    }

    /// Appends written files' entries, not flushed yet: the caller flushes them, with the
    /// files, before it renames any of them ([`EntryLog::flush_records`] or a flush of the
    /// whole file system).
    pub(crate) fn append<'e>(
        &self,
        entries: impl IntoIterator<Item = &'e JournalEntry>,
    ) -> Result<(), ReplaceError> {
        let path = self.dir.join("files.jsonl");
        let mut lines = Vec::new();
        for entry in entries {
            serde_json::to_writer(&mut lines, entry).map_err(|err| journal_error(&path, err))?;
            lines.push(b'\n');
        }
        if lines.is_empty() {
            return Ok(());
        }
        (&self.entries)
            .write_all(&lines)
            .map_err(|err| journal_error(&path, err))
    }

    /// Puts the entries appended so far on disk, with the journal's folders that hold the
    /// kept originals' links: for files flushed one by one, where no flush of the whole file
    /// system took them.
    pub(crate) fn flush_records(&self) -> Result<(), ReplaceError> {
        self.entries
            .sync_data()
            .map_err(|err| journal_error(&self.dir.join("files.jsonl"), err))?;
        // `kept/` is made when the first original is linked, after `begin` flushed this
        // folder; without it (copies only) there is nothing to flush there.
        sync_dir(&self.dir.join(KEPT_DIR));
        sync_dir(&self.dir);
        Ok(())
    }

    /// Records written files, on disk when it returns.
    #[cfg(test)]
    pub(crate) fn commit_all<'e>(
        &mut self,
        entries: impl IntoIterator<Item = &'e JournalEntry>,
    ) -> Result<(), ReplaceError> {
        self.append(entries)?;
        self.flush_records()
    }
}

/// Puts the copy of `entry`'s file back if the file is exactly as the replace left it.
/// `Ok(false)`: it already is as before.
fn restore(dir: &Path, entry: &JournalEntry, temps: &mut TempLedger) -> Result<bool, String> {
    let now = fingerprint_of(&entry.path).map_err(|err| format!("cannot read it: {err}"))?;
    if now == entry.before {
        return Ok(false);
    }
    if now != entry.after {
        return Err("it changed since the replace".into());
    }
    let mut source = match File::open(dir.join(KEPT_DIR).join(&entry.before.sha256)) {
        Ok(kept) => kept,
        Err(_) => {
            let copies = dir.join("copies.bin");
            let mut source =
                File::open(&copies).map_err(|err| format!("its copy is gone: {err}"))?;
            io::Seek::seek(&mut source, io::SeekFrom::Start(entry.copy_at))
                .map_err(|err| format!("its copy is gone: {err}"))?;
            source
        }
    }
    .take(entry.before.size);
    let meta = fs::metadata(&entry.path).map_err(|err| err.to_string())?;
    let folder = entry.path.parent().unwrap_or(Path::new("."));
    let mut temp = temps
        .temp_in(folder)
        .map_err(|err| format!("cannot create a temporary file in its folder: {err}"))?;
    crate::write::keep_owner_and_mode(temp.as_file(), &meta).map_err(|r| r.to_string())?;
    let mut hashing = HashingWriter::new(io::BufWriter::new(temp.as_file_mut()));
    io::copy(&mut source, &mut hashing).map_err(|err| err.to_string())?;
    let (restored, writer) = hashing.finish();
    writer
        .into_inner()
        .map_err(|err| err.to_string())?
        .sync_all()
        .map_err(|err| err.to_string())?;
    if restored != entry.before {
        return Err("its copy in the journal is damaged".into());
    }
    temp.persist(&entry.path)
        .map_err(|err| format!("renaming failed: {}", err.error))?;
    sync_dir(folder);
    Ok(true)
}

/// A file's size and hash, read now.
pub(crate) fn fingerprint_of(path: &Path) -> io::Result<Fingerprint> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 64 << 10];
    let mut size = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok(Fingerprint {
        size,
        sha256: hex_digest(hasher),
    })
}

/// The hash in hexadecimal, as records name originals: one `format!` (a `format!` per byte
/// was 2 % of a replace's time).
pub(crate) fn hex_digest(hasher: Sha256) -> String {
    format!("{:x}", hasher.finalize())
}

/// A writer that hashes and counts what goes through it.
pub(crate) struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    pub(crate) fn finish(self) -> (Fingerprint, W) {
        let print = Fingerprint {
            size: self.size,
            sha256: hex_digest(self.hasher),
        };
        (print, self.inner)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that copies what it reads to `copy` and hashes it.
pub(crate) struct CopyingReader<R, W> {
    pub(crate) inner: R,
    pub(crate) copy: HashingWriter<W>,
}

impl<R: Read, W: Write> Read for CopyingReader<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Flushes a folder's entries (a new or renamed file's name) to disk; where a system cannot,
/// the rename is still atomic, only perhaps not yet durable.
pub(crate) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Where a finished record keeps its size (see the module's documentation).
pub(crate) const SIZE_FILE: &str = "size";

/// The bytes the record in `dir` takes: as it says, else measured. (An undo copies the
/// originals back and leaves them in the record: its size does not change.)
fn record_size(dir: &Path) -> u64 {
    fs::read_to_string(dir.join(SIZE_FILE))
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or_else(|| folder_size(dir))
}

/// The bytes a replace's record takes: its files and its kept originals.
pub(crate) fn folder_size(dir: &Path) -> u64 {
    size_without(dir, None)
}

/// The bytes a record's own files take, without the originals it keeps by a link.
fn files_size(dir: &Path) -> u64 {
    size_without(dir, Some(KEPT_DIR))
}

/// The bytes below `dir`, without its entry named `left_out`.
fn size_without(dir: &Path, left_out: Option<&str>) -> u64 {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| {
                    let entry = entry.ok()?;
                    if left_out.is_some_and(|name| entry.file_name() == name) {
                        return None;
                    }
                    let meta = entry.metadata().ok()?;
                    Some(if meta.is_dir() {
                        folder_size(&entry.path())
                    } else {
                        meta.len()
                    })
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Drops the originals a dead replace kept by a link whose file was never renamed (the file
/// still has its own name too): they would make it look hard-linked, and the file itself is
/// still what the record's undo would restore.
#[cfg(unix)]
pub(crate) fn drop_unrenamed_kept(record: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(kept) = fs::read_dir(record.join(KEPT_DIR)) else {
        return;
    };
    for entry in kept.flatten() {
        if entry.metadata().is_ok_and(|meta| meta.nlink() > 1) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(not(unix))]
pub(crate) fn drop_unrenamed_kept(_record: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finished replace of one file whose copy takes `copy_bytes` (a sparse file: its size
    /// counts, not its blocks).
    fn record(journal: &Journal, copy_bytes: u64) -> String {
        let mut recording = journal.begin(Path::new("/x"), "p", "t").unwrap();
        recording.copies_file().set_len(copy_bytes).unwrap();
        recording.copied(copy_bytes);
        let print = Fingerprint {
            size: copy_bytes,
            sha256: String::new(),
        };
        let entry = JournalEntry {
            path: "/x/a".into(),
            shown: "a".into(),
            replacements: 1,
            before: print.clone(),
            after: print,
            copy_at: 0,
        };
        recording.commit_all([&entry]).unwrap();
        let id = recording.id().to_string();
        recording.finish(0);
        id
    }

    /// A journal in a new folder with `records` replaces of one `size`-byte file each.
    fn journal_with(records: usize, size: u64) -> (tempfile::TempDir, Journal) {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::at(dir.path());
        for _ in 0..records {
            record(&journal, size);
        }
        (dir, journal)
    }

    fn ids(journal: &Journal) -> Vec<String> {
        journal.list().unwrap().into_iter().map(|r| r.id).collect()
    }

    #[test]
    fn pruning_keeps_the_newest_by_count_and_by_size() {
        let (dir, journal) = journal_with(6, 100);
        journal.prune_to(4, u64::MAX);
        assert_eq!(ids(&journal), ["6", "5", "4", "3"]);
        // Each replace takes its copy, its header and its entry: two fit, three do not.
        let one = folder_size(&dir.path().join("6"));
        journal.prune_to(50, 2 * one + one / 2);
        assert_eq!(ids(&journal), ["6", "5"]);
        // The newest stays, however large.
        record(&journal, 10_000);
        journal.prune_to(50, 2 * one + one / 2);
        assert_eq!(ids(&journal), ["7"]);
    }

    #[test]
    fn pruning_reads_the_size_a_finished_record_says_and_measures_one_without() {
        let (dir, journal) = journal_with(3, 100);
        let said = |id: &str| fs::read_to_string(dir.path().join(id).join(SIZE_FILE)).unwrap();
        // Measured when the replace ended: everything but the number itself.
        let measured = folder_size(&dir.path().join("1")) - said("1").len() as u64;
        assert_eq!(said("1"), measured.to_string());
        // Record 2 says it is huge: pruning believes it (record 3, the newest, always stays).
        fs::write(
            dir.path().join("2").join(SIZE_FILE),
            (1u64 << 40).to_string(),
        )
        .unwrap();
        journal.prune_to(50, 1 << 30);
        assert_eq!(ids(&journal), ["3"]);
        // A record without its size (its run was killed) is measured instead.
        record(&journal, 100);
        fs::remove_file(dir.path().join("3").join(SIZE_FILE)).unwrap();
        journal.prune_to(50, 1 << 30);
        assert_eq!(ids(&journal), ["4", "3"]);
        let one = folder_size(&dir.path().join("3"));
        journal.prune_to(50, one + one / 2);
        assert_eq!(ids(&journal), ["4"], "record 3 measured at {one} bytes");
    }

    /// docs/CONTRACT.md: the last 50 replaces, fewer when together they take more than 1 GiB.
    #[test]
    fn a_replace_keeps_the_last_50_or_1_gib_whichever_is_less() {
        let (_dir, journal) = journal_with(51, 10);
        journal.prune();
        let kept = ids(&journal);
        assert_eq!(kept.len(), 50);
        assert_eq!(kept.first().map(String::as_str), Some("51"));
        assert_eq!(kept.last().map(String::as_str), Some("2"));
        // Two of 400 MiB fit in 1 GiB; a third does not, and takes all older ones with it.
        for _ in 0..3 {
            record(&journal, 400 << 20);
        }
        journal.prune();
        assert_eq!(ids(&journal), ["54", "53"]);
    }

    /// A replace that wrote nothing is not listed, and `--undo` does not pick it.
    #[test]
    fn a_record_without_files_is_not_listed() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::at(dir.path());
        let written = record(&journal, 10);
        let empty = journal.begin(Path::new("/x"), "p", "t").unwrap();
        assert_eq!(empty.id(), "2");
        drop(empty);
        assert_eq!(ids(&journal), std::slice::from_ref(&written));
        assert_eq!(journal.undo(None).unwrap().id, written);
    }
}
