//! `trawl --generate KIND`, as README.md's "Command line" section describes it: each kind exits 0
//! and prints something its consumer takes, naming every long flag `--help` lists. bash runs its
//! script (bash is on every Debian machine); zsh, fish and PowerShell are not installed here, so
//! their scripts are checked for the structure those shells read.

use std::collections::BTreeSet;
use std::process::Output;

use assert_cmd::Command;

/// Every kind `--generate` takes.
const KINDS: [&str; 5] = [
    "man",
    "complete-bash",
    "complete-zsh",
    "complete-fish",
    "complete-powershell",
];

fn trawl(args: &[&str]) -> Output {
    Command::cargo_bin("trawl")
        .expect("the trawl binary")
        .args(args)
        .output()
        .expect("run trawl")
}

/// `trawl --generate KIND`'s standard output, after checking it exited 0 with nothing on
/// standard error.
fn generate(kind: &str) -> String {
    let out = trawl(&["--generate", kind]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "--generate {kind}: {stderr}");
    assert_eq!(stderr, "", "--generate {kind} wrote to standard error");
    let text = String::from_utf8(out.stdout).expect("generated files are UTF-8");
    assert!(!text.trim().is_empty(), "--generate {kind} printed nothing");
    text
}

/// The long flags `trawl --help` lists (`--ignore-case`, …, `--help`, `--version`).
fn long_flags() -> BTreeSet<String> {
    let out = trawl(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).expect("help is UTF-8");
    let flag = regex::Regex::new(r"^\s+(?:-[A-Za-z], )?(--[a-z][a-z-]*)").expect("regex");
    let flags: BTreeSet<String> = help
        .lines()
        .filter_map(|line| flag.captures(line).map(|c| c[1].to_string()))
        .collect();
    // A broken pattern would make every test below pass on nothing.
    for expected in [
        "--ignore-case",
        "--glob",
        "--max-columns",
        "--generate",
        "--help",
    ] {
        assert!(flags.contains(expected), "{expected} not found in --help");
    }
    assert!(
        flags.len() >= 20,
        "too few flags read from --help: {flags:?}"
    );
    flags
}

fn assert_names_every_flag(kind: &str, text: &str, shown: impl Fn(&str) -> String) {
    let missing: Vec<String> = long_flags()
        .into_iter()
        .filter(|flag| !text.contains(&shown(flag)))
        .collect();
    assert!(missing.is_empty(), "{kind} lacks {missing:?}");
}

#[test]
fn every_kind_exits_0_with_output() {
    for kind in KINDS {
        generate(kind);
    }
}

