//! Arbitrary bytes, pattern and replacement through search, replace and undo
//! (tests/support/replace_check.rs, which tests/replace.rs also runs on seeded random inputs
//! inside `cargo test`): the written file must equal `regex`'s `replace_all` on its text
//! (decoded and encoded back for UTF-16), and undo must give the original bytes back.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/replace_check.rs"]
mod check;

fuzz_target!(|input: &[u8]| {
    // Layout: flags byte, pattern length byte, template length byte, pattern, template,
    // contents.
    let [flags, pattern_len, template_len, rest @ ..] = input else {
        return;
    };
    let pattern_len = (*pattern_len as usize).min(rest.len());
    let (pattern, rest) = rest.split_at(pattern_len);
    let template_len = (*template_len as usize).min(rest.len());
    let (template, contents) = rest.split_at(template_len);
    let (Ok(pattern), Ok(template)) = (std::str::from_utf8(pattern), std::str::from_utf8(template))
    else {
        return;
    };
    check::check(&check::Input {
        flags: *flags,
        pattern,
        template,
        contents,
    });
});
