//! The command line against docs/CONTRACT.md: output formats, JSON objects, options,
//! exit codes and error messages. Each test builds its own small tree in a temporary folder and
//! runs the real `trawl` binary with its standard output and error piped.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

#[cfg(unix)]
#[path = "support/unprivileged.rs"]
mod unprivileged;

/// A temporary folder with files in it.
struct Tree {
    dir: TempDir,
}

impl Tree {
    fn new() -> Self {
        // No leading dot: the root's own name must not look hidden.
        let dir = tempfile::Builder::new()
            .prefix("trawl-cli-")
            .tempdir()
            .expect("temporary folder");
        Tree { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The root as a string, the way it is passed as DIR.
    fn root(&self) -> String {
        self.path().to_str().expect("UTF-8 temp path").to_string()
    }

    /// `ROOT/rel` as a string: how trawl prints a path reached from the root.
    fn shown(&self, rel: &str) -> String {
        format!("{}/{rel}", self.root())
    }

    /// Writes `rel` (creating its folders) and returns its path.
    fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create folders");
        }
        fs::write(&path, contents).expect("write file");
        path
    }

    /// Writes `contents` to each of `rels`: for the trees where only which files are searched
    /// matters, not what is in them.
    fn files(&self, rels: &[&str], contents: &str) {
        for rel in rels {
            self.file(rel, contents);
        }
    }

    /// The rows trawl prints for `rels` when each one's first line is just `needle` (the
    /// pattern of most tests here), sorted to compare with [`Run::sorted_lines`].
    fn needle_rows(&self, rels: &[&str]) -> Vec<String> {
        let rows: Vec<String> = rels
            .iter()
            .map(|rel| format!("{}:1:1:needle", self.shown(rel)))
            .collect();
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        sorted(&rows)
    }

    fn dir(&self, rel: &str) -> PathBuf {
        let path = self.path().join(rel);
        fs::create_dir_all(&path).expect("create folder");
        path
    }
}

/// What one run of trawl produced.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Standard output's lines, sorted (files are searched in parallel, so their order varies).
    fn sorted_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.stdout.lines().map(str::to_string).collect();
        lines.sort();
        lines
    }

    /// Standard output as JSON objects, one per line.
    fn json(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|err| panic!("not a JSON object: {line:?}: {err}"))
            })
            .collect()
    }
}

fn trawl_cmd() -> Command {
    let mut cmd = Command::cargo_bin("trawl").expect("the trawl binary");
    cmd.env_remove("NO_COLOR")
        .env_remove("TERM")
        .timeout(Duration::from_secs(60));
    cmd
}

/// Runs trawl with `args` from the current folder.
fn trawl(args: &[&str]) -> Run {
    run_cmd(trawl_cmd().args(args))
}

/// Runs trawl with `args` from the current folder and asserts it found something and printed no
/// error: the start of most tests here, which then look at what it printed.
fn trawl_found(args: &[&str]) -> Run {
    let run = trawl(args);
    assert_found(&run);
    run
}

/// Runs trawl with `args` from the current folder and asserts it was refused with one line on
/// standard error ([`assert_one_line_error`]), returned for the test to look into: how every
/// usage and start-up error here is checked.
fn trawl_one_line_error(args: &[&str]) -> String {
    assert_one_line_error(&trawl(args))
}

/// Runs trawl with `args` from the folder `cwd`.
fn trawl_in(cwd: &Path, args: &[&str]) -> Run {
    run_cmd(trawl_cmd().current_dir(cwd).args(args))
}

fn run_cmd(cmd: &mut Command) -> Run {
    let output = cmd.output().expect("run trawl");
    Run {
        code: output
            .status
            .code()
            .expect("trawl ended by a signal (or timed out)"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 standard output"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 standard error"),
    }
}

/// Asserts a run that found something printed nothing on standard error.
fn assert_found(run: &Run) {
    assert_eq!(run.code, 0, "expected exit 0: {run:#?}");
    assert_eq!(run.stderr, "", "unexpected standard error: {run:#?}");
}

/// Asserts a run that found nothing: exit 1 and nothing on standard output, the check every
/// "no match" case here makes (standard error is left to the test).
fn assert_nothing_found(run: &Run) {
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:#?}");
}

/// Asserts a usage or start-up error: exit 2, nothing on standard output, one line on standard
/// error starting with `trawl:`. Returns that line.
fn assert_one_line_error(run: &Run) -> String {
    assert_eq!(run.code, 2, "expected exit 2: {run:#?}");
    assert_eq!(run.stdout, "", "nothing may be printed on standard output");
    assert!(
        run.stderr.starts_with("trawl:"),
        "standard error must start with `trawl:`: {:?}",
        run.stderr
    );
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "the error must be one line: {:?}",
        run.stderr
    );
    run.stderr.trim_end().to_string()
}

