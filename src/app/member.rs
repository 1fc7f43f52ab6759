//! A file found inside an archive or a compressed file (`logs.tar.gz!/app.log`, `app.log.3.gz`;
//! docs/CONTRACT.md, "Compressed files and archives"), read again for the window.
//!
//! Such a file is not on the disk: the preview, a long line's read-back and "open in editor"
//! get its bytes from the engine's [`copy_inside_archive`], which decompresses it again as the
//! search did (the same decoders, the same inflation limits). A compressed stream cannot be
//! read from the middle, so the member is decompressed from its start, and only the stretch
//! asked for is kept in memory, the decompression stopping past it ([`MemberBytes::read`]);
//! always on a background thread.
//!
//! Nothing is written into an archive. The editor gets a read-only copy of the member in a
//! temporary folder of trawl's own ([`read_only_copy`]): the person sees its text at the
//! match, and an editor that tries to save it is told it cannot.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::search::copy_inside_archive;

/// A stretch of a member's bytes, as far as it was read back (and its first bytes, where a
/// byte-order mark would be).
pub(crate) struct MemberBytes {
    /// The member's offset of `bytes[0]`.
    start: u64,
    /// The member's first [`HEAD`] bytes (fewer in a shorter member).
    head: Vec<u8>,
    bytes: Vec<u8>,
    /// The member ends where `bytes` do; else it goes on past them.
    complete: bool,
}

/// The member's first bytes kept whatever the stretch: a byte-order mark is looked for there.
const HEAD: usize = 3;

/// Why [`Stretch`] stopped the decompression.
#[derive(Debug)]
enum Stopped {
    /// It has the stretch it was asked for, and the member goes on.
    Enough,
    /// The reader was cancelled.
    Cancelled,
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stopped::Enough => "read as far as needed",
            Stopped::Cancelled => "cancelled",
        })
    }
}

impl std::error::Error for Stopped {}

/// The writer the engine decompresses a member into: keeps the head and the stretch
/// `keep`, and stops the decompression past it (or when cancelled).
struct Stretch<'a> {
    keep: Range<u64>,
    /// The member's offset of the next byte written.
    pos: u64,
    member: MemberBytes,
    cancel: Option<&'a AtomicBool>,
}

impl io::Write for Stretch<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(io::Error::other(Stopped::Cancelled));
        }
        let member = &mut self.member;
        if member.head.len() < HEAD {
            let take = (HEAD - member.head.len()).min(buf.len());
            member.head.extend_from_slice(&buf[..take]);
        }
        let end = self.pos + buf.len() as u64;
        let from = self.pos.max(self.keep.start);
        let to = end.min(self.keep.end);
        if from < to {
            member
                .bytes
                .extend_from_slice(&buf[(from - self.pos) as usize..(to - self.pos) as usize]);
        }
        self.pos = end;
        if end > self.keep.end {
            return Err(io::Error::other(Stopped::Enough));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Whether `err` is [`Stretch`]'s own stop for `why`.
fn stopped(err: &io::Error, why: fn(&Stopped) -> bool) -> bool {
    err.get_ref()
        .and_then(|inner| inner.downcast_ref::<Stopped>())
        .is_some_and(why)
}

impl MemberBytes {
    /// The bytes `keep` (fewer where the member ends sooner) of the member the search reported
    /// at `path`, decompressed from its start and kept only from `keep.start`: memory is the
    /// stretch's. Stops early, with an error of kind `Interrupted`, when `cancel` is set.
    pub(crate) fn read(
        path: &Path,
        keep: Range<u64>,
        cancel: Option<&AtomicBool>,
    ) -> io::Result<Self> {
        let mut stretch = Stretch {
            pos: 0,
            member: MemberBytes {
                start: keep.start,
                head: Vec::with_capacity(HEAD),
                bytes: Vec::new(),
                complete: false,
            },
            keep,
            cancel,
        };
        match copy_inside_archive(path, u64::MAX, &mut stretch) {
            Ok(()) => stretch.member.complete = true,
            Err(err) if stopped(&err, |s| matches!(s, Stopped::Enough)) => {}
            Err(err) if stopped(&err, |s| matches!(s, Stopped::Cancelled)) => {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
            }
            Err(err) => return Err(err),
        }
        Ok(stretch.member)
    }

    /// Where the stretch read back starts in the member.
    pub(crate) fn start(&self) -> u64 {
        self.start
    }

    /// Where the stretch read back ends in the member: the member's length when
    /// [`complete`](Self::complete).
    pub(crate) fn end(&self) -> u64 {
        self.start + self.bytes.len() as u64
    }

    /// Whether the member ends where the stretch does.
    pub(crate) fn complete(&self) -> bool {
        self.complete
    }

    /// Fills `buf` from byte `offset` on, as a file's positional read does: fewer bytes only
    /// at the member's end. A read outside what was read back (past it in a longer member,
    /// before it but for the first bytes) is an error rather than a false end.
    pub(crate) fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        if offset < self.start {
            let wanted = usize::try_from(offset)
                .ok()
                .and_then(|at| self.head.get(at..at.checked_add(buf.len())?));
            return match wanted {
                Some(head) => {
                    buf.copy_from_slice(head);
                    Ok(buf.len())
                }
                None => Err(io::Error::other(format!(
                    "only its bytes from {} on were read back from the archive",
                    self.start
                ))),
            };
        }
        let rel = usize::try_from(offset - self.start).unwrap_or(usize::MAX);
        let available = self.bytes.get(rel..).unwrap_or_default();
        if available.len() < buf.len() && !self.complete {
            return Err(io::Error::other(format!(
                "only its first {} bytes were read back from the archive",
                self.end()
            )));
        }
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        Ok(n)
    }
}

