//! The window.

/// Opens the window (placeholder until the window lands).
pub fn run(_folder: Option<std::path::PathBuf>) -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