/// Removes ANSI escape sequences (`ESC [ ... m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn keys(object: &Value) -> BTreeSet<&str> {
    object
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// `items` as sorted strings, to compare with [`Run::sorted_lines`].
fn sorted(items: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------------------
// Output formats
// ---------------------------------------------------------------------------------------------

#[test]
fn piped_output_is_one_occurrence_per_line_with_character_columns() {
    let tree = Tree::new();
    tree.file(
        "a.rs",
        "fn main() {}\n\
         let needle = needle;\n\
         日本語 needle\n\
         café needle\r\n\
         nothing here\n\
         tail needle",
    );
    let run = trawl_found(&[&tree.root(), "rs", "needle"]);
    let a = tree.shown("a.rs");
    assert_eq!(
        run.stdout,
        format!(
            "{a}:2:5:let needle = needle;\n\
             {a}:2:14:let needle = needle;\n\
             {a}:3:5:日本語 needle\n\
             {a}:4:6:café needle\n\
             {a}:6:6:tail needle\n"
        ),
        "two occurrences on line 2 are two rows; columns count characters, not bytes; \
         the CRLF terminator is not part of the text; a last line without newline is found"
    );
}

#[test]
fn paths_are_printed_as_reached_from_dir_as_given() {
    let tree = Tree::new();
    tree.file("sub/deep/x.rs", "needle\n");
    let run = trawl_in(tree.path(), &["sub", "rs", "needle"]);
    assert_found(&run);
    assert_eq!(run.stdout, "sub/deep/x.rs:1:1:needle\n");
    let run = trawl_in(tree.path(), &["./sub", "rs", "needle"]);
    assert_found(&run);
    assert_eq!(run.stdout, "./sub/deep/x.rs:1:1:needle\n");
}

#[test]
fn heading_groups_rows_under_each_path() {
    let tree = Tree::new();
    tree.file("a.rs", "needle one\nx\ntwo needle needle\n");
    tree.file("sub/b.rs", "  needle\n");
    tree.file("c.rs", "nothing\n");
    let run = trawl_found(&["--heading", &tree.root(), "rs", "needle"]);
    let mut groups = BTreeMap::new();
    for block in run.stdout.trim_end_matches('\n').split("\n\n") {
        let mut rows = block.lines();
        let heading = rows.next().expect("a heading").to_string();
        let rows: Vec<String> = rows.map(str::to_string).collect();
        assert!(
            groups.insert(heading.clone(), rows).is_none(),
            "{heading} appears twice:\n{}",
            run.stdout
        );
    }
    let expected = BTreeMap::from([
        (
            tree.shown("a.rs"),
            vec![
                "1:1:needle one".to_string(),
                "3:5:two needle needle".to_string(),
                "3:12:two needle needle".to_string(),
            ],
        ),
        (tree.shown("sub/b.rs"), vec!["1:3:  needle".to_string()]),
    ]);
    assert_eq!(groups, expected, "output was:\n{}", run.stdout);
}

#[test]
fn no_heading_prints_flat_rows_and_overrides_heading() {
    let tree = Tree::new();
    tree.file("a.rs", "x needle\n");
    let expected = format!("{}:1:3:x needle\n", tree.shown("a.rs"));
    for args in [
        vec!["--no-heading"],
        vec!["--heading", "--no-heading"],
        vec![],
    ] {
        let mut all = args.clone();
        let root = tree.root();
        all.extend([root.as_str(), "rs", "needle"]);
        let run = trawl_found(&all);
        assert_eq!(run.stdout, expected, "args {args:?}");
    }
}

#[test]
fn color_always_wraps_the_match_in_ansi_codes_and_never_or_a_pipe_has_none() {
    let tree = Tree::new();
    tree.file("a.rs", "let needle here\n");
    let plain = trawl_found(&["--color", "never", &tree.root(), "rs", "needle"]);
    assert!(!plain.stdout.contains('\u{1b}'), "{:?}", plain.stdout);
    assert_eq!(
        plain.stdout,
        format!("{}:1:5:let needle here\n", tree.shown("a.rs"))
    );

    let auto = trawl_found(&["--color", "auto", &tree.root(), "rs", "needle"]);
    assert_eq!(auto.stdout, plain.stdout, "auto to a pipe means no colour");

    for extra in [&[][..], &["--heading"][..]] {
        let mut args = vec!["--color", "always"];
        args.extend_from_slice(extra);
        let root = tree.root();
        args.extend([root.as_str(), "rs", "needle"]);
        let colored = trawl_found(&args);
        let out = &colored.stdout;
        let at = out.find("needle").expect("the match is printed");
        assert!(
            out[..at].ends_with('m') && out[..at].contains("\u{1b}["),
            "an escape sequence must open right before the match: {out:?}"
        );
        assert!(
            out[at + "needle".len()..].starts_with("\u{1b}["),
            "an escape sequence must close right after the match: {out:?}"
        );
        let stripped = strip_ansi(out);
        if extra.is_empty() {
            assert_eq!(stripped, plain.stdout, "colour adds nothing but escapes");
        } else {
            assert_eq!(
                stripped,
                format!("{}\n1:5:let needle here\n", tree.shown("a.rs"))
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

#[test]
fn json_match_objects_and_summary_are_exactly_as_the_contract_says() {
    let tree = Tree::new();
    let a = "x needle\n日本 needle needle\ncafé\n";
    let b = "no match in here\n";
    tree.file("a.rs", a);
    tree.file("sub/b.rs", b);
    tree.file("c.txt", "needle café (not searched: other extension)\n");
    let run = trawl_found(&["--json", &tree.root(), "rs", "needle|é"]);
    let objects = run.json();
    assert!(objects.len() >= 2, "{}", run.stdout);

    let match_keys = BTreeSet::from([
        "type",
        "path",
        "line",
        "column",
        "byte_offset",
        "length",
        "text",
    ]);
    let path = tree.shown("a.rs");
    let expected = [
        // (line, column, byte_offset, length, text)
        (1, 3, 2, 6, "x needle"),
        (2, 4, 16, 6, "日本 needle needle"),
        (2, 11, 23, 6, "日本 needle needle"),
        (3, 4, 33, 2, "café"),
    ];
    let (summary, matches) = objects.split_last().unwrap();
    assert_eq!(matches.len(), expected.len(), "{}", run.stdout);
    for (object, &(line, column, byte_offset, length, text)) in matches.iter().zip(&expected) {
        assert_eq!(keys(object), match_keys, "{object}");
        assert_eq!(object["type"], "match");
        assert_eq!(object["path"], path.as_str());
        assert_eq!(object["line"], line, "{object}");
        assert_eq!(object["column"], column, "{object}");
        assert_eq!(object["byte_offset"], byte_offset, "{object}");
        assert_eq!(object["length"], length, "{object}");
        assert_eq!(object["text"], text, "{object}");
        // byte_offset and length really point at the match in the file.
        let start = byte_offset as usize;
        let found = &a.as_bytes()[start..start + length as usize];
        assert!(found == b"needle" || found == "é".as_bytes(), "{object}");
    }

    assert_eq!(
        keys(summary),
        BTreeSet::from([
            "type",
            "files_searched",
            "files_matched",
            "matches",
            "bytes_searched",
            "errors",
            "elapsed_ms",
        ]),
        "{summary}"
    );
    assert_eq!(summary["type"], "summary", "the summary comes last");
    assert_eq!(summary["files_searched"], 2, "{summary}");
    assert_eq!(summary["files_matched"], 1, "{summary}");
    assert_eq!(summary["matches"], 4, "{summary}");
    assert_eq!(summary["bytes_searched"], a.len() + b.len(), "{summary}");
    assert_eq!(summary["errors"], 0, "{summary}");
    assert!(summary["elapsed_ms"].is_u64(), "{summary}");
}

/// The JSON Lines output byte for byte, as docs/CONTRACT.md writes the objects out: the keys in
/// this order, no spaces, UTF-8 as it is, `"` `\\` and a tab escaped. Only `elapsed_ms`
/// varies; it is checked to be a number and then set to 0 here.
#[test]
fn json_output_is_exactly_the_contract_s_bytes() {
    let tree = Tree::new();
    tree.file(
        "a.rs",
        "x needle\n日本 needle needle\ncafé\nsay \"needle\"\t\\\n",
    );
    tree.file("sub/b.rs", "no match\n");
    let run = trawl_found(&["--json", &tree.root(), "rs", "needle|é"]);
    let a = tree.shown("a.rs");
    let expected = format!(
        r#"{{"type":"match","path":"{a}","line":1,"column":3,"byte_offset":2,"length":6,"text":"x needle"}}
{{"type":"match","path":"{a}","line":2,"column":4,"byte_offset":16,"length":6,"text":"日本 needle needle"}}
{{"type":"match","path":"{a}","line":2,"column":11,"byte_offset":23,"length":6,"text":"日本 needle needle"}}
{{"type":"match","path":"{a}","line":3,"column":4,"byte_offset":33,"length":2,"text":"café"}}
{{"type":"match","path":"{a}","line":4,"column":6,"byte_offset":41,"length":6,"text":"say \"needle\"\t\\"}}
{{"type":"summary","files_searched":2,"files_matched":1,"matches":5,"bytes_searched":60,"errors":0,"elapsed_ms":0}}
"#
    );
    assert_eq!(without_elapsed(&run.stdout), expected);

    // An unreadable path (a dangling link, with -L) and nothing found.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tree.path().join("nowhere"), tree.path().join("gone.rs"))
            .expect("symlink");
        let run = trawl(&["--json", "-L", &tree.root(), "rs", "absent"]);
        assert_eq!(run.code, 2, "{run:#?}");
        let gone = tree.shown("gone.rs");
        let expected = format!(
            r#"{{"type":"error","path":"{gone}","message":"not found (removed during the search, or a broken link)"}}
{{"type":"summary","files_searched":2,"files_matched":0,"matches":0,"bytes_searched":60,"errors":1,"elapsed_ms":0}}
"#
        );
        assert_eq!(without_elapsed(&run.stdout), expected);
    }
}

/// `--json -r TEXT`: every match object carries what it would be replaced with, ripgrep's
/// `"replacement":{"text":S}`, last, the template expanded with that match's captures; a
/// decoded file's `encoding` comes before it; nothing is written.
#[test]
fn json_with_replace_gives_each_match_its_replacement() {
    let tree = Tree::new();
    let original = "a=1 b=22\nnone\nlong ccc=333 tail\n";
    tree.file("a.rs", original);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("x=9\n".encode_utf16().flat_map(u16::to_le_bytes));
    tree.file("w.rs", &utf16);
    let run = trawl_found(&[
        "--json",
        "--max-columns",
        "12",
        &tree.root(),
        "rs",
        r"(\w+)=(\d+)",
        "-r",
        "${2}:$1$$",
    ]);
    let (a, w) = (tree.shown("a.rs"), tree.shown("w.rs"));
    let mut matches: Vec<String> = without_elapsed(&run.stdout)
        .lines()
        .filter(|line| line.starts_with(r#"{"type":"match""#))
        .map(str::to_string)
        .collect();
    matches.sort();
    let expected = [
        format!(
            r#"{{"type":"match","path":"{a}","line":1,"column":1,"byte_offset":0,"length":3,"text":"a=1 b=22","replacement":{{"text":"1:a$"}}}}"#
        ),
        format!(
            r#"{{"type":"match","path":"{a}","line":1,"column":5,"byte_offset":4,"length":4,"text":"a=1 b=22","replacement":{{"text":"22:b$"}}}}"#
        ),
        // Cut by --max-columns: the replacement is still the whole match's.
        format!(
            r#"{{"type":"match","path":"{a}","line":3,"column":6,"byte_offset":19,"length":7,"text":"…ng ccc=333 t…","replacement":{{"text":"333:ccc$"}}}}"#
        ),
        format!(
            r#"{{"type":"match","path":"{w}","line":1,"column":1,"byte_offset":0,"length":3,"text":"x=9","encoding":"UTF-16LE","replacement":{{"text":"9:x$"}}}}"#
        ),
    ];
    assert_eq!(matches, expected);
    assert!(
        run.stdout
            .lines()
            .last()
            .is_some_and(|l| l.starts_with(r#"{"type":"summary""#)),
        "{run:#?}"
    );
    assert_eq!(
        fs::read(tree.path().join("a.rs")).expect("read"),
        original.as_bytes()
    );
}

/// `jsonl` with the summary's `elapsed_ms` (a number, checked) set to 0.
fn without_elapsed(jsonl: &str) -> String {
    const KEY: &str = r#""elapsed_ms":"#;
    let at = jsonl.rfind(KEY).expect("a summary with elapsed_ms") + KEY.len();
    let digits = jsonl[at..].bytes().take_while(u8::is_ascii_digit).count();
    assert!(digits > 0, "elapsed_ms is a number: {jsonl}");
    format!("{}0{}", &jsonl[..at], &jsonl[at + digits..])
}

#[test]
fn json_without_matches_still_ends_with_a_summary() {
    let tree = Tree::new();
    tree.file("a.rs", "nothing\n");
    let run = trawl(&["--json", &tree.root(), "rs", "needle"]);
    assert_eq!(run.code, 1, "{run:#?}");
    let objects = run.json();
    assert_eq!(objects.len(), 1, "{}", run.stdout);
    assert_eq!(objects[0]["type"], "summary");
    assert_eq!(objects[0]["files_searched"], 1);
    assert_eq!(objects[0]["files_matched"], 0);
    assert_eq!(objects[0]["matches"], 0);
    assert_eq!(objects[0]["bytes_searched"], 8);
}

/// A path that cannot be read, made without relying on permissions (the tests may run as root):
/// with `-L`, a dangling symbolic link and a link back to an ancestor (a loop).
#[cfg(unix)]
#[test]
fn json_reports_unreadable_paths_as_error_objects_and_the_search_goes_on() {
    use std::os::unix::fs::symlink;
    let tree = Tree::new();
    tree.file("good.rs", "needle\n");
    symlink(
        tree.path().join("nowhere.rs"),
        tree.path().join("broken.rs"),
    )
    .unwrap();
    tree.dir("d");
    symlink("..", tree.path().join("d/loop")).unwrap();

    let run = trawl(&["-L", "--json", &tree.root(), "rs", "needle"]);
    assert_eq!(run.code, 0, "errors do not hide a match: {run:#?}");
    let objects = run.json();
    let errors: BTreeMap<String, &Value> = objects
        .iter()
        .filter(|o| o["type"] == "error")
        .map(|o| (o["path"].as_str().expect("error path").to_string(), o))
        .collect();
    let broken = tree.shown("broken.rs");
    let looped = tree.shown("d/loop");
    assert_eq!(
        errors.keys().cloned().collect::<Vec<_>>(),
        sorted(&[&broken, &looped]),
        "{}",
        run.stdout
    );
    for error in errors.values() {
        assert_eq!(
            keys(error),
            BTreeSet::from(["type", "path", "message"]),
            "{error}"
        );
        assert!(!error["message"].as_str().unwrap().is_empty(), "{error}");
    }
    assert!(
        errors[&looped]["message"]
            .as_str()
            .unwrap()
            .contains("loop"),
        "a loop is named as such: {}",
        errors[&looped]
    );
    let matches: Vec<&Value> = objects.iter().filter(|o| o["type"] == "match").collect();
    assert_eq!(matches.len(), 1, "{}", run.stdout);
    assert_eq!(matches[0]["path"], tree.shown("good.rs").as_str());
    let summary = objects.last().unwrap();
    assert_eq!(summary["type"], "summary", "{}", run.stdout);
    assert_eq!(summary["errors"], 2, "{summary}");
    assert_eq!(summary["files_matched"], 1, "{summary}");
    assert_eq!(summary["matches"], 1, "{summary}");

    // Each error is also one line on standard error naming the path.
    let stderr: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(stderr.len(), 2, "{:?}", run.stderr);
    for line in &stderr {
        assert!(line.starts_with("trawl: "), "{line:?}");
    }
    assert!(stderr.iter().any(|l| l.contains(&broken)), "{stderr:?}");
    assert!(stderr.iter().any(|l| l.contains(&looped)), "{stderr:?}");

    // Nothing matched and something could not be read: exit 2.
    let run = trawl(&["-L", "--json", &tree.root(), "rs", "absent"]);
    assert_eq!(run.code, 2, "{run:#?}");
    let summary = run.json().pop().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["errors"], 2, "{summary}");
    assert_eq!(summary["matches"], 0, "{summary}");

    // Without -L links are not followed: nothing to report.
    let run = trawl_found(&[&tree.root(), "rs", "needle"]);
    assert_eq!(
        run.stdout,
        format!("{}:1:1:needle\n", tree.shown("good.rs"))
    );
}

#[test]
fn json_decodes_a_utf16_file_and_skips_a_utf8_bom() {
    let tree = Tree::new();
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "x needle\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    tree.file("wide.rs", utf16);
    tree.file("bom.rs", "\u{FEFF}needle\n");
    let run = trawl_found(&["--json", &tree.root(), "rs", "needle"]);
    let objects = run.json();
    let by_path: BTreeMap<&str, &Value> = objects
        .iter()
        .filter(|o| o["type"] == "match")
        .map(|o| (o["path"].as_str().unwrap(), o))
        .collect();
    let wide = by_path[tree.shown("wide.rs").as_str()];
    assert_eq!(wide["line"], 1, "{wide}");
    assert_eq!(wide["column"], 3, "{wide}");
    assert_eq!(wide["text"], "x needle", "{wide}");
    assert_eq!(
        wide["encoding"], "UTF-16LE",
        "a decoded file names its encoding: {wide}"
    );
    let bom = by_path[tree.shown("bom.rs").as_str()];
    assert!(
        bom.get("encoding").is_none(),
        "UTF-8 has no encoding key: {bom}"
    );
    assert_eq!(
        bom["column"], 1,
        "the BOM is not a character of the line: {bom}"
    );
    assert_eq!(bom["text"], "needle", "{bom}");
}

#[test]
fn encoding_auto_decodes_legacy_files_and_json_names_their_encoding() {
    let tree = Tree::new();
    tree.file("latin1.txt", b"x\nun caf\xE9 cr\xE8me\n");
    tree.file("utf8.txt", "un café\n");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("日本語のテキストです。café\n");
    tree.file("sjis.txt", &sjis);
    let run = trawl_found(&["-E", "auto", "--json", &tree.root(), "txt", "café|日本語"]);
    let mut matches: Vec<String> = run
        .stdout
        .lines()
        .filter(|line| line.starts_with(r#"{"type":"match""#))
        .map(str::to_string)
        .collect();
    matches.sort();
    let latin1 = tree.shown("latin1.txt");
    let utf8 = tree.shown("utf8.txt");
    let sjis = tree.shown("sjis.txt");
    let mut expected = [
        format!(
            r#"{{"type":"match","path":"{latin1}","line":2,"column":4,"byte_offset":5,"length":5,"text":"un café crème","encoding":"windows-1252"}}"#
        ),
        format!(
            r#"{{"type":"match","path":"{utf8}","line":1,"column":4,"byte_offset":3,"length":5,"text":"un café"}}"#
        ),
        // `é` is not in Shift_JIS: the encoder wrote `&#233;`, which is what is found.
        format!(
            r#"{{"type":"match","path":"{sjis}","line":1,"column":1,"byte_offset":0,"length":9,"text":"日本語のテキストです。caf&#233;","encoding":"Shift_JIS"}}"#
        ),
    ];
    expected.sort();
    assert_eq!(matches, expected);
    // Without -E the legacy files are bytes: only the UTF-8 file matches.
    let run = trawl_found(&["--no-heading", &tree.root(), "txt", "café|日本語"]);
    assert_eq!(run.stdout, format!("{utf8}:1:4:un café\n"));
}

/// An ASCII pattern in a legacy file: its bytes are searched and the decoded offset measured
/// only where it is printed (JSON); lines and columns are the decoded text's either way.
#[test]
fn an_ascii_match_in_a_legacy_file_has_its_decoded_offset_in_json() {
    let tree = Tree::new();
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("日本語\nテキスト needle\n");
    tree.file("sjis.txt", &sjis);
    let sjis = tree.shown("sjis.txt");
    let run = trawl_found(&["-E", "auto", "--no-heading", &tree.root(), "txt", "needle"]);
    assert_eq!(run.stdout, format!("{sjis}:2:6:テキスト needle\n"));
    let run = trawl_found(&["-E", "auto", "--json", &tree.root(), "txt", "needle"]);
    // "日本語\n" and "テキスト " are 10 and 13 bytes of UTF-8.
    let expected = format!(
        r#"{{"type":"match","path":"{sjis}","line":2,"column":6,"byte_offset":23,"length":6,"text":"テキスト needle","encoding":"Shift_JIS"}}"#
    );
    assert!(
        run.stdout.lines().any(|line| line == expected),
        "{}",
        run.stdout
    );
}

#[test]
fn encoding_by_name_decodes_every_file_and_none_searches_bytes() {
    let tree = Tree::new();
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("東京と日本語\n");
    tree.file("sjis.txt", &sjis);
    tree.file("latin1.txt", b"caf\xE9\n");
    let run = trawl_found(&[
        "-E",
        "shift_jis",
        "--no-heading",
        &tree.root(),
        "txt",
        "日本語",
    ]);
    assert_eq!(
        run.stdout,
        format!("{}:1:4:東京と日本語\n", tree.shown("sjis.txt"))
    );
    let run = trawl_found(&[
        "--encoding",
        "none",
        "--no-heading",
        &tree.root(),
        "txt",
        r"(?-u:caf\xE9)",
    ]);
    assert_eq!(
        run.stdout,
        format!("{}:1:1:caf\u{FFFD}\n", tree.shown("latin1.txt"))
    );
}

#[test]
fn an_unknown_encoding_is_one_line_before_any_file_is_read() {
    let tree = Tree::new();
    tree.file("a.txt", "needle\n");
    let message = trawl_one_line_error(&["-E", "klingon", &tree.root(), "txt", "needle"]);
    assert!(
        message.contains("unknown encoding \"klingon\""),
        "{message}"
    );
    assert!(
        message.contains("--encoding"),
        "the flag is named: {message}"
    );
}

// ---------------------------------------------------------------------------------------------
// Counting and quiet modes
// ---------------------------------------------------------------------------------------------

#[test]
fn count_prints_matching_lines_per_file() {
    let tree = Tree::new();
    tree.file("a.rs", "needle needle\nneedle\nnone\n");
    tree.file("sub/b.rs", "needle\n");
    tree.file("c.rs", "none\n");
    let run = trawl_found(&["-c", &tree.root(), "rs", "needle"]);
    assert_eq!(
        run.sorted_lines(),
        sorted(&[
            &format!("{}:2", tree.shown("a.rs")),
            &format!("{}:1", tree.shown("sub/b.rs")),
        ])
    );
    let run = trawl(&["--count", &tree.root(), "rs", "absent"]);
    assert_nothing_found(&run);
}

#[test]
fn files_with_matches_prints_only_paths() {
    let tree = Tree::new();
    tree.file("a.rs", "needle needle\nneedle\n");
    tree.file("sub/b.rs", "x needle\n");
    tree.file("c.rs", "none\n");
    let run = trawl_found(&["-l", &tree.root(), "rs", "needle"]);
    assert_eq!(
        run.sorted_lines(),
        sorted(&[&tree.shown("a.rs"), &tree.shown("sub/b.rs")])
    );
    let run = trawl(&["--files-with-matches", &tree.root(), "rs", "absent"]);
    assert_nothing_found(&run);
}

#[test]
fn quiet_prints_nothing_and_exits_by_the_answer() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\n");
    for flag in ["-q", "--quiet"] {
        let run = trawl_found(&[flag, &tree.root(), "rs", "needle"]);
        assert_eq!(run.stdout, "");
        let run = trawl(&[flag, &tree.root(), "rs", "absent"]);
        assert_nothing_found(&run);
    }
}

// ---------------------------------------------------------------------------------------------
// Matching options
// ---------------------------------------------------------------------------------------------

#[test]
fn ignore_case_and_smart_case() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\nNeedle\nNEEDLE\n");
    let a = tree.shown("a.rs");
    let all = format!("{a}:1:1:needle\n{a}:2:1:Needle\n{a}:3:1:NEEDLE\n");

    let run = trawl_found(&[&tree.root(), "rs", "needle"]);
    assert_eq!(
        run.stdout,
        format!("{a}:1:1:needle\n"),
        "case-sensitive by default"
    );

    for args in [["-i", "nEEdle"], ["--ignore-case", "NEEDLE"]] {
        let run = trawl_found(&[args[0], &tree.root(), "rs", args[1]]);
        assert_eq!(run.stdout, all, "{args:?}");
    }

    let run = trawl_found(&["-S", &tree.root(), "rs", "needle"]);
    assert_eq!(run.stdout, all, "-S with a lower-case pattern ignores case");
    let run = trawl_found(&["--smart-case", &tree.root(), "rs", "Needle"]);
    assert_eq!(
        run.stdout,
        format!("{a}:2:1:Needle\n"),
        "-S with an upper-case letter is case-sensitive"
    );
}

#[test]
fn word_regexp_needs_word_boundaries() {
    let tree = Tree::new();
    tree.file("a.rs", "foobar\nbarfoo\n(foo) x\nfoo_1\nsay foo\n");
    let a = tree.shown("a.rs");
    let run = trawl_found(&["-w", &tree.root(), "rs", "foo"]);
    assert_eq!(run.stdout, format!("{a}:3:2:(foo) x\n{a}:5:5:say foo\n"));
    let run = trawl(&["--word-regexp", &tree.root(), "rs", "absent|foob"]);
    assert_eq!(run.code, 1, "{run:#?}");
}

#[test]
fn fixed_strings_takes_regex_metacharacters_literally() {
    let tree = Tree::new();
    tree.file("a.rs", "axbd\nx a.b(c)*[d] y\nopen ( paren\n");
    let a = tree.shown("a.rs");
    let run = trawl_found(&["-F", &tree.root(), "rs", "a.b(c)*[d]"]);
    assert_eq!(run.stdout, format!("{a}:2:3:x a.b(c)*[d] y\n"));

    let run = trawl_found(&[&tree.root(), "rs", "a.b(c)*[d]"]);
    assert_eq!(
        run.stdout,
        format!("{a}:1:1:axbd\n"),
        "without -F it is a regex"
    );

    let run = trawl_found(&["--fixed-strings", &tree.root(), "rs", "("]);
    assert_eq!(
        run.stdout,
        format!("{a}:2:6:x a.b(c)*[d] y\n{a}:3:6:open ( paren\n")
    );
}

#[test]
fn multiline_matches_span_lines() {
    let tree = Tree::new();
    tree.file("a.txt", "start\nx foo\nbar y\nfoo\nbaz\n");
    let a = tree.shown("a.txt");
    let run = trawl_found(&["-U", &tree.root(), "txt", r"foo\nbar"]);
    assert_eq!(
        run.stdout,
        format!("{a}:2:3:x foo\n"),
        "one row per occurrence, at the line and column where it starts"
    );

    let run = trawl_found(&["--multiline", "--json", &tree.root(), "txt", r"foo\nbar"]);
    let objects = run.json();
    assert_eq!(objects.len(), 2, "{}", run.stdout);
    let m = &objects[0];
    assert_eq!(m["type"], "match");
    assert_eq!(m["line"], 2, "{m}");
    assert_eq!(m["column"], 3, "{m}");
    assert_eq!(m["byte_offset"], 8, "{m}");
    assert_eq!(m["length"], 7, "the length covers both lines: {m}");
    assert_eq!(objects[1]["matches"], 1);

    // Without -U a pattern with a newline cannot match: an argument error, as in ripgrep.
    trawl_one_line_error(&[&tree.root(), "txt", r"foo\nbar"]);
}

// ---------------------------------------------------------------------------------------------
// Which files are searched
// ---------------------------------------------------------------------------------------------

#[test]
fn hidden_files_and_folders_need_hidden() {
    let tree = Tree::new();
    tree.file("visible.rs", "needle\n");
    tree.file(".secret.rs", "needle\n");
    tree.file(".config/inner.rs", "needle\n");
    let run = trawl_found(&[&tree.root(), "rs", "needle"]);
    assert_eq!(
        run.stdout,
        format!("{}:1:1:needle\n", tree.shown("visible.rs"))
    );

    let run = trawl_found(&["--hidden", &tree.root(), "rs", "needle"]);
    assert_eq!(
        run.sorted_lines(),
        tree.needle_rows(&["visible.rs", ".secret.rs", ".config/inner.rs"])
    );
}

#[test]
fn gitignore_is_honoured_in_a_git_repository_unless_no_ignore() {
    let tree = Tree::new();
    tree.dir(".git");
    tree.file(".gitignore", "ignored.rs\nbuild/\n");
    tree.file(".git/info/exclude", "excluded.rs\n");
    tree.file(".ignore", "dot_ignore.rs\n");
    tree.files(
        &[
            "kept.rs",
            "ignored.rs",
            "build/out.rs",
            "excluded.rs",
            "dot_ignore.rs",
        ],
        "needle\n",
    );

    let run = trawl_found(&[&tree.root(), "rs", "needle"]);
    assert_eq!(run.sorted_lines(), tree.needle_rows(&["kept.rs"]));

    let run = trawl_found(&["--no-ignore", &tree.root(), "rs", "needle"]);
    assert_eq!(
        run.sorted_lines(),
        tree.needle_rows(&[
            "kept.rs",
            "ignored.rs",
            "build/out.rs",
            "excluded.rs",
            "dot_ignore.rs"
        ])
    );
}

#[test]
fn gitignore_outside_a_git_repository_is_not_honoured_but_dot_ignore_is() {
    let tree = Tree::new();
    tree.file(".gitignore", "ignored.rs\n");
    tree.file(".ignore", "dot_ignore.rs\n");
    tree.files(&["kept.rs", "ignored.rs", "dot_ignore.rs"], "needle\n");
    let run = trawl_found(&[&tree.root(), "rs", "needle"]);
    assert_eq!(
        run.sorted_lines(),
        tree.needle_rows(&["kept.rs", "ignored.rs"])
    );
}

#[test]
fn globs_include_and_exclude() {
    let tree = Tree::new();
    tree.files(
        &["src/a.rs", "src/skip_me.rs", "docs/b.md", "top.txt"],
        "needle\n",
    );

    let run = trawl_found(&["-g", "*.rs", &tree.root(), "*", "needle"]);
    assert_eq!(
        run.sorted_lines(),
        tree.needle_rows(&["src/a.rs", "src/skip_me.rs"])
    );

    let run = trawl_found(&[
        "-g",
        "*.rs",
        "--glob",
        "!skip*",
        &tree.root(),
        "*",
        "needle",
    ]);
    assert_eq!(run.sorted_lines(), tree.needle_rows(&["src/a.rs"]));

    let run = trawl_found(&["-g", "!*.md", &tree.root(), "*", "needle"]);
    assert_eq!(
        run.sorted_lines(),
        tree.needle_rows(&["src/a.rs", "src/skip_me.rs", "top.txt"])
    );

    let run = trawl_found(&[
        "-g",
        "!docs/**",
        "-g",
        "!src/**",
        &tree.root(),
        "md,rs,txt",
        "needle",
    ]);
    assert_eq!(run.sorted_lines(), tree.needle_rows(&["top.txt"]));

    let message = trawl_one_line_error(&["-g", "a[", &tree.root(), "*", "needle"]);
    assert!(message.contains("a["), "{message}");
}

/// A glob given with `-g` is one glob, as in ripgrep, even with a space or a comma in it (the
/// window's Globs field separates globs with those).
#[test]
fn a_glob_given_alone_keeps_its_spaces_and_commas() {
    let tree = Tree::new();
    tree.files(
        &[
            "My Docs/a.txt",
            "x,y.txt",
            "My/b.txt",
            "Docs/c.txt",
            "x.txt",
        ],
        "needle\n",
    );
    let run = trawl_found(&[
        "-g",
        "My Docs/**",
        "-g",
        "x,y.txt",
        &tree.root(),
        "txt",
        "needle",
    ]);
    assert_eq!(
        run.sorted_lines(),
        tree.needle_rows(&["My Docs/a.txt", "x,y.txt"])
    );
}

/// `-j` takes what the window's Threads field takes, with the same message for anything else.
#[test]
fn a_thread_count_that_is_not_a_number_is_refused_by_name() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\n");
    let message = trawl_one_line_error(&["-j", "two", &tree.root(), "rs", "needle"]);
    assert_eq!(
        message,
        "trawl: -j/--threads: invalid thread count \"two\": expected a whole number (0 or \
         empty: automatic)"
    );
}

#[test]
fn max_filesize_skips_larger_files() {
    let tree = Tree::new();
    tree.file("small.rs", "needle\n");
    tree.file("big.rs", format!("needle\n{}\n", "x".repeat(2000)));

    for limit in ["100", "1K", "1k"] {
        let run = trawl_found(&["--max-filesize", limit, &tree.root(), "rs", "needle"]);
        assert_eq!(
            run.sorted_lines(),
            tree.needle_rows(&["small.rs"]),
            "{limit}"
        );
    }
    let run = trawl_found(&["--max-filesize", "2K", &tree.root(), "rs", "needle"]);
    assert_eq!(
        run.sorted_lines(),
        tree.needle_rows(&["small.rs", "big.rs"])
    );

    let message = trawl_one_line_error(&["--max-filesize", "lots", &tree.root(), "rs", "needle"]);
    assert!(message.contains("lots"), "{message}");
}

#[test]
fn one_thread_finds_the_same_as_many() {
    let tree = Tree::new();
    for i in 0..40 {
        let body = if i % 3 == 0 {
            format!("line {i}\nneedle {i} needle\n")
        } else {
            format!("line {i}\n")
        };
        tree.file(&format!("d{}/f{i}.rs", i % 4), body);
    }
    let many = trawl_found(&[&tree.root(), "rs", "needle"]);
    assert_eq!(many.stdout.lines().count(), 14 * 2);
    for args in [["-j", "1"], ["--threads", "1"], ["-j", "3"]] {
        let run = trawl_found(&[args[0], args[1], &tree.root(), "rs", "needle"]);
        assert_eq!(run.sorted_lines(), many.sorted_lines(), "{args:?}");
    }
    // ripgrep's meaning of 0: choose the thread count automatically.
    let run = trawl_found(&["-j", "0", &tree.root(), "rs", "needle"]);
    assert_eq!(run.sorted_lines(), many.sorted_lines());
}

#[test]
fn max_columns_cuts_long_lines_around_the_match() {
    let tree = Tree::new();
    let long = format!("{}needle{}", "a".repeat(100), "b".repeat(100));
    let wide = format!("{}needle{}", "é".repeat(100), "日".repeat(100));
    tree.file("a.rs", format!("short needle\n{long}\n{wide}\n"));
    let a = tree.shown("a.rs");

    // Unlimited on the command line unless given.
    let run = trawl_found(&[&tree.root(), "rs", "needle"]);
    assert_eq!(
        run.stdout,
        format!("{a}:1:7:short needle\n{a}:2:101:{long}\n{a}:3:101:{wide}\n")
    );

    let run = trawl_found(&["--max-columns", "20", &tree.root(), "rs", "needle"]);
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", run.stdout);
    assert_eq!(
        rows[0],
        format!("{a}:1:7:short needle"),
        "short lines are whole"
    );
    for (row, number) in rows[1..].iter().zip(["2", "3"]) {
        let prefix = format!("{a}:{number}:101:");
        let text = row
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("the column is still the line's: {row:?}"));
        assert!(text.starts_with('…') && text.ends_with('…'), "{text:?}");
        assert!(text.contains("needle"), "{text:?}");
        let body = text.trim_matches('…');
        assert!(
            body.chars().count() <= 20,
            "at most 20 characters besides the marks: {text:?}"
        );
    }

    let run = trawl(&[
        "--json",
        "--max-columns",
        "20",
        &tree.root(),
        "rs",
        "needle",
    ]);
    let objects = run.json();
    assert_eq!(objects[1]["column"], 101);
    assert_eq!(objects[1]["byte_offset"], "short needle\n".len() + 100);
    let text = objects[1]["text"].as_str().unwrap();
    assert!(text.starts_with('…') && text.ends_with('…') && text.contains("needle"));
}

#[test]
fn binary_files_are_skipped_unless_text() {
    let tree = Tree::new();
    tree.file("text.rs", "needle\n");
    tree.file("bin.rs", b"needle\nmore\n\0\x01\x02 tail\n");
    let run = trawl_found(&[&tree.root(), "rs", "needle"]);
    assert_eq!(
        run.stdout,
        format!("{}:1:1:needle\n", tree.shown("text.rs"))
    );

    let run = trawl_found(&["-a", &tree.root(), "rs", "needle"]);
    assert_eq!(run.sorted_lines(), tree.needle_rows(&["text.rs", "bin.rs"]));
    let run = trawl_found(&["--text", &tree.root(), "rs", "tail"]);
    assert_eq!(run.sorted_lines().len(), 1);

    let run = trawl(&[&tree.root(), "rs", "tail"]);
    assert_nothing_found(&run);
}

#[cfg(unix)]
#[test]
fn fifos_are_never_opened() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\n");
    let fifo = tree.path().join("pipe.rs");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    std::os::unix::fs::symlink(&fifo, tree.path().join("link.rs")).unwrap();
    for follow in [false, true] {
        let mut args = vec![];
        if follow {
            args.push("-L");
        }
        let root = tree.root();
        args.extend([root.as_str(), "rs", "needle"]);
        let run = trawl_found(&args);
        assert_eq!(run.stdout, format!("{}:1:1:needle\n", tree.shown("a.rs")));
    }
}

#[test]
fn extensions_with_or_without_dot_several_or_star() {
    let tree = Tree::new();
    tree.files(
        &["a.rs", "b.toml", "c.txt", "d.RS", "Makefile", "sub/e.rs"],
        "needle\n",
    );
    let cases: [(&str, Vec<&str>); 6] = [
        ("rs", vec!["a.rs", "sub/e.rs"]),
        (".rs", vec!["a.rs", "sub/e.rs"]),
        ("RS", vec!["d.RS"]),
        ("rs,toml", vec!["a.rs", "sub/e.rs", "b.toml"]),
        (".rs,.toml", vec!["a.rs", "sub/e.rs", "b.toml"]),
        (
            "*",
            vec!["a.rs", "b.toml", "c.txt", "d.RS", "Makefile", "sub/e.rs"],
        ),
    ];
    for (ext, files) in cases {
        let run = trawl_found(&[&tree.root(), ext, "needle"]);
        assert_eq!(run.sorted_lines(), tree.needle_rows(&files), "EXT {ext:?}");
    }
    let run = trawl(&[&tree.root(), "md", "needle"]);
    assert_nothing_found(&run);
}

#[test]
fn a_file_given_as_dir_is_searched_alone() {
    let tree = Tree::new();
    let a = tree.file("a.rs", "x needle\n");
    tree.file("b.rs", "needle\n");
    let notes = tree.file("notes.txt", "needle in notes\n");
    let a = a.to_str().unwrap();
    let run = trawl_found(&[a, "rs", "needle"]);
    assert_eq!(run.stdout, format!("{a}:1:3:x needle\n"));

    let run = trawl_in(tree.path(), &["a.rs", "rs", "needle"]);
    assert_found(&run);
    assert_eq!(run.stdout, "a.rs:1:3:x needle\n", "the path as given");

    // Named explicitly, the file is searched whatever its extension (as ripgrep does).
    let notes = notes.to_str().unwrap();
    let run = trawl_found(&[notes, "rs", "needle"]);
    assert_eq!(run.stdout, format!("{notes}:1:1:needle in notes\n"));
}

// ---------------------------------------------------------------------------------------------
// Exit codes and errors
// ---------------------------------------------------------------------------------------------

#[test]
fn exit_codes_found_none_error() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\n");
    assert_eq!(trawl(&[&tree.root(), "rs", "needle"]).code, 0);
    let none = trawl(&[&tree.root(), "rs", "absent"]);
    assert_eq!(
        (none.code, none.stdout.as_str(), none.stderr.as_str()),
        (1, "", "")
    );
    let empty = Tree::new();
    assert_eq!(trawl(&[&empty.root(), "rs", "needle"]).code, 1);
    assert_eq!(trawl(&[&tree.shown("missing"), "rs", "needle"]).code, 2);
}

#[test]
fn a_missing_folder_is_named_on_stderr() {
    let tree = Tree::new();
    let missing = tree.shown("no-such-folder");
    let message = trawl_one_line_error(&[&missing, "rs", "needle"]);
    assert!(message.contains(&missing), "{message}");
}

#[cfg(unix)]
#[test]
fn an_invalid_regex_is_one_line_before_any_file_is_read() {
    let tree = Tree::new();
    tree.file("a.rs", "a(b\n");
    // With -L this link would be reported as soon as the walk reached it.
    std::os::unix::fs::symlink(tree.path().join("nowhere"), tree.path().join("broken.rs")).unwrap();
    let message = trawl_one_line_error(&["-L", &tree.root(), "rs", "a(b"]);
    assert!(message.contains("a(b"), "the regex is named: {message}");
    assert!(
        message.contains("unclosed group"),
        "the reason is given: {message}"
    );
    assert!(
        !message.contains("broken"),
        "no file was reached: {message}"
    );

    // The regex is checked before the folder is even looked at.
    let message = trawl_one_line_error(&[&tree.shown("missing"), "rs", "[z-a]"]);
    assert!(message.contains("[z-a]"), "{message}");
    assert!(!message.contains("missing"), "{message}");

    // Too large is an error too.
    let message = trawl_one_line_error(&[&tree.root(), "rs", r"\w{1000}{1000}"]);
    assert!(message.contains(r"\w{1000}{1000}"), "{message}");
}

#[test]
fn an_empty_pattern_is_an_error() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\n");
    let message = trawl_one_line_error(&[&tree.root(), "rs", ""]);
    assert!(message.contains("empty"), "{message}");
}

#[test]
fn an_unknown_flag_is_one_line() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\n");
    let message = trawl_one_line_error(&["--frobnicate", &tree.root(), "rs", "needle"]);
    assert!(message.contains("--frobnicate"), "{message}");
    trawl_one_line_error(&["-Z", &tree.root(), "rs", "needle"]);
}

#[test]
fn a_missing_argument_is_one_line() {
    let tree = Tree::new();
    trawl_one_line_error(&[&tree.root(), "rs"]);
}

#[test]
fn an_extension_with_a_glob_character_is_rejected() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\n");
    for ext in ["*.rs", "r?", "rs,[ab]"] {
        let message = trawl_one_line_error(&[&tree.root(), ext, "needle"]);
        assert!(
            message.contains(ext.rsplit(',').next().unwrap()),
            "{message}"
        );
    }
}

