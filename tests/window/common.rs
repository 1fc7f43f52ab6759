//! Helpers shared by the window tests (the modules of tests/window/): a small tree, the headless
//! harness, typing into fields, waiting for the pattern check and the search, and reading the
//! clipboard. The window benchmark includes this file by path.

// The benchmark compiles this module and uses only some of it; clippy runs with -D warnings.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::OutputCommand;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use trawl::app::{SavedState, TrawlApp};

/// A small tree: two matching `.rs` files, one `.txt` that the extension filter leaves out.
pub fn small_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("src")).expect("mkdir");
    std::fs::write(
        dir.path().join("src/a.rs"),
        "fn main() {}\nlet foo = 1; foo\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("b.rs"), "// foo here\n").expect("write");
    std::fs::write(dir.path().join("c.txt"), "foo foo foo\n").expect("write");
    dir
}

/// What a window about to search `folder`'s `.rs` files for `pattern` has saved, changed by
/// `edit`: search as you type off, so that only the test starts the search (the results, words
/// and replace tests all begin so).
pub fn search_state(
    folder: &Path,
    pattern: &str,
    edit: impl FnOnce(&mut SavedState),
) -> SavedState {
    let mut state = SavedState {
        folder: folder.display().to_string(),
        extensions: "rs".into(),
        pattern: pattern.into(),
        search_as_you_type: false,
        ..SavedState::default()
    };
    edit(&mut state);
    state
}

/// The window at 1200 × 800, with kittest's default frame rate.
pub fn harness(app: TrawlApp) -> Harness<'static, TrawlApp> {
    Harness::builder()
        .with_size([1200.0, 800.0])
        .build_eframe(move |_cc| app)
}

/// Runs frames until the window asks for no immediate repaint (it lays out its fonts' glyphs
/// over its first frames), as a window has settled before a person acts in it.
pub fn settle(harness: &mut Harness<'_, TrawlApp>) {
    for _ in 0..50 {
        harness.step();
        if repaint_delay(harness).is_none_or(|delay| !delay.is_zero()) {
            return;
        }
    }
    panic!("the window still asks for a repaint every frame after 50 frames");
}

/// When the last frame asked for the next one (none: it asked for none).
pub fn repaint_delay(harness: &Harness<'_, TrawlApp>) -> Option<Duration> {
    harness
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map(|viewport| viewport.repaint_delay)
}

/// Focuses the field labelled `label` and types `text` into it, then lets the pattern's
/// check (it compiles off the UI thread) come back.
pub fn type_into(harness: &mut Harness<'_, TrawlApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.step();
    harness.get_by_label(label).type_text(text);
    harness.step();
    wait_for_checks(harness);
}

/// Like [`type_into`], replacing what the field held (Ctrl+A first).
pub fn replace_in(harness: &mut Harness<'_, TrawlApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.step();
    harness.get_by_label(label).type_text(text);
    harness.step();
    wait_for_checks(harness);
}

/// Steps frames until the pattern has compiled. A change is validated at the start of the frame
/// after it was typed, so one frame comes first.
pub fn wait_for_checks(harness: &mut Harness<'_, TrawlApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    harness.step();
    while harness.state().is_checking() {
        assert!(Instant::now() < deadline, "the pattern check did not end");
        std::thread::sleep(Duration::from_millis(1));
        harness.step();
    }
}

/// Steps frames until the built-in folder chooser has read the folder it shows (a job, never
/// the UI thread), then one more to draw it.
pub fn wait_for_folder(harness: &mut Harness<'_, TrawlApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().is_reading_folder() {
        assert!(Instant::now() < deadline, "the folder was not read");
        std::thread::sleep(Duration::from_millis(1));
        harness.step();
    }
    harness.step();
}

/// Steps frames until the search has ended, then lets the layout settle.
pub fn wait_for_search(harness: &mut Harness<'_, TrawlApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().is_searching() {
        assert!(
            Instant::now() < deadline,
            "the search did not end within 60 s"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.run_steps(3);
}

/// Fills the three fields through the UI and presses Search.
pub fn search(harness: &mut Harness<'_, TrawlApp>, folder: &Path, extensions: &str, pattern: &str) {
    type_into(harness, "Folder", &folder.display().to_string());
    type_into(harness, "Extensions", extensions);
    type_into(harness, "Pattern", pattern);
    harness.get_by_label("Search").click();
    harness.step();
}

/// [`search`], then steps frames until it has ended.
pub fn search_to_end(
    harness: &mut Harness<'_, TrawlApp>,
    folder: &Path,
    extensions: &str,
    pattern: &str,
) {
    search(harness, folder, extensions, pattern);
    wait_for_search(harness);
}

/// Clicks the widget labelled `label` within one frame: the pointer's move, press and release
/// all go into the next frame's input, as a quick click between two frames of a real window
/// does. kittest's `click` queues them as three events and `step` runs a frame for each, so
/// the two frames before the release (the one where egui sees the click) take in results and
/// let a held search go on: a test of what happens from the click on cannot have them first.
pub fn click_in_one_frame(harness: &mut Harness<'_, TrawlApp>, label: &str) {
    put_click_in_next_frame(harness, label);
    harness.step();
}

/// The input of [`click_in_one_frame`], for a caller that runs the frame itself.
pub fn put_click_in_next_frame(harness: &mut Harness<'_, TrawlApp>, label: &str) {
    let pos = harness.get_by_label(label).rect().center();
    let events = &mut harness.input_mut().events;
    events.push(egui::Event::PointerMoved(pos));
    for pressed in [true, false] {
        events.push(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::default(),
        });
    }
}

