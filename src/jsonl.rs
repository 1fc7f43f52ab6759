//! The JSON Lines records of `--json`, shared by the CLI and the window's export so both write
//! exactly the same objects (see docs/CONTRACT.md).

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::replace::Replacer;
use crate::search::{FileError, FileResult, Summary};

/// One line of JSON output.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record<'a> {
    /// One occurrence.
    Match {
        /// The file, lossily as UTF-8.
        path: &'a str,
        /// 1-based line.
        line: u64,
        /// 1-based column in characters.
        column: u64,
        /// 0-based byte offset in the file.
        byte_offset: u64,
        /// Match length in bytes.
        length: u64,
        /// The line's text (cut around the match when too long).
        text: &'a str,
        /// The encoding the file was decoded from; absent for a file searched as its bytes
        /// (UTF-8).
        #[serde(skip_serializing_if = "Option::is_none")]
        encoding: Option<&'a str>,
    },
    /// A file or folder that could not be read.
    Error {
        /// The path, lossily as UTF-8.
        path: &'a str,
        /// What went wrong.
        message: &'a str,
    },
    /// The totals, always last.
    Summary {
        /// Files searched.
        files_searched: u64,
        /// Files with matches.
        files_matched: u64,
        /// Occurrences.
        matches: u64,
        /// Bytes read.
        bytes_searched: u64,
        /// Unreadable files and folders.
        errors: u64,
        /// Wall time.
        elapsed_ms: u64,
    },
}

/// A `match` record with what `-r TEXT` would replace the match with, as ripgrep's JSON gives
/// it: `"replacement":{"text":S}`, after the record's other keys.
#[derive(Debug, Serialize)]
struct ReplacedMatch<'a> {
    #[serde(flatten)]
    record: Record<'a>,
    replacement: Replacement<'a>,
}

#[derive(Debug, Serialize)]
struct Replacement<'a> {
    text: &'a str,
}

/// Writes one record (a [`Record`], or a match with its replacement) and its line end. The
/// CLI and the window's export both write through here, so their objects cannot drift apart.
pub fn write_record(out: &mut dyn Write, record: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, record)?;
    out.write_all(b"\n")
}

fn lossy(path: &Path) -> std::borrow::Cow<'_, str> {
    path.to_string_lossy()
}

/// Writes a `match` record for every occurrence in `result`; with `replacer` (`-r`), each
/// carries its replacement.
pub fn write_file(
    out: &mut dyn Write,
    result: &FileResult,
    replacer: Option<&Replacer>,
) -> io::Result<()> {
    let path = lossy(&result.path);
    let encoding = result.encoding.map(|encoding| encoding.name());
    for line in &result.lines {
        for occurrence in line.occurrences {
            let (text, _) = line.excerpt(occurrence).to_marked();
            let record = Record::Match {
                path: &path,
                line: line.line_number,
                column: occurrence.column,
                byte_offset: occurrence
                    .byte_offset
                    .ok_or_else(|| io::Error::other("the search gave no byte offsets for JSON"))?,
                length: occurrence.length,
                text: &text,
                encoding,
            };
            match replacer {
                None => write_record(out, &record)?,
                Some(replacer) => {
                    // Of the whole line, so the pattern sees the match's context as the
                    // search did, whatever --max-columns cut.
                    let replaced =
                        replacer.replacement_in_line(line.text, occurrence.highlight.clone());
                    let replaced = ReplacedMatch {
                        record,
                        replacement: Replacement { text: &replaced },
                    };
                    write_record(out, &replaced)?;
                }
            }
        }
    }
    Ok(())
}

/// Writes an `error` record.
pub fn write_error(out: &mut dyn Write, error: &FileError) -> io::Result<()> {
    write_record(
        out,
        &Record::Error {
            path: &lossy(&error.path),
            message: &error.message,
        },
    )
}

/// Writes the closing `summary` record.
pub fn write_summary(out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
    write_record(
        out,
        &Record::Summary {
            files_searched: summary.files_searched,
            files_matched: summary.files_matched,
            matches: summary.matches,
            bytes_searched: summary.bytes_searched,
            errors: summary.errors,
            elapsed_ms: summary.elapsed.as_millis() as u64,
        },
    )
}