#[test]
fn help_exits_zero() {
    for flag in ["--help", "-h"] {
        let run = trawl(&[flag]);
        assert_eq!(run.code, 0, "{run:#?}");
        assert!(run.stdout.contains("Usage"), "{}", run.stdout);
        assert!(run.stdout.contains("PATTERN"), "{}", run.stdout);
        assert!(run.stdout.contains("--json"), "{}", run.stdout);
    }
}

#[test]
fn a_pattern_may_start_with_a_dash() {
    let tree = Tree::new();
    tree.file("a.rs", "x --flag\n");
    let run = trawl_found(&[&tree.root(), "rs", "--flag"]);
    assert_eq!(run.stdout, format!("{}:1:3:x --flag\n", tree.shown("a.rs")));
}

// ---------------------------------------------------------------------------------------------
// Edge cases of the formats
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_utf8_text_is_replaced_and_counts_one_column_per_byte() {
    let tree = Tree::new();
    tree.file("a.rs", b"ok\n\xff\xfe needle \xe2\x82 needle\n");
    let a = tree.shown("a.rs");
    let run = trawl_found(&[&tree.root(), "rs", "needle"]);
    let text = "\u{FFFD}\u{FFFD} needle \u{FFFD} needle";
    // `\xe2\x82` (a cut-off character) is two invalid bytes: two columns, one U+FFFD.
    assert_eq!(run.stdout, format!("{a}:2:4:{text}\n{a}:2:14:{text}\n"));

    let run = trawl(&["--json", &tree.root(), "rs", "needle"]);
    let objects = run.json();
    assert_eq!(objects[0]["column"], 4);
    assert_eq!(objects[0]["byte_offset"], 6);
    assert_eq!(objects[0]["text"], text);
    assert_eq!(objects[1]["column"], 14);
    assert_eq!(objects[1]["byte_offset"], 16);
}

