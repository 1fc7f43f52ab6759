//! Turns a request's pattern and toggles into ripgrep's regex matcher.

use grep_regex::{RegexMatcher, RegexMatcherBuilder};

use crate::{CaseMode, SearchError, SearchRequest};

/// Compiles the request's pattern exactly as ripgrep would for the same flags.
///
/// Called before any file is read, so an invalid or too-large regex is reported up front. Without
/// multiline the matcher is told that lines end in `\n` (and that `$` may sit before `\r\n`), which
/// lets it reject a pattern that could only match across lines and search faster.
pub fn build_matcher(request: &SearchRequest) -> Result<RegexMatcher, SearchError> {
    if request.pattern.is_empty() {
        return Err(SearchError::EmptyPattern);
    }
    // Through the matcher part only: a caller comparing matcher parts then never keeps a
    // matcher compiled for other options.
    let options = request.options.matcher_part();
    let mut builder = RegexMatcherBuilder::new();
    builder
        .case_insensitive(options.case == CaseMode::Insensitive)
        .case_smart(options.case == CaseMode::Smart)
        .word(options.whole_word)
        .fixed_strings(!options.regex)
        .multi_line(true);
    if !options.multiline {
        // CRLF mode (ripgrep's --crlf), so `$` matches before `\r\n` as a person expects: `.` then
        // does not match `\r`, and `^`/`$` also match next to one. Only `\n` ends a line, so a
        // `\r` inside a line stays searchable (a CRLF terminator would strip it from classes).
        builder.crlf(true).line_terminator(Some(b'\n'));
    }
    builder.build(&request.pattern).map_err(|err| {
        SearchError::InvalidPattern(one_line_reason(&request.pattern, &err.to_string()))
    })
}

/// regex's errors span several lines (the wrapped pattern, a caret, the reason); a person
/// needs the pattern they typed and the reason, on one line.
fn one_line_reason(pattern: &str, message: &str) -> String {
    let reason = message
        .lines()
        .find_map(|line| line.trim().strip_prefix("error: "))
        .map(str::to_string)
        .unwrap_or_else(|| message.split_whitespace().collect::<Vec<_>>().join(" "));
    // Quoted as typed (a backslash stays one backslash); only control characters are escaped,
    // so the message stays on one line.
    let shown: String = pattern
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    format!("\"{shown}\": {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(pattern: &str) -> SearchRequest {
        SearchRequest::new(".", Vec::new(), pattern)
    }

    #[test]
    fn invalid_regex_names_the_problem() {
        let err = build_matcher(&request("a(b")).unwrap_err();
        assert_eq!(err.to_string(), r#"invalid regex "a(b": unclosed group"#);
        let err = build_matcher(&request("\\w(\n")).unwrap_err();
        assert_eq!(err.to_string(), r#"invalid regex "\w(\n": unclosed group"#);
    }

    #[test]
    fn empty_pattern_is_rejected() {
        assert!(matches!(
            build_matcher(&request("")),
            Err(SearchError::EmptyPattern)
        ));
    }

    #[test]
    fn newline_needs_multiline() {
        assert!(build_matcher(&request("a\\nb")).is_err());
        let mut multi = request("a\\nb");
        multi.options.multiline = true;
        assert!(build_matcher(&multi).is_ok());
    }
}
