//! `-r --diff`, `-r --write`, `--undo [ID]` and `--undo-list` (docs/CONTRACT.md, "Replace").
//! The search's results become a plan; nothing is searched again.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use crate::cli::printer::path_bytes;
use crate::cli::report_file_error;
use crate::replace::{
    FilePlan, Journal, ReplacePlan, Replacer, WriteProgress, preview_file, write_plan,
};
use crate::search::{FileError, SearchEvent, SearchHandle, SearchRequest, searched_inside_archive};

/// What the search left for a replace: the plans of the matching files and whether any file
/// could not be read.
struct Collected {
    files: Vec<FilePlan>,
    errors: bool,
    /// Some matching file was left alone before any plan: inside an archive or compressed
    /// (`-z`), never written.
    left_alone: bool,
}

/// Waits for the search, reporting unreadable files on standard error as a search does, and
/// turns each matching file into its plan as it arrives (its size is read then).
fn collect(handle: &SearchHandle, request: &SearchRequest) -> io::Result<Collected> {
    let mut collected = Collected {
        files: Vec::new(),
        errors: false,
        left_alone: false,
    };
    for event in handle.events() {
        match event {
            SearchEvent::File(result) => {
                // docs/CONTRACT.md, "Replace": files inside archives are never written. A
                // result without offsets cannot be: a replace's request asks for them
                // (`cli::args`).
                let plan = if request.options.search_zip && searched_inside_archive(&result.path) {
                    Err("it is inside an archive or a compressed file, which trawl never writes")
                } else {
                    FilePlan::from_result(&result).ok_or("the search gave no byte offsets")
                };
                match plan {
                    Ok(plan) => collected.files.push(plan),
                    Err(why) => {
                        collected.left_alone = true;
                        report_file_error(&FileError {
                            path: result.path,
                            message: format!("not written: {why}"),
                        })?;
                    }
                }
            }
            SearchEvent::Error(error) => {
                collected.errors = true;
                report_file_error(&error)?;
            }
            SearchEvent::Finished(_) => break,
        }
    }
    // Files in path order, whichever thread found them first.
    collected.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(collected)
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `-r TEXT --write`.
pub fn write(handle: &SearchHandle, request: &SearchRequest, replacer: &Replacer) -> ExitCode {
    let journal = match Journal::open_default() {
        Ok(journal) => journal,
        Err(err) => return super::fail(&err.to_string()),
    };
    let collected = match collect(handle, request) {
        Ok(collected) => collected,
        Err(err) => return super::fail(&format!("writing the messages failed: {err}")),
    };
    if collected.files.is_empty() {
        return ExitCode::from(if collected.errors || collected.left_alone {
            2
        } else {
            1
        });
    }
    let plan = ReplacePlan {
        root: request.root.clone(),
        pattern: request.pattern.clone(),
        files: collected.files,
    };
    let report = match write_plan(
        &plan,
        replacer,
        &journal,
        &WriteProgress::default(),
        &AtomicBool::new(false),
    ) {
        Ok(report) => report,
        Err(err) => return super::fail(&err.to_string()),
    };
    let printed = (|| -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        for file in &report.written {
            stdout.write_all(&path_bytes(&file.path))?;
            writeln!(
                stdout,
                ": {}",
                plural(file.replacements, "replacement", "replacements")
            )?;
        }
        let mut stderr = io::stderr().lock();
        for file in &report.skipped {
            stderr.write_all(b"trawl: ")?;
            stderr.write_all(&path_bytes(&file.path))?;
            if file.reason.is_failure() {
                writeln!(stderr, ": not written: {}", file.reason)?;
            } else {
                writeln!(stderr, ": not written again: {}", file.reason)?;
            }
        }
        let total = format!(
            "{} in {}",
            plural(report.replacements(), "replacement", "replacements"),
            plural(report.written.len() as u64, "file", "files"),
        );
        match report.id.as_deref() {
            Some(id) => writeln!(
                stdout,
                "{total}; recorded as replace {id} (trawl --undo {id} restores them)"
            )?,
            // No file written: the journal keeps no record of it.
            None => writeln!(stdout, "{total}; nothing to record")?,
        }
        stdout.flush()
    })();
    match printed {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            super::fail(&format!("writing the report failed: {err}"))
        }
        _ if !report.skipped.iter().any(|f| f.reason.is_failure())
            && !collected.errors
            && !collected.left_alone =>
        {
            ExitCode::SUCCESS
        }
        _ => ExitCode::from(2),
    }
}

