//! The ASCII literals every match must contain, which let a file decoded from an
//! ASCII-compatible encoding be passed over without decoding it (docs/CONTRACT.md, "Encodings").
//!
//! In every encoding encoding_rs calls ASCII-compatible (all but UTF-16LE/BE, ISO-2022-JP and
//! the replacement encoding), an ASCII character of the decoded text comes from the same byte
//! of the file and nothing else decodes to one; bytes that decode to nothing exist only in the
//! others. So a run of ASCII characters in the decoded text is the same run of bytes in the
//! file, and a file whose bytes hold none of the literals every match starts (or ends) with
//! has no match.

use memchr::memmem::Finder;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

use crate::{CaseMode, SearchRequest};

/// At most this many literals are looked for (an alternation of more is searched as usual).
const MAX_LITERALS: usize = 8;

/// Literals of which every match of a pattern holds at least one, all pure ASCII.
pub(crate) struct RequiredAscii {
    finders: Vec<Finder<'static>>,
}

impl RequiredAscii {
    /// The literals every match of `request`'s pattern starts with, or ends with, when they
    /// are few, not empty and all ASCII; `None` otherwise, and for a search that is not case
    /// sensitive (its literals would be every case's variants).
    pub(crate) fn of(request: &SearchRequest) -> Option<RequiredAscii> {
        let options = request.options.matcher_part();
        if options.case != CaseMode::Sensitive {
            return None;
        }
        let pattern = if options.regex {
            request.pattern.clone()
        } else {
            regex_syntax::escape(&request.pattern)
        };
        // As grep-regex parses it (inline flags such as `(?i)` included); whole-word only
        // adds what is around the pattern's match, which still holds the literals.
        let hir = regex_syntax::ParserBuilder::new()
            .multi_line(true)
            .crlf(!options.multiline)
            .build()
            .parse(&pattern)
            .ok()?;
        [ExtractKind::Prefix, ExtractKind::Suffix]
            .into_iter()
            .filter_map(|kind| {
                let seq = Extractor::new().kind(kind).extract(&hir);
                // A finite sequence: every match starts (ends) with one of its literals.
                let literals = seq.literals()?;
                let usable = !literals.is_empty()
                    && literals.len() <= MAX_LITERALS
                    && literals
                        .iter()
                        .all(|l| !l.as_bytes().is_empty() && l.as_bytes().is_ascii());
                usable.then(|| {
                    literals
                        .iter()
                        .map(|l| Finder::new(l.as_bytes()).into_owned())
                        .collect::<Vec<_>>()
                })
            })
            // The longer the shortest literal, the fewer files hold one by chance.
            .max_by_key(|finders| finders.iter().map(|f| f.needle().len()).min())
            .map(|finders| RequiredAscii { finders })
    }

    /// Whether `bytes`, a whole file in an ASCII-compatible encoding, holds none of the
    /// literals: decoded, it has no match.
    pub(crate) fn absent_from(&self, bytes: &[u8]) -> bool {
        self.finders.iter().all(|f| f.find(bytes).is_none())
    }

    #[cfg(test)]
    fn literals(&self) -> Vec<&[u8]> {
        self.finders.iter().map(Finder::needle).collect()
    }
}

/// Whether every match of `request`'s pattern, in any text, is made of ASCII characters alone
/// and depends on nothing around it but where its line starts and ends: its literals and
/// classes are ASCII, its only assertions are `^` and `$` of a line, and the search is neither
/// multiline nor whole-word (which looks at the characters around a match). Then, in a file
/// of an ASCII-compatible encoding, the bytes of every line whose decoded text has a match
/// hold the same match: an ASCII character of the decoded text is the same byte of the file,
/// and `\n` and `\r` are never part of a multi-byte character (a Shift_JIS, GBK or Big5
/// trail byte can be ASCII, but only from 0x30 up). Searching the bytes finds every line
/// that can match, and perhaps some that do not (a trail byte that looks like ASCII), which
/// are decoded and searched again.
pub(crate) fn matches_only_ascii(request: &SearchRequest) -> bool {
    let options = request.options.matcher_part();
    if options.multiline || options.whole_word || options.case == CaseMode::Smart {
        return false;
    }
    let pattern = if options.regex {
        request.pattern.clone()
    } else {
        regex_syntax::escape(&request.pattern)
    };
    // As grep-regex parses it without multiline (crates/search/src/matcher.rs).
    regex_syntax::ParserBuilder::new()
        .multi_line(true)
        .crlf(true)
        .case_insensitive(options.case == CaseMode::Insensitive)
        .build()
        .parse(&pattern)
        .is_ok_and(|hir| only_ascii(&hir))
}

