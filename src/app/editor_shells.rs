//! Editor templates that hand a script to a shell: `sh -c '… {path} …'`.
//!
//! trawl starts the editor command directly, each placeholder filled into one argument word, so
//! no file name can add an argument. But when the program is a shell given a script (`sh -c`,
//! `bash -c`, `zsh -c`, `dash -c`, `cmd /c`, `powershell -Command`, `pwsh -Command`), the word
//! holding the placeholder is shell code: a file named `semi;$(touch x).rs` would run `touch`.
//! Quoting a value for a shell is only safe where the quoting context is known, which a script
//! can hide in many ways (here-documents, `eval`, backquotes), so such a template is refused,
//! with the safe form shown: the values as the script's arguments (`sh -c '… "$1" …' sh {path}`),
//! where the shell never reads them as code.

/// The placeholders, in the order a safe form passes them.
const PLACEHOLDERS: [&str; 3] = ["{path}", "{line}", "{column}"];

/// A placeholder inside a script a shell runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellScript {
    /// The shell and its script option as written (`sh -c`, `cmd /c`).
    pub shell: String,
    /// The first placeholder found in the script.
    pub placeholder: &'static str,
    /// The template rewritten so that the values are the script's arguments, when one can be
    /// written; else how to do it, in words.
    pub safe: SafeForm,
}

/// What to use instead of a refused template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SafeForm {
    /// A template that does the same with the values as arguments.
    Template(String),
    /// No equivalent template: what to do instead.
    Advice(String),
}

impl std::fmt::Display for SafeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SafeForm::Template(template) => write!(f, "use {template}"),
            SafeForm::Advice(advice) => f.write_str(advice),
        }
    }
}

/// Which shell a program name is, for the families whose script syntax differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shell {
    /// sh and the shells that take its `-c SCRIPT NAME ARGS…` (arguments in `$1`, `$2`, …).
    Posix,
    /// fish: `-c SCRIPT ARGS…`, arguments in `$argv[1]`, …
    Fish,
    /// Windows' cmd: `/c` runs the rest of the line.
    Cmd,
    /// PowerShell: `-Command` runs the rest of the line; `powershell` (5.x) runs its first
    /// word that is not a parameter as a command too.
    Pwsh { classic: bool },
}

fn shell_of(word: &str) -> Option<Shell> {
    let name = word.rsplit(['/', '\\']).next().unwrap_or(word);
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    Some(match name {
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "mksh" | "ash" | "yash" | "rbash" | "lksh" => {
            Shell::Posix
        }
        "fish" => Shell::Fish,
        "cmd" => Shell::Cmd,
        "powershell" => Shell::Pwsh { classic: true },
        "pwsh" => Shell::Pwsh { classic: false },
        _ => return None,
    })
}

/// The first placeholder in `word`.
fn placeholder_in(word: &str) -> Option<&'static str> {
    PLACEHOLDERS
        .into_iter()
        .filter_map(|p| word.find(p).map(|at| (at, p)))
        .min()
        .map(|(_, p)| p)
}

/// Looks for a shell among `words` (the program and its arguments, a shell started through
/// `env`, `nohup` or a terminal's `-e` included) that is given a script holding a placeholder.
pub fn find(words: &[String]) -> Option<ShellScript> {
    (0..words.len()).find_map(|at| {
        let shell = shell_of(&words[at])?;
        match shell {
            Shell::Posix | Shell::Fish => posix_script(words, at, shell),
            Shell::Cmd => rest_of_line(words, at, shell, |word| {
                let lower = word.to_ascii_lowercase();
                lower == "/c" || lower == "/k"
            }),
            Shell::Pwsh { classic } => powershell_script(words, at, classic),
        }
    })
}

