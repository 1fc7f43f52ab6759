//! A zip's members, found through its central directory.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek};
use std::path::Path;

use zip::ZipArchive;
use zip::result::ZipError;

use super::{IN_MEMORY_LIMIT, Inflation, Walker, member_path};

/// A zip's central directory and headers are read through a buffer of this size; each member's
/// compressed bytes are then read by its decompressor in its own buffer.
const ZIP_READ: usize = 64 << 10;

/// Searches the members of the zip `file`, at `path` on disk.
pub(super) fn search_file(
    walker: &mut Walker<'_>,
    file: File,
    path: &Path,
    named: bool,
) -> io::Result<()> {
    let archive = ZipArchive::new(BufReader::with_capacity(ZIP_READ, file)).map_err(zip_error)?;
    members(walker, archive, path, named, 1);
    Ok(())
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

/// Every member of `archive` in the central directory's order: searched, passed over (folders,
/// links), or an error naming it (encrypted, corrupt, a bomb).
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
        let (name, compressed, size) = match archive.by_index_data(index) {
            Ok(entry) => {
                let name = match entry.name() {
                    Ok(name) => name.into_owned(),
                    Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
                };
                if entry.is_dir() || entry.is_symlink() {
                    continue;
                }
                if entry.encrypted() {
                    walker.report.failed(
                        member_path(path, &name),
                        "encrypted: not searched (trawl reads no passwords)".to_string(),
                    );
                    continue;
                }
                (name, entry.compressed_size(), entry.size())
            }
            Err(err) => {
                walker
                    .report
                    .failed(path.to_path_buf(), zip_error(err).to_string());
                continue;
            }
        };
        if let Some(err) = Inflation::<io::Empty>::declared(size, compressed) {
            walker
                .report
                .failed(member_path(path, &name), super::message_of(&err));
            continue;
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
}

/// The zip crate's error as an I/O error a person reads.
fn zip_error(err: ZipError) -> io::Error {
    match err {
        ZipError::Io(err) => err,
        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
    }
}
