//! What the window remembers between runs, and how its text fields become a [`SearchRequest`].
//!
//! The fields are kept as the person typed them (strings), not as parsed values, so that a
//! half-typed input survives a restart and the inline errors can name exactly what was typed.
//! The search's options are the engine's [`SearchOptions`], which keeps its typed values as
//! typed too; it is flattened into the saved state and the history entries, whose keys it
//! keeps.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::app::job::{Job, Polled};
use crate::app::results::SortOrder;
use crate::search::{
    CaseMode, RegexMatcher, SearchOptions, SearchRequest, TextEncoding, build_matcher,
    parse_extensions,
};

/// The key under which [`SavedState`] is stored in eframe's storage.
pub const STORAGE_KEY: &str = "trawl.window";

/// How many recent folders the drop-down keeps.
pub const MAX_RECENT_FOLDERS: usize = 10;

/// How many past searches the history drop-down keeps.
pub const MAX_HISTORY: usize = 50;

/// How many folders' file counts are remembered (for turning search-as-you-type off).
pub const MAX_FOLDER_COUNTS: usize = 50;

/// The largest number of context lines the preview can be asked for.
pub const MAX_CONTEXT_LINES: usize = 10;

/// Lines longer than this many characters are cut around the match (docs/CONTRACT.md: 500 in the
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
    /// The pattern's toggles (match case, whole word, regex) and the options panel's.
    #[serde(flatten)]
    pub options: SearchOptions,
    /// Folders searched before, most recent first, absolute.
    pub recent_folders: Vec<String>,
    /// How the results list is ordered.
    pub sort: SortOrder,
    /// Lines of context shown around a match in the preview, 0..=[`MAX_CONTEXT_LINES`].
    pub context_lines: usize,
    /// Whether the options panel under the search bar is open.
    pub options_open: bool,
    /// Past searches, most recent first, at most [`MAX_HISTORY`].
    pub history: Vec<SearchFields>,
    /// Start a search a moment after each change of the pattern, toggles or options.
    pub search_as_you_type: bool,
    /// How many files the last search of each folder went through, most recent first: a
    /// folder with [`LARGE_FOLDER_FILES`] or more is not searched on every keystroke.
    pub folder_file_counts: Vec<FolderFileCount>,
    /// Dark, light, or as the system says.
    pub theme: ThemeChoice,
    /// The command that opens a match in an editor, with `{path}`, `{line}` and `{column}`
    /// placeholders; empty means the default (see [`crate::app::editor`]).
    pub editor_command: String,
    /// Whether the preview panel under the results is shown.
    pub show_preview: bool,
    /// The preview panel's height in points, as the person last dragged it (0: not yet).
    pub preview_height: u32,
    /// The Replace field's text, remembered as the pattern is. The field edits
    /// `ReplaceUi::template`, which is copied here when it changes.
    pub replacement: String,
    /// Whether the Replace field under the pattern is shown (VS Code's search view keeps its
    /// Replace toggle too).
    pub replace_open: bool,
}

impl Default for SavedState {
    fn default() -> Self {
        SavedState {
            folder: String::new(),
            extensions: String::new(),
            pattern: String::new(),
            options: window_defaults(),
            recent_folders: Vec::new(),
            sort: SortOrder::Path,
            context_lines: 2,
            options_open: false,
            history: Vec::new(),
            search_as_you_type: true,
            folder_file_counts: Vec::new(),
            theme: ThemeChoice::System,
            editor_command: String::new(),
            show_preview: true,
            preview_height: 0,
            replacement: String::new(),
            replace_open: false,
        }
    }
}

/// The options a new window starts with: the command line's, but a literal pattern matched in
/// any case, as VS Code's search starts (the toggles beside the pattern turn them back), and
/// each file's encoding detected where it is not UTF-8 (docs/CONTRACT.md, "Encodings").
pub fn window_defaults() -> SearchOptions {
    SearchOptions {
        regex: false,
        case: CaseMode::Insensitive,
        encoding: TextEncoding::window_default(),
        ..SearchOptions::default()
    }
}