/// A POSIX shell or fish at `words[at]`: with a `-c` among its options, the first word after
/// them is the script.
fn posix_script(words: &[String], at: usize, shell: Shell) -> Option<ShellScript> {
    let mut command = false;
    let mut i = at + 1;
    while let Some(word) = words.get(i) {
        if word == "--" {
            i += 1;
            break;
        }
        if word.starts_with("--") {
            // bash's long options; two of them take a value.
            if matches!(word.as_str(), "--rcfile" | "--init-file") {
                i += 1;
            }
            if word == "--command" {
                command = true;
            }
        } else if let Some(letters) = word.strip_prefix(['-', '+']) {
            if letters.is_empty() {
                break;
            }
            command |= word.starts_with('-') && letters.contains('c');
            // `-o NAME` and bash's `-O NAME` take the next word.
            if letters.ends_with(['o', 'O']) {
                i += 1;
            }
        } else {
            break;
        }
        i += 1;
    }
    if !command {
        return None;
    }
    let script = words.get(i)?;
    let placeholder = placeholder_in(script)?;
    Some(ShellScript {
        shell: format!("{} -c", words[at]),
        placeholder,
        safe: SafeForm::Template(posix_safe_form(words, at, i, shell)),
    })
}

/// The template with the script's placeholders made its arguments: `"$1"` and the value after
/// the script's name (sh), or `$argv[1]` (fish).
fn posix_safe_form(words: &[String], shell_at: usize, script_at: usize, shell: Shell) -> String {
    // sh's first word after the script is `$0`; the arguments follow it.
    let mut args: Vec<String> = words[script_at + 1..].to_vec();
    if shell == Shell::Posix && args.is_empty() {
        args.push(
            words[shell_at]
                .rsplit('/')
                .next()
                .unwrap_or("sh")
                .to_string(),
        );
    }
    let first_number = match shell {
        Shell::Fish => args.len() + 1,
        _ => args.len(),
    };
    let mut numbers: Vec<(&str, usize)> = Vec::new();
    let script = rewrite(&words[script_at], |placeholder| {
        let number = match numbers.iter().find(|(p, _)| *p == placeholder) {
            Some((_, n)) => *n,
            None => {
                let n = first_number + numbers.len();
                numbers.push((placeholder, n));
                n
            }
        };
        match shell {
            Shell::Fish => format!("$argv[{number}]"),
            _ => format!("${number}"),
        }
    });
    args.extend(numbers.iter().map(|(p, _)| p.to_string()));
    let mut safe: Vec<String> = words[..script_at].to_vec();
    safe.push(script);
    safe.extend(args);
    join(safe.iter().map(String::as_str))
}

