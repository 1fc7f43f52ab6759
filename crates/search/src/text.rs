//! Byte-to-character arithmetic for lines that may hold invalid UTF-8.
//!
//! Columns are counted in characters, an invalid byte counting as one, so that `file:line:col`
//! means what a person and an editor count. Shown text is lossy UTF-8 (U+FFFD), and positions
//! inside the raw line are mapped into it for highlighting.
//!
//! Public so that whatever shows a line again (a window's preview, a line read back from the
//! file) counts its columns and places its highlight exactly as the search did.

/// Number of characters in `bytes`, each invalid UTF-8 byte counting as one.
pub fn char_count(bytes: &[u8]) -> usize {
    if bytes.is_ascii() {
        return bytes.len();
    }
    // Validating is much faster than walking the chunks, and almost every line is valid.
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.chars().count();
    }
    bytes
        .utf8_chunks()
        .map(|chunk| chunk.valid().chars().count() + chunk.invalid().len())
        .sum()
}

/// The 1-based column of byte position `pos` in `line`: that of the character holding it.
pub fn column_of(line: &[u8], pos: usize) -> u64 {
    char_count(&line[..char_start(line, pos.min(line.len()))]) as u64 + 1
}

/// Whether `bytes` holds more than `n` characters, without counting all of a long line.
pub(crate) fn more_chars_than(bytes: &[u8], n: usize) -> bool {
    // A character is at most four bytes: a line that long needs no walk at all.
    bytes.len() > n.saturating_mul(4)
        || (bytes.len() > n && advance_chars(bytes, 0, n) < bytes.len())
}

/// Byte position `n` characters after `from` (or the end of `bytes`).
pub fn advance_chars(bytes: &[u8], from: usize, n: usize) -> usize {
    // Source text is mostly ASCII, where a character is a byte: skip the walk.
    let ascii_end = from.saturating_add(n).min(bytes.len());
    if bytes[from.min(ascii_end)..ascii_end].is_ascii() {
        return ascii_end;
    }
    // Over valid UTF-8 a character starts at every byte that is not a continuation byte:
    // count those a block at a time (the compiler vectorises it) rather than decode each one.
    let mut pos = from;
    let mut left = n;
    let reach = &bytes[from..from.saturating_add(n.saturating_mul(4)).min(bytes.len())];
    let valid = match std::str::from_utf8(reach) {
        Ok(_) => reach.len(),
        Err(err) => err.valid_up_to(),
    };
    const BLOCK: usize = 64;
    while left > BLOCK && pos + BLOCK <= from + valid {
        let starts = bytes[pos..pos + BLOCK]
            .iter()
            .filter(|&&b| !is_continuation(b))
            .count();
        // A block may end inside a character: stop while every counted start is certainly
        // before the target.
        if starts >= left {
            break;
        }
        left -= starts;
        pos += BLOCK;
        // Step past the continuation bytes of a character cut by the block's end.
        while pos < bytes.len() && is_continuation(bytes[pos]) && pos < from + valid {
            pos += 1;
        }
    }
    for _ in 0..left {
        if pos >= bytes.len() {
            break;
        }
        pos += char_len_at(bytes, pos);
    }
    pos.min(bytes.len())
}

/// Byte position up to `n` characters before `from`.
pub fn retreat_chars(bytes: &[u8], from: usize, n: usize) -> usize {
    let mut pos = from.min(bytes.len());
    if bytes[pos.saturating_sub(n)..pos].is_ascii() {
        return pos.saturating_sub(n);
    }
    for _ in 0..n {
        if pos == 0 {
            break;
        }
        // The character ending at `pos` is a valid one starting up to four bytes back, or
        // else the single (invalid) byte just before it.
        let end = pos;
        pos = (end.saturating_sub(4)..end - 1)
            .rev()
            .find(|&lead| char_len_at(bytes, lead) == end - lead)
            .unwrap_or(end - 1);
    }
    pos
}

