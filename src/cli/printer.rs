//! How results are shown on standard output: grouped, flat, JSON, counts or paths.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use termcolor::{Color, ColorSpec, WriteColor};

use crate::cli::args::OutputMode;
use crate::jsonl;
use crate::replace::Replacer;
use crate::search::{FileError, FileResult, Summary};

/// Writes each file's results as they arrive.
pub struct Printer<W> {
    out: W,
    mode: OutputMode,
    /// Flush after every file so a person at a terminal sees results as they come.
    flush_each_file: bool,
    printed_any_file: bool,
    path_color: ColorSpec,
    line_color: ColorSpec,
    match_color: ColorSpec,
    /// `-r`: each matching line is printed once, its matches replaced.
    replacer: Option<Replacer>,
}

impl<W: WriteColor> Printer<W> {
    /// A printer in `mode` over `out`.
    pub fn new(out: W, mode: OutputMode, flush_each_file: bool) -> Self {
        let mut path_color = ColorSpec::new();
        path_color.set_fg(Some(Color::Magenta)).set_bold(true);
        let mut line_color = ColorSpec::new();
        line_color.set_fg(Some(Color::Green));
        let mut match_color = ColorSpec::new();
        match_color.set_fg(Some(Color::Red)).set_bold(true);
        Printer {
            out,
            mode,
            flush_each_file,
            printed_any_file: false,
            path_color,
            line_color,
            match_color,
            replacer: None,
        }
    }

    /// Prints each matching line once with its matches replaced (`-r`), as ripgrep does.
    pub fn with_replacer(mut self, replacer: Option<Replacer>) -> Self {
        self.replacer = replacer;
        self
    }

    /// Prints one file's occurrences.
    pub fn file(&mut self, result: &FileResult) -> io::Result<()> {
        match self.mode {
            OutputMode::Quiet => return Ok(()),
            OutputMode::Json => jsonl::write_file(&mut self.out, result, self.replacer.as_ref())?,
            OutputMode::FilesWithMatches => {
                self.path(&result.path)?;
                writeln!(self.out)?;
            }
            OutputMode::Count => {
                let lines: BTreeSet<u64> = result.lines.iter().map(|l| l.line_number).collect();
                self.path(&result.path)?;
                writeln!(self.out, ":{}", lines.len())?;
            }
            OutputMode::Grouped => {
                if self.printed_any_file {
                    writeln!(self.out)?;
                }
                self.path(&result.path)?;
                writeln!(self.out)?;
                self.rows(result, false)?;
            }
            OutputMode::Flat => self.rows(result, true)?,
        }
        self.printed_any_file = true;
        if self.flush_each_file {
            self.out.flush()?;
        }
        Ok(())
    }

    /// Prints a per-file error record (JSON only; the message itself goes to standard error).
    pub fn error(&mut self, error: &FileError) -> io::Result<()> {
        if self.mode == OutputMode::Json {
            jsonl::write_error(&mut self.out, error)?;
        }
        Ok(())
    }

    /// Prints the closing summary (JSON only) and flushes.
    pub fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.mode == OutputMode::Json {
            jsonl::write_summary(&mut self.out, summary)?;
        }
        self.out.flush()
    }

    /// One row per occurrence: `[PATH:]LINE:COL:TEXT`, the occurrence highlighted.
    fn rows(&mut self, result: &FileResult, with_path: bool) -> io::Result<()> {
        if let Some(replacer) = self.replacer.take() {
            let printed = self.replaced_rows(result, with_path, &replacer);
            self.replacer = Some(replacer);
            return printed;
        }
        for line in &result.lines {
            for occurrence in line.occurrences {
                let path = with_path.then_some(result.path.as_path());
                self.row_start(path, line.line_number, occurrence.column)?;
                let excerpt = line.excerpt(occurrence);
                let (text, highlight) = (excerpt.text, excerpt.highlight);
                if excerpt.ellipsis_before {
                    self.out.write_all("…".as_bytes())?;
                }
                match (
                    text.get(..highlight.start),
                    text.get(highlight.clone()),
                    text.get(highlight.end..),
                ) {
                    (Some(before), Some(matched), Some(after)) => {
                        self.out.write_all(before.as_bytes())?;
                        self.out.set_color(&self.match_color)?;
                        self.out.write_all(matched.as_bytes())?;
                        self.out.reset()?;
                        self.out.write_all(after.as_bytes())?;
                    }
                    _ => self.out.write_all(text.as_bytes())?,
                }
                if excerpt.ellipsis_after {
                    self.out.write_all("…".as_bytes())?;
                }
                self.out.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    /// One row per matching line, `[PATH:]LINE:COL:TEXT`, COL the first match's, the text
    /// with every match replaced.
    fn replaced_rows(
        &mut self,
        result: &FileResult,
        with_path: bool,
        replacer: &Replacer,
    ) -> io::Result<()> {
        for line in &result.lines {
            let Some(first) = line.occurrences.first() else {
                continue;
            };
            let path = with_path.then_some(result.path.as_path());
            self.row_start(path, line.line_number, first.column)?;
            let cut = line.cut.is_some_and(|cut| cut.before);
            if cut {
                self.out.write_all("…".as_bytes())?;
            }
            let replaced = replacer.replace_in_line(
                line.text,
                line.occurrences.iter().map(|o| o.highlight.clone()),
            );
            self.out.write_all(replaced.as_bytes())?;
            if line.cut.is_some_and(|cut| cut.after) {
                self.out.write_all("…".as_bytes())?;
            }
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// A row's `[PATH:]LINE:COL:`, the path and the line number in their colours.
    fn row_start(&mut self, path: Option<&Path>, line_number: u64, column: u64) -> io::Result<()> {
        if let Some(path) = path {
            self.path(path)?;
            self.out.write_all(b":")?;
        }
        self.out.set_color(&self.line_color)?;
        write!(self.out, "{line_number}")?;
        self.out.reset()?;
        write!(self.out, ":{column}:")
    }

    fn path(&mut self, path: &Path) -> io::Result<()> {
        self.out.set_color(&self.path_color)?;
        self.out.write_all(&path_bytes(path))?;
        self.out.reset()
    }
}

/// A path's bytes as the file system has them (Unix), so that a name that is not UTF-8 is
/// printed exactly; elsewhere lossily.
pub fn path_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::borrow::Cow::Borrowed(path.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        match path.to_string_lossy() {
            std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
            std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
        }
    }
}
