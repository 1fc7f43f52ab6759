//! Arguments in two steps, as ripgrep does: [`Args`] is what was typed, [`Args::into_config`]
//! derives and validates what the search and the printer need. The search's options are
//! mapped from the flags in one function, [`Args::search_options`].

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

use crate::cli::generate::GenerateKind;
use crate::search::{
    CaseMode, Globs, SearchError, SearchOptions, SearchRequest, TextEncoding, parse_extensions,
};

/// The command line as typed.
#[derive(Debug, Parser)]
#[command(
    name = "trawl",
    version,
    about = "Search every file with an extension below a folder, on many threads.",
    long_about = "Search every file with an extension below a folder, on many threads.\n\n\
        Without arguments (or with only a folder) trawl opens its window.\n\
        Exit codes: 0 found, 1 none, 2 error."
)]
pub struct Args {
    /// The folder searched recursively (a regular file is searched alone).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Extensions with or without the dot, comma-separated (`rs`, `.rs`, `rs,toml`); `*` for every file.
    #[arg(value_name = "EXT")]
    pub ext: String,
    /// A regex (Rust syntax), or literal text with -F.
    #[arg(value_name = "PATTERN", allow_hyphen_values = true)]
    pub pattern: String,

    /// Match letters of any case.
    #[arg(short = 'i', long, overrides_with = "smart_case")]
    pub ignore_case: bool,
    /// Match any case unless the pattern has an upper-case letter.
    #[arg(short = 'S', long, overrides_with = "ignore_case")]
    pub smart_case: bool,
    /// Only matches surrounded by word boundaries.
    #[arg(short = 'w', long)]
    pub word_regexp: bool,
    /// Treat the pattern as literal text.
    #[arg(short = 'F', long)]
    pub fixed_strings: bool,
    /// Let matches span lines.
    #[arg(short = 'U', long)]
    pub multiline: bool,
    /// Search hidden files and folders.
    #[arg(long)]
    pub hidden: bool,
    /// Do not honour .gitignore, .ignore or .git/info/exclude.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links (loops are detected and reported).
    #[arg(short = 'L', long)]
    pub follow: bool,
    /// Search binary files (with NUL bytes) as text.
    #[arg(short = 'a', long)]
    pub text: bool,
    /// Decode files as NAME (utf-8, latin1, windows-1252, shift_jis, euc-jp, gbk, big5,
    /// euc-kr, utf-16le, …); `auto` detects each file's encoding where it is not UTF-8; `none`
    /// searches raw bytes. A byte-order mark wins, except with `none`.
    // Parsed by the engine's own parser, so the window's choice and this flag mean the same.
    #[arg(short = 'E', long, value_name = "NAME", value_parser = TextEncoding::parse)]
    pub encoding: Option<TextEncoding>,
    /// Also search inside compressed files (.gz, .bz2, .xz, .zst, .lz4) and the members of
    /// archives (.zip, .jar, .tar, .tar.gz/.tgz, .tar.xz, .tar.zst), named `ARCHIVE!/MEMBER`;
    /// EXT and -g apply to the members' names.
    #[arg(short = 'z', long)]
    pub search_zip: bool,
    /// Include files matching GLOB; `!GLOB` excludes. Repeatable.
    #[arg(
        short = 'g',
        long = "glob",
        value_name = "GLOB",
        allow_hyphen_values = true
    )]
    pub globs: Vec<String>,
    /// Skip files larger than NUM bytes (suffixes K, M, G).
    #[arg(long, value_name = "NUM[K|M|G]")]
    pub max_filesize: Option<String>,
    /// Number of search threads (default, or 0: one per core, as ripgrep).
    // Taken as typed, like --max-filesize: the window's Threads field is parsed by the same code.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<String>,
    /// Print JSON Lines: a `match` object per occurrence, `error` objects, a final `summary`.
    #[arg(long)]
    pub json: bool,
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// Group matches under each file's name (the default on a terminal).
    #[arg(long, overrides_with = "no_heading")]
    pub heading: bool,
    /// One `PATH:LINE:COL:TEXT` line per occurrence (the default to a pipe).
    #[arg(long, overrides_with = "heading")]
    pub no_heading: bool,
    /// Print the number of matching lines per file.
    #[arg(short = 'c', long)]
    pub count: bool,
    /// Print only the paths of files with matches.
    #[arg(short = 'l', long)]
    pub files_with_matches: bool,
    /// Print nothing; exit 0 at the first match.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Cut lines longer than N characters to a window around the match (0: no limit, as ripgrep).
    #[arg(long, value_name = "N")]
    pub max_columns: Option<usize>,

    /// Show every match replaced by TEXT (`$1`, `${name}`, `$$` with a regex; literal with -F).
    /// Writes nothing unless --write is given.
    #[arg(
        short = 'r',
        long = "replace",
        value_name = "TEXT",
        allow_hyphen_values = true
    )]
    pub replace: Option<String>,
    /// With -r: print a unified diff of every file that would change (`a/` and `b/` paths
    /// relative to DIR, for `patch -p1` in DIR); writes nothing.
    // Not clap's conflicts_with: zsh's completion would then prefix the flag's spec with the
    // conflict; into_config rejects the pair instead.
    #[arg(long, requires = "replace")]
    pub diff: bool,
    /// With -r: rewrite every file with a match, each atomically, recorded for --undo.
    #[arg(long, requires = "replace")]
    pub write: bool,
    /// Undo the latest replace not yet undone (or replace ID), each file only if it is still
    /// as the replace left it.
    // Exclusive, like --generate: given without DIR EXT PATTERN.
    #[arg(
        long,
        value_name = "ID",
        num_args = 0..=1,
        default_missing_value = "",
        exclusive = true
    )]
    pub undo: Option<String>,
    /// List the recorded replaces, newest first: ID, time, folder, pattern, files, replacements.
    #[arg(long, exclusive = true)]
    pub undo_list: bool,

    /// Print a generated file and exit: the man page or a shell's completion script.
    // Exclusive: given alone, without DIR EXT PATTERN (clap does not ask for required arguments
    // when an exclusive one is present; `cli::run` looks for it before reading the rest).
    #[arg(long, value_enum, value_name = "KIND", exclusive = true)]
    pub generate: Option<GenerateKind>,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Never colour.
    Never,
    /// Colour when standard output is a terminal.
    Auto,
    /// Always colour.
    Always,
}