#[test]
fn the_man_page_starts_with_th_and_names_every_flag_and_argument() {
    let man = generate("man");
    // roff's preamble before the title defines the apostrophe string (`\*(Aq`), as every
    // clap_mangen page does; comments are allowed too; anything else would come before the title.
    let mut lines = man.lines();
    let title = lines
        .by_ref()
        .find(|line| {
            let preamble = line.starts_with(r#".\""#)
                || *line == r".ie \n(.g .ds Aq \(aq"
                || *line == ".el .ds Aq '";
            !preamble
        })
        .expect("a line after the preamble");
    assert!(
        title.starts_with(".TH trawl 1 "),
        "first request: {title:?}"
    );
    let version = env!("CARGO_PKG_VERSION");
    assert!(title.contains(&format!("trawl {version}")), "{title:?}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS"] {
        assert!(man.lines().any(|line| line == section), "no {section} line");
    }
    // roff writes a hyphen as `\-`.
    let text = man.replace(r"\-", "-");
    assert_names_every_flag("the man page", &text, |flag| flag.to_string());
    for argument in ["DIR", "EXT", "PATTERN"] {
        assert!(text.contains(&format!(r"<\fI{argument}\fR>")), "{argument}");
    }
    // The contract's exit codes are part of the description.
    assert!(text.contains("Exit codes: 0 found, 1 none, 2 error."));
}

#[test]
fn bash_parses_the_bash_completion_and_it_completes_flags_and_kinds() {
    let script = generate("complete-bash");
    assert_names_every_flag("the bash completion", &script, |flag| flag.to_string());
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("trawl.bash");
    std::fs::write(&path, &script).expect("write the script");
    let path = path.to_str().expect("UTF-8 temp path");

    let syntax = std::process::Command::new("bash")
        .args(["-n", path])
        .output()
        .expect("run bash -n");
    assert!(
        syntax.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );

    // Load it as bash-completion would and ask it what it completes, the way bash calls it:
    // the function gets the command, the word being completed and the word before it.
    let complete = |words: &str, cword: usize, cur: &str, prev: &str| -> String {
        let program = format!(
            "source '{path}' && complete -p trawl && COMP_WORDS=({words}) && COMP_CWORD={cword} \
             && _trawl trawl '{cur}' '{prev}' && printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let out = std::process::Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &program])
            .output()
            .expect("run bash");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{program}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let flags = complete("trawl --gen", 1, "--gen", "trawl");
    assert!(
        flags.starts_with("complete ") && flags.contains(" -F _trawl trawl\n"),
        "{flags}"
    );
    assert!(flags.lines().any(|line| line == "--generate"), "{flags}");
    let kinds = complete("trawl --generate ''", 2, "", "--generate");
    for kind in KINDS {
        assert!(kinds.lines().any(|line| line == kind), "{kind}: {kinds}");
    }
}

#[test]
fn the_zsh_completion_is_a_compdef_function_naming_every_flag() {
    let script = generate("complete-zsh");
    assert!(script.starts_with("#compdef trawl\n"), "{script:.40}");
    assert!(script.contains("\n_trawl() {\n"));
    assert!(script.contains("compdef _trawl trawl"));
    // `_arguments` specs are quoted words: `'--json[…]'`, `'*--glob=[…]'` (repeatable).
    let specs = script.replace("'*-", "'-");
    assert_names_every_flag("the zsh completion", &specs, |flag| format!("'{flag}"));
    assert!(script.contains(":dir -- "), "DIR completes");
    assert_balanced_single_quotes("the zsh completion", &script);
}

#[test]
fn the_fish_completion_is_complete_commands_naming_every_flag() {
    let script = generate("complete-fish");
    // Each command is `complete -c trawl …`; a value list in double quotes may continue over
    // the next lines.
    let mut in_values = false;
    for line in script.lines().filter(|line| !line.is_empty()) {
        if !in_values {
            assert!(line.starts_with("complete -c trawl "), "{line:?}");
        }
        if line.matches('"').count() % 2 == 1 {
            in_values = !in_values;
        }
    }
    assert!(!in_values, "an unclosed value list");
    assert_names_every_flag("the fish completion", &script, |flag| {
        format!(" -l {}", flag.trim_start_matches("--"))
    });
}

#[test]
fn the_powershell_completion_registers_trawl_naming_every_flag() {
    let script = generate("complete-powershell");
    assert!(script.contains("Register-ArgumentCompleter -Native -CommandName 'trawl'"));
    assert_names_every_flag("the PowerShell completion", &script, |flag| {
        format!("[CompletionResult]::new('{flag}'")
    });
    let opened = script.matches('{').count();
    let closed = script.matches('}').count();
    assert_eq!(opened, closed, "unbalanced braces");
}

/// zsh's quoting as clap_complete writes it: single-quoted words, a quote inside one written
/// `'\''`. An odd count of quotes outside that escape would leave a word open.
fn assert_balanced_single_quotes(kind: &str, script: &str) {
    let quotes = script.replace(r"'\''", "").matches('\'').count();
    assert_eq!(quotes % 2, 0, "{kind}: unbalanced single quotes");
}

#[test]
fn an_unknown_kind_exits_2_naming_the_valid_ones() {
    let out = trawl(&["--generate", "manpage"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.starts_with("trawl: invalid value 'manpage' for '--generate <KIND>'"));
    assert!(stderr.contains(&format!("possible values: {}", KINDS.join(", "))));
}

#[test]
fn generate_is_given_alone() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path().to_str().expect("UTF-8 temp path");
    let out = trawl(&["--generate", "man", root, "rs", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("'--generate <KIND>' cannot be used with"),
        "{stderr}"
    );
}

#[test]
fn version_and_help_print_and_exit_0_without_a_window() {
    let out = trawl(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("trawl {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = trawl(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--generate <KIND>"));
}