/// Presses Enter in the field labelled `label`, as a person trying to search would.
pub fn enter_in(harness: &mut Harness<'_, TrawlApp>, label: &str) {
    harness.get_by_label(label).focus();
    harness.step();
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
}

/// Texts the last frame put on the clipboard.
pub fn copied(harness: &Harness<'_, TrawlApp>) -> Vec<String> {
    harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Whether the Search button is disabled.
pub fn search_disabled(harness: &Harness<'_, TrawlApp>) -> bool {
    harness
        .get_by_label("Search")
        .accesskit_node()
        .is_disabled()
}

/// `path` made absolute without resolving links (`std::path::absolute`).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).expect("absolute path")
}

/// Ends the test process with a failure, naming `what`, unless dropped within a minute: a
/// frame that waits for the engine (or opens a FIFO) would otherwise stall the run instead of
/// failing it. A hang guard, not a measure of speed.
pub struct Watchdog {
    _done: std::sync::mpsc::Sender<()>,
}

impl Watchdog {
    pub fn new(what: &'static str) -> Self {
        let (done, wait) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                wait.recv_timeout(Duration::from_secs(60))
            {
                eprintln!("hung for a minute: {what}");
                std::process::exit(101);
            }
        });
        Watchdog { _done: done }
    }
}

/// Whether some process holds the FIFO at `path` open for reading: opening its write end
/// without blocking succeeds only then (and fails with ENXIO otherwise).
#[cfg(unix)]
pub fn fifo_has_a_reader(path: &Path) -> bool {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .is_ok()
}

/// Writes `files` files of one matching line (`needle`) into a new folder: more than the
/// engine's event queue holds (4,096), so that a search of them is held on the full queue,
/// unable to finish, for as long as no frame takes results in.
pub fn more_files_than_the_event_queue(files: usize) -> tempfile::TempDir {
    assert!(files > 4096 + 100);
    let tree = tempfile::tempdir().expect("temp dir");
    for d in 0..files.div_ceil(250) {
        let dir = tree.path().join(format!("d{d:02}"));
        std::fs::create_dir(&dir).expect("mkdir");
        for f in 0..250.min(files - d * 250) {
            std::fs::write(dir.join(format!("f{f:03}.txt")), "one needle\n").expect("write");
        }
    }
    tree
}

/// Once a search has started (Search pressed, a frame run), waits without running frames until it is
/// held on its full event queue: it has found more files than the queue and the frame that
/// started it hold, and cannot go on until frames take them in. Returns the files the window
/// had taken in so far.
pub fn wait_until_held_on_a_full_queue(harness: &Harness<'_, TrawlApp>, files: usize) -> usize {
    let progress = harness.state().live_progress().expect("a running search");
    let taken = harness.state().results().map_or(0, |r| r.file_count());
    assert!(
        files > taken + 4096 + 64,
        "{taken} files were taken in by the first frame: the search could finish"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while (progress.snapshot().files_matched as usize) < taken + 4096 {
        assert!(
            Instant::now() < deadline,
            "the search did not fill its queue"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(!progress.snapshot().finished);
    taken
}

/// eframe's storage, in memory.
#[derive(Default)]
pub struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

/// CPU time of the calling thread: the UI's own time, whatever other threads take from the
/// machine. Where there is no thread clock, wall time since the first call.
pub fn thread_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec for the call's duration.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        }
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// Steps frames until no background job of the results runs (a layout after a sort, a filter
/// or a fold of every file; Copy all building its text), and returns the texts put on the
/// clipboard by the last frame and those run meanwhile.
pub fn wait_for_jobs(harness: &mut Harness<'_, TrawlApp>) -> Vec<String> {
    let mut texts = copied(harness);
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().is_copying()
        || harness
            .state()
            .results()
            .is_some_and(|results| results.is_laying_out())
    {
        assert!(Instant::now() < deadline, "a results job did not end");
        std::thread::sleep(Duration::from_millis(1));
        harness.step();
        texts.extend(copied(harness));
    }
    texts
}
