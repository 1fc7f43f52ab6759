//! The window, driven headlessly through egui_kittest: the real `eframe::App` on real trees built
//! per test.
//!
//! One test binary with a module per area rather than a test target per file: each target links
//! all of eframe and wgpu, and five of them took a fifth of a CI run's disk and link time.

mod common;

mod basics;
mod cancel_keeps;
mod consistency;
mod dialogs;
mod editor;
mod editor_shells;
mod export;
mod idle;
mod keys;
mod layout;
mod long_lines;
mod navigation;
mod preview_panel;
mod results;
mod settings;
mod stale;
mod words;
