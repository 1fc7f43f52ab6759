//! Inside compressed files and archives (`-z/--search-zip`; docs/CONTRACT.md, "Compressed files
//! and archives").
//!
//! A file whose name says it is compressed (`.gz`, `.bz2`, `.xz`, `.zst`, `.lz4`) or an archive
//! (`.zip`, `.jar`, `.tar`, `.tgz`, a `.tar` compressed as above) is handed here by the engine
//! instead of being searched as bytes. Everything is read as a stream, through the thread's own
//! [`FileSearcher`], the way a file is: nothing is extracted to disk, and what is in memory is
//! the searcher's buffers plus, for a zip inside another archive (a zip needs to seek), that zip
//! up to [`IN_MEMORY_LIMIT`].
//!
//! A result found inside an archive is read again by its path with [`read_inside_archive`]
//! (a preview, an editor's temporary copy); [`searched_inside_archive`] tells a writer to leave
//! it alone.
//!
//! # Trade-offs
//!
//! - **Names decide, not contents.** As ripgrep's `-z`, a file is taken as compressed by its
//!   name only: sniffing every file's first bytes would cost a read of files the extensions
//!   never asked for.
//! - **A member is one file.** Its matches arrive as one [`crate::FileResult`] named
//!   `ARCHIVE!/MEMBER`; a member that cannot be read is one error naming it, and the rest of the
//!   archive is searched on.
//! - **Bounded inflation.** Every decompressed stream is counted as it is read
//!   ([`Inflation`]): a member past [`MEMBER_LIMIT`], or past [`RATIO_LIMIT`] times what it was
//!   compressed from, stops with an error. A zip bomb costs at most that much reading, and
//!   memory stays the searcher's.
//! - **A zip is shared, a tar is not.** A zip's central directory lists its members and where
//!   each starts: every free search thread takes members from it, reading the one open file at
//!   its own offsets. A tar, compressed or not, can only be read front to back: one thread
//!   reads (and decompresses) it, and hands each small member, read into memory, to whichever
//!   thread is free, up to [`tar_members::IN_FLIGHT_LIMIT`] bytes waiting at a time (past
//!   that, or with no other thread, it searches them itself).

mod codec;
mod read_back;
mod tar_members;
mod zip_members;

use std::borrow::Cow;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use ignore::overrides::Override;

use crate::walk::io_message;
use crate::{FileMatches, FileSearcher, ResolvedOptions, SearchError, SearchRequest};

pub(crate) use codec::Codec;
pub use read_back::{copy_inside_archive, read_inside_archive};
pub(crate) use tar_members::{QueuedMember, search_queued};
pub(crate) use zip_members::{ZipJob, help as help_with_zip};

/// Archives inside archives are opened to this depth (`a.zip!/lib/b.jar!/x/Y.java` is 2);
/// deeper ones are members like any other (and binary, most of them).
pub(crate) const MAX_DEPTH: usize = 3;
/// A member that inflates past this is skipped with an error.
pub(crate) const MEMBER_LIMIT: u64 = 1 << 30;
/// A stream that inflates past this many times its compressed size is skipped with an error…
pub(crate) const RATIO_LIMIT: u64 = 200;
/// …once past this size: a small file of one repeated line compresses better than that and is
/// no bomb.
pub(crate) const RATIO_FLOOR: u64 = 1 << 20;
/// A zip inside another archive or a compressed stream is read into memory (a zip is read from
/// its end) up to this size; a larger one is an error.
pub(crate) const IN_MEMORY_LIMIT: u64 = 64 << 20;

/// What a file's name says it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// One compressed stream of `inner`, the name without the compression's suffix
    /// (`app.log` for `app.log.gz`, `x.tar` for `x.tgz`).
    Compressed { codec: Codec, inner: Vec<u8> },
    /// A zip archive (`.zip`, `.jar`).
    Zip,
    /// A tar archive, not compressed.
    Tar,
}

/// Every suffix [`kind_of`] knows (the walk turns them into globs for `-g` with `-z`).
pub(crate) fn suffixes() -> impl Iterator<Item = &'static [u8]> {
    [b".zip" as &[u8], b".jar", b".tar", b".tgz"]
        .into_iter()
        .chain(Codec::ALL.iter().map(|codec| codec.suffix()))
}

