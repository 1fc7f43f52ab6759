//! The progress bar, the summary line and the list of files that could not be read.

use std::time::Duration;

use egui::{ProgressBar, RichText, Ui};

use crate::app::TrawlApp;
use crate::app::numbers::{megabytes, plural, thousands};
use crate::search::{ProgressSnapshot, Summary};

impl TrawlApp {
    /// The progress bar while a search runs (and frozen after it ends), from the engine's
    /// atomic counters.
    pub(super) fn progress_line(&mut self, ui: &mut Ui) {
        let Some(line) = self.session.progress_line() else {
            return;
        };
        let text = progress_text(&line.snapshot, line.elapsed, line.running);
        ui.add(ProgressBar::new(line.fraction).text(text).animate(false));
    }

    /// The bottom line: the summary, why a search could not start, or the "Copied" notice.
    pub(super) fn status_line(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if let Some(error) = self.session.start_error() {
                ui.colored_label(ui.visuals().error_fg_color, error);
            } else if self.results_outdated() {
                let text = if self.is_searching() {
                    "Searching…  (the previous results stay until new ones arrive; Esc to stop)"
                } else if self.typing_search_pending() {
                    "Searching when you pause typing…"
                } else if self.fields_changed() {
                    // The line above the results says to press Enter; this one what they are.
                    let earlier = self
                        .shown
                        .model
                        .as_ref()
                        .and_then(|r| r.summary())
                        .map_or_else(String::new, summary_text);
                    ui.weak(format!("Earlier search: {earlier}"));
                    ""
                } else {
                    "Replaced before it found anything: the previous search's results are shown."
                };
                if !text.is_empty() {
                    ui.label(text);
                }
            } else if let Some(summary) = self.shown.model.as_ref().and_then(|r| r.summary()) {
                ui.label(summary_text(summary));
            } else if self.is_searching() {
                ui.label("Searching…  (Esc to stop)");
            } else if self.shown.model.is_some() {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "The search stopped without its summary (an internal error); the results may be incomplete.",
                );
            } else {
                ui.weak("Choose a folder, type a pattern and press Enter.");
            }
            if let Some(notice) = &self.notice {
                // Only the width the summary left: a long copied path is cut with "…" rather
                // than drawn over the summary.
                let color = if notice.warning {
                    ui.visuals().warn_fg_color
                } else {
                    ui.visuals().hyperlink_color
                };
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.add(
                        egui::Label::new(RichText::new(notice.text.as_str()).color(color))
                            .truncate(),
                    )
                    .on_hover_text(notice.text.as_str());
                });
            }
        });
    }

    /// The files and folders that could not be read, folded by default.
    pub(super) fn errors_section(&mut self, ui: &mut Ui) {
        let Some(results) = self.shown.model.as_ref() else {
            return;
        };
        let errors = results.errors();
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
