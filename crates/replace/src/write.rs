//! Writing a plan: each file checked, rewritten into a temporary file beside it, recorded,
//! then renamed into place.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::encoding::{Encoding, Utf16Reader, Utf16Writer};
use crate::journal::{
    CopyingReader, Fingerprint, HashingWriter, Journal, JournalEntry, Recording, sync_dir,
};
use crate::rewrite::{RewriteError, rewrite};
use crate::{
    FilePlan, ReplaceError, ReplacePlan, Replacer, SkipReason, SkippedFile, WriteProgress,
    WriteReport, WrittenFile,
};

/// Rewrites every file of `plan`, one at a time, each atomically, recording each in `journal`
/// before it is renamed into place. Stops between files when `cancel` is set; files already
/// written stay written and recorded. Fails as a whole only when the journal cannot be written
/// (then no further file is touched).
pub fn write_plan(
    plan: &ReplacePlan,
    replacer: &Replacer,
    journal: &Journal,
    progress: &WriteProgress,
    cancel: &AtomicBool,
) -> Result<WriteReport, ReplaceError> {
    let mut report = WriteReport::default();
    let mut recording = journal.begin(&plan.root, &plan.pattern, replacer.template())?;
    report.id = Some(recording.id().to_string());
    // A file reached by two paths (a link with -L) is written once.
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    for file in &plan.files {
        if cancel.load(Ordering::Relaxed) {
            report.cancelled = true;
            break;
        }
        if let Ok(real) = fs::canonicalize(&file.path) {
            if let Some(first) = seen.get(&real) {
                report.skipped.push(SkippedFile {
                    path: file.path.clone(),
                    reason: SkipReason::SameFile(first.clone()),
                });
                progress.files_done.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            seen.insert(real, file.path.clone());
        }
        match write_file(file, replacer, &mut recording) {
            Ok(written) => {
                progress.files_written.fetch_add(1, Ordering::Relaxed);
                progress
                    .replacements
                    .fetch_add(written.replacements, Ordering::Relaxed);
                progress
                    .bytes_written
                    .fetch_add(written.bytes, Ordering::Relaxed);
                report.written.push(WrittenFile {
                    path: file.path.clone(),
                    replacements: written.replacements,
                });
            }
            Err(FileFailure::Skip(reason)) => report.skipped.push(SkippedFile {
                path: file.path.clone(),
                reason,
            }),
            Err(FileFailure::Journal(err)) => {
                progress.files_done.fetch_add(1, Ordering::Relaxed);
                return Err(err);
            }
        }
        progress.files_done.fetch_add(1, Ordering::Relaxed);
    }
    journal.prune();
    Ok(report)
}

struct Written {
    replacements: u64,
    bytes: u64,
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

/// The file a path names (a symbolic link resolved), opened and checked against the plan.
fn open_checked(file: &FilePlan) -> Result<(std::path::PathBuf, File, fs::Metadata), SkipReason> {
    let real = fs::canonicalize(&file.path)
        .map_err(|err| SkipReason::Io(format!("cannot open it: {}", plain(&err))))?;
    let source = File::open(&real)
        .map_err(|err| SkipReason::Io(format!("cannot open it: {}", plain(&err))))?;
    let meta = source
        .metadata()
        .map_err(|err| SkipReason::Io(plain(&err)))?;
    if !meta.is_file() {
        return Err(SkipReason::NotRegular);
    }
    if let Some(stamp) = &file.stamp
        && (meta.len() != stamp.size || meta.modified().ok() != stamp.modified)
    {
        return Err(SkipReason::Changed(
            "its size or modified time is not what the search read".into(),
        ));
    }
    Ok((real, source, meta))
}

fn write_file(
    file: &FilePlan,
    replacer: &Replacer,
    recording: &mut Recording,
) -> Result<Written, FileFailure> {
    let (real, source, meta) = open_checked(file)?;
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
    let shown = file.path.to_string_lossy().into_owned();
    let folder = real.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".trawl-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(io_skip("cannot create a temporary file in its folder"))?;
    keep_owner_and_mode(temp.as_file(), &meta)?;
    let (copy_name, copy_file) = recording
        .copy_file()
        .map_err(|err| FileFailure::Journal(journal_io(recording, err)))?;

    let outcome = copy_and_rewrite(&source, copy_file, &mut temp, &meta, &real, file, replacer);
    let (replacements, before, after) = match outcome {
        Ok(done) => done,
        Err(failure) => {
            recording.forget_copy(&copy_name);
            return Err(failure);
        }
    };
    let bytes = after.size;
    let entry = JournalEntry {
        path: path_text.into(),
        shown,
        replacements,
        before,
        after,
        copy: copy_name,
    };
    recording.commit(&entry).map_err(FileFailure::Journal)?;
    temp.persist(&real)
        .map_err(|err| io_skip("renaming the new file into place failed")(err.error))?;
    sync_dir(folder);
    Ok(Written {
        replacements,
        bytes,
    })
}

/// Streams the original through the journal's copy into the temporary file, flushes both, and
/// checks the original did not change meanwhile. Returns the replacements and both
/// fingerprints.
fn copy_and_rewrite(
    source: &File,
    copy_file: File,
    temp: &mut tempfile::NamedTempFile,
    meta: &fs::Metadata,
    real: &Path,
    file: &FilePlan,
    replacer: &Replacer,
) -> Result<(u64, Fingerprint, Fingerprint), FileFailure> {
    // The original's bytes go to the journal's copy as they are read, hashed on the way.
    let mut reader = CopyingReader {
        inner: io::BufReader::with_capacity(64 << 10, source),
        copy: HashingWriter::new(BufWriter::with_capacity(64 << 10, copy_file)),
    };
    let mut out = HashingWriter::new(BufWriter::with_capacity(64 << 10, temp.as_file_mut()));
    let replacements = stream(&mut reader, &mut out, file, replacer)?;
    let (after, out) = out.finish();
    out.into_inner()
        .map_err(|err| io_skip("writing the temporary file failed")(err.into_error()))?
        .sync_all()
        .map_err(io_skip("writing the temporary file failed"))?;
    let (before, copy) = reader.copy.finish();
    copy.into_inner()
        .map_err(|err| io_skip("writing its copy in the journal failed")(err.into_error()))?
        .sync_all()
        .map_err(io_skip("writing its copy in the journal failed"))?;

    // Whatever changed it while it was read: another size or time, another file at the path.
    let now = fs::metadata(real).map_err(io_skip("cannot read it again"))?;
    if before.size != meta.len()
        || now.len() != meta.len()
        || now.modified().ok() != meta.modified().ok()
        || !same_file(&now, meta)
    {
        return Err(SkipReason::Changed("it changed while it was being rewritten".into()).into());
    }
    Ok((replacements, before, after))
}

fn journal_io(recording: &Recording, err: io::Error) -> ReplaceError {
    ReplaceError::Journal {
        path: format!("replace {}", recording.id()).into(),
        message: plain(&err),
    }
}

/// Reads a file's text (decoding UTF-16), replaces and writes it back in the same encoding.
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
    let encoding = Encoding::sniff(head);
    let result = if encoding.is_utf16() {
        let text = Utf16Reader::new(io::Cursor::new(&head[2..]).chain(reader), encoding);
        out.write_all(encoding.utf16_bom())
            .map_err(io_skip("writing the temporary file failed"))?;
        let mut encoder = Utf16Writer::new(&mut *out, encoding);
        let count = rewrite(text, &mut encoder, &file.matches, replacer, 0);
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
    } else {
        // The search skipped a UTF-8 mark but counts it in offsets.
        let text_start = if encoding == Encoding::Utf8Bom { 3 } else { 0 };
        rewrite(
            io::Cursor::new(head).chain(reader),
            out,
            &file.matches,
            replacer,
            text_start,
        )
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
    /// The file's encoding; the texts below are decoded for UTF-16.
    pub encoding: Encoding,
    /// The text now.
    pub before: Vec<u8>,
    /// The text after the replace.
    pub after: Vec<u8>,
    /// Matches replaced.
    pub replacements: u64,
}

/// What `file` would become, checked exactly as a write checks it. Holds the file's text in
/// memory twice, so it is for review, not for writing.
pub fn preview_file(file: &FilePlan, replacer: &Replacer) -> Result<Preview, SkipReason> {
    let (_, source, _) = open_checked(file)?;
    let mut before = Vec::new();
    io::BufReader::new(source)
        .read_to_end(&mut before)
        .map_err(|err| SkipReason::Io(format!("reading it failed: {}", plain(&err))))?;
    let encoding = Encoding::sniff(&before);
    if encoding.is_utf16() {
        let mut text = Vec::new();
        Utf16Reader::new(&before[2..], encoding)
            .read_to_end(&mut text)
            .map_err(|err| SkipReason::Undecodable(err.to_string()))?;
        before = text;
    }
    let mut after = Vec::with_capacity(before.len());
    let text_start = if encoding == Encoding::Utf8Bom { 3 } else { 0 };
    let replacements = match rewrite(&before[..], &mut after, &file.matches, replacer, text_start) {
        Ok(count) => count,
        Err(RewriteError::Skip(reason)) => return Err(reason),
        Err(RewriteError::Read(err) | RewriteError::Write(err)) => {
            return Err(SkipReason::Io(plain(&err)));
        }
    };
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
