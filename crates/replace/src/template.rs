//! The replacement for one match: the template expanded with the match's captures.
//!
//! The engine reports where each match is, not its capture groups, and a replace never searches
//! again: the captures of a match are found by running the same pattern at the match's offset
//! over the bytes around it, and the match found there must be exactly the reported one, which
//! doubles as a check that the file still holds what the search read.

use regex::bytes::{Regex, RegexBuilder};
use regex_syntax::ast::{self, Ast};
use trawl_search::{CaseMode, SearchOptions};

use crate::ReplaceError;

/// A compiled pattern and replacement template, shared by every file of a replace.
#[derive(Clone, Debug)]
pub struct Replacer {
    regex: Regex,
    template: String,
    /// The template is inserted as it is: `$` means nothing (a literal search, `-F`).
    literal: bool,
    multiline: bool,
}

impl Replacer {
    /// Compiles `pattern` as the engine does for `options` (grep-regex's rules: `-F` escapes
    /// it, `-w` puts half word boundaries around it, smart case looks at its literals, CRLF
    /// mode unless multiline). The template uses `$1`, `${name}` and `$$` when the pattern is a
    /// regex; with a literal pattern (`-F`) it is literal text too.
    pub fn new(
        options: &SearchOptions,
        pattern: &str,
        template: &str,
    ) -> Result<Self, ReplaceError> {
        let core = if options.regex {
            pattern.to_string()
        } else {
            regex::escape(pattern)
        };
        let insensitive = match options.case {
            CaseMode::Sensitive => false,
            CaseMode::Insensitive => true,
            CaseMode::Smart => smart_case_insensitive(&core),
        };
        let full = if options.whole_word {
            format!(r"\b{{start-half}}(?:{core})\b{{end-half}}")
        } else {
            core
        };
        let regex = RegexBuilder::new(&full)
            .multi_line(true)
            .crlf(!options.multiline)
            .case_insensitive(insensitive)
            // grep-regex's limits, so a pattern the search took is taken here too
            .size_limit(100 << 20)
            .dfa_size_limit(1000 << 20)
            .build()
            .map_err(|err| ReplaceError::Pattern(err.to_string()))?;
        Ok(Replacer {
            regex,
            template: template.to_string(),
            literal: !options.regex,
            multiline: options.multiline,
        })
    }

    /// Whether matches may span lines (`-U`): the context a match is checked in is then not
    /// its line.
    pub fn multiline(&self) -> bool {
        self.multiline
    }

    /// The template as given.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// Appends to `out` the replacement of the match at `start..end` of `haystack`, where
    /// `haystack` holds the match and the text around it (its line, or at least a few bytes
    /// either side). `false`, and nothing appended, when the pattern does not match exactly
    /// there.
    pub fn expand_at(&self, haystack: &[u8], start: usize, end: usize, out: &mut Vec<u8>) -> bool {
        let Some(captures) = self.regex.captures_at(haystack, start) else {
            return false;
        };
        let Some(whole) = captures.get(0) else {
            return false;
        };
        if whole.start() != start || whole.end() != end {
            return false;
        }
        if self.literal {
            out.extend_from_slice(self.template.as_bytes());
        } else {
            captures.expand(self.template.as_bytes(), out);
        }
        true
    }

