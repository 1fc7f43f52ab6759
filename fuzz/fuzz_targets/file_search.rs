//! Arbitrary bytes and patterns through the per-file search, checked against a naive reference
//! (tests/support/file_search_check.rs, which tests/engine.rs also runs on seeded random inputs
//! inside `cargo test`): every (line, column, byte_offset, length) must agree, every highlight
//! must be a valid range of the shown text, and searching in segments of 1–32 bytes, as a large
//! file is, must give the same lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/file_search_check.rs"]
mod check;

fuzz_target!(|input: &[u8]| {
    // Layout: flags byte, pattern length byte, pattern, contents.
    let [flags, len, rest @ ..] = input else { return };
    let len = (*len as usize).min(rest.len());
    let (pattern, contents) = rest.split_at(len);
    let Ok(pattern) = std::str::from_utf8(pattern) else { return };
    check::check(&check::Input {
        flags: *flags,
        pattern,
        contents,
        piece: 1 + len % 32,
    });
});
