//! Opening a match in the person's editor.
//!
//! The command is a template such as `code -g {path}:{line}:{column}`. It is split into a
//! program and its arguments with shell quoting rules (the `shlex` crate) *before* the
//! placeholders are filled in, and the program is started directly with that argument list,
//! never through a shell: a file named `a; rm -rf x` or `$(reboot).rs` stays one argument and
//! is never run. The program word itself takes no placeholder, so a searched file can never
//! become the program that is started.
//!
//! With no command set, the default comes from `$VISUAL`, then `$EDITOR`, when it names a
//! known desktop editor (mapped to that editor's line:column syntax). Terminal editors (vim,
//! nano, …) are passed over: the window has no terminal to run them in, and guessing a terminal
//! emulator would open the wrong one as often as the right one. Then the desktop's opener
//! (`xdg-open`, `open`, `explorer`) opens the file, without a line. A person who wants vim can
//! set, for example, `x-terminal-emulator -e vim +{line} {path}`.
//!
//! A match inside an archive (`a.zip!/src/x.rs`) has no file to open: its member is copied,
//! off the UI thread, to a read-only file in a temporary folder of trawl's (named as the
//! member, so that the editor knows its kind), and the editor opens that at the line and
//! column. The row's menu says so.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::app::editor_shells::{SafeForm, ShellScript};
use crate::app::job::{Job, Polled};
use crate::app::member::read_only_copy;
use crate::app::results::ResultsModel;

/// The placeholders a template may use, as shown in the settings.
pub const PLACEHOLDER_HELP: &str =
    "{path} the file, {line} the line (from 1), {column} the column in characters (from 1)";

/// Why a template cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Nothing but spaces (or a comment).
    #[error("the editor command is empty")]
    Empty,
    /// An unclosed quote or a trailing backslash.
    #[error("the editor command has an unclosed quote or ends with a backslash")]
    Unbalanced,
    /// A placeholder inside a script that a shell runs (`sh -c '… {path} …'`): a file name
    /// there would be read as shell code.
    #[error(
        "{} is inside the script `{}` runs, where a file name could run commands; {}",
        .0.placeholder, .0.shell, .0.safe
    )]
    InShellScript(ShellScript),
}

impl TemplateError {
    /// A template that does the same safely, when there is one.
    pub fn safe_template(&self) -> Option<&str> {
        match self {
            TemplateError::InShellScript(ShellScript {
                safe: SafeForm::Template(template),
                ..
            }) => Some(template),
            _ => None,
        }
    }
}

/// The program could not be started.
#[derive(Debug, thiserror::Error)]
#[error(
    "Could not start `{program}`: {reason}. Set the editor command in the Editor settings \
     (the Editor… button)."
)]
pub struct LaunchError {
    /// The program as the template names it.
    pub program: String,
    /// The system's reason, without its `(os error N)` suffix.
    pub reason: String,
}

/// A parsed editor command: the program and its argument words, placeholders still in them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditorCommand {
    program: String,
    args: Vec<String>,
}

impl EditorCommand {
    /// Splits `template` into words with shell quoting rules (nothing is expanded: no `$VAR`,
    /// no `~`, no globbing, since no shell runs it).
    pub fn parse(template: &str) -> Result<Self, TemplateError> {
        let words = shlex::split(template).ok_or(TemplateError::Unbalanced)?;
        if let Some(script) = crate::app::editor_shells::find(&words) {
            return Err(TemplateError::InShellScript(script));
        }
        let mut words = words.into_iter();
        let program = words.next().ok_or(TemplateError::Empty)?;
        if program.is_empty() {
            return Err(TemplateError::Empty);
        }
        Ok(EditorCommand {
            program,
            args: words.collect(),
        })
    }

    /// The program that is started.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// The argument list for `path` at `line`:`column`. A template that never says `{path}`
    /// gets the path as its last argument, so a bare `gedit` still opens the file.
    pub fn arguments(&self, path: &Path, line: u64, column: u32) -> Vec<OsString> {
        let line = line.to_string();
        let column = column.to_string();
        let mut args: Vec<OsString> = self
            .args
            .iter()
            .map(|word| substitute(word, path.as_os_str(), &line, &column))
            .collect();
        if !self.args.iter().any(|word| word.contains("{path}")) {
            args.push(path.as_os_str().to_owned());
        }
        args
    }

    /// Starts the editor on `path` at `line`:`column` and returns at once. The child is waited
    /// for on a small thread of its own, so that it leaves no zombie behind.
    pub fn spawn(&self, path: &Path, line: u64, column: u32) -> Result<(), LaunchError> {
        let mut command = Command::new(&self.program);
        command
            .args(self.arguments(path, line, column))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group: a Ctrl+C in the terminal trawl was started from must not
        // close the editor too.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().map_err(|err| LaunchError {
            program: self.program.clone(),
            reason: crate::search::without_os_error(&err),
        })?;
        // Should no thread start, the child is only reaped when trawl exits: harmless.
        let _ = std::thread::Builder::new()
            .name("trawl-editor".to_string())
            .spawn(move || {
                let _ = child.wait();
            });
        Ok(())
    }
}