/// Where a file found by the search is read back from.
pub(crate) enum Backing {
    /// A file on the disk.
    Disk(File),
    /// A member of an archive (or a compressed file), in memory.
    Member(MemberBytes),
}

impl Backing {
    /// Fills `buf` from byte `offset` on (fewer bytes only at the end).
    pub(crate) fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        match self {
            Backing::Disk(file) => read_file_at(file, buf, offset),
            Backing::Member(member) => member.read_at(buf, offset),
        }
    }
}

/// Reads `buf.len()` bytes of `file` at `offset` (fewer only at its end).
fn read_file_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file_read_at(file, &mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

#[cfg(unix)]
fn file_read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn file_read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(not(any(unix, windows)))]
fn file_read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    file.read(buf)
}

/// The suffixes of a compressed file the search read decompressed; its copy is named without
/// one (`app.log.3` for `app.log.3.gz`), as the contract names the file it holds.
const COMPRESSED_SUFFIXES: [&str; 5] = [".gz", ".bz2", ".xz", ".zst", ".lz4"];

/// The name the copy of the member at `path` gets: the member's own file name (so that an
/// editor knows its kind), without the compression's suffix when it was one compressed file.
fn copy_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "member".into(), |n| n.to_string_lossy().into_owned());
    let lower = name.to_ascii_lowercase();
    let stem = COMPRESSED_SUFFIXES
        .iter()
        .find(|suffix| lower.len() > suffix.len() && lower.ends_with(*suffix))
        .map_or(name.as_str(), |suffix| &name[..name.len() - suffix.len()]);
    PathBuf::from(stem)
}

/// trawl's folder for the copies it hands to editors, made once per run under the system's
/// temporary folder with a name no other process can have guessed. It is left behind when
/// the window closes: an editor may still show a copy; the system clears its temporary
/// folder.
fn copies_folder() -> io::Result<&'static Path> {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    if let Some(folder) = FOLDER.get() {
        return Ok(folder);
    }
    let made = tempfile::Builder::new()
        .prefix("trawl-archive-copies-")
        .tempdir()?
        .keep();
    // Two threads racing here leave one empty folder behind; the first one is used.
    Ok(FOLDER.get_or_init(|| made))
}

/// Writes the member the search reported at `path` to a new read-only file and returns its
/// path: `<copies folder>/<random>/<member's name>`, so that two members of one name never
/// meet and an earlier copy is never overwritten while an editor shows it.
pub(crate) fn read_only_copy(path: &Path) -> io::Result<PathBuf> {
    let folder = tempfile::Builder::new()
        .prefix("")
        .tempdir_in(copies_folder()?)?
        .keep();
    let copy = folder.join(copy_name(path));
    let mut file = io::BufWriter::new(File::create_new(&copy)?);
    // Streamed to the file; the engine's own limits bound a member (1 GiB; a bomb is an
    // error).
    copy_inside_archive(path, u64::MAX, &mut file)?;
    file.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()?;
    let mut permissions = std::fs::metadata(&copy)?.permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&copy, permissions)?;
    Ok(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_named_as_the_member_without_a_compression_suffix() {
        assert_eq!(
            copy_name(Path::new("/d/a.zip!/src/Y.java")),
            Path::new("Y.java")
        );
        assert_eq!(
            copy_name(Path::new("/logs/app.log.3.GZ")),
            Path::new("app.log.3")
        );
        assert_eq!(
            copy_name(Path::new("/d/r.tar!/notes.zst")),
            Path::new("notes")
        );
        assert_eq!(copy_name(Path::new("/d/r.tar!/.gz")), Path::new(".gz"));
    }

    #[test]
    fn a_read_outside_what_was_read_back_of_a_longer_member_is_an_error() {
        let member = MemberBytes {
            start: 10,
            head: b"ab\xff".to_vec(),
            bytes: b"abcdef".to_vec(),
            complete: false,
        };
        let mut buf = [0u8; 4];
        assert_eq!(member.read_at(&mut buf, 12).expect("inside"), 4);
        assert_eq!(&buf, b"cdef");
        assert!(member.read_at(&mut buf, 14).is_err(), "past it");
        assert!(member.read_at(&mut buf, 6).is_err(), "before it");
        let mut head = [0u8; 3];
        assert_eq!(member.read_at(&mut head, 0).expect("the head"), 3);
        assert_eq!(&head, b"ab\xff");
        let whole = MemberBytes {
            start: 0,
            head: b"abc".to_vec(),
            bytes: b"abcdef".to_vec(),
            complete: true,
        };
        assert_eq!(whole.read_at(&mut buf, 4).expect("at the end"), 2);
        assert_eq!(whole.read_at(&mut buf, 9).expect("past the end"), 0);
    }

    #[test]
    fn a_stretch_of_a_member_is_kept_and_the_reading_stops_past_it() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let text: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).expect("gzip");
        let path = dir.path().join("n.bin.gz");
        std::fs::write(&path, gz.finish().expect("gzip")).expect("write");
        let part = MemberBytes::read(&path, 1000..5000, None).expect("read");
        assert_eq!(
            (part.start(), part.end(), part.complete()),
            (1000, 5000, false)
        );
        assert_eq!(part.head, text[..3]);
        assert_eq!(part.bytes, text[1000..5000]);
        let tail = MemberBytes::read(&path, 799_000..900_000, None).expect("read");
        assert_eq!((tail.end(), tail.complete()), (800_000, true));
        assert_eq!(tail.bytes, text[799_000..]);
        let cancelled = AtomicBool::new(true);
        let cancelled = MemberBytes::read(&path, 0..10, Some(&cancelled));
        assert!(cancelled.is_err_and(|err| err.kind() == io::ErrorKind::Interrupted));
    }
}