/// The start of the valid multi-byte character of `bytes` that byte position `pos` falls inside,
/// or `pos` itself. A byte-level pattern (`(?-u:\xA9)`) or an empty match may start inside one.
pub fn char_start(bytes: &[u8], pos: usize) -> usize {
    if pos >= bytes.len() || !is_continuation(bytes[pos]) {
        return pos;
    }
    // The character's first byte is at most three bytes back.
    (pos.saturating_sub(3)..pos)
        .rev()
        .find(|&lead| !is_continuation(bytes[lead]))
        .filter(|&lead| lead + char_len_at(bytes, lead) > pos)
        .unwrap_or(pos)
}

/// Whether byte position `pos` falls inside a valid multi-byte character (not at its start).
pub(crate) fn splits_char(bytes: &[u8], pos: usize) -> bool {
    char_start(bytes, pos) != pos
}

fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// Length in bytes of the character starting at `pos` (1 for an invalid byte).
fn char_len_at(bytes: &[u8], pos: usize) -> usize {
    // The first byte says how long a valid character is; the bytes must then be valid UTF-8.
    let len = match bytes[pos] {
        0x00..=0x7F => return 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return 1,
    };
    match bytes.get(pos..pos + len) {
        Some(encoded) if std::str::from_utf8(encoded).is_ok() => len,
        _ => 1,
    }
}

/// The two positions of the byte range `start..end` to map with [`push_lossy_with_positions`]: its
/// start and its last byte (the start again when it is empty). Mapping the last byte rather
/// than the end lets a match that ends inside an invalid sequence take its replacement
/// character.
pub fn range_ends(start: usize, end: usize) -> [usize; 2] {
    [start, end.saturating_sub(1).max(start)]
}

/// The characters of `text` that show a byte range whose [`range_ends`] were mapped to
/// `mapped` by [`push_lossy_with_positions`]: from the character holding its start through the one
/// holding its last byte (so a byte-level match inside a character takes the whole character);
/// empty for an empty range.
pub fn shown_range(text: &str, mapped: [usize; 2], empty: bool) -> std::ops::Range<usize> {
    let first = text.floor_char_boundary(mapped[0].min(text.len()));
    if empty {
        return first..first;
    }
    let last = text.floor_char_boundary(mapped[1].min(text.len()));
    let last_end = last + text[last..].chars().next().map_or(0, char::len_utf8);
    first..last_end.max(first)
}

