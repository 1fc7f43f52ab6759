//! The command line: `trawl [OPTIONS] DIR EXT PATTERN`, as docs/CONTRACT.md describes it.
//!
//! Parses the arguments ([`args`]), starts the engine, and prints its events as they arrive
//! ([`printer`]), with a progress line on standard error for long searches on a terminal.

pub mod args;
pub mod generate;
pub mod printer;
pub mod replace;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches};
use crossbeam_channel::RecvTimeoutError;
use termcolor::WriteColor;

use crate::cli::args::{Args, OutputMode, ReplaceMode};
use crate::cli::generate::GenerateKind;
use crate::cli::printer::{Printer, path_bytes};
use crate::replace::Replacer;
use crate::search::{FileError, ProgressSnapshot, SearchEvent, SearchHandle};

/// How long a search runs before the progress line appears.
const PROGRESS_DELAY: Duration = Duration::from_millis(500);
/// How often the progress line is redrawn.
const PROGRESS_TICK: Duration = Duration::from_millis(100);
/// Standard output is written in blocks this big (a terminal still gets each file at once).
#[cfg(not(windows))]
const STDOUT_BUFFER: usize = 256 << 10;
/// The pipe buffer asked for when standard output is a pipe (Linux's default ceiling for
/// unprivileged processes).
#[cfg(target_os = "linux")]
const STDOUT_PIPE: libc::c_int = 1 << 20;

/// Runs the command line with `args` (the program name first) and returns the exit code:
/// 0 found, 1 nothing found, 2 error.
pub fn run(args: Vec<OsString>) -> ExitCode {
    // In two steps: `--generate` comes without DIR EXT PATTERN, which `Args` cannot be made from.
    let mut matches = match Args::command().try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(err) => return usage_error(err),
    };
    if let Some(&kind) = matches.get_one::<GenerateKind>("generate") {
        return print_generated(kind);
    }
    if let Some(id) = matches.get_one::<String>("undo") {
        return replace::undo(id);
    }
    if matches.get_flag("undo_list") {
        return replace::undo_list();
    }
    let args = match Args::from_arg_matches_mut(&mut matches) {
        Ok(args) => args,
        Err(err) => return usage_error(err),
    };
    let config = match args.into_config() {
        Ok(config) => config,
        Err(message) => return fail(&message),
    };
    let mode = config.mode;
    // Compiled before the search, so a pattern or template error stops it before any file
    // is read.
    let replacer = match &config.replace {
        Some(replace) => {
            if let Err(err) = crate::search::build_matcher(&config.request) {
                return fail(&err.to_string());
            }
            match Replacer::new(
                &config.request.options,
                &config.request.pattern,
                replace.template(),
            ) {
                Ok(replacer) => Some(replacer),
                Err(err) => return fail(&err.to_string()),
            }
        }
        None => None,
    };
    let request = config.request.clone();
    let handle = match crate::search::start(config.request) {
        Ok(handle) => handle,
        Err(err) => return fail(&err.to_string()),
    };
    match (&config.replace, &replacer) {
        (Some(ReplaceMode::Write(_)), Some(replacer)) => {
            return replace::write(&handle, &request, replacer);
        }
        (Some(ReplaceMode::Diff(_)), Some(replacer)) => {
            return replace::diff(&handle, &request, replacer);
        }
        _ => {}
    }
    let stdout = stdout_writer(config.color);
    let printer = Printer::new(stdout, mode, io::stdout().is_terminal()).with_replacer(replacer);
    let status = StatusLine::new(config.show_progress);
    match print_events(&handle, printer, status, mode) {
        Ok(outcome) => outcome.exit_code(),
        // The reader went away (`trawl ... | head`): stop quietly, as ripgrep does.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => fail(&format!("writing the results failed: {err}")),
    }
}

/// What a finished command line search found.
struct Outcome {
    matched: bool,
    errors: bool,
}

impl Outcome {
    fn exit_code(&self) -> ExitCode {
        if self.matched {
            ExitCode::SUCCESS
        } else if self.errors {
            ExitCode::from(2)
        } else {
            ExitCode::from(1)
        }
    }
}

/// Standard output for the printer.
///
/// One large buffer written in big blocks with ANSI colours: a search printing gigabytes (one
/// row per occurrence) would otherwise make a system call and wake the reader every 8 KiB.
#[cfg(not(windows))]
fn stdout_writer(color: bool) -> Box<dyn WriteColor> {
    grow_stdout_pipe();
    let raw = io::BufWriter::with_capacity(STDOUT_BUFFER, io::stdout());
    if color {
        Box::new(termcolor::Ansi::new(raw))
    } else {
        Box::new(termcolor::NoColor::new(raw))
    }
}

/// When standard output is a pipe, asks Linux for a 1 MiB pipe buffer instead of 64 KiB: a
/// search that prints gigabytes otherwise blocks and switches to the reader every 64 KiB. A
/// refusal (a limit, not a pipe) changes nothing.
#[cfg(target_os = "linux")]
fn grow_stdout_pipe() {
    // SAFETY: F_SETPIPE_SZ on file descriptor 1 reads no memory; an error is only returned.
    unsafe {
        libc::fcntl(libc::STDOUT_FILENO, libc::F_SETPIPE_SZ, STDOUT_PIPE);
    }
}

