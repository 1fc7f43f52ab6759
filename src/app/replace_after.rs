//! The selected match's lines as they will be after the replace: its file's checked matches
//! replaced by `trawl-replace`'s own preview (checked as a write checks them), on a job, and
//! the lines around the selected match cut out of the result.

use std::ops::Range;
use std::sync::Arc;

use crate::app::job::{Job, Polled};
use crate::app::replace::{Exclusions, file_plan};
use crate::app::results::{Found, Plan, ResultsModel};
use crate::replace::{Encoding, FilePlan, Replacer, preview_file};

/// Files larger than this are not read whole to show a change: the editor shows them.
const PREVIEW_MAX_BYTES: u64 = 64 << 20;

/// One line after the change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AfterLine {
    /// 1-based, counted in the replaced text.
    pub(crate) number: u64,
    pub(crate) text: String,
    /// Where replacements are in `text`.
    pub(crate) inserted: Vec<Range<usize>>,
}

/// What the panel shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum AfterState {
    /// No match selected (or it is not replaced).
    #[default]
    Nothing,
    Loading,
    Failed(String),
    Lines(Vec<AfterLine>),
}

/// What the shown lines were made for.
#[derive(Clone, Debug, PartialEq, Eq)]
struct AfterKey {
    model: u64,
    occurrence: usize,
    template: String,
    exclusions: u64,
    context: usize,
}

/// The panel's lines and the job making them.
#[derive(Default)]
pub(crate) struct After {
    key: Option<AfterKey>,
    job: Option<Job<AfterState>>,
    pub(crate) state: AfterState,
}

impl After {
    /// Follows the selected match (`None`: none, or the change is not shown): a new one
    /// starts a job, whose answer [`poll`](Self::poll) takes.
    pub(crate) fn follow(
        &mut self,
        ctx: &egui::Context,
        results: &ResultsModel,
        occurrence: Option<usize>,
        replacer: Option<&Arc<Replacer>>,
        exclusions: &Exclusions,
        context: usize,
    ) {
        let (Some(occurrence), Some(replacer)) = (occurrence, replacer) else {
            self.key = None;
            self.job = None;
            self.state = AfterState::Nothing;
            return;
        };
        let key = AfterKey {
            model: results.id(),
            occurrence,
            template: replacer.template().to_string(),
            exclusions: exclusions.version(),
            context,
        };
        if self.key.as_ref() == Some(&key) {
            return;
        }
        self.key = Some(key);
        let found = results.found().clone();
        let plan = results.plan();
        let exclusions = exclusions.clone();
        let replacer = Arc::clone(replacer);
        self.state = AfterState::Loading;
        self.job = Job::spawn("trawl-replace-preview", ctx, move |_| {
            after_lines(&found, &plan, &exclusions, &replacer, occurrence, context)
        });
    }

    /// Takes the job's answer once it comes.
    pub(crate) fn poll(&mut self) {
        let Some(job) = &self.job else {
            return;
        };
        match job.poll() {
            Polled::Running | Polled::Update(_) => {}
            Polled::Done(state) => {
                self.state = state;
                self.job = None;
            }
            Polled::Lost => {
                self.state = AfterState::Failed("The change could not be shown.".into());
                self.job = None;
            }
        }
    }

    /// Whether the lines are being made.
    pub(crate) fn is_loading(&self) -> bool {
        self.job.is_some()
    }
}

