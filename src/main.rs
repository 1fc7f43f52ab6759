//! `trawl` opens the window; `trawl DIR` opens it on DIR; `trawl [OPTIONS] DIR EXT PATTERN`
//! searches from the command line. This file only chooses between the two.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match window_folder(&args) {
        #[cfg(feature = "gui")]
        Some(folder) => trawl::app::run(folder),
        #[cfg(not(feature = "gui"))]
        Some(_) => {
            eprintln!(
                "trawl: this build has no window (the `gui` feature is off); give DIR EXT PATTERN"
            );
            ExitCode::from(2)
        }
        None => trawl::cli::run(args),
    }
}

/// `Some` when the arguments ask for the window: none at all, or a single folder.
fn window_folder(args: &[std::ffi::OsString]) -> Option<Option<std::path::PathBuf>> {
    match args {
        [_] => Some(None),
        [_, one] if !one.to_string_lossy().starts_with('-') => Some(Some(one.into())),
        _ => None,
    }
}