/// The kind of `name`, a file's or a member's last component, by its suffix in any case.
pub(crate) fn kind_of(name: &[u8]) -> Option<Kind> {
    let ends = |suffix: &[u8]| {
        name.len() > suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    let stem = |suffix: &[u8]| name[..name.len() - suffix.len()].to_vec();
    if ends(b".zip") || ends(b".jar") {
        return Some(Kind::Zip);
    }
    if ends(b".tar") {
        return Some(Kind::Tar);
    }
    if ends(b".tgz") {
        let mut inner = stem(b".tgz");
        inner.extend_from_slice(b".tar");
        return Some(Kind::Compressed {
            codec: Codec::Gzip,
            inner,
        });
    }
    Codec::ALL.iter().find_map(|&codec| {
        let suffix = codec.suffix();
        ends(suffix).then(|| Kind::Compressed {
            codec,
            inner: stem(suffix),
        })
    })
}

/// Whether the engine searched `path`, a matching file's path, inside a compressed file or an
/// archive: a member (`ARCHIVE!/MEMBER`) or a file searched decompressed (`app.log.gz`). Such a
/// file is never written (docs/CONTRACT.md, "Replace"): a replace asks here. Told by the path
/// alone, so a real folder named like `x.zip!` counts too, which only leaves its files alone.
pub fn searched_inside_archive(path: &Path) -> bool {
    let in_member = path.components().any(|part| {
        part.as_os_str()
            .as_encoded_bytes()
            .strip_suffix(b"!")
            .is_some_and(|name| kind_of(name).is_some())
    });
    in_member
        || path
            .file_name()
            .is_some_and(|name| kind_of(name.as_encoded_bytes()).is_some())
}

/// Which members are searched: the request's extensions and globs applied to members' names,
/// as the walk applies them to files' names.
pub(crate) struct Selection {
    /// `.rs` for `rs`; empty for every file.
    suffixes: Vec<Vec<u8>>,
    /// The request's globs (none given: `None`).
    globs: Option<Override>,
    /// Only its `!` globs, which exclude a member even of an archive named by the request.
    excludes: Option<Override>,
}

impl Selection {
    /// The selection of `request`, or `None` when archives are not searched (no `-z`).
    pub(crate) fn of(
        request: &SearchRequest,
        resolved: &ResolvedOptions,
    ) -> Result<Option<Selection>, SearchError> {
        if !request.options.search_zip {
            return Ok(None);
        }
        let build = |globs: &[String]| -> Result<Option<Override>, SearchError> {
            if globs.is_empty() {
                return Ok(None);
            }
            crate::walk::build_overrides(&request.root, globs).map(Some)
        };
        let excludes: Vec<String> = (resolved.globs.iter())
            .filter(|glob| glob.starts_with('!'))
            .cloned()
            .collect();
        Ok(Some(Selection {
            suffixes: (request.extensions.iter())
                .map(|ext| format!(".{ext}").into_bytes())
                .collect(),
            globs: build(&resolved.globs)?,
            excludes: build(&excludes)?,
        }))
    }

    /// What the file at `path` is, if it is to be searched inside.
    pub(crate) fn kind_of_file(&self, path: &Path) -> Option<Kind> {
        kind_of(path.file_name()?.as_encoded_bytes())
    }

    /// As the walk matches a file's name (`crate::walk::has_suffix`).
    fn extension_matches(&self, name: &[u8]) -> bool {
        self.suffixes.is_empty()
            || (self.suffixes.iter())
                .any(|suffix| crate::walk::has_suffix(name, suffix, crate::EXTENSIONS_IGNORE_CASE))
    }

    /// Whether a file (a member, or what a compressed file holds) named `name` at `path` is
    /// searched: its extension is one asked for and the globs do not leave it out. When
    /// `named` (its archive was asked for by its own name, `-z DIR gz`), only an exclude leaves
    /// it out.
    fn selects(&self, path: &Path, name: &[u8], named: bool) -> bool {
        if named {
            return !self
                .excludes
                .as_ref()
                .is_some_and(|excludes| excludes.matched(path, false).is_ignore());
        }
        self.extension_matches(name)
            && !self
                .globs
                .as_ref()
                .is_some_and(|globs| globs.matched(path, false).is_ignore())
    }

    /// Whether an archive at `path` named `name` is asked for by its own name: an extension
    /// given is its own (`tar.gz`, `zip`) or an include glob matches it. Its members are then
    /// all searched, as the request named them all.
    fn names_archive(&self, path: &Path, name: &[u8]) -> bool {
        (!self.suffixes.is_empty() && self.extension_matches(name))
            || self
                .globs
                .as_ref()
                .is_some_and(|globs| globs.matched(path, false).is_whitelist())
    }

    /// Whether the archive at `path` is left out by an exclude glob (as a folder would be).
    fn excludes_archive(&self, path: &Path) -> bool {
        self.globs
            .as_ref()
            .is_some_and(|globs| globs.matched(path, true).is_ignore())
    }
}

/// Where the members of an archive go: the engine sends them on as files and errors.
pub(crate) trait Report {
    /// A member (or a compressed file's content) was searched.
    fn searched(&mut self, path: PathBuf, found: FileMatches);
    /// A member, or the archive itself, could not be read.
    fn failed(&mut self, path: PathBuf, message: String);
    /// The search was cancelled: stop at the next member.
    fn cancelled(&self) -> bool;
}

/// Searches inside the file at `path`, of kind `kind` (from [`Selection::kind_of_file`]),
/// reporting each member searched or failed to `report`.
pub(crate) fn search(
    searcher: &mut FileSearcher,
    selection: &Selection,
    path: &Path,
    kind: Kind,
    report: &mut dyn Report,
) {
    let mut walker = Walker {
        searcher,
        selection,
        report,
    };
    if let Err(err) = walker.file(path, kind) {
        walker.report.failed(path.to_path_buf(), message_of(&err));
    }
}

/// Goes through one archive, the archives inside it, and their members.
struct Walker<'w> {
    searcher: &'w mut FileSearcher,
    selection: &'w Selection,
    report: &'w mut dyn Report,
}