fn after_lines(
    found: &Found,
    plan: &Plan,
    exclusions: &Exclusions,
    replacer: &Replacer,
    occurrence: usize,
    context: usize,
) -> AfterState {
    let Some(file) = found.file_of(occurrence) else {
        return AfterState::Nothing;
    };
    let Some(selected) = found.occurrence_in(file, occurrence) else {
        return AfterState::Nothing;
    };
    if !exclusions.match_checked(file, occurrence) {
        return AfterState::Failed("This match is unchecked: it stays as it is.".into());
    }
    let Some((file_plan, _)) = file_plan(found, plan, exclusions, file) else {
        return AfterState::Failed("This file is not replaced.".into());
    };
    if let Some(stamp) = file_plan.stamp
        && stamp.size > PREVIEW_MAX_BYTES
    {
        return AfterState::Failed(format!(
            "This file is {} MiB, more than is read whole to show a change; the replace \
             rewrites it all the same.",
            stamp.size >> 20
        ));
    }
    let preview = match preview_file(&file_plan, replacer) {
        Ok(preview) => preview,
        Err(reason) => {
            return AfterState::Failed(format!("This file will not be written: {reason}."));
        }
    };
    let placed = placed_replacements(&file_plan, replacer, &preview.before);
    let Some(at) = file_plan
        .matches
        .iter()
        .position(|m| m.offset == selected.byte_offset)
        .and_then(|i| placed.get(i).cloned())
    else {
        return AfterState::Nothing;
    };
    // A UTF-8 byte-order mark is kept by the write, and is no part of the first line.
    let mark = if preview.encoding == Encoding::Utf8Bom {
        3
    } else {
        0
    };
    let after = preview.after.get(mark..).unwrap_or_default();
    let unmarked = |r: &Range<usize>| r.start.saturating_sub(mark)..r.end.saturating_sub(mark);
    let placed: Vec<_> = placed.iter().map(unmarked).collect();
    AfterState::Lines(lines_around(after, unmarked(&at), &placed, context))
}

/// Where each planned match's replacement lies in the replaced text: its offset moved by what
/// the replacements before it added or took away.
fn placed_replacements(plan: &FilePlan, replacer: &Replacer, before: &[u8]) -> Vec<Range<usize>> {
    let mut shift: i64 = 0;
    let mut placed = Vec::with_capacity(plan.matches.len());
    let mut out = Vec::new();
    for m in &plan.matches {
        let (start, end) = (m.offset as usize, (m.offset + m.length) as usize);
        out.clear();
        let length = if end <= before.len() && replacer.expand_at(before, start, end, &mut out) {
            out.len()
        } else {
            end - start
        };
        let at = (start as i64 + shift).max(0) as usize;
        placed.push(at..at + length);
        shift += length as i64 - (end - start) as i64;
    }
    placed
}

/// `context` lines either side of the lines holding `at` in `text`, each with the
/// replacements in it.
fn lines_around(
    text: &[u8],
    at: Range<usize>,
    placed: &[Range<usize>],
    context: usize,
) -> Vec<AfterLine> {
    let start = at.start.min(text.len());
    let end = at.end.clamp(start, text.len());
    let mut first = text[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    for _ in 0..context {
        if first == 0 {
            break;
        }
        first = text[..first - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
    }
    let mut last = text[end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| end + i);
    for _ in 0..context {
        if last >= text.len() {
            break;
        }
        last = text[last + 1..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| last + 1 + i);
    }
    let mut number = text[..first].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let mut lines = Vec::new();
    let mut line_start = first;
    while line_start <= last {
        let line_end = text[line_start..last]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(last, |i| line_start + i);
        let bytes = &text[line_start..line_end];
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let inserted = placed
            .iter()
            .filter(|r| r.start < line_end.max(line_start + 1) && r.end >= line_start)
            .map(|r| {
                let s = r.start.saturating_sub(line_start).min(bytes.len());
                let e = r.end.saturating_sub(line_start).clamp(s, bytes.len());
                s..e
            })
            .collect();
        lines.push(lossy_line(number, bytes, inserted));
        number += 1;
        if line_end >= last {
            break;
        }
        line_start = line_end + 1;
    }
    lines
}

/// A line as text; its ranges moved to where they fall when invalid bytes become U+FFFD.
fn lossy_line(number: u64, bytes: &[u8], inserted: Vec<Range<usize>>) -> AfterLine {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let fit = |i: usize| {
                (0..=i)
                    .rev()
                    .find(|&j| text.is_char_boundary(j))
                    .unwrap_or(0)
            };
            AfterLine {
                number,
                text: text.to_string(),
                inserted: inserted
                    .into_iter()
                    .map(|r| fit(r.start)..fit(r.end))
                    .collect(),
            }
        }
        Err(_) => AfterLine {
            number,
            text: String::from_utf8_lossy(bytes).into_owned(),
            // Where the bytes moved is not worth tracking for a line that is not text.
            inserted: Vec::new(),
        },
    }
}