/// Words joined into a template that splits back into them, quoting only the words that
/// need it (placeholders stay as they are typed).
fn join<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./{}-".contains(c);
    words
        .into_iter()
        .map(|word| {
            if !word.is_empty() && word.chars().all(plain) {
                word.to_string()
            } else {
                shlex::try_quote(word).map_or_else(|_| word.to_string(), |q| q.into_owned())
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `script` with each placeholder replaced by the variable `variable` names, quoted for where it
/// stands: `"$1"` outside quotes, `$1` inside double quotes, `'"$1"'` inside single quotes.
fn rewrite(script: &str, mut variable: impl FnMut(&'static str) -> String) -> String {
    #[derive(PartialEq)]
    enum Quote {
        None,
        Single,
        Double,
    }
    let mut out = String::with_capacity(script.len() + 16);
    let mut quote = Quote::None;
    let mut rest = script;
    while let Some(c) = rest.chars().next() {
        if let Some(placeholder) = PLACEHOLDERS.into_iter().find(|p| rest.starts_with(p)) {
            let value = variable(placeholder);
            match quote {
                Quote::None => out.push_str(&format!("\"{value}\"")),
                Quote::Double => out.push_str(&value),
                Quote::Single => out.push_str(&format!("'\"{value}\"'")),
            }
            rest = &rest[placeholder.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
        match (c, &quote) {
            ('\'', Quote::None) => quote = Quote::Single,
            ('\'', Quote::Single) => quote = Quote::None,
            ('"', Quote::None) => quote = Quote::Double,
            ('"', Quote::Double) => quote = Quote::None,
            // An escaped character is taken as it is (not inside single quotes).
            ('\\', Quote::None | Quote::Double) => {
                if let Some(next) = rest.chars().next() {
                    out.push(next);
                    rest = &rest[next.len_utf8()..];
                }
            }
            _ => {}
        }
    }
    out
}

/// A shell that runs every word after its script switch as one command line (cmd's `/c`).
fn rest_of_line(
    words: &[String],
    at: usize,
    shell: Shell,
    is_switch: impl Fn(&str) -> bool,
) -> Option<ShellScript> {
    let switch = (at + 1..words.len()).find(|&i| is_switch(&words[i]))?;
    let placeholder = words[switch + 1..].iter().find_map(|w| placeholder_in(w))?;
    let rest: Vec<&str> = words[switch + 1..].iter().map(String::as_str).collect();
    let safe = match shell {
        Shell::Cmd => cmd_safe_form(&rest),
        _ => powershell_advice(),
    };
    Some(ShellScript {
        shell: format!("{} {}", words[at], words[switch]),
        placeholder,
        safe,
    })
}

/// cmd's line started directly, without cmd: `cmd /c code -g {path}` is `code -g {path}`;
/// `cmd /c start "" {path}` opens the file, as `explorer {path}` does.
fn cmd_safe_form(rest: &[&str]) -> SafeForm {
    let mut rest = rest;
    if rest
        .first()
        .is_some_and(|w| w.eq_ignore_ascii_case("start"))
    {
        rest = &rest[1..];
        if rest.first().is_some_and(|w| w.is_empty()) {
            rest = &rest[1..];
        }
    }
    match rest.first() {
        Some(program) if placeholder_in(program).is_none() => {
            SafeForm::Template(join(rest.iter().copied()))
        }
        _ => SafeForm::Template("explorer {path}".into()),
    }
}

fn powershell_advice() -> SafeForm {
    SafeForm::Advice(
        "PowerShell reads every word after -Command as its script: put the script in a file \
         and pass the values as its arguments, pwsh -NoProfile -File script.ps1 {path} {line} \
         {column} (the script reads $args[0], $args[1], $args[2])"
            .into(),
    )
}

/// PowerShell at `words[at]`: after `-Command` (any abbreviation, any case), or, for Windows
/// PowerShell 5, after the first word that is not a parameter, the rest is its script.
fn powershell_script(words: &[String], at: usize, classic: bool) -> Option<ShellScript> {
    // Parameters that take the next word as their value.
    const WITH_VALUE: [&str; 12] = [
        "executionpolicy",
        "ep",
        "ex",
        "windowstyle",
        "w",
        "configurationname",
        "workingdirectory",
        "wd",
        "settingsfile",
        "inputformat",
        "outputformat",
        "psconsolefile",
    ];
    let mut i = at + 1;
    while let Some(word) = words.get(i) {
        let Some(name) = word.strip_prefix(['-', '/']) else {
            // pwsh takes a bare word as the file to run (`-File`); powershell as a command.
            if !classic {
                return None;
            }
            break;
        };
        let name = name.to_ascii_lowercase();
        let name = name.split(':').next().unwrap_or_default();
        if !name.is_empty() && "command".starts_with(name) {
            i += 1;
            break;
        }
        if name == "file" || name == "f" {
            return None;
        }
        if WITH_VALUE.contains(&name) {
            i += 1;
        }
        i += 1;
    }
    let placeholder = words.get(i..)?.iter().find_map(|w| placeholder_in(w))?;
    Some(ShellScript {
        shell: match words.get(i.wrapping_sub(1)) {
            Some(switch) if i > at + 1 && switch.starts_with(['-', '/']) => {
                format!("{} {switch}", words[at])
            }
            _ => words[at].clone(),
        },
        placeholder,
        safe: powershell_advice(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(template: &str) -> Option<ShellScript> {
        find(&shlex::split(template).expect("valid"))
    }

    fn safe(template: &str) -> String {
        match check(template).expect("refused").safe {
            SafeForm::Template(t) => t,
            SafeForm::Advice(a) => a,
        }
    }

    #[test]
    fn placeholders_in_a_shell_script_are_refused_for_every_shell_form() {
        for template in [
            "sh -c 'echo {path} {line} {column} >> log'",
            "bash -c 'code -g {path}:{line}'",
            "/bin/bash -lc 'vim +{line} {path}'",
            "zsh -c \"emacs +{line} {path}\"",
            "dash -c 'x {path}'",
            "env FOO=1 sh -c 'x {path}'",
            "xterm -e sh -ec 'vim {path}'",
            "fish -c 'vim {path}'",
            "cmd /c start \"\" {path}",
            "CMD.EXE /C notepad {path}",
            "powershell -Command \"code -g {path}\"",
            "powershell -NoProfile -c code {path}",
            "powershell code {path}",
            "pwsh -Command code {path}",
            "pwsh.exe -NoLogo -com \"& code {path}\"",
        ] {
            let found = check(template).unwrap_or_else(|| panic!("{template} is refused"));
            assert!(PLACEHOLDERS.contains(&found.placeholder), "{template}");
        }
    }

    #[test]
    fn placeholders_outside_the_script_and_scripts_without_them_are_fine() {
        for template in [
            "sh -c 'echo \"$1\"' sh {path}",
            "sh -c 'printf \"%s\\n\" \"$@\" > \"$0\"' /tmp/out {path} {line} {column}",
            "bash script.sh {path}",
            "sh -e ./open.sh {path}",
            "code -g {path}:{line}:{column}",
            "x-terminal-emulator -e vim +{line} {path}",
            "pwsh -File open.ps1 {path}",
            "pwsh open.ps1 {path}",
            "cmd /c open.bat",
            "shell-tool -c {path}",
        ] {
            assert_eq!(check(template), None, "{template}");
        }
    }

    #[test]
    fn the_safe_form_passes_the_values_as_arguments() {
        assert_eq!(
            safe("sh -c 'echo {path} {line} {column} >> log'"),
            r#"sh -c 'echo "$1" "$2" "$3" >> log' sh {path} {line} {column}"#
        );
        assert_eq!(
            safe("sh -c 'x {line}' name {path}"),
            r#"sh -c 'x "$2"' name {path} {line}"#
        );
        assert_eq!(
            safe("fish -c 'vim +{line} {path}'"),
            r#"fish -c 'vim +"$argv[1]" "$argv[2]"' {line} {path}"#
        );
        assert_eq!(
            safe("cmd /c code -g {path}:{line}"),
            "code -g {path}:{line}"
        );
        assert_eq!(safe("cmd /c start \"\" {path}"), "explorer {path}");
        assert!(safe("pwsh -Command code {path}").contains("-File script.ps1 {path}"));
    }

    /// The safe forms, run by each POSIX shell installed, with a file name that would run
    /// `touch` if a shell read it as code: the values arrive exactly, and nothing runs.
    #[cfg(unix)]
    #[test]
    fn safe_forms_run_by_each_shell_never_run_a_file_name() {
        use crate::app::editor::EditorCommand;
        let dir = tempfile::tempdir().expect("temp dir");
        let base = dir.path().to_str().expect("UTF-8 temp path");
        assert!(!base.contains(['\'', '"', '$', ' ']), "a plain temp path");
        let name = dir.path().join("semi;$(touch x).rs `touch y` 'q\"");
        let mut ran = 0;
        for shell in ["sh", "bash", "dash", "zsh", "ksh", "mksh"] {
            let installed = std::process::Command::new(shell)
                .args(["-c", "exit 0"])
                .status()
                .is_ok_and(|s| s.success());
            if !installed {
                continue;
            }
            ran += 1;
            for (n, script) in [
                "printf '%s\\n' {path} {line} {column} > OUT",
                "printf \"%s\\n\" \"{path}\" \"{line}\" {column} > OUT",
                "printf '%s\\n' '{path}' '{line}' '{column}' > OUT",
            ]
            .iter()
            .enumerate()
            {
                let out = format!("{base}/{shell}-{n}");
                let template = format!(
                    "{shell} -c {}",
                    shlex::try_quote(&script.replace("OUT", &out)).expect("quotable")
                );
                let err = EditorCommand::parse(&template).expect_err("refused");
                let safe = err.safe_template().expect("a safe form").to_string();
                EditorCommand::parse(&safe)
                    .unwrap_or_else(|e| panic!("{safe}: {e}"))
                    .spawn(&name, 7, 3)
                    .expect("the shell starts");
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                let written = loop {
                    let text = std::fs::read_to_string(&out).unwrap_or_default();
                    if text.lines().count() == 3 || std::time::Instant::now() > deadline {
                        break text;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                };
                assert_eq!(
                    written.lines().collect::<Vec<_>>(),
                    [name.to_str().expect("UTF-8"), "7", "3"],
                    "{safe}"
                );
            }
        }
        assert!(ran > 0, "no POSIX shell to run");
        let cwd = std::env::current_dir().expect("cwd");
        for touched in ["x", "y"] {
            assert!(!dir.path().join(touched).exists());
            assert!(!cwd.join(touched).exists(), "{touched} was created");
        }
    }
}