impl Walker<'_> {
    /// An archive or compressed file on disk.
    fn file(&mut self, path: &Path, kind: Kind) -> io::Result<()> {
        let name = path.file_name().map_or(&[][..], |n| n.as_encoded_bytes());
        let named = self.selection.names_archive(path, name);
        // A compressed file whose content the extensions and globs leave out is not opened.
        if let Kind::Compressed { inner, .. } = &kind
            && kind_of(inner) != Some(Kind::Tar)
            && !(self.selection).selects(&path.with_file_name(os_name(inner)), inner, named)
        {
            return Ok(());
        }
        let file = crate::file_searcher::open_for_search(path)?;
        match kind {
            Kind::Zip => zip_members::search_file(self, file, path, named),
            Kind::Tar => {
                let mut stream = io::BufReader::with_capacity(STREAM_READ, file);
                self.tar(&mut stream, path, named, 1)
            }
            Kind::Compressed { codec, inner } => {
                let size = file.metadata()?.len();
                let mut stream = io::BufReader::with_capacity(STREAM_READ, file);
                self.compressed(&mut stream, size, codec, &inner, path, named, 1)
            }
        }
    }

    /// A compressed stream of `compressed_size` bytes holding a file named `inner`, at `path`:
    /// a tar's members, or one file keeping the stream's own path.
    #[allow(clippy::too_many_arguments)]
    fn compressed(
        &mut self,
        stream: &mut dyn Read,
        compressed_size: u64,
        codec: Codec,
        inner: &[u8],
        path: &Path,
        named: bool,
        depth: usize,
    ) -> io::Result<()> {
        let decoded = codec.decoder(stream)?;
        match kind_of(inner) {
            Some(Kind::Tar) => {
                // The members are limited one by one; the whole stream by its ratio only.
                let mut limited = Inflation::ratio_only(decoded, compressed_size);
                self.tar(&mut limited, path, named, depth)
            }
            _ => {
                let inner_path = path.with_file_name(os_name(inner));
                if !self.selection.selects(&inner_path, inner, named) {
                    return Ok(());
                }
                let mut limited = Inflation::new(decoded, compressed_size);
                self.search_member(&mut limited, path.to_path_buf());
                Ok(())
            }
        }
    }

    /// The members of a tar read from `stream`.
    fn tar(
        &mut self,
        stream: &mut dyn Read,
        path: &Path,
        named: bool,
        depth: usize,
    ) -> io::Result<()> {
        tar_members::search(self, stream, path, named, depth)
    }

    /// A member named `name` (its path inside the archive, `/`-separated), read from `stream`,
    /// which inflates from `compressed_size` bytes: searched, or opened when it is an archive
    /// itself (to [`MAX_DEPTH`]). False when it failed and said so.
    fn member(
        &mut self,
        stream: &mut dyn Read,
        compressed_size: u64,
        archive: &Path,
        name: &str,
        named: bool,
        depth: usize,
    ) -> bool {
        let path = member_path(archive, name);
        if !is_safe(name) {
            self.report.failed(
                path,
                "a member named with `..` or from the root: not searched".to_string(),
            );
            return false;
        }
        let base = name.rsplit('/').next().unwrap_or(name).as_bytes();
        if depth < MAX_DEPTH
            && let Some(kind) = kind_of(base)
        {
            if self.selection.excludes_archive(&path) {
                return true;
            }
            let named = named || self.selection.names_archive(&path, base);
            let opened = match kind {
                Kind::Zip => zip_members::search_in_memory(self, stream, &path, named, depth + 1),
                Kind::Tar => self.tar(stream, &path, named, depth + 1),
                Kind::Compressed { codec, inner } => self.compressed(
                    stream,
                    compressed_size,
                    codec,
                    &inner,
                    &path,
                    named,
                    depth + 1,
                ),
            };
            return match opened {
                Ok(()) => true,
                Err(err) => {
                    self.report.failed(path, message_of(&err));
                    false
                }
            };
        }
        !self.selection.selects(&path, base, named) || self.search_member(stream, path)
    }

    /// Searches one file's text read from `stream` and reports it under `path`. False when it
    /// could not be read and that was reported.
    fn search_member(&mut self, stream: &mut dyn Read, path: PathBuf) -> bool {
        match self.searcher.search_stream(stream) {
            Ok(found) => self.report.searched(path, found),
            Err(err) if err.kind() == io::ErrorKind::Interrupted && self.report.cancelled() => {
                if let Some(found) = self.searcher.take_stopped() {
                    self.report.searched(path, found);
                }
            }
            Err(err) => {
                self.report.failed(path, message_of(&err));
                return false;
            }
        }
        true
    }
}