/// `-r TEXT --diff`.
pub fn diff(handle: &SearchHandle, request: &SearchRequest, replacer: &Replacer) -> ExitCode {
    let collected = match collect(handle, request) {
        Ok(collected) => collected,
        Err(err) => return super::fail(&format!("writing the messages failed: {err}")),
    };
    let mut changed = false;
    let mut skipped = collected.left_alone;
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    for file in &collected.files {
        let preview = match preview_file(file, replacer) {
            Ok(preview) => preview,
            Err(reason) => {
                skipped = true;
                let mut stderr = io::stderr().lock();
                let _ = stderr.write_all(b"trawl: ");
                let _ = stderr.write_all(&path_bytes(&file.path));
                let _ = writeln!(stderr, ": {reason}");
                continue;
            }
        };
        if preview.before == preview.after {
            continue;
        }
        changed = true;
        let relative = relative_to(&file.path, &request.root);
        if let Err(err) = write_diff(&mut stdout, &relative, &preview) {
            if err.kind() == io::ErrorKind::BrokenPipe {
                return ExitCode::SUCCESS;
            }
            return super::fail(&format!("writing the diff failed: {err}"));
        }
    }
    if let Err(err) = stdout.flush()
        && err.kind() != io::ErrorKind::BrokenPipe
    {
        return super::fail(&format!("writing the diff failed: {err}"));
    }
    if skipped || (collected.errors && !changed) {
        ExitCode::from(2)
    } else if changed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// A path as `patch -p1` in DIR expects after `a/` and `b/`: relative to DIR, with `/`.
fn relative_to(path: &Path, root: &Path) -> String {
    let relative = match path.strip_prefix(root) {
        Ok(rest) if !rest.as_os_str().is_empty() => rest,
        // DIR is the file itself.
        _ => Path::new(path.file_name().unwrap_or(path.as_os_str())),
    };
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn write_diff(
    out: &mut impl Write,
    relative: &str,
    preview: &crate::replace::Preview,
) -> io::Result<()> {
    if preview.encoding.is_decoded() {
        // Shown decoded for review; patch cannot apply it to the file's UTF-16 or legacy
        // bytes. A UTF-8 file with a mark is shown as it is: patch applies it byte for byte.
        writeln!(out, "# encoding: {}", preview.encoding.name())?;
    }
    // Lines end at `\n` only, as patch reads them (similar's own line splitting also ends
    // lines at a lone `\r`).
    let old = lines(&preview.before);
    let new = lines(&preview.after);
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new);
    writeln!(out, "--- a/{relative}")?;
    writeln!(out, "+++ b/{relative}")?;
    for group in similar::group_diff_ops(ops, 3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        writeln!(
            out,
            "@@ -{} +{} @@",
            hunk_range(&old_range),
            hunk_range(&new_range)
        )?;
        for op in &group {
            let (tag, old_lines, new_lines) = op.as_tag_tuple();
            match tag {
                similar::DiffTag::Equal => write_lines(out, b' ', &old[old_lines])?,
                similar::DiffTag::Delete => write_lines(out, b'-', &old[old_lines])?,
                similar::DiffTag::Insert => write_lines(out, b'+', &new[new_lines])?,
                similar::DiffTag::Replace => {
                    write_lines(out, b'-', &old[old_lines])?;
                    write_lines(out, b'+', &new[new_lines])?;
                }
            }
        }
    }
    Ok(())
}

/// A text's lines, each with its `\n` (the last one may have none).
fn lines(text: &[u8]) -> Vec<&[u8]> {
    text.split_inclusive(|&b| b == b'\n').collect()
}

/// A hunk's `start,count` as diff writes it: lines counted from 1, an empty range named by
/// the line before it.
fn hunk_range(range: &std::ops::Range<usize>) -> String {
    match range.len() {
        0 => format!("{},0", range.start),
        1 => format!("{}", range.start + 1),
        n => format!("{},{n}", range.start + 1),
    }
}

fn write_lines(out: &mut impl Write, mark: u8, lines: &[&[u8]]) -> io::Result<()> {
    for line in lines {
        out.write_all(&[mark])?;
        out.write_all(line)?;
        if !line.ends_with(b"\n") {
            out.write_all(b"\n\\ No newline at end of file\n")?;
        }
    }
    Ok(())
}

/// `--undo [ID]`.
pub fn undo(id: &str) -> ExitCode {
    let journal = match Journal::open_default() {
        Ok(journal) => journal,
        Err(err) => return super::fail(&err.to_string()),
    };
    let report = match journal.undo((!id.is_empty()).then_some(id)) {
        Ok(report) => report,
        Err(err) => return super::fail(&err.to_string()),
    };
    let printed = (|| -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        for path in &report.restored {
            writeln!(stdout, "{path}: restored")?;
        }
        for path in &report.unchanged {
            writeln!(stdout, "{path}: already as before the replace")?;
        }
        let mut stderr = io::stderr().lock();
        for (path, reason) in &report.left {
            writeln!(stderr, "trawl: {path}: left alone: {reason}")?;
        }
        writeln!(
            stdout,
            "replace {} undone: {} restored, {} left alone",
            report.id,
            plural(report.restored.len() as u64, "file", "files"),
            report.left.len()
        )?;
        stdout.flush()
    })();
    match printed {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            super::fail(&format!("writing the report failed: {err}"))
        }
        _ if report.left.is_empty() => ExitCode::SUCCESS,
        _ => ExitCode::from(2),
    }
}

/// `--undo-list`: one replace a line, newest first, fields separated by tabs.
pub fn undo_list() -> ExitCode {
    let list = match Journal::open_default().and_then(|journal| journal.list()) {
        Ok(list) => list,
        Err(err) => return super::fail(&err.to_string()),
    };
    let printed = (|| -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        for record in &list {
            writeln!(
                stdout,
                "{}\t{}\t{}\t{}\t{}\t{}{}",
                record.id,
                humantime::format_rfc3339_seconds(record.time),
                record.folder.display(),
                record.pattern,
                plural(record.files, "file", "files"),
                plural(record.replacements, "replacement", "replacements"),
                if record.undone { "\tundone" } else { "" }
            )?;
        }
        stdout.flush()
    })();
    match printed {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            super::fail(&format!("writing the list failed: {err}"))
        }
        _ => ExitCode::SUCCESS,
    }
}
