//! A file found inside an archive or a compressed file (`logs.tar.gz!/app.log`, `app.log.3.gz`;
//! docs/CONTRACT.md, "Compressed files and archives"), read again for the window.
//!
//! Such a file is not on the disk: the preview, a long line's read-back and "open in editor"
//! get its bytes from the engine's [`read_inside_archive`], which decompresses it again as the
//! search did (the same decoders, the same inflation limits). A compressed stream cannot be
//! read from the middle, so what is needed of the member is read from its start into memory,
//! only as far as asked ([`MemberBytes::read`]), always on a background thread.
//!
//! Nothing is written into an archive. The editor gets a read-only copy of the member in a
//! temporary folder of trawl's own ([`read_only_copy`]): the person sees its text at the
//! match, and an editor that tries to save it is told it cannot.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::search::read_inside_archive;

/// A member's bytes from its start, as far as they were read back.
pub(crate) struct MemberBytes {
    bytes: Vec<u8>,
    /// The whole member is in `bytes`; else it goes on past them.
    complete: bool,
}

impl MemberBytes {
    /// The first `limit` bytes of the member the search reported at `path` (all of it when it
    /// is shorter).
    pub(crate) fn read(path: &Path, limit: u64) -> io::Result<Self> {
        // One byte more than asked tells whether the member goes on past the limit.
        let mut bytes = read_inside_archive(path, limit.saturating_add(1))?;
        let complete = bytes.len() as u64 <= limit;
        if !complete {
            bytes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        Ok(MemberBytes { bytes, complete })
    }

    /// The bytes read back: the member's length when [`complete`](Self::complete).
    pub(crate) fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Whether the whole member was read back.
    pub(crate) fn complete(&self) -> bool {
        self.complete
    }

    /// Fills `buf` from byte `offset` on, as a file's positional read does: fewer bytes only
    /// at the member's end. A read past what was read back of a longer member is an error
    /// rather than a false end.
    pub(crate) fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let available = self.bytes.get(start..).unwrap_or_default();
        if available.len() < buf.len() && !self.complete {
            return Err(io::Error::other(format!(
                "only its first {} bytes were read back from the archive",
                self.bytes.len()
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
    // The engine's own limits bound a member (1 GiB; a bomb is an error).
    let bytes = read_inside_archive(path, u64::MAX)?;
    let folder = tempfile::Builder::new()
        .prefix("")
        .tempdir_in(copies_folder()?)?
        .keep();
    let copy = folder.join(copy_name(path));
    std::fs::write(&copy, &bytes)?;
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
    fn a_read_past_what_was_read_back_of_a_longer_member_is_an_error() {
        let member = MemberBytes {
            bytes: b"abcdef".to_vec(),
            complete: false,
        };
        let mut buf = [0u8; 4];
        assert_eq!(member.read_at(&mut buf, 2).expect("inside"), 4);
        assert_eq!(&buf, b"cdef");
        assert!(member.read_at(&mut buf, 4).is_err());
        let whole = MemberBytes {
            bytes: b"abcdef".to_vec(),
            complete: true,
        };
        assert_eq!(whole.read_at(&mut buf, 4).expect("at the end"), 2);
        assert_eq!(whole.read_at(&mut buf, 9).expect("past the end"), 0);
    }
}