/// A tar or a compressed file is read from disk through a buffer of this size (a tar's
/// headers come 512 bytes at a time).
const STREAM_READ: usize = 128 << 10;

/// `ARCHIVE!/MEMBER`.
fn member_path(archive: &Path, name: &str) -> PathBuf {
    let name = name.trim_start_matches("./");
    let mut path = archive.as_os_str().to_owned();
    path.push("!/");
    path.push(name);
    PathBuf::from(path)
}

/// Whether a member's name stays inside its archive: no `..`, not from the root, not a
/// Windows drive or share.
fn is_safe(name: &str) -> bool {
    !name.starts_with('/')
        && !name.starts_with('\\')
        && name.split(['/', '\\']).all(|part| part != "..")
        && Path::new(name)
            .components()
            .all(|part| matches!(part, Component::Normal(_) | Component::CurDir))
}

fn os_name(name: &[u8]) -> Cow<'_, std::ffi::OsStr> {
    match std::str::from_utf8(name) {
        Ok(name) => Cow::Borrowed(std::ffi::OsStr::new(name)),
        Err(_) => Cow::Owned(String::from_utf8_lossy(name).into_owned().into()),
    }
}

/// An error as a person reads it, without the path (the path is reported beside it).
fn message_of(err: &io::Error) -> String {
    match err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Inflated>())
    {
        Some(inflated) => inflated.to_string(),
        None => io_message(err),
    }
}

/// Why [`Inflation`] stopped a stream.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Inflated {
    /// Past [`MEMBER_LIMIT`].
    #[error("inflates past 1 GiB: skipped (a zip bomb?)")]
    Size,
    /// Past [`RATIO_LIMIT`] times its compressed size.
    #[error("inflates past 200 times its compressed size ({0} bytes): skipped (a zip bomb?)")]
    Ratio(u64),
}