/// A folder with this many files or more is only searched on Enter: restarting a search of
/// that size on every keystroke would keep the disk and every core busy for nothing.
pub const LARGE_FOLDER_FILES: u64 = 100_000;

/// How many files a search of `folder` went through (at least; a cancelled search's count is
/// remembered only when it already reached [`LARGE_FOLDER_FILES`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FolderFileCount {
    /// The searched root, absolute, as [`SavedState::root`] gives it.
    pub folder: String,
    /// Files searched.
    pub files: u64,
}

/// The window's colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Follow the system's dark or light setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    /// Every choice, in the order the switch shows them.
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    /// The name on the switch.
    pub fn label(self) -> &'static str {
        match self {
            ThemeChoice::System => "System",
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
        }
    }

    /// What egui is told.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// Every field that shapes a search, as typed: one history entry. The folder is kept as
/// typed too, so that picking an entry gives back exactly what was there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchFields {
    /// The folder field.
    pub folder: String,
    /// The extension field.
    pub extensions: String,
    /// The pattern field.
    pub pattern: String,
    /// The toggles and the options panel's fields.
    #[serde(flatten)]
    pub options: SearchOptions,
}

impl Default for SearchFields {
    fn default() -> Self {
        SearchFields::of(&SavedState::default())
    }
}

impl SearchFields {
    /// The search fields of `state`.
    pub fn of(state: &SavedState) -> Self {
        SearchFields {
            folder: state.folder.clone(),
            extensions: state.extensions.clone(),
            pattern: state.pattern.clone(),
            options: state.options.clone(),
        }
    }

    /// Puts these fields back into `state` (picking a history entry).
    pub fn apply_to(&self, state: &mut SavedState) {
        state.folder.clone_from(&self.folder);
        state.extensions.clone_from(&self.extensions);
        state.pattern.clone_from(&self.pattern);
        state.options.clone_from(&self.options);
    }

    /// Whether `state` holds these fields, without copying them (it runs every frame).
    pub fn same_as(&self, state: &SavedState) -> bool {
        self.same_except_folder(state) && self.folder == state.folder
    }

    /// Whether `state` holds these fields, the folder aside.
    pub fn same_except_folder(&self, state: &SavedState) -> bool {
        self.pattern == state.pattern && self.same_options(state)
    }

    /// Whether `state` is this search with more typed at the end of the pattern.
    fn is_extended_by(&self, state: &SavedState) -> bool {
        state.pattern.starts_with(&self.pattern)
            && self.folder == state.folder
            && self.same_options(state)
    }

    /// Whether `state` has these fields, the folder and the pattern aside.
    fn same_options(&self, state: &SavedState) -> bool {
        self.extensions == state.extensions && self.options == state.options
    }

    /// One line for the history menu: the pattern, where, and what was set (the toggles as
    /// the bar shows them, the options as the closed panel names them).
    pub fn summary(&self) -> String {
        let toggles = [
            (self.options.case == CaseMode::Sensitive, "Aa"),
            (self.options.whole_word, "word"),
            (self.options.regex, "regex"),
        ];
        let mut set: Vec<String> = toggles
            .into_iter()
            .filter(|&(on, _)| on)
            .map(|(_, name)| name.to_string())
            .collect();
        set.extend(crate::app::views::options::options_in_effect(&self.options));
        let extensions = match self.extensions.trim() {
            "" => "*",
            typed => typed,
        };
        let mut line = format!(
            "{}   in {} ({extensions})",
            self.pattern,
            self.folder.trim()
        );
        if !set.is_empty() {
            line.push_str("   [");
            line.push_str(&set.join(", "));
            line.push(']');
        }
        line
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
    /// The options panel's fields that do not parse, in the panel's order.
    pub options: Vec<String>,
}

impl InputErrors {
    /// No field has a problem.
    pub fn is_empty(&self) -> bool {
        self.folder.is_none()
            && self.extensions.is_none()
            && self.pattern.is_none()
            && !self.in_options()
    }

