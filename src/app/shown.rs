//! The results on screen as the list shows them: the model (what was found and its layout),
//! the fields it was searched with, the selected row and where the list is scrolled.

use crate::app::dispose;
use crate::app::results::{ResultsModel, RowRef};
use crate::app::state::{SavedState, SearchFields};

/// Where the results list was scrolled last frame, to keep a keyboard selection in view, and
/// the filter box's text (kept across searches, as VS Code keeps its filters).
#[derive(Default)]
pub(crate) struct ListView {
    pub(crate) filter: String,
    pub(crate) offset: f32,
    pub(crate) height: f32,
    pub(crate) scroll_to_selection: bool,
    /// With `scroll_to_selection`: keep the selected match's file header in view too.
    pub(crate) show_header: bool,
    /// The results toolbar's actions and filter group, as wide as last drawn: where they fit.
    pub(crate) toolbar_widths: [f32; 2],
    /// Rows per page, for Page Up/Down.
    pub(crate) page_rows: usize,
}

impl ListView {
    /// For a new set of results: back to the top, the filter (and the toolbar's widths) kept.
    pub(crate) fn new_results(&mut self) {
        *self = ListView {
            filter: std::mem::take(&mut self.filter),
            toolbar_widths: self.toolbar_widths,
            ..ListView::default()
        };
    }
}

/// The results on screen (`None` before the first search, or when a search could not start).
#[derive(Default)]
pub(crate) struct ShownResults {
    pub(crate) model: Option<ResultsModel>,
    /// The fields the shown results were searched with (`None` for results set directly).
    pub(crate) fields: Option<SearchFields>,
    pub(crate) selected: Option<RowRef>,
    pub(crate) list: ListView,
}

impl ShownResults {
    /// Replaces the shown results (the old ones freed off the UI thread); the selection and
    /// the scroll position go with them, the filter's text stays.
    pub(crate) fn replace(&mut self, model: Option<ResultsModel>, fields: Option<SearchFields>) {
        if let Some(old) = std::mem::replace(&mut self.model, model) {
            dispose::dispose(old);
        }
        self.fields = fields;
        self.selected = None;
        self.list.new_results();
    }

    /// Whether the fields differ from those the shown results were searched with.
    pub(crate) fn fields_changed(&self, state: &SavedState) -> bool {
        self.fields
            .as_ref()
            .is_some_and(|fields| !fields.same_as(state))
    }
}
