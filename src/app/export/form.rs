//! The in-window export form: a path and a format, checked as typed.

use std::path::{Path, PathBuf};

use super::{DEFAULT_FILE_NAME, ExportFormat};

/// The in-window "Export results" form, for when the system's save dialog cannot open.
pub(crate) struct ExportForm {
    /// The path as typed.
    pub(crate) path: String,
    pub(crate) format: ExportFormat,
    /// Where a relative path is taken from (the folder the path was prefilled in).
    base: PathBuf,
    /// Why the typed path cannot be used.
    pub(crate) problem: Option<String>,
    /// An existing file the person is asked to replace (Replace writes over it).
    pub(crate) replace: Option<PathBuf>,
    /// Why this form shows instead of the system dialog.
    pub(crate) note: Option<String>,
}

impl ExportForm {
    pub(super) fn new(target: &Path, note: Option<String>) -> Self {
        ExportForm {
            path: target.display().to_string(),
            format: ExportFormat::from_path(target),
            base: target
                .parent()
                .map_or_else(|| PathBuf::from("/"), Path::to_path_buf),
            problem: None,
            replace: None,
            note,
        }
    }

    /// The path typed changed: the format follows a `.csv` or `.jsonl` name, and a pending
    /// "replace?" no longer applies.
    pub(crate) fn path_edited(&mut self) {
        self.problem = None;
        self.replace = None;
        if let Some(format) = ExportFormat::named_by(Path::new(self.path.trim())) {
            self.format = format;
        }
    }

    /// The format was chosen: a name ending in the other format's extension follows it.
    pub(crate) fn format_chosen(&mut self) {
        self.problem = None;
        self.replace = None;
        let path = PathBuf::from(self.path.trim());
        if ExportFormat::named_by(&path).is_some() {
            self.path = path
                .with_extension(self.format.extension())
                .display()
                .to_string();
        }
    }

    /// The typed path as a file that can be written: `~` expanded, a relative path taken in
    /// the prefilled folder, its folder existing.
    pub(super) fn target(&self) -> Result<PathBuf, String> {
        let typed = self.path.trim();
        if typed.is_empty() {
            return Err("Type the path of the file to write.".into());
        }
        let path = crate::app::state::expand_home(typed);
        let path = if path.is_relative() {
            self.base.join(path)
        } else {
            path
        };
        if path.is_dir() {
            return Err(format!(
                "{} is a folder: add a file name, such as {DEFAULT_FILE_NAME}.",
                path.display()
            ));
        }
        match path.parent() {
            Some(folder) if !folder.is_dir() => Err(format!(
                "The folder {} does not exist: create it first or choose another one.",
                folder.display()
            )),
            _ => Ok(path),
        }
    }
}

/// What the person did in the export form.
pub(crate) enum FormAction {
    Export,
    Replace,
    Close,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choosing_a_format_renames_a_file_named_for_the_other_in_any_case() {
        let mut form = ExportForm::new(Path::new("/x/out.CSV"), None);
        assert_eq!(form.format, ExportFormat::Csv);
        form.format = ExportFormat::JsonLines;
        form.format_chosen();
        assert_eq!(form.path, "/x/out.jsonl");
        form.path = "/x/notes.txt".into();
        form.path_edited();
        form.format = ExportFormat::Csv;
        form.format_chosen();
        assert_eq!(
            form.path, "/x/notes.txt",
            "another extension is the person's choice"
        );
        form.path = "/x/r.JSONL".into();
        form.path_edited();
        assert_eq!(form.format, ExportFormat::JsonLines);
    }
}