#[cfg(all(not(windows), not(target_os = "linux")))]
fn grow_stdout_pipe() {}

/// Standard output for the printer: termcolor's stream, which also colours a console that does
/// not understand ANSI codes.
#[cfg(windows)]
fn stdout_writer(color: bool) -> Box<dyn WriteColor> {
    let choice = if color {
        termcolor::ColorChoice::Always
    } else {
        termcolor::ColorChoice::Never
    };
    Box::new(termcolor::BufferedStandardStream::stdout(choice))
}

fn print_events<W: WriteColor>(
    handle: &SearchHandle,
    mut printer: Printer<W>,
    mut status: StatusLine,
    mode: OutputMode,
) -> io::Result<Outcome> {
    let mut outcome = Outcome {
        matched: false,
        errors: false,
    };
    loop {
        match handle.events().recv_timeout(PROGRESS_TICK) {
            Ok(SearchEvent::File(result)) => {
                outcome.matched = true;
                if mode == OutputMode::Quiet {
                    // The answer is known: stop the search rather than wait for it.
                    handle.cancel();
                    break;
                }
                status.clear();
                printer.file(&result)?;
            }
            Ok(SearchEvent::Error(error)) => {
                outcome.errors = true;
                status.clear();
                report_file_error(&error)?;
                printer.error(&error)?;
            }
            Ok(SearchEvent::Finished(summary)) => {
                status.clear();
                printer.finish(&summary)?;
                break;
            }
            Err(RecvTimeoutError::Timeout) => {
                if handle.started().elapsed() >= PROGRESS_DELAY {
                    status.draw(&handle.progress().snapshot(), handle.started().elapsed());
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    status.clear();
    Ok(outcome)
}

/// The transient progress line on standard error.
struct StatusLine {
    enabled: bool,
    shown: bool,
}

impl StatusLine {
    fn new(enabled: bool) -> Self {
        StatusLine {
            enabled,
            shown: false,
        }
    }

    fn draw(&mut self, progress: &ProgressSnapshot, elapsed: Duration) {
        if !self.enabled {
            return;
        }
        let seconds = elapsed.as_secs_f64().max(0.001);
        let walking = if progress.walk_done { "" } else { "+" };
        let line = format!(
            "\r\x1b[Ktrawl: {}/{}{} files, {} matches, {:.1} MB, {:.0} files/s",
            progress.files_searched,
            progress.files_found,
            walking,
            progress.matches,
            progress.bytes_searched as f64 / 1e6,
            progress.files_searched as f64 / seconds,
        );
        // The line is advisory: a failed write to standard error is not worth stopping for.
        let _ = io::stderr().write_all(line.as_bytes());
        self.shown = true;
    }

    fn clear(&mut self) {
        if self.shown {
            let _ = io::stderr().write_all(b"\r\x1b[K");
            self.shown = false;
        }
    }
}

/// `--generate KIND`: the file on standard output, exit 0.
fn print_generated(kind: GenerateKind) -> ExitCode {
    match generate::write(kind, &mut io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        // As for search results: a reader that went away early is not an error.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => fail(&format!("writing the generated file failed: {err}")),
    }
}

/// A file or folder the search could not read, on standard error: `trawl: PATH: MESSAGE`
/// (the path as the file system has it), or `trawl: MESSAGE` for an error of no one path.
pub(crate) fn report_file_error(error: &FileError) -> io::Result<()> {
    let mut stderr = io::stderr().lock();
    stderr.write_all(b"trawl: ")?;
    if !error.path.as_os_str().is_empty() {
        stderr.write_all(&path_bytes(&error.path))?;
        stderr.write_all(b": ")?;
    }
    writeln!(stderr, "{}", error.message)
}

pub(crate) fn fail(message: &str) -> ExitCode {
    eprintln!("trawl: {message}");
    ExitCode::from(2)
}

/// Help and version go to standard output with exit 0; any other argument error is one line on
/// standard error with exit 2. An invalid value names the valid ones (clap puts them on a line of
/// their own, which would be cut off).
fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        _ => {
            let rendered = err.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            match (
                err.get(ContextKind::ValidValue),
                err.get(ContextKind::InvalidArg),
            ) {
                // Which arguments are missing is on clap's next line: name them on this one.
                (_, Some(ContextValue::Strings(missing)))
                    if err.kind() == ErrorKind::MissingRequiredArgument =>
                {
                    eprintln!("trawl: {first} {} (see trawl --help)", missing.join(", "));
                }
                (Some(ContextValue::Strings(valid)), _)
                    if err.kind() == ErrorKind::InvalidValue =>
                {
                    eprintln!(
                        "trawl: {first}; possible values: {} (see trawl --help)",
                        valid.join(", ")
                    );
                }
                _ => eprintln!("trawl: {first} (see trawl --help)"),
            }
            ExitCode::from(2)
        }
    }
}
