//! Which files are searched: ripgrep's walker configured from the request.

use std::path::{Path, PathBuf};

use ignore::overrides::{Override, OverrideBuilder};
use ignore::{WalkBuilder, WalkParallel};

use crate::{FileError, ResolvedOptions, SearchError, SearchRequest};

/// Builds the walk over the request's root.
///
/// Extensions are a filter on file names, applied after the ignore and hidden rules. (A file type,
/// like `rg -t`, would whitelist a hidden file such as `.env.rs` past the hidden rule.) Globs are
/// ripgrep's `-g` overrides. An explicitly given file root is searched whatever its name.
///
/// The walk is ignore's parallel walker: it lists each directory once and looks for ignore files
/// among the names listed, where the serial walker probes for `.git`, `.ignore`, `.gitignore`
/// and `.git/info/exclude` with a system call each in every folder. It gets as many threads as
/// the search: walking ahead, in a tree of small folders (the cargo registry) one walker thread
/// could not keep two search threads busy; otherwise its threads are the search's
/// (`SearchRequest::walk_ahead`).
pub(crate) fn build_walk(
    request: &SearchRequest,
    resolved: &ResolvedOptions,
) -> Result<WalkParallel, SearchError> {
    let options = &request.options;
    let respect = options.respect_ignore_files;
    let mut builder = WalkBuilder::new(&request.root);
    builder
        .hidden(!options.hidden)
        .parents(respect)
        .ignore(respect)
        .git_ignore(respect)
        .git_global(respect)
        .git_exclude(respect)
        .follow_links(options.follow_symlinks)
        .max_filesize(resolved.max_file_size);

    // With -z an archive is walked into whatever its name, as a folder is: its members'
    // names are matched instead (crate::archive).
    let archives = options.search_zip;
    if !request.extensions.is_empty() || archives {
        let suffixes: Vec<Vec<u8>> = request
            .extensions
            .iter()
            .map(|ext| format!(".{ext}").into_bytes())
            .collect();
        let hidden = options.hidden;
        builder.filter_entry(move |entry| {
            let name = entry.file_name().as_encoded_bytes();
            if entry.file_type().is_some_and(|t| t.is_dir()) {
                return true;
            }
            if archives && crate::archive::kind_of(name).is_some() {
                // Let in by the globs below, past the hidden rule: that rule is kept here.
                return hidden || !name.starts_with(b".") || entry.depth() == 0;
            }
            suffixes.is_empty()
                || suffixes
                    .iter()
                    .any(|suffix| has_suffix(name, suffix, EXTENSIONS_IGNORE_CASE))
        });
    }

    if !resolved.globs.is_empty() {
        let includes = resolved.globs.iter().any(|glob| !glob.starts_with('!'));
        let globs = if archives && includes {
            // Include globs leave out every file they do not name; archives stay in, before
            // the globs given, so that an exclude given still leaves one out.
            archive_globs()
                .chain(resolved.globs.iter().cloned())
                .collect()
        } else {
            resolved.globs.clone()
        };
        builder.overrides(build_overrides(&request.root, &globs)?);
    }
    let walk_threads = resolved.effective_threads();
    Ok(builder.threads(walk_threads).build_parallel())
}

/// Globs naming every archive and compressed file [`crate::archive::kind_of`] knows, in any
/// case.
fn archive_globs() -> impl Iterator<Item = String> {
    crate::archive::suffixes().map(|suffix| {
        let any_case: String = (suffix.iter())
            .map(|&b| match b {
                b'a'..=b'z' => format!("[{}{}]", b as char, b.to_ascii_uppercase() as char),
                other => (other as char).to_string(),
            })
            .collect();
        format!("*{any_case}")
    })
}

/// Whether extensions match file names in any case: where the file system usually ignores case
/// (Windows, macOS), `RS` names the same files as `rs`; on Linux, whose file systems tell them
/// apart, it does not, like ripgrep's globs.
pub const EXTENSIONS_IGNORE_CASE: bool = cfg!(any(windows, target_os = "macos"));

/// Whether `name` ends with `suffix`, in any ASCII case when `ignore_case`.
pub(crate) fn has_suffix(name: &[u8], suffix: &[u8], ignore_case: bool) -> bool {
    match name.len().checked_sub(suffix.len()) {
        Some(start) if ignore_case => name[start..].eq_ignore_ascii_case(suffix),
        Some(_) => name.ends_with(suffix),
        None => false,
    }
}

/// ripgrep's `-g` overrides: `pat` includes, `!pat` excludes, matched relative to `root`.
pub(crate) fn build_overrides(root: &Path, globs: &[String]) -> Result<Override, SearchError> {
    let mut overrides = OverrideBuilder::new(root);
    for glob in globs {
        overrides
            .add(glob)
            .map_err(|err| SearchError::InvalidGlob {
                glob: glob.clone(),
                message: err.to_string(),
            })?;
    }
    overrides.build().map_err(|err| SearchError::InvalidGlob {
        glob: globs.join(" "),
        message: err.to_string(),
    })
}

/// Turns a walker error (unreadable folder, symlink loop, bad ignore file) into a per-path error.
pub(crate) fn walk_error(err: &ignore::Error) -> FileError {
    FileError {
        path: error_path(err).unwrap_or_default(),
        message: error_message(err),
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

/// The message without the path (the path is reported beside it).
fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_message(err)
        }
        ignore::Error::Loop { ancestor, .. } => {
            format!(
                "symbolic link loop: it points back to {}",
                ancestor.display()
            )
        }
        ignore::Error::Io(io) => io_message(io),
        other => other.to_string(),
    }
}

/// An I/O error as a person reads it: "permission denied" rather than "Permission denied (os error 13)".
pub(crate) fn io_message(err: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match err.kind() {
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::NotFound => {
            "not found (removed during the search, or a broken link)".to_string()
        }
        _ => crate::without_os_error(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_match_in_any_case_only_where_asked() {
        assert!(has_suffix(b"main.rs", b".rs", false));
        assert!(!has_suffix(b"MAIN.RS", b".rs", false));
        assert!(has_suffix(b"MAIN.RS", b".rs", true));
        assert!(has_suffix(b"main.Rs", b".rS", true));
        assert!(!has_suffix(b"rs", b".rs", true));
        assert!(!has_suffix(b"main.rsx", b".rs", true));
        assert_eq!(
            EXTENSIONS_IGNORE_CASE,
            cfg!(any(windows, target_os = "macos"))
        );
    }
}
