//! The window, driven headlessly through egui_kittest: the real `eframe::App` on real trees built
//! per test.
//!
//! One test binary with a module per area rather than a test target per file: each target links
//! all of eframe and wgpu, and five of them took a fifth of a CI run's disk and link time.

mod common;
#[path = "../support/counting_alloc.rs"]
mod counting_alloc;
mod generated;

mod archives;
mod basics;
mod cancel_keeps;
mod consistency;
mod dialogs;
mod editor;
mod editor_shells;
mod encodings;
mod export;
mod idle;
mod keys;
mod layout;
mod long_lines;
mod many;
mod navigation;
mod preview_panel;
mod promises;
mod replace;
mod results;
mod settings;
mod stale;
mod words;

/// Counts what each test's thread holds, for the memory bounds per stored match (basics.rs):
/// measured from the outside, not by the model's own reckoning.
#[global_allocator]
static ALLOCATOR: counting_alloc::Counting = counting_alloc::Counting;
