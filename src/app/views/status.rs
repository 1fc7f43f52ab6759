//! The progress bar, the summary line and the list of files that could not be read.

use std::time::Duration;

use egui::{ProgressBar, RichText, Ui};

use crate::app::numbers::{megabytes, plural, thousands};
use crate::app::session::ProgressLine;
use crate::search::{FileError, ProgressSnapshot, Summary};

/// What the bottom line says; the app decides which.
pub(crate) enum Status<'a> {
    /// Why the last search could not start.
    CouldNotStart(&'a str),
    /// A new search runs while the previous results stay.
    SearchingOverPrevious,
    /// Search as you type waits for the pause.
    WaitingForPause,
    /// The fields changed since the shown results' search (its summary, when it has one).
    EarlierSearch(Option<&'a Summary>),
    /// A newer search ended before it found anything.
    ReplacedBeforeFinding,
    Summary(&'a Summary),
    Searching,
    /// Results without a summary: the search stopped without one.
    NoSummary,
    /// Nothing searched yet.
    Empty,
}

/// The progress bar while a search runs (and frozen after it ends), from the engine's atomic
/// counters.
pub(crate) fn progress_line(ui: &mut Ui, line: Option<ProgressLine>) {
    let Some(line) = line else {
        return;
    };
    let text = progress_text(&line.snapshot, line.elapsed, line.running);
    ui.add(ProgressBar::new(line.fraction).text(text).animate(false));
}

/// The bottom line: the summary, why a search could not start, or what is on its way; the
/// notice (`text`, whether it warns) at its right.
pub(crate) fn status_line(ui: &mut Ui, status: Status<'_>, notice: Option<(&str, bool)>) {
    ui.horizontal(|ui| {
        match status {
            Status::CouldNotStart(error) => {
                ui.colored_label(ui.visuals().error_fg_color, error);
            }
            Status::SearchingOverPrevious => {
                ui.label(
                    "Searching…  (the previous results stay until new ones arrive; Esc to stop)",
                );
            }
            Status::WaitingForPause => {
                ui.label("Searching when you pause typing…");
            }
            Status::EarlierSearch(summary) => {
                // The line above the results says to press Enter; this one what they are.
                let earlier = summary.map_or_else(String::new, summary_text);
                ui.weak(format!("Earlier search: {earlier}"));
            }
            Status::ReplacedBeforeFinding => {
                ui.label(
                    "Replaced before it found anything: the previous search's results are shown.",
                );
            }
            Status::Summary(summary) => {
                ui.label(summary_text(summary));
            }
            Status::Searching => {
                ui.label("Searching…  (Esc to stop)");
            }
            Status::NoSummary => {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "The search stopped without its summary (an internal error); the results may be incomplete.",
                );
            }
            Status::Empty => {
                ui.weak("Choose a folder, type a pattern and press Enter.");
            }
        }
        if let Some((text, warning)) = notice {
            // Only the width the summary left: a long copied path is cut with "…" rather
            // than drawn over the summary.
            let color = if warning {
                ui.visuals().warn_fg_color
            } else {
                ui.visuals().hyperlink_color
            };
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.add(egui::Label::new(RichText::new(text).color(color)).truncate())
                    .on_hover_text(text);
            });
        }
    });
}

/// The files and folders that could not be read, folded by default.
pub(crate) fn errors_section(ui: &mut Ui, errors: &[FileError]) {
    let title = match errors.len() {
        1 => "1 file or folder could not be read".to_string(),
        n => format!("{n} files or folders could not be read"),
    };
    egui::CollapsingHeader::new(RichText::new(title).color(ui.visuals().warn_fg_color))
        .id_salt("unreadable")
        .default_open(false)
        .show(ui, |ui| {
            let row_height = ui.text_style_height(&egui::TextStyle::Body);
            egui::ScrollArea::vertical()
                .max_height(160.0)
                .auto_shrink([false, true])
                .show_rows(ui, row_height, errors.len(), |ui, range| {
                    for error in &errors[range] {
                        let path = if error.path.as_os_str().is_empty() {
                            "(unnamed)".to_string()
                        } else {
                            crate::app::results::shown_path(&error.path)
                        };
                        ui.label(format!("{path}: {}", error.message));
                    }
                });
        });
}

/// "1,204 of 48,625 files (still finding files) · 3,410 matches · 12.5 MB · 1.2 s · 10.4 MB/s"
pub fn progress_text(snap: &ProgressSnapshot, elapsed: Duration, running: bool) -> String {
    let done = snap.files_searched + snap.files_failed;
    let files = if snap.walk_done || !running {
        format!(
            "{} of {} files",
            thousands(done),
            thousands(snap.files_found)
        )
    } else {
        format!(
            "{} of {}+ files (still finding files)",
            thousands(done),
            thousands(snap.files_found)
        )
    };
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        snap.bytes_searched as f64 / secs
    } else {
        0.0
    };
    format!(
        "{files} · {} · {} · {} · {}/s",
        plural(snap.matches, "match", "matches"),
        megabytes(snap.bytes_searched),
        seconds(elapsed),
        megabytes(rate as u64),
    )
}

/// "N matches in M files (K files searched, X MB) in T s", or "Cancelled after T s: …".
pub fn summary_text(summary: &Summary) -> String {
    let matches = plural(summary.matches, "match", "matches");
    let files = plural(summary.files_matched, "file", "files");
    let body = format!(
        "{matches} in {files} ({} searched, {})",
        plural(summary.files_searched, "file", "files"),
        megabytes(summary.bytes_searched)
    );
    let unreadable = match summary.errors {
        0 => String::new(),
        n => format!(
            "; {} could not be read",
            plural(n, "file or folder", "files or folders")
        ),
    };
    if summary.cancelled {
        format!(
            "Cancelled after {}: {body}{unreadable}",
            seconds(summary.elapsed)
        )
    } else {
        format!("{body} in {}{unreadable}", seconds(summary.elapsed))
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_as_a_sentence() {
        let summary = Summary {
            files_searched: 12,
            files_matched: 1,
            matches: 1234,
            bytes_searched: 2_500_000,
            errors: 0,
            elapsed: Duration::from_millis(250),
            cancelled: false,
        };
        assert_eq!(
            summary_text(&summary),
            "1,234 matches in 1 file (12 files searched, 2.5 MB) in 0.25 s"
        );
        let cancelled = Summary {
            cancelled: true,
            errors: 2,
            ..summary
        };
        assert_eq!(
            summary_text(&cancelled),
            "Cancelled after 0.25 s: 1,234 matches in 1 file (12 files searched, 2.5 MB); 2 files or folders could not be read"
        );
    }
}
