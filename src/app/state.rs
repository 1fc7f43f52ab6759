//! What the window remembers between runs, and how its text fields become a [`SearchRequest`].
//!
//! The fields are kept as the person typed them (strings), not as parsed values, so that a
//! half-typed input survives a restart and the inline errors can name exactly what was typed.

use std::path::{Path, PathBuf};

use crossbeam_channel::{Receiver, TryRecvError};
use grep_regex::RegexMatcher;
use serde::{Deserialize, Serialize};

use crate::app::results::SortOrder;
use crate::search::{CaseMode, SearchRequest, build_matcher, parse_extensions};

/// The key under which [`SavedState`] is stored in eframe's storage.
pub const STORAGE_KEY: &str = "trawl.window";

/// How many recent folders the drop-down keeps.
pub const MAX_RECENT_FOLDERS: usize = 10;

/// Lines longer than this many characters are cut around the match (CONTRACT.md: 500 in the
/// window), so that one minified file cannot fill memory or make a row unreadable.
pub const WINDOW_MAX_COLUMNS: usize = 500;

/// Everything the window persists. `#[serde(default)]` so that state written by an older or
/// newer version still loads: unknown fields are ignored, missing ones take their defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedState {
    /// The folder field, as typed.
    pub folder: String,
    /// The extension field, as typed (`rs`, `.rs`, `rs, toml`, `*`, empty).
    pub extensions: String,
    /// The pattern field.
    pub pattern: String,
    /// "Match case" toggle: off means case-insensitive, as in VS Code.
    pub match_case: bool,
    /// "Whole word" toggle.
    pub whole_word: bool,
    /// "Regex" toggle: off means the pattern is literal text.
    pub regex: bool,
    /// Folders searched before, most recent first, absolute.
    pub recent_folders: Vec<String>,
    /// How the results list is ordered.
    pub sort: SortOrder,
    /// The command that opens a match in an editor, with `{path}`, `{line}` and `{column}`
    /// placeholders; empty means the default (see [`crate::app::editor`]).
    pub editor_command: String,
    /// Lines shown above and below the match in the preview.
    pub context_lines: usize,
    /// Whether the preview panel under the results is shown.
    pub show_preview: bool,
}

impl Default for SavedState {
    fn default() -> Self {
        SavedState {
            folder: String::new(),
            extensions: String::new(),
            pattern: String::new(),
            match_case: false,
            whole_word: false,
            regex: false,
            recent_folders: Vec::new(),
            sort: SortOrder::Path,
            editor_command: String::new(),
            context_lines: 2,
            show_preview: true,
        }
    }
}

/// What is wrong with the inputs, one message per field, shown right under that field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputErrors {
    /// The folder is empty or does not exist.
    pub folder: Option<String>,
    /// The extension field does not parse.
    pub extensions: Option<String>,
    /// The pattern is empty or is not a valid regex.
    pub pattern: Option<String>,
}

impl InputErrors {
    /// No field has a problem.
    pub fn is_empty(&self) -> bool {
        self.folder.is_none() && self.extensions.is_none() && self.pattern.is_none()
    }
}

impl SavedState {
    /// Loads the state eframe stored last time, or the defaults (first run, unreadable state).
    pub fn load(storage: Option<&dyn eframe::Storage>) -> Self {
        storage
            .and_then(|storage| eframe::get_value(storage, STORAGE_KEY))
            .unwrap_or_default()
    }