/// What the printer prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputMode {
    /// Path heading, then `LINE:COL:TEXT` rows.
    Grouped,
    /// `PATH:LINE:COL:TEXT` rows.
    Flat,
    /// JSON Lines.
    Json,
    /// `PATH:COUNT` per matching file.
    Count,
    /// Paths of matching files.
    FilesWithMatches,
    /// Nothing.
    Quiet,
}

/// What `-r` does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplaceMode {
    /// Print the matching lines as they would be.
    Show(String),
    /// Print a unified diff.
    Diff(String),
    /// Rewrite the files.
    Write(String),
}

impl ReplaceMode {
    /// The replacement template.
    pub fn template(&self) -> &str {
        match self {
            ReplaceMode::Show(t) | ReplaceMode::Diff(t) | ReplaceMode::Write(t) => t,
        }
    }
}

/// Everything derived from the arguments.
#[derive(Debug)]
pub struct Config {
    /// The engine's input.
    pub request: SearchRequest,
    /// The printer's mode.
    pub mode: OutputMode,
    /// Whether to colour.
    pub color: bool,
    /// Whether to draw a progress line on standard error.
    pub show_progress: bool,
    /// `-r` and what it does.
    pub replace: Option<ReplaceMode>,
}

impl Args {
    /// The search's options as the flags set them: every option's flag is read here and only
    /// here. Typed values stay as typed; [`SearchOptions::resolve`] parses them.
    pub fn search_options(&self) -> SearchOptions {
        SearchOptions {
            regex: !self.fixed_strings,
            case: if self.ignore_case {
                CaseMode::Insensitive
            } else if self.smart_case {
                CaseMode::Smart
            } else {
                CaseMode::Sensitive
            },
            whole_word: self.word_regexp,
            multiline: self.multiline,
            hidden: self.hidden,
            respect_ignore_files: !self.no_ignore,
            follow_symlinks: self.follow,
            binary_as_text: self.text,
            // One glob per flag: a glob given alone may hold a space or a comma.
            globs: Globs::Each(self.globs.clone()),
            max_file_size: self.max_filesize.clone().unwrap_or_default(),
            threads: self.threads.clone().unwrap_or_default(),
            encoding: self.encoding.unwrap_or_default(),
            search_zip: self.search_zip,
        }
    }

    /// Validates the arguments and derives the search request and output settings.
    pub fn into_config(self) -> Result<Config, String> {
        if self.diff && self.write {
            return Err("--diff shows a replace and --write makes it: give one of them".into());
        }
        let extensions = parse_extensions(&self.ext).map_err(|err| err.to_string())?;
        let options = self.search_options();
        // Checked here to name the flag; the engine checks them again as it starts.
        options.resolve().map_err(|err| match err {
            SearchError::InvalidMaxFileSize(reason) => format!("--max-filesize: {reason}"),
            SearchError::InvalidThreads(reason) => format!("-j/--threads: {reason}"),
            other => other.to_string(),
        })?;
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let mode = if self.quiet {
            OutputMode::Quiet
        } else if self.json {
            OutputMode::Json
        } else if self.files_with_matches {
            OutputMode::FilesWithMatches
        } else if self.count {
            OutputMode::Count
        } else if self.heading || (stdout_is_terminal && !self.no_heading) {
            OutputMode::Grouped
        } else {
            OutputMode::Flat
        };
        let color = match self.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                stdout_is_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
            }
        } && mode != OutputMode::Json;
        let replace = self.replace.clone().map(|template| {
            if self.write {
                ReplaceMode::Write(template)
            } else if self.diff {
                ReplaceMode::Diff(template)
            } else {
                ReplaceMode::Show(template)
            }
        });
        let writes = matches!(replace, Some(ReplaceMode::Write(_) | ReplaceMode::Diff(_)));
        let request = SearchRequest {
            root: self.dir,
            extensions,
            pattern: self.pattern,
            options,
            // ripgrep's meaning of 0: no limit.
            // A replace checks each match against its whole text.
            max_columns: self.max_columns.filter(|&n| n > 0 && !writes),
            // A replace checks each file's time again before writing it.
            modified_times: writes,
            // Printed in JSON and where a replace writes; measured for a decoded file, so
            // left out where lines and columns are all that is printed.
            byte_offsets: mode == OutputMode::Json || replace.is_some(),
            // A command line has no frames to draw: scheduled like ripgrep.
            background: false,
            // Nor a progress bar: each walker thread searches what it finds, like ripgrep's.
            walk_ahead: false,
        };
        Ok(Config {
            request,
            mode,
            color,
            show_progress: std::io::stderr().is_terminal() && mode != OutputMode::Quiet,
            replace,
        })
    }
}
