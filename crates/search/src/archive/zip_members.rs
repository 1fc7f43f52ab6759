//! A zip's members, found through its central directory, taken by every free search thread:
//! each reads the members it takes from the file at their own offsets.

use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use zip::ZipArchive;
use zip::result::ZipError;

use super::{IN_MEMORY_LIMIT, Inflation, Report, Selection, Walker, member_path};
use crate::FileSearcher;
use crate::split::{SharedWork, read_at};

/// A zip on disk whose members the search threads share: its central directory, read once,
/// and the next member not yet taken.
pub(crate) struct ZipJob {
    archive: ZipArchive<PositionalFile>,
    path: PathBuf,
    named: bool,
    next: AtomicUsize,
}

impl ZipJob {
    /// The archive's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// Searches the members of the zip `file`, at `path` on disk, with the other search threads.
pub(super) fn search_file(
    walker: &mut Walker<'_>,
    file: File,
    path: &Path,
    named: bool,
) -> io::Result<()> {
    let archive = ZipArchive::new(PositionalFile::new(file)?).map_err(zip_error)?;
    let job = Arc::new(ZipJob {
        archive,
        path: path.to_path_buf(),
        named,
        next: AtomicUsize::new(0),
    });
    if job.archive.len() > 1
        && let Some(helpers) = walker.searcher.helpers()
    {
        helpers.ask(&SharedWork::Zip(Arc::clone(&job)));
    }
    take_members(walker, &job);
    Ok(())
}

/// Takes members of a zip another thread found until none is left.
pub(crate) fn help(
    searcher: &mut FileSearcher,
    selection: &Selection,
    job: &ZipJob,
    report: &mut dyn Report,
) {
    let mut walker = Walker {
        searcher,
        selection,
        report,
    };
    take_members(&mut walker, job);
}

/// Searches the members of `job` not yet taken, one at a time, with a reader of its own.
fn take_members(walker: &mut Walker<'_>, job: &ZipJob) {
    let mut archive = job.archive.clone();
    loop {
        if walker.report.cancelled() {
            return;
        }
        let index = job.next.fetch_add(1, Ordering::Relaxed);
        if index >= archive.len() {
            return;
        }
        member_at(walker, &mut archive, index, &job.path, job.named, 1);
    }
}

/// Searches the members of a zip read whole from `stream` (a member of another archive: a zip
/// is read from its end, which a stream cannot seek to), up to [`IN_MEMORY_LIMIT`].
pub(super) fn search_in_memory(
    walker: &mut Walker<'_>,
    stream: &mut dyn Read,
    path: &Path,
    named: bool,
    depth: usize,
) -> io::Result<()> {
    let mut bytes = Vec::new();
    stream.take(IN_MEMORY_LIMIT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > IN_MEMORY_LIMIT {
        return Err(io::Error::other(format!(
            "a zip inside another archive is searched up to {} MiB, and this one is larger",
            IN_MEMORY_LIMIT >> 20
        )));
    }
    let archive = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    members(walker, archive, path, named, depth);
    Ok(())
}

/// Every member of `archive`, a zip inside another archive, in the central directory's
/// order, on this thread.
fn members<R: Read + Seek>(
    walker: &mut Walker<'_>,
    mut archive: ZipArchive<R>,
    path: &Path,
    named: bool,
    depth: usize,
) {
    for index in 0..archive.len() {
        if walker.report.cancelled() {
            return;
        }
        member_at(walker, &mut archive, index, path, named, depth);
    }
}

/// The `index`th member of `archive`: searched, passed over (folders, links), or an error
/// naming it (encrypted, corrupt, a bomb).
fn member_at<R: Read + Seek>(
    walker: &mut Walker<'_>,
    archive: &mut ZipArchive<R>,
    index: usize,
    path: &Path,
    named: bool,
    depth: usize,
) {
    let (name, compressed, size) = match archive.by_index_data(index) {
        Ok(entry) => {
            let name = match entry.name() {
                Ok(name) => name.into_owned(),
                Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
            };
            if entry.is_dir() || entry.is_symlink() {
                return;
            }
            if entry.encrypted() {
                walker.report.failed(
                    member_path(path, &name),
                    "encrypted: not searched (trawl reads no passwords)".to_string(),
                );
                return;
            }
            (name, entry.compressed_size(), entry.size())
        }
        Err(err) => {
            walker
                .report
                .failed(path.to_path_buf(), zip_error(err).to_string());
            return;
        }
    };
    if let Some(err) = Inflation::<io::Empty>::declared(size, compressed) {
        walker
            .report
            .failed(member_path(path, &name), super::message_of(&err));
        return;
    }
    match archive.by_index(index) {
        Ok(member) => {
            let mut limited = Inflation::new(member, compressed);
            walker.member(&mut limited, compressed, path, &name, named, depth);
        }
        Err(err) => walker
            .report
            .failed(member_path(path, &name), zip_error(err).to_string()),
    }
}

/// The zip crate's error as an I/O error a person reads.
pub(super) fn zip_error(err: ZipError) -> io::Error {
    match err {
        ZipError::Io(err) => err,
        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
    }
}

/// A zip's central directory and each member's header are read ahead this much at a time (the
/// zip crate reads them in pieces of tens of bytes); a small member's compressed bytes come
/// with its header.
const READ_AHEAD: usize = 16 << 10;

/// A file read at offsets of its own (`pread`), so that every thread reads the one open file
/// without moving a shared position, through a small read-ahead buffer. A clone shares the
/// file and starts with an empty buffer.
struct PositionalFile {
    file: Arc<File>,
    len: u64,
    pos: u64,
    buffer: Vec<u8>,
    /// Where the buffer's bytes start in the file, and how many there are.
    buffered_at: u64,
    buffered: usize,
}

impl PositionalFile {
    fn new(file: File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(PositionalFile {
            file: Arc::new(file),
            len,
            pos: 0,
            buffer: Vec::new(),
            buffered_at: 0,
            buffered: 0,
        })
    }
}

impl Clone for PositionalFile {
    fn clone(&self) -> Self {
        PositionalFile {
            file: Arc::clone(&self.file),
            len: self.len,
            pos: self.pos,
            buffer: Vec::new(),
            buffered_at: 0,
            buffered: 0,
        }
    }
}

impl Read for PositionalFile {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let in_buffer = self.pos.checked_sub(self.buffered_at);
        if let Some(skip) = in_buffer.filter(|&skip| skip < self.buffered as u64) {
            let skip = skip as usize;
            let n = out.len().min(self.buffered - skip);
            out[..n].copy_from_slice(&self.buffer[skip..skip + n]);
            self.pos += n as u64;
            return Ok(n);
        }
        if out.len() >= READ_AHEAD {
            let n = read_at(&self.file, out, self.pos)?;
            self.pos += n as u64;
            return Ok(n);
        }
        if self.buffer.is_empty() {
            self.buffer.resize(READ_AHEAD, 0);
        }
        self.buffered = read_at(&self.file, &mut self.buffer, self.pos)?;
        self.buffered_at = self.pos;
        if self.buffered == 0 {
            return Ok(0);
        }
        self.read(out)
    }
}

impl Seek for PositionalFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(pos) => Some(pos),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.pos.checked_add_signed(delta),
        };
        self.pos = pos.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "a seek before the file's start",
            )
        })?;
        Ok(self.pos)
    }
}