    /// Some field of the options panel has a problem.
    pub fn in_options(&self) -> bool {
        !self.options.is_empty()
    }
}

impl SavedState {
    /// Loads the state eframe stored last time, or the defaults (first run, unreadable state).
    pub fn load(storage: Option<&dyn eframe::Storage>) -> Self {
        let mut state = storage
            .and_then(|storage| storage.get_string(STORAGE_KEY))
            .and_then(|text| SavedState::parse(&text))
            .unwrap_or_default();
        // A hand-edited or future state file must not break the bounds the window relies on.
        state.context_lines = state.context_lines.min(MAX_CONTEXT_LINES);
        state.history.truncate(MAX_HISTORY);
        state.folder_file_counts.truncate(MAX_FOLDER_COUNTS);
        state
    }

    /// Reads what [`store`](Self::store) wrote (eframe's RON), or what trawl wrote before the
    /// search options were one type.
    fn parse(text: &str) -> Option<SavedState> {
        ron::from_str(text)
            .ok()
            .or_else(|| SavedState::from_struct_syntax(text))
    }

    /// Before the search options were one type, each was a field of its own and the state was
    /// written in RON's struct syntax, `(folder:"…",match_case:true,…)`, which a struct with a
    /// flattened field cannot read (it asks for a map). Read as self-describing data the same
    /// text keeps every value but the names of unit variants, so the two enums that state held
    /// are read again, typed; the options then load from their old keys.
    fn from_struct_syntax(text: &str) -> Option<SavedState> {
        #[derive(Deserialize)]
        struct Enums {
            #[serde(default)]
            sort: SortOrder,
            #[serde(default)]
            theme: ThemeChoice,
        }
        let mut value: serde_json::Value = ron::from_str(text).ok()?;
        let enums: Enums = ron::from_str(text).ok()?;
        let fields = value.as_object_mut()?;
        fields.insert("sort".into(), serde_json::to_value(enums.sort).ok()?);
        fields.insert("theme".into(), serde_json::to_value(enums.theme).ok()?);
        serde_json::from_value(value).ok()
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

    /// Puts the current search fields first in the history, without duplicates, keeping at
    /// most [`MAX_HISTORY`]. With `refine`, an entry that this one only extends (the same
    /// search with a longer pattern: typing on) is replaced rather than kept, so search as
    /// you type does not leave one entry per pause.
    pub fn remember_search(&mut self, refine: Option<&SearchFields>) {
        if let Some(previous) = refine
            && previous.is_extended_by(self)
        {
            self.history.retain(|e| e != previous);
        }
        let entry = SearchFields::of(self);
        self.history.retain(|e| *e != entry);
        self.history.insert(0, entry);
        self.history.truncate(MAX_HISTORY);
    }

    /// Remembers that a search of `folder` went through `files` files.
    pub fn remember_file_count(&mut self, folder: &str, files: u64) {
        self.folder_file_counts.retain(|c| c.folder != folder);
        self.folder_file_counts.insert(
            0,
            FolderFileCount {
                folder: folder.to_string(),
                files,
            },
        );
        self.folder_file_counts.truncate(MAX_FOLDER_COUNTS);
    }

    /// How many files the last search of `folder` (absolute) went through, if known.
    pub fn file_count(&self, folder: &str) -> Option<u64> {
        self.folder_file_counts
            .iter()
            .find(|c| c.folder == folder)
            .map(|c| c.files)
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
        // Spaces separate extensions too, as they separate globs (`rs toml`).
        let typed: Vec<&str> = self.extensions.split_whitespace().collect();
        let extensions = parse_extensions(&typed.join(",")).unwrap_or_else(|err| {
            errors.extensions = Some(err.to_string());
            Vec::new()
        });
        let request = SearchRequest {
            root: root.unwrap_or_default(),
            extensions,
            pattern: self.pattern.clone(),
            options: self.options.clone(),
            max_columns: Some(WINDOW_MAX_COLUMNS),
            modified_times: true,
            // Preview, export and replace place each match by its offset.
            byte_offsets: true,
            // The UI thread draws frames on the same cores: it gets one the moment it wakes.
            background: true,
            // The progress bar fills as the files found are searched.
            walk_ahead: true,
        };
        errors.options = crate::app::views::options::option_errors(&self.options);
        if self.pattern.is_empty() {
            errors.pattern = Some("Type what to search for.".to_string());
        }
        (request, errors)
    }
}

/// A thread count above this is refused in the window: a typo (`40000`) would otherwise
/// try to start that many threads.
pub const MAX_THREADS: usize = 1024;

/// Replaces a leading `~` with the home folder, as a shell would, since people paste such paths.
pub(crate) fn expand_home(typed: &str) -> PathBuf {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty());
    match (typed.strip_prefix('~'), home) {
        (Some(""), Some(home)) => PathBuf::from(home),
        (Some(rest), Some(home)) if rest.starts_with('/') => Path::new(&home).join(&rest[1..]),
        _ => PathBuf::from(typed),
    }
}

/// Where the inputs' validation stands.
#[derive(Clone)]
pub enum Validation<'a> {
    /// Every field is valid: the request and its compiled matcher, ready to start (borrowed:
    /// the search bar asks every frame, only a start needs copies).
    Valid(&'a SearchRequest, &'a RegexMatcher),
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
    checked: Option<SearchFields>,
    fields: Option<(SearchRequest, InputErrors)>,
    pattern: Option<PatternCheck>,
}