/// Appends `bytes` to `out` as lossy UTF-8, with each byte position of `positions` mapped to
/// the position of the same place in the appended text, counted from its start (a position
/// inside an invalid sequence maps to the start of its replacement character).
pub fn push_lossy_with_positions(out: &mut String, bytes: &[u8], positions: &mut [usize]) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        out.push_str(text);
        return;
    }
    let base = out.len();
    out.reserve(bytes.len() + 8);
    let mut raw = 0;
    let mut mapped = vec![false; positions.len()];
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        let valid_end = raw + valid.len();
        for (pos, done) in positions.iter_mut().zip(mapped.iter_mut()) {
            if !*done && *pos <= valid_end && *pos >= raw {
                *pos = out.len() - base + (*pos - raw);
                *done = true;
            }
        }
        out.push_str(valid);
        raw = valid_end;
        let invalid = chunk.invalid();
        if !invalid.is_empty() {
            let invalid_end = raw + invalid.len();
            for (pos, done) in positions.iter_mut().zip(mapped.iter_mut()) {
                if !*done && *pos < invalid_end && *pos >= raw {
                    *pos = out.len() - base;
                    *done = true;
                }
            }
            out.push(char::REPLACEMENT_CHARACTER);
            raw = invalid_end;
        }
    }
    for (pos, done) in positions.iter_mut().zip(mapped.iter()) {
        if !*done {
            *pos = out.len() - base;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let line = "héllo wörld".as_bytes();
        let w = line.iter().position(|&b| b == b'w').unwrap();
        assert_eq!(column_of(line, w), 7);
        assert_eq!(column_of(line, 0), 1);
    }

    #[test]
    fn invalid_bytes_count_one_each() {
        let line = b"a\xff\xfeb";
        assert_eq!(column_of(line, 3), 4);
        assert_eq!(char_count(b"\xe2\x82"), 2);
    }

    #[test]
    fn advance_and_retreat_are_inverse_on_valid_text() {
        let line = "aé日b".as_bytes();
        let end = advance_chars(line, 0, 3);
        assert_eq!(&line[..end], "aé日".as_bytes());
        assert_eq!(retreat_chars(line, end, 2), 1);
        assert_eq!(retreat_chars(b"a\x80\x80b", 3, 1), 2);
    }

    #[test]
    fn positions_inside_a_character_are_found() {
        let line = "a日\u{1F980}".as_bytes();
        let inside: Vec<usize> = (0..=line.len()).filter(|&p| splits_char(line, p)).collect();
        assert_eq!(inside, vec![2, 3, 5, 6, 7]);
        // Stray continuation bytes are characters of their own.
        assert!(!splits_char(b"a\x80\x80", 1) && !splits_char(b"a\x80\x80", 2));
        assert!(
            !splits_char(b"\xE2\x82x", 1),
            "a truncated sequence is invalid bytes"
        );
        assert_eq!(char_start(line, 6), 4);
        assert_eq!(column_of(line, 6), 3, "inside 🦀, the third character");
    }

    /// Character boundaries as `char_count` sees them: each valid character, each invalid byte.
    fn boundaries(bytes: &[u8]) -> Vec<usize> {
        let mut all = vec![0];
        let mut at = 0;
        for chunk in bytes.utf8_chunks() {
            for c in chunk.valid().chars() {
                at += c.len_utf8();
                all.push(at);
            }
            for _ in chunk.invalid() {
                at += 1;
                all.push(at);
            }
        }
        all
    }

    #[test]
    fn advance_and_retreat_agree_with_char_count_on_any_bytes() {
        let alphabet: &[&[u8]] = &[
            b"a",
            b" ",
            "é".as_bytes(),
            "日".as_bytes(),
            "😀".as_bytes(),
            b"\xff",
            b"\x80",
            b"\xe6\x97",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..500 {
            let mut bytes = Vec::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                bytes.extend_from_slice(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let bounds = boundaries(&bytes);
            assert_eq!(char_count(&bytes), bounds.len() - 1);
            for (i, &start) in bounds.iter().enumerate() {
                for n in 0..4 {
                    let ahead = bounds.get(i + n).copied().unwrap_or(bytes.len());
                    assert_eq!(
                        advance_chars(&bytes, start, n),
                        ahead,
                        "{bytes:?} {start} +{n}"
                    );
                    let behind = bounds[i.saturating_sub(n)];
                    assert_eq!(
                        retreat_chars(&bytes, start, n),
                        behind,
                        "{bytes:?} {start} -{n}"
                    );
                }
            }
        }
    }

    #[test]
    fn advance_over_long_mixed_text_lands_on_the_nth_character() {
        let text: String = (0..3000)
            .map(|i| ['a', 'é', '日', '🦀', ' '][(i * 7 + i / 13) % 5])
            .collect();
        let bytes = text.as_bytes();
        let starts: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([bytes.len()])
            .collect();
        for from_char in [0, 1, 7, 100] {
            for n in [0, 1, 63, 64, 65, 100, 500, 1999, 2900, 5000] {
                let expected = starts[(from_char + n).min(starts.len() - 1)];
                assert_eq!(
                    advance_chars(bytes, starts[from_char], n),
                    expected,
                    "from char {from_char}, n {n}"
                );
            }
        }
        // Invalid bytes past the valid part still count one each.
        let mut mixed = "é".repeat(100).into_bytes();
        mixed.extend_from_slice(b"\xff\xfe");
        mixed.extend_from_slice("日".repeat(100).as_bytes());
        assert_eq!(advance_chars(&mixed, 0, 100), 200);
        assert_eq!(advance_chars(&mixed, 0, 102), 202);
        assert_eq!(advance_chars(&mixed, 0, 103), 205);
        assert!(more_chars_than(&mixed, 201));
        assert!(!more_chars_than(&mixed, 202));
    }

    #[test]
    fn lossy_maps_positions() {
        let mut positions = [0, 2, 3, 4];
        let mut text = String::from("before ");
        push_lossy_with_positions(&mut text, b"a\xffbc", &mut positions);
        assert_eq!(text, "before a\u{fffd}bc");
        assert_eq!(
            positions,
            [0, 4, 5, 6],
            "counted from the appended text's start"
        );
    }
}
