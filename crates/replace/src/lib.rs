//! trawl's replace: rewrites the matches a search found, file by file, atomically, in each
//! file's own encoding, with a journal that can undo it. The command line's `--write` and
//! `--undo` and the window's Replace use this one writer (docs/CONTRACT.md, "Replace").
//!
//! A replace never searches again. A [`ReplacePlan`] holds the files and the matches a person
//! reviewed (built from the engine's [`FileResult`]s with [`FilePlan::from_result`], then
//! trimmed to the checked matches); [`write_plan`] rewrites exactly those and returns a
//! [`WriteReport`]. Progress is readable at any time through [`WriteProgress`]'s atomic
//! counters, and a cancel flag is honoured between files.
//!
//! What a written file keeps, and how:
//!
//! - **Atomic**: the new text goes to a temporary file in the file's own folder, is flushed to
//!   disk, and is renamed over the file. Files are prepared one at a time while another
//!   thread flushes the ones before in batches (a flush per file costs a disk journal commit
//!   each), records and renames them, which changes nothing a reader of the files can see:
//!   each is old until its rename, new after it. A rename is put on disk by the next batch's
//!   flush, and every one by the time the writer returns (after a power cut before that, a
//!   file may be back to its old text, whole, which an undo finds and leaves). A symbolic
//!   link is resolved first, so the file it points to is replaced and the link stays a link.
//! - **Hard links are refused**: renaming a new file over one name of a hard-linked file would
//!   silently split it (the other names keep the old text), and writing in place is not
//!   atomic. Such a file is skipped and the report says why.
//! - **Every byte outside the matches**, read and copied as a stream (a window of at most a
//!   few hundred KiB around the current match is held, never the file): line endings, mixed or
//!   not, the last line's newline or its absence, invalid UTF-8, a UTF-8 byte-order mark.
//!   UTF-16 files (as the engine decodes them) are decoded, replaced and encoded back; one
//!   whose UTF-16 is not valid is left alone, as is a binary file (a NUL). A file decoded
//!   from a legacy encoding keeps its own bytes and has only its replacements encoded, which
//!   are refused, naming the character, when the encoding cannot hold them (`legacy.rs`).
//! - **Permissions** and, where the system allows, owner and group, set on the temporary file
//!   before any byte is written. A read-only file is left alone.
//! - **Checked first**: a file whose size or modified time is not what the search read, or
//!   whose bytes at a match are not the match the search reported, is left alone and the
//!   report says why. Each match's captures are found by running the pattern at its offset
//!   (see [`Replacer`]); the match found there must be exactly the reported one.
//! - **Journal first** ([`Journal`]): before a file is renamed, its original bytes (the old
//!   file itself, kept by a hard link, when the journal is on its file system; else a copy)
//!   and a record of what it was and what it became (sizes and SHA-256) are on disk, so an
//!   undo restores it byte for byte, and only if it is still exactly as the replace left it.
//! - **No leftovers**: temporary files are named and recorded per run, so the next replace or
//!   undo removes what a killed one left (`temps.rs`); a replace that wrote nothing keeps no
//!   record.

#![deny(missing_docs)]

mod encoding;
mod journal;
mod legacy;
mod rewrite;
mod template;
mod temps;
mod write;

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::time::SystemTime;

pub use encoding::Encoding;
pub use journal::{JOURNAL_DIR_ENV, Journal, JournalEntry, RecordSummary, UndoReport};
pub use template::Replacer;
pub use trawl_search::FileResult;
pub use write::{Preview, preview_file, write_each, write_plan};

/// Something that stops a whole replace or undo before it starts (a bad pattern, a journal
/// that cannot be written or read).
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    /// The pattern could not be compiled for captures.
    #[error("invalid regex: {0}")]
    Pattern(String),
    /// The journal could not be written or read.
    #[error("the replace journal ({path}): {message}")]
    Journal {
        /// The journal's folder or file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// `--undo ID` named no recorded replace, or there is none.
    #[error("{0}")]
    NoSuchReplace(String),
}

/// Why a file was left exactly as it was.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// The file is not what the search read.
    #[error("it changed since the search: {0}")]
    Changed(String),
    /// The file has a NUL byte.
    #[error("it is binary (it has a NUL byte)")]
    Binary,
    /// The file's text cannot be written back in its encoding.
    #[error("{0}")]
    Undecodable(String),
    /// The search decoded the file from an encoding the writer cannot write back exactly
    /// (ISO-2022-JP, whose bytes mean one character or another after its escape sequences).
    #[error("it was decoded from {0}, which trawl cannot write back byte for byte")]
    Encoding(&'static str),
    /// A replacement holds a character the file's encoding cannot hold.
    #[error("{} cannot be written in {encoding}", shown(*.character, encoding))]
    Unencodable {
        /// The character.
        character: char,
        /// The file's encoding (encoding_rs's name).
        encoding: &'static str,
    },
    /// The file has other hard links.
    #[error("it has {0} hard links; replacing it would split them")]
    HardLinked(u64),
    /// The file's permissions do not allow writing.
    #[error("it is read-only")]
    ReadOnly,
    /// Not a regular file.
    #[error("it is not a regular file")]
    NotRegular,
    /// The file's owner could not be kept.
    #[error("its owner could not be kept ({0})")]
    Owner(String),
    /// The path cannot be recorded in the journal (not valid UTF-8).
    #[error("its path is not valid UTF-8, so the journal cannot record it")]
    PathNotRecordable,
    /// Reading, writing or renaming failed.
    #[error("{0}")]
    Io(String),
    /// The file was reached twice (through a link) and written the first time.
    #[error("it is the same file as {}, written once", .0.display())]
    SameFile(PathBuf),
}