/// Replaces the placeholders in one argument word. The path goes in as an `OsStr`, so a name
/// that is not UTF-8 reaches the editor exactly.
fn substitute(word: &str, path: &OsStr, line: &str, column: &str) -> OsString {
    let mut out = OsString::with_capacity(word.len() + path.len());
    let mut rest = word;
    while let Some(open) = rest.find('{') {
        out.push(&rest[..open]);
        let tail = &rest[open..];
        let (value, len): (&OsStr, usize) = if tail.starts_with("{path}") {
            (path, "{path}".len())
        } else if tail.starts_with("{line}") {
            (OsStr::new(line), "{line}".len())
        } else if tail.starts_with("{column}") {
            (OsStr::new(column), "{column}".len())
        } else {
            // Not a placeholder: a literal brace.
            (OsStr::new("{"), 1)
        };
        out.push(value);
        rest = &tail[len..];
    }
    out.push(rest);
    out
}

/// The desktop's opener for this platform: it opens the file in the person's chosen
/// application, without a line.
pub fn desktop_opener() -> &'static str {
    if cfg!(target_os = "macos") {
        "open {path}"
    } else if cfg!(windows) {
        // `cmd /C start` would go through a shell; explorer takes the path as it is.
        "explorer {path}"
    } else {
        "xdg-open {path}"
    }
}

/// The default command from the process environment.
pub fn default_template() -> String {
    default_template_with(|name| std::env::var(name).ok())
}

/// The default command, with the environment looked up through `var` (tests pass a map):
/// `$VISUAL`, then `$EDITOR`, when it names a known desktop editor; else the desktop opener.
/// The variable is split as a shell would (git runs it through `sh`), so a program path with
/// spaces is quoted there.
pub fn default_template_with(var: impl Fn(&str) -> Option<String>) -> String {
    for name in ["VISUAL", "EDITOR"] {
        let Some(value) = var(name) else {
            continue;
        };
        // The variable may carry options (`code --wait`): only its program is kept, since
        // the options were chosen for a terminal that waits, not for this window.
        let Some(program) = shlex::split(&value).and_then(|words| words.into_iter().next()) else {
            continue;
        };
        let Some(syntax) = editor_syntax(&program) else {
            continue;
        };
        if let Ok(quoted) = shlex::try_quote(&program) {
            return format!("{quoted} {syntax}");
        }
    }
    desktop_opener().to_string()
}

/// The arguments after the program that open a file at a line and column, for the desktop
/// editors known here; `None` for terminal editors and unknown programs.
fn editor_syntax(program: &str) -> Option<&'static str> {
    let name = Path::new(program)
        .file_name()?
        .to_str()?
        .to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    Some(match name {
        "code" | "code-insiders" | "codium" | "vscodium" | "cursor" => "-g {path}:{line}:{column}",
        "subl" | "sublime_text" | "zed" | "zeditor" | "atom" => "{path}:{line}:{column}",
        "gedit" | "emacs" => "+{line}:{column} {path}",
        // `-a ''` starts an Emacs server when none runs; `-c` opens a window, `-n` returns.
        "emacsclient" => "-c -n -a '' +{line}:{column} {path}",
        "kate" => "-l {line} -c {column} {path}",
        "mate" => "-l {line}:{column} {path}",
        "gvim" | "mvim" => "'+call cursor({line},{column})' {path}",
        "nvim-qt" => "{path} -- '+call cursor({line},{column})'",
        "idea" | "idea.sh" | "pycharm" | "clion" | "goland" | "webstorm" | "rustrover" => {
            "--line {line} --column {column} {path}"
        }
        // Terminal editors (vim, nvim, nano, …) and anything unknown.
        _ => return None,
    })
}

/// The template in effect: `set` (as typed in the settings), or `default` when it is empty.
pub(crate) fn template_in_effect<'a>(set: &'a str, default: &'a str) -> &'a str {
    let set = set.trim();
    if set.is_empty() { default } else { set }
}

/// Opening matches in the editor: the command used when none is set, whether its settings
/// are open, and why the last attempt failed.
pub(crate) struct Editor {
    /// The editor command used when none is set, from the environment at start.
    pub(crate) default: String,
    /// The "Editor settings" window is open.
    pub(crate) settings_open: bool,
    /// Why the editor could not be started last time (shown until the next attempt).
    pub(crate) error: Option<String>,
    /// A member of an archive being copied out for the editor (then the editor started), off
    /// the UI thread: the notice to show, or why it failed. A new attempt replaces it.
    copying: Option<Job<Result<String, String>>>,
}