/// One pattern's compilation, for the request fields that shape the matcher.
struct PatternCheck {
    key: MatcherKey,
    outcome: PatternOutcome,
}

/// What [`build_matcher`] looks at: the pattern and the options' matcher part.
#[derive(PartialEq)]
struct MatcherKey {
    pattern: String,
    options: SearchOptions,
}

impl MatcherKey {
    /// Whether `request` compiles to the matcher this key was made for.
    fn matches(&self, request: &SearchRequest) -> bool {
        self.pattern == request.pattern && self.options == request.options.matcher_part()
    }

    fn of(request: &SearchRequest) -> Self {
        MatcherKey {
            pattern: request.pattern.clone(),
            options: request.options.matcher_part(),
        }
    }
}

impl PatternCheck {
    /// Takes the compiled matcher (or the error) once the thread has sent it.
    fn poll(&mut self) {
        if let PatternOutcome::Compiling(job) = &self.outcome {
            match job.poll() {
                Polled::Done(outcome) => self.outcome = PatternOutcome::Done(outcome),
                Polled::Running | Polled::Update(_) => {}
                Polled::Lost => {
                    self.outcome = PatternOutcome::Done(Err(
                        "the pattern could not be checked; try again".to_string(),
                    ))
                }
            }
        }
    }
}

enum PatternOutcome {
    /// Dropping it (the pattern changed) leaves the thread to end on its own: a regex
    /// compile cannot be stopped midway.
    Compiling(Job<Result<RegexMatcher, String>>),
    Done(Result<RegexMatcher, String>),
}