    /// Writes the state to eframe's storage (eframe flushes it to disk).
    pub fn store(&self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, self);
    }

    /// Puts `folder` first in the recent list, without duplicates, keeping at most
    /// [`MAX_RECENT_FOLDERS`].
    pub fn remember_folder(&mut self, folder: &str) {
        let folder = folder.trim();
        if folder.is_empty() {
            return;
        }
        self.recent_folders.retain(|f| f != folder);
        self.recent_folders.insert(0, folder.to_string());
        self.recent_folders.truncate(MAX_RECENT_FOLDERS);
    }

    /// The folder field as an absolute path (`~` expanded), or `None` when it is empty.
    ///
    /// Absolute because the copied locations must work from anywhere (an editor, a terminal
    /// in another folder), and the engine reports paths as reached from the root it was given.
    pub fn root(&self) -> Option<PathBuf> {
        let typed = self.folder.trim();
        if typed.is_empty() {
            return None;
        }
        let expanded = expand_home(typed);
        Some(std::path::absolute(&expanded).unwrap_or(expanded))
    }

    /// Turns the fields into a request, or says what is wrong with each field.
    ///
    /// This compiles the regex and looks at the folder; the window uses [`InputCheck`], which
    /// caches the answer per input and compiles the regex off the UI thread.
    pub fn request(&self) -> Result<SearchRequest, InputErrors> {
        let (request, mut errors) = self.request_without_pattern_check();
        if errors.pattern.is_none()
            && let Err(err) = build_matcher(&request)
        {
            errors.pattern = Some(err.to_string());
        }
        if errors.is_empty() {
            Ok(request)
        } else {
            Err(errors)
        }
    }

    /// Like [`request`](Self::request) but without compiling the pattern (only an empty one
    /// is refused): everything here is quick enough for the UI thread. The request is built
    /// even when a field has a problem, so the pattern can still be checked.
    fn request_without_pattern_check(&self) -> (SearchRequest, InputErrors) {
        let mut errors = InputErrors::default();
        let root = self.root();
        match &root {
            None => errors.folder = Some("Choose a folder to search.".to_string()),
            Some(path) if !path.exists() => {
                errors.folder = Some(format!(
                    "{}: no such folder. Check the path or use Browse…",
                    path.display()
                ))
            }
            Some(path) if !(path.is_dir() || path.is_file()) => {
                errors.folder = Some(format!(
                    "{}: not a folder or a regular file.",
                    path.display()
                ))
            }
            Some(_) => {}
        }
        let extensions = parse_extensions(&self.extensions).unwrap_or_else(|err| {
            errors.extensions = Some(err.to_string());
            Vec::new()
        });
        let mut request =
            SearchRequest::new(root.unwrap_or_default(), extensions, self.pattern.clone());
        request.case = if self.match_case {
            CaseMode::Sensitive
        } else {
            CaseMode::Insensitive
        };
        request.whole_word = self.whole_word;
        request.fixed_strings = !self.regex;
        request.max_columns = Some(WINDOW_MAX_COLUMNS);
        if self.pattern.is_empty() {
            errors.pattern = Some("Type what to search for.".to_string());
        }
        (request, errors)
    }
}

/// Replaces a leading `~` with the home folder, as a shell would, since people paste such paths.
fn expand_home(typed: &str) -> PathBuf {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty());
    match (typed.strip_prefix('~'), home) {
        (Some(""), Some(home)) => PathBuf::from(home),
        (Some(rest), Some(home)) if rest.starts_with('/') => Path::new(&home).join(&rest[1..]),
        _ => PathBuf::from(typed),
    }
}

/// Where the inputs' validation stands.
#[derive(Clone)]
pub enum Validation {
    /// Every field is valid: the request and its compiled matcher, ready to start.
    Valid(SearchRequest, RegexMatcher),
    /// The other fields are valid and the pattern is still compiling.
    Checking,
    /// Some field has a problem.
    Invalid(InputErrors),
}

/// The inputs' validation, recomputed only when a field changes: touching the disk on every
/// frame would make typing sluggish on a slow disk. The pattern compiles on a thread of its
/// own, since a huge regex (`\w{1000}`) can take a second: typing never waits for it.
#[derive(Default)]
pub struct InputCheck {
    checked: Option<SavedState>,
    fields: Option<(SearchRequest, InputErrors)>,
    pattern: Option<PatternCheck>,
}

/// One pattern's compilation, for the request fields that shape the matcher.
struct PatternCheck {
    key: MatcherKey,
    outcome: PatternOutcome,
}

/// What [`build_matcher`] looks at.
#[derive(PartialEq)]
struct MatcherKey {
    pattern: String,
    case: CaseMode,
    whole_word: bool,
    fixed_strings: bool,
}

impl MatcherKey {
    fn of(request: &SearchRequest) -> Self {
        MatcherKey {
            pattern: request.pattern.clone(),
            case: request.case,
            whole_word: request.whole_word,
            fixed_strings: request.fixed_strings,
        }
    }
}

impl PatternCheck {
    /// Takes the compiled matcher (or the error) once the thread has sent it.
    fn poll(&mut self) {
        if let PatternOutcome::Compiling(receiver) = &self.outcome {
            match receiver.try_recv() {
                Ok(outcome) => self.outcome = PatternOutcome::Done(outcome),
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    self.outcome = PatternOutcome::Done(Err(
                        "the pattern could not be checked; try again".to_string(),
                    ))
                }
            }
        }
    }
}

enum PatternOutcome {
    Compiling(Receiver<Result<RegexMatcher, String>>),
    Done(Result<RegexMatcher, String>),
}