/// A decompressed stream, counted as it is read: reading past its limit is an error.
pub(crate) struct Inflation<R> {
    inner: R,
    read: u64,
    size_limit: u64,
    ratio_limit: u64,
    compressed: u64,
}

impl<R: Read> Inflation<R> {
    /// A member's stream, inflating from `compressed` bytes: both limits.
    pub(crate) fn new(inner: R, compressed: u64) -> Self {
        Inflation {
            inner,
            read: 0,
            size_limit: MEMBER_LIMIT,
            ratio_limit: compressed.saturating_mul(RATIO_LIMIT).max(RATIO_FLOOR),
            compressed,
        }
    }

    /// A stream holding several members (a compressed tar): its members are limited in size
    /// one by one, the whole by its ratio only.
    pub(crate) fn ratio_only(inner: R, compressed: u64) -> Self {
        Inflation {
            size_limit: u64::MAX,
            ..Inflation::new(inner, compressed)
        }
    }

    /// The error a stream declared to inflate to `size` bytes from `compressed` gets before
    /// it is read, if any.
    pub(crate) fn declared(size: u64, compressed: u64) -> Option<io::Error> {
        let limited = Inflation::new(io::empty(), compressed);
        limited.check(size).err()
    }

    fn check(&self, read: u64) -> io::Result<()> {
        let why = if read > self.size_limit {
            Inflated::Size
        } else if read > self.ratio_limit {
            Inflated::Ratio(self.compressed)
        } else {
            return Ok(());
        };
        Err(io::Error::new(io::ErrorKind::InvalidData, why))
    }
}

impl<R: Read> Read for Inflation<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.read += read as u64;
        self.check(self.read)?;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_what_a_file_holds() {
        assert_eq!(kind_of(b"a.zip"), Some(Kind::Zip));
        assert_eq!(kind_of(b"A.JAR"), Some(Kind::Zip));
        assert_eq!(kind_of(b"a.tar"), Some(Kind::Tar));
        assert_eq!(
            kind_of(b"x.tgz"),
            Some(Kind::Compressed {
                codec: Codec::Gzip,
                inner: b"x.tar".to_vec()
            })
        );
        assert_eq!(
            kind_of(b"app.log.3.zst"),
            Some(Kind::Compressed {
                codec: Codec::Zstd,
                inner: b"app.log.3".to_vec()
            })
        );
        assert_eq!(kind_of(b".gz"), None);
        assert_eq!(kind_of(b"a.gzip"), None);
        assert_eq!(kind_of(b"main.rs"), None);
    }

    #[test]
    fn member_names_leaving_their_archive_are_refused() {
        assert!(is_safe("a/b.txt") && is_safe("./a.txt") && is_safe("a..b/c"));
        for bad in ["../a", "a/../../b", "/etc/passwd", "\\x", "a\\..\\b"] {
            assert!(!is_safe(bad), "{bad}");
        }
    }

    #[test]
    fn paths_from_archives_are_recognised() {
        assert!(searched_inside_archive(Path::new("d/a.zip!/x/y.rs")));
        assert!(searched_inside_archive(Path::new("d/app.log.gz")));
        assert!(searched_inside_archive(Path::new(
            "a.tar.gz!/b.jar!/C.java"
        )));
        assert!(!searched_inside_archive(Path::new("d/x!/y.rs")));
        assert!(!searched_inside_archive(Path::new("d/main.rs")));
        assert_eq!(
            member_path(Path::new("d/a.tar"), "./x/y.log"),
            PathBuf::from("d/a.tar!/x/y.log")
        );
    }

    #[test]
    fn inflation_stops_past_its_limits() {
        let mut small = Inflation::new(io::repeat(b'a').take(3 << 20), 1 << 10);
        let err = io::copy(&mut small, &mut io::sink()).unwrap_err();
        assert!(message_of(&err).contains("200 times"), "{err}");
        let mut fine = Inflation::new(io::repeat(b'a').take(RATIO_FLOOR), 1);
        assert_eq!(io::copy(&mut fine, &mut io::sink()).unwrap(), RATIO_FLOOR);
        let err = Inflation::<io::Empty>::declared(MEMBER_LIMIT + 1, MEMBER_LIMIT).unwrap();
        assert!(message_of(&err).contains("1 GiB"), "{err}");
    }
}