impl InputCheck {
    /// The validation of `state`'s fields, from the cache when they did not change. While the
    /// pattern compiles, `ctx` is asked to repaint so the answer shows as soon as it is known.
    pub fn get(&mut self, state: &SavedState, ctx: &egui::Context) -> Validation<'_> {
        if self.checked.as_ref().is_none_or(|old| !old.same_as(state)) {
            self.checked = Some(SearchFields::of(state));
            self.fields = None;
        }
        let (request, field_errors) = &*self
            .fields
            .get_or_insert_with(|| state.request_without_pattern_check());
        if field_errors.pattern.is_some() {
            return Validation::Invalid(field_errors.clone());
        }
        if self
            .pattern
            .as_ref()
            .is_some_and(|check| !check.key.matches(request))
        {
            self.pattern = None;
        }
        let check = self.pattern.get_or_insert_with(|| PatternCheck {
            outcome: compile_in_background(request.clone(), ctx.clone()),
            key: MatcherKey::of(request),
        });
        check.poll();
        let check: &PatternCheck = check;
        match &check.outcome {
            PatternOutcome::Done(Ok(matcher)) if field_errors.is_empty() => {
                Validation::Valid(request, matcher)
            }
            PatternOutcome::Compiling(_) if field_errors.is_empty() => Validation::Checking,
            PatternOutcome::Done(Err(message)) => {
                let mut errors = field_errors.clone();
                errors.pattern = Some(message.clone());
                Validation::Invalid(errors)
            }
            PatternOutcome::Done(Ok(_)) | PatternOutcome::Compiling(_) => {
                Validation::Invalid(field_errors.clone())
            }
        }
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
    let job = Job::spawn("trawl-pattern", &ctx, move |_| {
        build_matcher(&request).map_err(|err| err.to_string())
    });
    match job {
        Some(job) => PatternOutcome::Compiling(job),
        None => PatternOutcome::Done(Err(
            "the pattern could not be checked (no thread could start); try again".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Globs;

    /// Every option away from its default, written out field by field so that a new option
    /// must be given a value here: the tests that check each field start from it.
    fn every_option_set() -> SearchOptions {
        SearchOptions {
            regex: true,
            case: CaseMode::Sensitive,
            whole_word: true,
            multiline: true,
            hidden: true,
            respect_ignore_files: false,
            follow_symlinks: true,
            binary_as_text: true,
            globs: Globs::Typed("*.rs, !target/**".into()),
            max_file_size: "10M".into(),
            threads: "3".into(),
            encoding: TextEncoding::Named(crate::search::Encoding::for_label(b"sjis").unwrap()),
            search_zip: true,
        }
    }

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
            options: SearchOptions {
                regex: true,
                ..window_defaults()
            },
            ..SavedState::default()
        };
        let errors = state.request().unwrap_err();
        assert!(errors.folder.unwrap().contains("no such folder"));
        assert!(errors.pattern.unwrap().contains("invalid regex"));
        assert!(errors.extensions.is_none());
    }

    #[test]
    fn new_fields_take_their_defaults_in_state_from_an_older_version() {
        let state: SavedState =
            serde_json::from_str(r#"{"pattern":"x","match_case":false,"regex":true}"#).unwrap();
        assert_eq!(
            state.options,
            SearchOptions {
                regex: true,
                ..window_defaults()
            }
        );
        assert!(state.search_as_you_type);
        assert_eq!(state.context_lines, 2);
        assert_eq!(state.theme, ThemeChoice::System);
        assert!(state.history.is_empty() && state.folder_file_counts.is_empty());
    }

    /// What eframe stored before the options were one type (written by that version's
    /// `store`, RON, every field set to something other than its default) loads field by
    /// field: the options from their old keys, the history entries' too.
    #[test]
    fn a_state_saved_before_the_options_were_one_type_loads() {
        const OLD: &str = r#"(folder:"~/src",extensions:"rs, toml",pattern:"fo(o",match_case:true,whole_word:true,regex:true,recent_folders:["/home/a/src"],sort:Modified,hidden:true,respect_ignore:false,follow_symlinks:true,binary_as_text:true,multiline:true,globs:"*.rs, !target/**",max_file_size:"10",threads:"3",context_lines:5,options_open:true,history:[(folder:"/home/a/src",extensions:"rs",pattern:"needle",match_case:false,whole_word:false,regex:false,hidden:false,respect_ignore:true,follow_symlinks:false,binary_as_text:false,multiline:false,globs:"!b.rs",max_file_size:"",threads:"")],search_as_you_type:false,folder_file_counts:[(folder:"/home/a/src",files:123456)],theme:Dark,editor_command:"code -g {path}:{line}:{column}",show_preview:false,preview_height:240)"#;
        let mut storage = MemoryStorage::default();
        eframe::Storage::set_string(&mut storage, STORAGE_KEY, OLD.to_string());
        let loaded = SavedState::load(Some(&storage));
        let expected = SavedState {
            folder: "~/src".into(),
            extensions: "rs, toml".into(),
            pattern: "fo(o".into(),
            // OLD's options are every_option_set()'s but for these three.
            options: SearchOptions {
                max_file_size: "10".into(),
                // Saved before there was a choice: the window's default.
                encoding: TextEncoding::Auto,
                // Saved before there was -z: off.
                search_zip: false,
                ..every_option_set()
            },
            recent_folders: vec!["/home/a/src".into()],
            sort: SortOrder::Modified,
            context_lines: 5,
            options_open: true,
            history: vec![SearchFields {
                folder: "/home/a/src".into(),
                extensions: "rs".into(),
                pattern: "needle".into(),
                options: SearchOptions {
                    globs: Globs::Typed("!b.rs".into()),
                    ..window_defaults()
                },
            }],
            search_as_you_type: false,
            folder_file_counts: vec![FolderFileCount {
                folder: "/home/a/src".into(),
                files: 123_456,
            }],
            theme: ThemeChoice::Dark,
            editor_command: "code -g {path}:{line}:{column}".into(),
            show_preview: false,
            preview_height: 240,
            replacement: String::new(),
            replace_open: false,
        };
        assert_eq!(loaded, expected);
    }

    /// Every field is written and read back through eframe's storage, and checked against
    /// what was set here (a struct literal with every field, so a new field must be added).
    #[test]
    fn the_whole_state_survives_a_restart_field_by_field() {
        let mut state = SavedState {
            folder: "/tmp".into(),
            extensions: "rs, toml".into(),
            pattern: "foo".into(),
            options: every_option_set(),
            recent_folders: Vec::new(),
            sort: SortOrder::Modified,
            context_lines: 5,
            options_open: true,
            history: Vec::new(),
            search_as_you_type: false,
            folder_file_counts: Vec::new(),
            theme: ThemeChoice::Dark,
            editor_command: "code -g {path}:{line}:{column}".into(),
            show_preview: false,
            preview_height: 240,
            replacement: "bar".into(),
            replace_open: false,
        };
        state.remember_folder("/tmp");
        state.remember_search(None);
        state.remember_file_count("/tmp", 123_456);
        let mut storage = MemoryStorage::default();
        state.store(&mut storage);
        let loaded = SavedState::load(Some(&storage));
        let expected = SavedState {
            folder: "/tmp".into(),
            extensions: "rs, toml".into(),
            pattern: "foo".into(),
            options: every_option_set(),
            recent_folders: vec!["/tmp".into()],
            sort: SortOrder::Modified,
            context_lines: 5,
            options_open: true,
            history: vec![SearchFields {
                folder: "/tmp".into(),
                extensions: "rs, toml".into(),
                pattern: "foo".into(),
                options: every_option_set(),
            }],
            search_as_you_type: false,
            folder_file_counts: vec![FolderFileCount {
                folder: "/tmp".into(),
                files: 123_456,
            }],
            theme: ThemeChoice::Dark,
            editor_command: "code -g {path}:{line}:{column}".into(),
            show_preview: false,
            preview_height: 240,
            replacement: "bar".into(),
            replace_open: false,
        };
        assert_eq!(loaded, expected);
    }

    #[test]
    fn options_become_the_request_fields_the_cli_sets() {
        let state = SavedState {
            folder: std::env::temp_dir().display().to_string(),
            pattern: "x".into(),
            options: SearchOptions {
                hidden: true,
                respect_ignore_files: false,
                follow_symlinks: true,
                binary_as_text: true,
                globs: Globs::Typed("*.rs !gen/** *.{a,b}".into()),
                max_file_size: " 2K ".into(),
                threads: "3".into(),
                ..window_defaults()
            },
            ..SavedState::default()
        };
        let request = state.request().unwrap();
        assert_eq!(request.options, state.options, "the options as typed");
        assert_eq!(
            request.options.resolve().unwrap(),
            crate::search::ResolvedOptions {
                globs: vec!["*.rs".into(), "!gen/**".into(), "*.{a,b}".into()],
                max_file_size: Some(2048),
                threads: 3,
            }
        );

        // The defaults are compared with what the command line's parser gives in
        // tests/window/promises.rs.
    }

    #[test]
    fn bad_options_are_reported_per_field() {
        let state = SavedState {
            folder: std::env::temp_dir().display().to_string(),
            pattern: "x".into(),
            options: SearchOptions {
                globs: Globs::Typed("a{b".into()),
                max_file_size: "10Q".into(),
                threads: "99999".into(),
                ..window_defaults()
            },
            ..SavedState::default()
        };
        let errors = state.request().unwrap_err();
        let [globs, max_file_size, threads] = errors.options.as_slice() else {
            panic!("one error per field: {:?}", errors.options);
        };
        assert!(globs.contains("invalid glob"), "{globs}");
        assert!(
            max_file_size.starts_with("Max file size: invalid size"),
            "{max_file_size}"
        );
        assert!(threads.contains("at most 1024"), "{threads}");
        assert!(errors.folder.is_none() && errors.pattern.is_none());
    }

    #[test]
    fn changing_an_option_invalidates_the_cached_check() {
        let ctx = egui::Context::default();
        let mut check = InputCheck::default();
        let mut state = SavedState {
            folder: std::env::temp_dir().display().to_string(),
            pattern: "x".into(),
            ..SavedState::default()
        };
        // Let the pattern compile, then change only an option.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !matches!(check.get(&state, &ctx), Validation::Valid(..)) {
            assert!(std::time::Instant::now() < deadline);
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        state.options.max_file_size = "nope".into();
        assert!(matches!(
            check.get(&state, &ctx),
            Validation::Invalid(e) if e.options.len() == 1
        ));
        state.options.max_file_size = "1M".into();
        state.options.hidden = true;
        match check.get(&state, &ctx) {
            Validation::Valid(request, _) => {
                assert_eq!(
                    request.options.max_file_size_bytes().unwrap(),
                    Some(1 << 20)
                );
                assert!(request.options.hidden);
            }
            _ => panic!("valid options were not taken in"),
        }
    }

    /// The compiled pattern is kept while only options it is not compiled with change, and
    /// compiled again when one it is compiled with does.
    #[test]
    fn the_pattern_is_compiled_again_only_for_the_options_it_is_compiled_with() {
        let request = SearchRequest::new("/", Vec::new(), "x");
        let key = MatcherKey::of(&request);
        let mut walk_changed = request.clone();
        walk_changed.options.hidden = true;
        walk_changed.options.threads = "2".into();
        walk_changed.options.globs = Globs::Typed("*.rs".into());
        assert!(key.matches(&walk_changed), "the walk's options");
        for change in [
            |r: &mut SearchRequest| r.options.whole_word = true,
            |r: &mut SearchRequest| r.options.regex = false,
            |r: &mut SearchRequest| r.options.case = CaseMode::Smart,
            |r: &mut SearchRequest| r.options.multiline = true,
            |r: &mut SearchRequest| r.pattern.push('y'),
        ] {
            let mut changed = request.clone();
            change(&mut changed);
            assert!(!key.matches(&changed), "{changed:?}");
        }
    }

    #[test]
    fn history_is_deduplicated_and_typing_on_refines_its_entry() {
        let mut state = SavedState {
            folder: "/f".into(),
            pattern: "fo".into(),
            ..SavedState::default()
        };
        state.remember_search(None);
        state.pattern = "bar".into();
        state.remember_search(None);
        state.pattern = "fo".into();
        state.remember_search(None);
        let patterns: Vec<&str> = state.history.iter().map(|e| e.pattern.as_str()).collect();
        assert_eq!(patterns, ["fo", "bar"], "the same search moves to the top");

        // Typing on from "fo" to "foo": the entry the typed search recorded is replaced...
        let typed = state.history[0].clone();
        state.pattern = "foo".into();
        state.remember_search(Some(&typed));
        let patterns: Vec<&str> = state.history.iter().map(|e| e.pattern.as_str()).collect();
        assert_eq!(patterns, ["foo", "bar"]);
        // ...but a different search (here: shorter) is kept beside it.
        let typed = state.history[0].clone();
        state.pattern = "f".into();
        state.remember_search(Some(&typed));
        let patterns: Vec<&str> = state.history.iter().map(|e| e.pattern.as_str()).collect();
        assert_eq!(patterns, ["f", "foo", "bar"]);
        // An option changed makes it another search, however the pattern reads.
        let typed = state.history[0].clone();
        state.pattern = "fx".into();
        state.options.hidden = true;
        state.remember_search(Some(&typed));
        let patterns: Vec<&str> = state.history.iter().map(|e| e.pattern.as_str()).collect();
        assert_eq!(patterns, ["fx", "f", "foo", "bar"]);
    }

    /// Picking an entry puts every one of its fields back and leaves the rest of the state
    /// (context lines, theme, history, …) as it was; checked against literals field by field.
    #[test]
    fn picking_a_history_entry_restores_every_search_field() {
        let options = || SearchOptions {
            globs: Globs::Typed("!x".into()),
            max_file_size: "2K".into(),
            threads: "2".into(),
            encoding: TextEncoding::Bytes,
            ..every_option_set()
        };
        let entry = SearchFields {
            folder: "/a".into(),
            extensions: "rs".into(),
            pattern: "p".into(),
            options: options(),
        };
        let mut now = SavedState {
            context_lines: 7,
            theme: ThemeChoice::Light,
            recent_folders: vec!["/r".into()],
            ..SavedState::default()
        };
        entry.apply_to(&mut now);
        let expected = SavedState {
            folder: "/a".into(),
            extensions: "rs".into(),
            pattern: "p".into(),
            options: options(),
            recent_folders: vec!["/r".into()],
            sort: SortOrder::Path,
            context_lines: 7,
            options_open: false,
            history: Vec::new(),
            search_as_you_type: true,
            folder_file_counts: Vec::new(),
            theme: ThemeChoice::Light,
            editor_command: String::new(),
            show_preview: true,
            preview_height: 0,
            replacement: String::new(),
            replace_open: false,
        };
        assert_eq!(now, expected);
        assert!(entry.same_as(&now));
        assert_eq!(
            entry.summary(),
            "p   in /a (rs)   [Aa, word, regex, hidden files, ignoring .gitignore, following \
             symlinks, binary as text, multiline, inside archives, globs !x, max size 2K, \
             threads 2, encoding none]"
        );
    }

    #[test]
    fn context_lines_are_clamped_on_load() {
        let mut storage = MemoryStorage::default();
        let state = SavedState {
            context_lines: 99,
            ..SavedState::default()
        };
        state.store(&mut storage);
        assert_eq!(
            SavedState::load(Some(&storage)).context_lines,
            MAX_CONTEXT_LINES
        );
    }

    #[derive(Default)]
    struct MemoryStorage(std::collections::HashMap<String, String>);

    impl eframe::Storage for MemoryStorage {
        fn get_string(&self, key: &str) -> Option<String> {
            self.0.get(key).cloned()
        }
        fn set_string(&mut self, key: &str, value: String) {
            self.0.insert(key.to_string(), value);
        }
        fn remove_string(&mut self, key: &str) {
            self.0.remove(key);
        }
        fn flush(&mut self) {}
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
        assert!(!request.options.regex);
        assert_eq!(request.options.case, CaseMode::Insensitive);
        assert!(request.root.is_absolute());
    }
}