impl InputCheck {
    /// The validation of `state`'s fields, from the cache when they did not change. While the
    /// pattern compiles, `ctx` is asked to repaint so the answer shows as soon as it is known.
    pub fn get(&mut self, state: &SavedState, ctx: &egui::Context) -> Validation {
        let stale = self
            .checked
            .as_ref()
            .is_none_or(|old| !same_inputs(old, state));
        if stale || self.fields.is_none() {
            self.checked = Some(state.clone());
            self.fields = Some(state.request_without_pattern_check());
        }
        let (request, errors) = self
            .fields
            .get_or_insert_with(|| state.request_without_pattern_check());
        let mut errors = errors.clone();
        if errors.pattern.is_none() {
            let key = MatcherKey::of(request);
            if self.pattern.as_ref().is_none_or(|check| check.key != key) {
                self.pattern = Some(PatternCheck {
                    outcome: compile_in_background(request.clone(), ctx.clone()),
                    key,
                });
            }
            if let Some(check) = self.pattern.as_mut() {
                check.poll();
                match &check.outcome {
                    PatternOutcome::Done(Ok(matcher)) if errors.is_empty() => {
                        return Validation::Valid(request.clone(), matcher.clone());
                    }
                    PatternOutcome::Done(Ok(_)) => {}
                    PatternOutcome::Done(Err(message)) => errors.pattern = Some(message.clone()),
                    PatternOutcome::Compiling(_) if errors.is_empty() => {
                        return Validation::Checking;
                    }
                    PatternOutcome::Compiling(_) => {}
                }
            }
        }
        Validation::Invalid(errors)
    }

    /// Whether the pattern is still compiling.
    pub fn is_pending(&self) -> bool {
        self.pattern
            .as_ref()
            .is_some_and(|check| matches!(check.outcome, PatternOutcome::Compiling(_)))
    }

    /// Forgets the cached answer about the folder (it may have appeared or gone since); the
    /// compiled pattern stays, as it depends only on the pattern and its toggles.
    pub fn invalidate(&mut self) {
        self.fields = None;
    }
}

/// Compiles `request`'s pattern on a short-lived thread and repaints `ctx` when done.
fn compile_in_background(request: SearchRequest, ctx: egui::Context) -> PatternOutcome {
    let (sender, receiver) = crossbeam_channel::bounded(1);
    let spawned = std::thread::Builder::new()
        .name("trawl-pattern".to_string())
        .spawn(move || {
            let outcome = build_matcher(&request).map_err(|err| err.to_string());
            // The window may have moved on to another pattern: nobody listens then.
            let _ = sender.send(outcome);
            ctx.request_repaint();
        });
    match spawned {
        Ok(_) => PatternOutcome::Compiling(receiver),
        Err(_) => PatternOutcome::Done(Err(
            "the pattern could not be checked (no thread could start); try again".to_string(),
        )),
    }
}

/// The fields that change the request (not the recent list or the sort order).
fn same_inputs(a: &SavedState, b: &SavedState) -> bool {
    a.folder == b.folder
        && a.extensions == b.extensions
        && a.pattern == b.pattern
        && a.match_case == b.match_case
        && a.whole_word == b.whole_word
        && a.regex == b.regex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_folders_are_unique_most_recent_first_and_bounded() {
        let mut state = SavedState::default();
        for i in 0..15 {
            state.remember_folder(&format!("/f{i}"));
        }
        state.remember_folder("/f3");
        assert_eq!(state.recent_folders.len(), MAX_RECENT_FOLDERS);
        assert_eq!(state.recent_folders[0], "/f3");
        assert_eq!(
            state.recent_folders.iter().filter(|f| *f == "/f3").count(),
            1
        );
    }

    #[test]
    fn missing_fields_take_defaults() {
        let state: SavedState = serde_json::from_str(r#"{"pattern":"x","unknown":1}"#).unwrap();
        assert_eq!(state.pattern, "x");
        assert_eq!(state.sort, SortOrder::Path);
    }

    #[test]
    fn invalid_regex_and_missing_folder_are_reported_per_field() {
        let state = SavedState {
            folder: "/no/such/folder/for/trawl".into(),
            pattern: "a(b".into(),
            regex: true,
            ..SavedState::default()
        };
        let errors = state.request().unwrap_err();
        assert!(errors.folder.unwrap().contains("no such folder"));
        assert!(errors.pattern.unwrap().contains("invalid regex"));
        assert!(errors.extensions.is_none());
    }

    #[test]
    fn literal_mode_accepts_regex_metacharacters() {
        let dir = std::env::temp_dir();
        let state = SavedState {
            folder: dir.display().to_string(),
            pattern: "a(b".into(),
            ..SavedState::default()
        };
        let request = state.request().unwrap();
        assert!(request.fixed_strings);
        assert_eq!(request.case, CaseMode::Insensitive);
        assert!(request.root.is_absolute());
    }
}
