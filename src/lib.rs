//! trawl: search in files, from a desktop window or the command line.
//!
//! Three parts that do not reach into each other:
//! - [`search`]: the engine, its own crate (`trawl-search`, in `crates/search`). A
//!   [`search::SearchRequest`] goes in; batches of per-file results, lock-free progress
//!   counters and a cancel flag come out. No UI, no printing.
//! - [`cli`]: argument parsing and printers over the engine's events.
//! - [`app`]: the eframe/egui window: app state, results model and views.
//!
//! Data flows one way: request → engine → per-file results → consumer (printer or results model).

#[cfg(feature = "gui")]
pub mod app;
pub mod cli;
pub mod jsonl;
/// The writer shared by `--write` and the window's Replace (`crates/replace`).
pub use trawl_replace as replace;
/// The engine, re-exported under the name the window, the command line, the tests, the
/// benchmarks and the fuzz target know it by (`trawl::search::…`).
pub use trawl_search as search;