/// Linux file systems take any bytes but `/` and NUL in a name (macOS's refuse invalid UTF-8).
#[cfg(target_os = "linux")]
#[test]
fn a_path_that_is_not_utf8_is_printed_as_is_and_lossily_in_json() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tree = Tree::new();
    let name = OsStr::from_bytes(b"caf\xe9.rs");
    fs::write(tree.path().join(name), "needle\n").expect("a Latin-1 file name");
    let output = trawl_cmd()
        .args([&tree.root(), "rs", "needle"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let mut expected = tree.root().into_bytes();
    expected.extend_from_slice(b"/caf\xe9.rs:1:1:needle\n");
    assert_eq!(
        output.stdout, expected,
        "the name's bytes are printed exactly"
    );

    let run = trawl_found(&["--json", &tree.root(), "rs", "needle"]);
    let objects = run.json();
    assert_eq!(objects[0]["path"], tree.shown("caf\u{FFFD}.rs").as_str());
}

#[test]
fn crlf_lines_end_before_the_carriage_return() {
    let tree = Tree::new();
    tree.file("a.rs", "x needle\r\nneedle x\r\n");
    let a = tree.shown("a.rs");
    let run = trawl_found(&[&tree.root(), "rs", "needle$"]);
    assert_eq!(run.stdout, format!("{a}:1:3:x needle\n"));
    let run = trawl(&["--json", &tree.root(), "rs", "^needle"]);
    let objects = run.json();
    assert_eq!(objects[0]["line"], 2);
    assert_eq!(objects[0]["byte_offset"], 10);
    assert_eq!(objects[0]["text"], "needle x");
}

#[test]
fn max_columns_gives_each_occurrence_its_own_window_and_zero_means_no_limit() {
    let tree = Tree::new();
    let long = format!(
        "{}needle{}needle{}",
        "a".repeat(50),
        "b".repeat(100),
        "c".repeat(50)
    );
    tree.file("a.rs", format!("{long}\n"));
    let a = tree.shown("a.rs");
    let run = trawl_found(&["--max-columns", "30", &tree.root(), "rs", "needle"]);
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(rows.len(), 2, "{}", run.stdout);
    for (row, column) in rows.iter().zip([51, 157]) {
        let text = row
            .strip_prefix(&format!("{a}:1:{column}:"))
            .unwrap_or_else(|| panic!("{row:?}"));
        assert!(text.contains("needle"), "{text:?}");
        assert!(text.trim_matches('…').chars().count() <= 30, "{text:?}");
    }

    let run = trawl_found(&["-c", "--max-columns", "30", &tree.root(), "rs", "needle"]);
    assert_eq!(run.stdout, format!("{a}:1\n"), "still one matching line");

    let run = trawl_found(&["--max-columns", "0", &tree.root(), "rs", "needle"]);
    assert_eq!(
        run.stdout,
        format!("{a}:1:51:{long}\n{a}:1:157:{long}\n"),
        "0 means no limit, as in ripgrep"
    );
}

#[test]
fn max_filesize_keeps_a_file_of_exactly_the_limit() {
    let tree = Tree::new();
    tree.file("exact.rs", format!("needle{}\n", "x".repeat(93)));
    tree.file("over.rs", format!("needle{}\n", "x".repeat(94)));
    let run = trawl_found(&["--max-filesize", "100", &tree.root(), "rs", "needle"]);
    assert_eq!(run.sorted_lines().len(), 1, "{}", run.stdout);
    assert!(
        run.stdout.starts_with(&tree.shown("exact.rs")),
        "{}",
        run.stdout
    );
}

#[test]
fn gitignore_of_a_parent_folder_applies_to_a_subfolder_search() {
    let tree = Tree::new();
    tree.dir(".git");
    tree.file(".gitignore", "*.gen.rs\n");
    tree.file("sub/a.gen.rs", "needle\n");
    tree.file("sub/a.rs", "needle\n");
    let sub = tree.shown("sub");
    let run = trawl_found(&[&sub, "rs", "needle"]);
    assert_eq!(run.stdout, format!("{sub}/a.rs:1:1:needle\n"));
    let run = trawl_found(&["--no-ignore", &sub, "rs", "needle"]);
    assert_eq!(run.sorted_lines().len(), 2);
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_only_with_follow() {
    use std::os::unix::fs::symlink;
    let tree = Tree::new();
    let outside = Tree::new();
    outside.file("inner/target.rs", "needle\n");
    tree.file("real.rs", "needle\n");
    symlink(outside.path().join("inner"), tree.path().join("linked_dir")).unwrap();
    symlink(
        outside.path().join("inner/target.rs"),
        tree.path().join("linked.rs"),
    )
    .unwrap();

    let run = trawl_found(&[&tree.root(), "rs", "needle"]);
    assert_eq!(run.sorted_lines(), tree.needle_rows(&["real.rs"]));

    for flag in ["-L", "--follow"] {
        let run = trawl_found(&[flag, &tree.root(), "rs", "needle"]);
        assert_eq!(
            run.sorted_lines(),
            tree.needle_rows(&["real.rs", "linked.rs", "linked_dir/target.rs"]),
            "{flag}"
        );
    }
}

#[cfg(unix)]
#[test]
fn quiet_still_fails_on_an_unreadable_path_when_nothing_matched() {
    let tree = Tree::new();
    tree.file("a.rs", "nothing\n");
    std::os::unix::fs::symlink(tree.path().join("nowhere"), tree.path().join("broken.rs")).unwrap();
    let run = trawl(&["-q", "-L", &tree.root(), "rs", "needle"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.stdout, "");
    tree.file("b.rs", "needle\n");
    let run = trawl(&["-q", "-L", &tree.root(), "rs", "needle"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run:#?}");
}

#[test]
fn json_is_never_coloured_and_an_invalid_color_is_an_error() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\n");
    let run = trawl_found(&["--json", "--color", "always", &tree.root(), "rs", "needle"]);
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
    assert_eq!(run.json().len(), 2);
    trawl_one_line_error(&["--color", "sometimes", &tree.root(), "rs", "needle"]);
}

#[test]
fn output_that_is_closed_early_ends_quietly() {
    let tree = Tree::new();
    let body = "needle\n".repeat(20_000);
    for i in 0..8 {
        tree.file(&format!("f{i}.rs"), &body);
    }
    let bin = assert_cmd::cargo::cargo_bin("trawl");
    let mut child = std::process::Command::new(bin)
        .args([&tree.root(), "rs", "needle"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        output.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs trawl on a pseudo-terminal through util-linux's `script` (Debian's essential
/// `bsdutils` package: every Linux machine that runs these tests has it).
#[cfg(target_os = "linux")]
fn trawl_on_terminal(args: &[&str]) -> Run {
    let bin = assert_cmd::cargo::cargo_bin("trawl");
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut command = quote(bin.to_str().expect("a UTF-8 path to the binary"));
    for arg in args {
        command.push(' ');
        command.push_str(&quote(arg));
    }
    let output = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux `script` runs (it provides the terminal)");
    Run {
        code: output.status.code().expect("script exits with a code"),
        // The terminal turns each `\n` into `\r\n`.
        stdout: String::from_utf8(output.stdout)
            .expect("UTF-8 output")
            .replace("\r\n", "\n"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 standard error"),
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_terminal_gets_grouped_coloured_output() {
    let tree = Tree::new();
    tree.file("a.rs", "x needle\n");
    let run = trawl_on_terminal(&[&tree.root(), "rs", "needle"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.stdout.contains("\u{1b}["), "coloured: {:?}", run.stdout);
    assert_eq!(
        strip_ansi(&run.stdout),
        format!("{}\n1:3:x needle\n", tree.shown("a.rs")),
        "grouped under the path"
    );

    let run = trawl_on_terminal(&["--color", "never", &tree.root(), "rs", "needle"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.stdout,
        format!("{}\n1:3:x needle\n", tree.shown("a.rs"))
    );

    let run = trawl_on_terminal(&[
        "--no-heading",
        "--color",
        "never",
        &tree.root(),
        "rs",
        "needle",
    ]);
    assert_eq!(run.stdout, format!("{}:1:3:x needle\n", tree.shown("a.rs")));

    let run = trawl_on_terminal(&[&tree.root(), "rs", "absent"]);
    assert_nothing_found(&run);
}

#[test]
fn the_last_of_heading_and_no_heading_or_of_ignore_case_and_smart_case_wins() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\nNeedle\n");
    let a = tree.shown("a.rs");
    let root = tree.root();
    let run = trawl_found(&["--no-heading", "--heading", &root, "rs", "needle"]);
    assert_eq!(run.stdout, format!("{a}\n1:1:needle\n"));

    let run = trawl_found(&["-i", "-S", &root, "rs", "Needle"]);
    assert_eq!(run.stdout, format!("{a}:2:1:Needle\n"), "-S last: smart");
    let run = trawl_found(&["-S", "-i", &root, "rs", "Needle"]);
    assert_eq!(
        run.stdout,
        format!("{a}:1:1:needle\n{a}:2:1:Needle\n"),
        "-i last: insensitive"
    );
}

#[cfg(unix)]
#[test]
fn a_root_given_through_a_link_or_hidden_is_searched_but_a_fifo_root_is_an_error() {
    use std::os::unix::fs::symlink;
    let tree = Tree::new();
    tree.file("real/a.rs", "needle\n");
    tree.file(".hidden/b.rs", "needle\n");
    symlink(tree.path().join("real"), tree.path().join("link")).unwrap();
    symlink(
        tree.path().join("real/a.rs"),
        tree.path().join("file_link.rs"),
    )
    .unwrap();

    let link = tree.shown("link");
    let run = trawl_found(&[&link, "rs", "needle"]);
    assert_eq!(run.stdout, format!("{link}/a.rs:1:1:needle\n"));

    let file_link = tree.shown("file_link.rs");
    let run = trawl_found(&[&file_link, "rs", "needle"]);
    assert_eq!(run.stdout, format!("{file_link}:1:1:needle\n"));

    let hidden = tree.shown(".hidden");
    let run = trawl_found(&[&hidden, "rs", "needle"]);
    assert_eq!(run.stdout, format!("{hidden}/b.rs:1:1:needle\n"));

    let fifo = tree.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let message = trawl_one_line_error(&[fifo, "*", "needle"]);
    assert!(message.contains(fifo), "{message}");
}

#[test]
fn compound_extensions_and_spaces_after_commas() {
    let tree = Tree::new();
    tree.files(&["a.tar.gz", "b.gz", "c.tar", "d.rs"], "needle\n");
    let run = trawl_found(&[&tree.root(), "tar.gz", "needle"]);
    assert_eq!(run.sorted_lines(), tree.needle_rows(&["a.tar.gz"]));
    let run = trawl_found(&[&tree.root(), "gz", "needle"]);
    assert_eq!(run.sorted_lines(), tree.needle_rows(&["a.tar.gz", "b.gz"]));
    let run = trawl_found(&[&tree.root(), "tar, rs", "needle"]);
    assert_eq!(run.sorted_lines(), tree.needle_rows(&["c.tar", "d.rs"]));
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_an_error() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\n");
    // Every write to /dev/full fails with "no space left on device".
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("trawl"))
        .args([&tree.root(), "rs", "needle"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("trawl:"), "{stderr:?}");
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
}

/// A file without read permission is an error object and one `trawl: PATH: reason` line while
/// the rest is searched. Root reads such a file anyway, so as root (CI) trawl runs as `nobody`.
#[cfg(unix)]
#[test]
fn a_file_without_permission_is_an_error_object_and_an_exact_line() {
    let tree = Tree::new();
    unprivileged::open_to_everyone(tree.path());
    tree.file("good.rs", "needle\n");
    let locked = tree.file("locked.rs", "needle\n");
    let _locked = unprivileged::Locked::new(&locked, 0o644);
    let run_unprivileged = |args: &[&str]| {
        run_cmd(
            Command::from_std(unprivileged::trawl_command(tree.path()))
                .env_remove("NO_COLOR")
                .env_remove("TERM")
                .timeout(Duration::from_secs(60))
                .args(args),
        )
    };

    let run = run_unprivileged(&["--json", &tree.root(), "rs", "needle"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let objects = run.json();
    let errors: Vec<&Value> = objects.iter().filter(|o| o["type"] == "error").collect();
    assert_eq!(errors.len(), 1, "{}", run.stdout);
    assert_eq!(errors[0]["path"], tree.shown("locked.rs").as_str());
    assert_eq!(errors[0]["message"], "permission denied", "{}", errors[0]);
    let summary = objects.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["errors"], 1);
    assert_eq!(summary["files_matched"], 1);
    assert_eq!(
        run.stderr,
        format!("trawl: {}: permission denied\n", tree.shown("locked.rs"))
    );

    let run = run_unprivileged(&[&tree.root(), "rs", "needle"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.stdout,
        format!("{}:1:1:needle\n", tree.shown("good.rs"))
    );
    assert_eq!(
        run.stderr,
        format!("trawl: {}: permission denied\n", tree.shown("locked.rs"))
    );

    let run = run_unprivileged(&[&tree.shown("locked.rs"), "rs", "needle"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:#?}");
    assert_eq!(
        run.stderr,
        format!("trawl: {}: permission denied\n", tree.shown("locked.rs"))
    );

    // A replace reports it with the same line.
    let run = run_unprivileged(&[&tree.root(), "rs", "needle", "-r", "pin", "--diff"]);
    assert_eq!(
        run.stderr,
        format!("trawl: {}: permission denied\n", tree.shown("locked.rs")),
        "{run:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// README promises
// ---------------------------------------------------------------------------------------------

/// `trawl` and `trawl DIR` open the window (README): with no display to open it on, that is
/// what they try and say, where `trawl DIR EXT` is a usage error of the command line.
#[cfg(all(feature = "gui", target_os = "linux"))]
#[test]
fn no_arguments_or_only_a_folder_open_the_window() {
    let tree = Tree::new();
    tree.file("a.rs", "needle\n");
    let data = Tree::new();
    let without_display = |args: &[&str]| {
        run_cmd(
            trawl_cmd()
                .env_remove("DISPLAY")
                .env_remove("WAYLAND_DISPLAY")
                .env_remove("WAYLAND_SOCKET")
                // Where the window would keep its state, should it get that far.
                .env("XDG_DATA_HOME", data.path())
                .env("XDG_CONFIG_HOME", data.path())
                .args(args),
        )
    };
    for args in [&[][..], &[tree.root().as_str()][..]] {
        let run = without_display(args);
        assert_eq!(run.code, 2, "{args:?}: {run:#?}");
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(
            run.stderr.starts_with("trawl: could not open the window: "),
            "{args:?}: {:?}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("The command line works without one: trawl DIR EXT PATTERN"),
            "{:?}",
            run.stderr
        );
    }
    // Two arguments are the command line's, missing its pattern.
    let run = without_display(&[&tree.root(), "rs"]);
    let message = assert_one_line_error(&run);
    assert!(!message.contains("window"), "{message}");
    assert!(message.contains("required arguments"), "{message}");
    // A lone flag is the command line's too.
    let run = without_display(&["--version"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.stdout.starts_with("trawl "), "{}", run.stdout);
}

/// README: patterns run in ripgrep's `--crlf` mode, so `.` does not match a `\r` (inside a
/// line or before its `\n`), while `\r` itself still can be searched for.
#[test]
fn dot_never_matches_a_carriage_return() {
    let tree = Tree::new();
    tree.file("a.rs", "a\rb\naxb\r\nend\r\n");
    let a = tree.shown("a.rs");
    let run = trawl_found(&[&tree.root(), "rs", "a.b"]);
    assert_eq!(run.stdout, format!("{a}:2:1:axb\n"));
    let run = trawl(&[&tree.root(), "rs", "d."]);
    assert_nothing_found(&run);
    let run = trawl_found(&["--json", &tree.root(), "rs", r"a\rb"]);
    let objects = run.json();
    assert_eq!(objects[0]["line"], 1);
    assert_eq!(objects[0]["length"], 3);
}

/// README: unreadable files are reported on standard error as `trawl: PATH: reason` while the
/// search goes on: exactly that line, one per path.
#[cfg(unix)]
#[test]
fn an_unreadable_path_is_exactly_one_trawl_path_reason_line() {
    let tree = Tree::new();
    tree.file("good.rs", "needle\n");
    std::os::unix::fs::symlink(tree.path().join("nowhere"), tree.path().join("gone.rs"))
        .expect("symlink");
    let run = trawl(&["-L", &tree.root(), "rs", "needle"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.stdout,
        format!("{}:1:1:needle\n", tree.shown("good.rs"))
    );
    assert_eq!(
        run.stderr,
        format!(
            "trawl: {}: not found (removed during the search, or a broken link)\n",
            tree.shown("gone.rs")
        )
    );
}
