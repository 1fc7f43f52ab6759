//! Results built into a model directly, as a finished search would leave them, for the tests
//! whose subject is the window at a size no test tree should be made for.

use std::path::{Path, PathBuf};
use std::time::Duration;

use trawl::app::{ResultsModel, SortOrder};
use trawl::search::{FileResult, MatchLine, MatchLines, Occurrence, SearchEvent, Summary};

/// A finished search's model under `root` of `files` files: file `f` is at `path_of(f)` and
/// holds the lines `lines_of(f)` (numbered from 1, each ending in `\n`), every occurrence of
/// `needle` in them a match.
pub fn model(
    root: &Path,
    files: usize,
    needle: &str,
    path_of: impl Fn(usize) -> PathBuf,
    lines_of: impl Fn(usize) -> Vec<String>,
) -> ResultsModel {
    let mut model = ResultsModel::new(root.to_path_buf(), SortOrder::Path);
    for f in 0..files {
        let mut found = MatchLines::new();
        let mut offset = 0u64;
        for (l, text) in lines_of(f).iter().enumerate() {
            let occurrences: Vec<Occurrence> = text
                .match_indices(needle)
                .map(|(at, _)| Occurrence {
                    column: at as u64 + 1,
                    byte_offset: Some(offset + at as u64),
                    length: needle.len() as u64,
                    highlight: at..at + needle.len(),
                })
                .collect();
            found.push(MatchLine {
                line_number: l as u64 + 1,
                text,
                occurrences: &occurrences,
                spans_lines: false,
                cut: None,
            });
            offset += text.len() as u64 + 1;
        }
        model.push_file(FileResult {
            path: path_of(f),
            lines: found,
            modified: None,
            encoding: None,
            binary: false,
        });
    }
    let matches = model.match_count() as u64;
    model.push_event(SearchEvent::Finished(Summary {
        files_searched: files as u64,
        files_matched: files as u64,
        matches,
        bytes_searched: matches * 20,
        errors: 0,
        elapsed: Duration::from_millis(1234),
        cancelled: false,
    }));
    model
}