/// A character as a message names it: itself and its code point (and what U+FFFD, which a
/// replacement takes from a match's captures, stood for).
fn shown(character: char, encoding: &str) -> String {
    if character == char::REPLACEMENT_CHARACTER {
        return format!("'\u{FFFD}' (U+FFFD, for bytes that were not valid {encoding})");
    }
    format!(
        "'{}' (U+{:04X})",
        character.escape_debug(),
        u32::from(character)
    )
}

impl SkipReason {
    /// Whether the file was left alone for a reason a person must hear of: anything but
    /// [`SkipReason::SameFile`], whose file was written.
    pub fn is_failure(&self) -> bool {
        !matches!(self, SkipReason::SameFile(_))
    }
}

/// One match to replace, as the search reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedMatch {
    /// Byte offset in the file's text (in the decoded text for a decoded file).
    pub offset: u64,
    /// Length in bytes.
    pub length: u64,
    /// The matched text as the search showed it (invalid UTF-8 as U+FFFD).
    pub seen: Box<str>,
    /// `seen` is the whole match; otherwise it is its start (a multiline match's first line,
    /// a cut line's window).
    pub seen_whole: bool,
}

impl PlannedMatch {
    /// Whether `bytes`, read at the match's offset, are what the search showed.
    pub(crate) fn seen_in(&self, bytes: &[u8]) -> bool {
        let text = String::from_utf8_lossy(bytes);
        if self.seen_whole {
            *text == *self.seen
        } else {
            text.starts_with(&*self.seen)
        }
    }
}

/// What the search read of a file, checked again before it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time.
    pub modified: Option<SystemTime>,
}

/// One file's part of a replace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePlan {
    /// The path as the search reached it.
    pub path: PathBuf,
    /// The matches to replace, in file order.
    pub matches: Vec<PlannedMatch>,
    /// What the file was when searched; `None` writes without that check (the matches are
    /// still checked).
    pub stamp: Option<FileStamp>,
    /// The encoding the search decoded the file from (`None`: searched as its bytes). The
    /// matches' offsets are in the decoded text; the file is written back in this encoding.
    pub decoded_from: Option<&'static encoding_rs::Encoding>,
}

impl FilePlan {
    /// The plan for every match of a search's result. The size is read now; the modified
    /// time is the search's when the request asked for it (`modified_times`), so a file
    /// changed between the search and this call is caught when it is written. `None` when the
    /// request did not ask for byte offsets (`byte_offsets`, on by default): a match is
    /// written at its offset.
    pub fn from_result(result: &FileResult) -> Option<FilePlan> {
        let mut matches = Vec::with_capacity(result.match_count());
        for line in &result.lines {
            for occurrence in line.occurrences {
                let highlight = occurrence.highlight.clone();
                let seen = line.text.get(highlight.clone()).unwrap_or("");
                let whole = !line.spans_lines
                    && line.text.get(highlight.clone()).is_some()
                    && highlight.len() as u64 == occurrence.length;
                matches.push(PlannedMatch {
                    offset: occurrence.byte_offset?,
                    length: occurrence.length,
                    seen: seen.into(),
                    seen_whole: whole,
                });
            }
        }
        let stamp = std::fs::metadata(&result.path).ok().map(|meta| FileStamp {
            size: meta.len(),
            modified: result.modified.or_else(|| meta.modified().ok()),
        });
        Some(FilePlan {
            path: result.path.clone(),
            matches,
            stamp,
            decoded_from: result.encoding,
        })
    }
}

/// Everything one replace does: what it is (for the journal) and its files.
#[derive(Clone, Debug)]
pub struct ReplacePlan {
    /// The folder searched (recorded in the journal).
    pub root: PathBuf,
    /// The pattern as typed (recorded).
    pub pattern: String,
    /// The files, each with its checked matches.
    pub files: Vec<FilePlan>,
}

/// Counters a window or a progress line reads while a replace runs.
#[derive(Debug, Default)]
pub struct WriteProgress {
    /// Files done (written or skipped).
    pub files_done: AtomicU64,
    /// Files written.
    pub files_written: AtomicU64,
    /// Replacements made in written files.
    pub replacements: AtomicU64,
    /// Bytes written to new files.
    pub bytes_written: AtomicU64,
}

/// One written file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenFile {
    /// The path as planned.
    pub path: PathBuf,
    /// Matches replaced.
    pub replacements: u64,
}

/// One file left alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFile {
    /// The path as planned.
    pub path: PathBuf,
    /// Why.
    pub reason: SkipReason,
}

/// What a replace did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// The journal's ID for this replace (for `--undo ID`); `None` when nothing was recorded.
    pub id: Option<String>,
    /// Files written, in plan order.
    pub written: Vec<WrittenFile>,
    /// Files left alone, and why.
    pub skipped: Vec<SkippedFile>,
    /// The replace was cancelled: files after the last one done were not touched.
    pub cancelled: bool,
}

impl WriteReport {
    /// Replacements made in all written files.
    pub fn replacements(&self) -> u64 {
        self.written.iter().map(|file| file.replacements).sum()
    }
}