    /// A line of text with each of its matches (`ranges`, byte ranges of `line`, in order)
    /// replaced, for showing what a replace would do. A match the pattern does not find again
    /// in `line` (the line was cut, or a multiline match) is replaced by the template as
    /// captured from the text that is there, or kept as it is when nothing matches.
    pub fn replace_in_line(
        &self,
        line: &str,
        ranges: impl IntoIterator<Item = std::ops::Range<usize>>,
    ) -> String {
        let bytes = line.as_bytes();
        let mut out = Vec::with_capacity(line.len());
        let mut at = 0;
        for range in ranges {
            if range.start < at || range.end > bytes.len() || range.start > range.end {
                continue;
            }
            out.extend_from_slice(&bytes[at..range.start]);
            self.shown_replacement(bytes, range.clone(), &mut out);
            at = range.end;
        }
        out.extend_from_slice(&bytes[at..]);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// What the match at `range` of `line` would be replaced with, for showing it (`--json`'s
    /// `replacement`), found as [`Replacer::replace_in_line`] finds it. A range outside the
    /// line gives the template as it is.
    pub fn replacement_in_line(&self, line: &str, range: std::ops::Range<usize>) -> String {
        let bytes = line.as_bytes();
        let mut out = Vec::new();
        if range.start <= range.end && range.end <= bytes.len() {
            self.shown_replacement(bytes, range, &mut out);
        } else {
            out.extend_from_slice(self.template.as_bytes());
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Appends the replacement of `range` of `bytes` as shown: expanded where the pattern
    /// matches exactly there, else from the captures of what matches from its start, else the
    /// matched text itself.
    fn shown_replacement(&self, bytes: &[u8], range: std::ops::Range<usize>, out: &mut Vec<u8>) {
        if self.expand_at(bytes, range.start, range.end, out) {
            return;
        }
        match self.regex.captures_at(bytes, range.start) {
            Some(captures) if captures.get(0).is_some_and(|m| m.start() == range.start) => {
                if self.literal {
                    out.extend_from_slice(self.template.as_bytes());
                } else {
                    captures.expand(self.template.as_bytes(), out);
                }
            }
            _ => out.extend_from_slice(&bytes[range]),
        }
    }
}

/// Smart case as grep-regex decides it: insensitive when the pattern has a literal and no
/// literal is upper case. A pattern that does not parse is left case-sensitive (the regex
/// builder then reports the error).
fn smart_case_insensitive(pattern: &str) -> bool {
    let Ok(ast) = ast::parse::Parser::new().parse(pattern) else {
        return false;
    };
    let mut literal = false;
    let mut upper = false;
    visit(&ast, &mut literal, &mut upper);
    literal && !upper
}

fn visit(ast: &Ast, literal: &mut bool, upper: &mut bool) {
    match ast {
        Ast::Literal(x) => note(x, literal, upper),
        Ast::ClassBracketed(x) => visit_class(&x.kind, literal, upper),
        Ast::Repetition(x) => visit(&x.ast, literal, upper),
        Ast::Group(x) => visit(&x.ast, literal, upper),
        Ast::Alternation(x) => x.asts.iter().for_each(|a| visit(a, literal, upper)),
        Ast::Concat(x) => x.asts.iter().for_each(|a| visit(a, literal, upper)),
        _ => {}
    }
}

fn visit_class(set: &ast::ClassSet, literal: &mut bool, upper: &mut bool) {
    match set {
        ast::ClassSet::Item(item) => visit_item(item, literal, upper),
        ast::ClassSet::BinaryOp(op) => {
            visit_class(&op.lhs, literal, upper);
            visit_class(&op.rhs, literal, upper);
        }
    }
}

fn visit_item(item: &ast::ClassSetItem, literal: &mut bool, upper: &mut bool) {
    match item {
        ast::ClassSetItem::Literal(x) => note(x, literal, upper),
        ast::ClassSetItem::Range(x) => {
            note(&x.start, literal, upper);
            note(&x.end, literal, upper);
        }
        ast::ClassSetItem::Bracketed(x) => visit_class(&x.kind, literal, upper),
        ast::ClassSetItem::Union(x) => x.items.iter().for_each(|i| visit_item(i, literal, upper)),
        _ => {}
    }
}

fn note(x: &ast::Literal, literal: &mut bool, upper: &mut bool) {
    *literal = true;
    *upper |= x.c.is_uppercase();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(regex: bool) -> SearchOptions {
        SearchOptions {
            regex,
            ..SearchOptions::default()
        }
    }

    #[test]
    fn a_template_expands_numbered_and_named_groups_and_dollar_dollar() {
        let r = Replacer::new(&options(true), r"(?P<w>\w+)=(\d+)", "${w}:$2$$").unwrap();
        let mut out = Vec::new();
        assert!(r.expand_at(b"x abc=12 y", 2, 8, &mut out));
        assert_eq!(out, b"abc:12$");
    }

    #[test]
    fn a_literal_pattern_takes_the_template_literally() {
        let r = Replacer::new(&options(false), "a.b", "$1").unwrap();
        let mut out = Vec::new();
        assert!(r.expand_at(b"a.b", 0, 3, &mut out));
        assert_eq!(out, b"$1");
        assert!(!r.expand_at(b"axb", 0, 3, &mut out));
    }

    #[test]
    fn a_match_elsewhere_or_of_another_length_is_refused() {
        let r = Replacer::new(&options(true), "fo+", "x").unwrap();
        let mut out = Vec::new();
        assert!(!r.expand_at(b"fooo", 0, 3, &mut out));
        assert!(!r.expand_at(b" foo", 0, 4, &mut out));
        assert!(out.is_empty());
    }

    #[test]
    fn one_match_s_replacement_is_its_template_expanded() {
        let r = Replacer::new(&options(true), r"(\w+)=(\d+)", "$2=$1").unwrap();
        assert_eq!(r.replacement_in_line("x abc=12 y", 2..8), "12=abc");
        assert_eq!(
            r.replace_in_line("x abc=12 y", std::iter::once(2..8)),
            "x 12=abc y"
        );
        assert_eq!(r.replacement_in_line("short", 2..80), "$2=$1");
    }

    #[test]
    fn smart_case_looks_at_literals() {
        assert!(smart_case_insensitive("foo"));
        assert!(!smart_case_insensitive("Foo"));
        assert!(!smart_case_insensitive(r"\w+"));
        assert!(!smart_case_insensitive("[A-Z]x"));
    }

    #[test]
    fn whole_word_needs_a_non_word_side() {
        let mut o = options(true);
        o.whole_word = true;
        let r = Replacer::new(&o, "-2", "x").unwrap();
        let mut out = Vec::new();
        assert!(r.expand_at(b"a -2 b", 2, 4, &mut out));
        assert!(!r.expand_at(b"a1foo", 1, 4, &mut Vec::new()));
    }
}