fn only_ascii(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty => true,
        HirKind::Literal(literal) => literal.0.is_ascii(),
        HirKind::Class(Class::Unicode(class)) => {
            class.ranges().iter().all(|range| range.end().is_ascii())
        }
        HirKind::Class(Class::Bytes(class)) => {
            class.ranges().iter().all(|range| range.end().is_ascii())
        }
        HirKind::Look(look) => matches!(
            look,
            Look::StartLF | Look::EndLF | Look::StartCRLF | Look::EndCRLF
        ),
        HirKind::Repetition(repetition) => only_ascii(&repetition.sub),
        HirKind::Capture(capture) => only_ascii(&capture.sub),
        HirKind::Concat(all) | HirKind::Alternation(all) => all.iter().all(only_ascii),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literals(pattern: &str, edit: impl FnOnce(&mut SearchRequest)) -> Option<Vec<String>> {
        let mut request = SearchRequest::new(".", Vec::new(), pattern);
        edit(&mut request);
        RequiredAscii::of(&request).map(|r| {
            let mut found: Vec<String> = (r.literals().iter())
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect();
            found.sort();
            found
        })
    }

    fn regex(request: &mut SearchRequest) {
        request.options.regex = true;
    }

    #[test]
    fn literals_are_those_every_match_starts_or_ends_with() {
        let some = |list: &[&str]| Some(list.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(literals("needle_16", regex), some(&["needle_16"]));
        assert_eq!(literals("foo|bar", regex), some(&["bar", "foo"]));
        assert_eq!(literals(r"\w+_end", regex), some(&["_end"]));
        assert_eq!(literals("ba[rz]", regex), some(&["bar", "baz"]));
        // An inline flag: every case of the letters.
        assert_eq!(literals("(?i)fo", regex), some(&["FO", "Fo", "fO", "fo"]));
        // Fixed strings are literal text.
        assert_eq!(
            literals("a.b(", |r| r.options.regex = false),
            some(&["a.b("])
        );
        // Whole words: the word itself.
        assert_eq!(
            literals("foo", |r| {
                regex(r);
                r.options.whole_word = true;
            }),
            some(&["foo"])
        );
    }

    #[test]
    fn a_pattern_matches_only_ascii_without_non_ascii_classes_or_word_assertions() {
        let ascii = |pattern: &str, edit: fn(&mut SearchRequest)| {
            let mut request = SearchRequest::new(".", Vec::new(), pattern);
            request.options.regex = true;
            edit(&mut request);
            matches_only_ascii(&request)
        };
        let none: fn(&mut SearchRequest) = |_| {};
        for pattern in [
            "needle_16",
            "foo|ba[rz]",
            r"^fn [a-z_]+",
            r"[0-9]+$",
            "a{2,}b?",
            "x*",
        ] {
            assert!(ascii(pattern, none), "{pattern}");
        }
        for pattern in [
            "café",
            ".",
            r"\bfoo",
            r"\Bfoo",
            r"(?-u:\b)x",
            r"\Afoo",
            r"foo\z",
            r"[^a]",
            r"(?u)\w",
        ] {
            assert!(!ascii(pattern, none), "{pattern}");
        }
        // `\w` is ASCII only when Unicode is off, as `(?-u:\w)`; above it is Unicode's.
        assert!(ascii(r"(?-u:\w)+", none));
        // Case-insensitive: every case of each letter, and `k` has the Kelvin sign.
        assert!(ascii("needle", |r| r.options.case = CaseMode::Insensitive));
        assert!(!ascii("kin", |r| r.options.case = CaseMode::Insensitive));
        assert!(!ascii("needle", |r| r.options.case = CaseMode::Smart));
        assert!(!ascii("needle", |r| r.options.whole_word = true));
        assert!(!ascii("needle", |r| r.options.multiline = true));
        assert!(ascii("a.b(", |r| r.options.regex = false));
    }

    #[test]
    fn no_literals_where_a_match_need_not_hold_an_ascii_one() {
        for pattern in [
            r"\w+",
            "café",
            "日本|foo",
            "a*",
            "x?",
            r"(?i)fooo",
            r"foo|\d+",
        ] {
            assert_eq!(literals(pattern, regex), None, "{pattern}");
        }
        for case in [CaseMode::Insensitive, CaseMode::Smart] {
            assert_eq!(literals("foo", |r| r.options.case = case), None);
        }
        // More alternatives than are worth looking for.
        assert_eq!(literals("a1|a2|a3|a4|a5|a6|a7|a8|a9", regex), None);
    }
}