impl Default for Editor {
    fn default() -> Self {
        Editor {
            default: default_template(),
            settings_open: false,
            error: None,
            copying: None,
        }
    }
}

impl Editor {
    /// Opens occurrence `index` of `results` with the command `set` in the settings (or the
    /// default). Returns the notice to show ("Opening … with …"); a failure is kept as
    /// [`Editor::error`] until the next attempt. A match inside an archive is opened in a
    /// read-only copy of its member, made on a thread of its own: its notice comes from
    /// [`poll`](Self::poll).
    pub(crate) fn open(
        &mut self,
        set: &str,
        results: &ResultsModel,
        index: usize,
        ctx: &egui::Context,
    ) -> Option<String> {
        let (Some(view), Some(location)) = (results.occurrence(index), results.location(index))
        else {
            return None;
        };
        let file = results.file(view.file)?;
        self.copying = None;
        let command = match EditorCommand::parse(template_in_effect(set, &self.default)) {
            Ok(command) => command,
            Err(err) => {
                self.error = Some(format!(
                    "The editor command cannot be used: {err}. Set it in the Editor settings \
                     (the Editor… button)."
                ));
                return None;
            }
        };
        if results.found().inside_archive(view.file) {
            let member = file.path.to_path_buf();
            let (line, column) = (view.line_number, view.column);
            let work = move |cancel: &std::sync::atomic::AtomicBool| {
                let shown = crate::app::results::shown_path(&member);
                let copy = read_only_copy(&member).map_err(|err| {
                    format!(
                        "{shown}: could not be copied out of its archive for the editor: {}.",
                        crate::search::without_os_error(&err)
                    )
                })?;
                // Nothing will show a copy when no editor starts: its folder goes.
                let forget = || {
                    if let Some(folder) = copy.parent() {
                        let _ = std::fs::remove_dir_all(folder);
                    }
                };
                if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                    forget();
                    return Err(String::new());
                }
                command.spawn(&copy, line, column).map_err(|err| {
                    forget();
                    err.to_string()
                })?;
                Ok(format!(
                    "Opening a read-only copy of {location} with {}",
                    command.program()
                ))
            };
            self.error = None;
            self.copying = Job::spawn("trawl-member-copy", ctx, work);
            if self.copying.is_none() {
                self.error = Some("The copy for the editor could not start (no thread).".into());
            }
            return None;
        }
        match command.spawn(file.path, view.line_number, view.column) {
            Ok(()) => {
                self.error = None;
                Some(format!("Opening {location} with {}", command.program()))
            }
            Err(err) => {
                self.error = Some(err.to_string());
                None
            }
        }
    }

    /// The notice of a read-only copy opened in the editor, once it is; a failure is kept as
    /// [`Editor::error`].
    pub(crate) fn poll(&mut self) -> Option<String> {
        let outcome = match self.copying.as_ref()?.poll() {
            Polled::Running | Polled::Update(_) => return None,
            Polled::Done(outcome) => outcome,
            Polled::Lost => Err("The copy for the editor failed; try again.".into()),
        };
        self.copying = None;
        match outcome {
            Ok(notice) => Some(notice),
            // Cancelled: a newer attempt replaced it.
            Err(message) if message.is_empty() => None,
            Err(message) => {
                self.error = Some(message);
                None
            }
        }
    }

    /// Whether a member of an archive is being copied out for the editor.
    pub(crate) fn is_copying(&self) -> bool {
        self.copying.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn args(template: &str, path: &str) -> Vec<String> {
        let command = EditorCommand::parse(template).expect("valid template");
        let mut all = vec![command.program().to_string()];
        all.extend(
            command
                .arguments(Path::new(path), 12, 5)
                .into_iter()
                .map(|a| a.into_string().expect("UTF-8")),
        );
        all
    }

    #[test]
    fn placeholders_are_filled_in_after_splitting() {
        assert_eq!(
            args("code -g {path}:{line}:{column}", "/t/a.rs"),
            ["code", "-g", "/t/a.rs:12:5"]
        );
        assert_eq!(
            args("vim +{line} {path}", "/t/a.rs"),
            ["vim", "+12", "/t/a.rs"]
        );
        assert_eq!(
            args("'/opt/My Editor/bin/ed' --goto \"{path}\" {{x}", "/t/a"),
            ["/opt/My Editor/bin/ed", "--goto", "/t/a", "{{x}"]
        );
    }

    #[test]
    fn hostile_file_names_stay_one_argument() {
        for name in [
            "/t/with space.rs",
            "/t/quote'd \"name\".rs",
            "/t/semi;colon; rm -rf x.rs",
            "/t/$(rm -rf x).rs",
            "/t/`touch y`|z&&w>v.rs",
            "/t/{line}.rs",
        ] {
            assert_eq!(
                args("subl {path}:{line}:{column}", name),
                ["subl".to_string(), format!("{name}:12:5")]
            );
            assert_eq!(
                args("sh -c 'echo \"$1\"' sh {path}", name),
                ["sh", "-c", "echo \"$1\"", "sh", name]
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_reaches_the_editor_exactly() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(OsStr::from_bytes(b"/t/bad\xff.rs"));
        let command = EditorCommand::parse("ed {path}:{line}").expect("valid");
        let mut expected = path.as_os_str().to_owned();
        expected.push(":3");
        assert_eq!(command.arguments(path, 3, 1), [expected]);
    }

    #[test]
    fn a_template_without_path_gets_it_last() {
        assert_eq!(args("gedit", "/t/a b.rs"), ["gedit", "/t/a b.rs"]);
    }

    #[test]
    fn empty_and_unbalanced_templates_are_refused() {
        assert_eq!(EditorCommand::parse(""), Err(TemplateError::Empty));
        assert_eq!(EditorCommand::parse("   "), Err(TemplateError::Empty));
        assert_eq!(EditorCommand::parse("''"), Err(TemplateError::Empty));
        assert_eq!(
            EditorCommand::parse("code '{path}"),
            Err(TemplateError::Unbalanced)
        );
        assert_eq!(
            EditorCommand::parse("code \"{path}"),
            Err(TemplateError::Unbalanced)
        );
        assert_eq!(
            EditorCommand::parse("code {path}\\"),
            Err(TemplateError::Unbalanced)
        );
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        move |name| map.get(name).map(|v| v.to_string())
    }

    #[test]
    fn default_comes_from_visual_then_editor_when_it_is_a_known_desktop_editor() {
        assert_eq!(
            default_template_with(env(&[("VISUAL", "code --wait"), ("EDITOR", "subl")])),
            "code -g {path}:{line}:{column}"
        );
        assert_eq!(
            default_template_with(env(&[("VISUAL", "vim"), ("EDITOR", "/usr/bin/subl -w")])),
            "/usr/bin/subl {path}:{line}:{column}"
        );
        assert_eq!(
            default_template_with(env(&[("EDITOR", "'/opt/my apps/zed'")])),
            "'/opt/my apps/zed' {path}:{line}:{column}"
        );
        assert_eq!(
            default_template_with(env(&[("EDITOR", "gvim")])),
            "gvim '+call cursor({line},{column})' {path}"
        );
        assert_eq!(
            args(
                &default_template_with(env(&[("EDITOR", "emacsclient -t")])),
                "/t/a.rs"
            ),
            ["emacsclient", "-c", "-n", "-a", "", "+12:5", "/t/a.rs"]
        );
    }

    #[test]
    fn terminal_or_unknown_editors_fall_back_to_the_desktop_opener() {
        for vars in [
            &[][..],
            &[("EDITOR", "vim")][..],
            &[("VISUAL", "nano"), ("EDITOR", "nvim")][..],
            &[("EDITOR", "my-own-editor")][..],
            &[("EDITOR", "")][..],
            &[("EDITOR", "'unbalanced")][..],
        ] {
            assert_eq!(
                default_template_with(env(vars)),
                desktop_opener(),
                "{vars:?}"
            );
        }
        let opener = EditorCommand::parse(desktop_opener()).expect("valid");
        assert_eq!(opener.arguments(Path::new("/t/a"), 1, 1), ["/t/a"]);
    }

    #[test]
    fn a_missing_program_says_which_and_what_to_do() {
        let command = EditorCommand::parse("trawl-no-such-editor-9f3 {path}").expect("valid");
        let err = command
            .spawn(Path::new("/t/a.rs"), 1, 1)
            .expect_err("no such program");
        let message = err.to_string();
        assert!(
            message.starts_with("Could not start `trawl-no-such-editor-9f3`: "),
            "{message}"
        );
        assert!(!message.contains("os error"), "{message}");
        assert!(message.contains("Set the editor command"), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn spawn_runs_the_program_with_exactly_these_arguments() {
        use std::time::Instant;

        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("args");
        let template = format!(
            "sh -c 'printf \"%s\\n\" \"$@\" > \"$0\"' {} {{path}} {{line}} {{column}}",
            shlex::try_quote(out.to_str().expect("UTF-8")).expect("quotable")
        );
        let name = dir.path().join("a b;$(touch pwned).rs");
        EditorCommand::parse(&template)
            .expect("valid")
            .spawn(&name, 7, 3)
            .expect("sh starts");
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        let written = loop {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            if text.lines().count() == 3 || Instant::now() > deadline {
                break text;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        assert_eq!(
            written.lines().collect::<Vec<_>>(),
            [name.to_str().expect("UTF-8"), "7", "3"]
        );
        assert!(!dir.path().join("pwned").exists());
    }
}
