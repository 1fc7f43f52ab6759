//! The floor: the least work any search of a tree must do, done as fast as this program knows
//! how, so that trawl's times can be read against the machine rather than against another tool.
//!
//! It walks the tree with the walker trawl uses (`ignore`, the same filters: hidden files and
//! ignore files skipped, one extension kept) on the same number of threads, and reads every byte
//! of every file into memory, then throws it away: no search, no output. Three ways:
//!
//! - `walk`: the walk alone (what `rg --files` costs);
//! - `std`: each walker thread opens, reads (until a read returns 0) and closes each file with
//!   plain system calls into a page-placed buffer (see `src/search/read_buffer.rs` for why the
//!   placement matters on this machine);
//! - `uring` (Linux): each walker thread gathers files into batches and hands each batch to its
//!   own io_uring as linked open → read → close requests on direct descriptors, one system call
//!   per batch; a file longer than its slot's buffer is read on with `pread`.
//!
//! With `--pattern REGEX` (and `-i`, `-w`, as trawl's and ripgrep's), the `std` mode also
//! searches every file's bytes with ripgrep's own searcher and matcher (grep-searcher,
//! grep-regex: the matching lines found with the pattern's literals, then each such line's
//! occurrences counted) — no line numbers, no columns, no output: the least a search for that
//! pattern with that engine does. A floor per search, where the plain floor is one per tree.
//! (The regex crate alone, `find_iter` over the whole file, is slower on a pattern without a
//! leading literal: 437 ms on the registry's `[A-Z][a-z]+Error`, against 159 for trawl.)
//!
//! - `replace`: not a search but the least an atomic replace that can be undone must do to
//!   each file (scripts/bench-replace-ab.py times it beside trawl's): read it, create a new
//!   file beside it and write the bytes, keep the original by a hard link in a journal folder
//!   (`--journal DIR`), rename the new file over the original. No hashing, no flush, no
//!   check: below what trawl's writer does, so a ratio to `cp -r` that this cannot reach,
//!   trawl cannot either.
//!
//! Not part of trawl: `cargo run --release --manifest-path benches/floor/Cargo.toml -- [--mode M]
//! [-j N] DIR EXT` prints one line, `MODE: FILES files, BYTES bytes, MS ms`; scripts/bench.sh
//! times it with hyperfine beside trawl and ripgrep.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use ignore::{WalkBuilder, WalkState};

/// Bytes per read: as trawl's whole-file limit.
const READ_SIZE: usize = 1 << 20;

/// Files and bytes read, over every thread.
#[derive(Default)]
struct Totals {
    files: AtomicU64,
    bytes: AtomicU64,
    /// Occurrences of `--pattern`, when given.
    occurrences: AtomicU64,
}

impl Totals {
    fn add(&self, bytes: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Walk,
    Std,
    #[cfg(target_os = "linux")]
    Uring,
    Replace,
}

struct Args {
    mode: Mode,
    threads: usize,
    root: PathBuf,
    extension: String,
    journal: Option<PathBuf>,
    pattern: Option<grep_regex::RegexMatcher>,
}

fn parse_args() -> Result<Args, String> {
    let mut mode = Mode::Std;
    let mut threads = 2;
    let mut positional = Vec::new();
    let mut journal = None;
    let mut pattern = None;
    let (mut ignore_case, mut word) = (false, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--mode" => {
                mode = match args.next().as_deref() {
                    Some("walk") => Mode::Walk,
                    Some("std") => Mode::Std,
                    #[cfg(target_os = "linux")]
                    Some("uring") => Mode::Uring,
                    Some("replace") => Mode::Replace,
                    other => {
                        return Err(format!(
                            "unknown mode {other:?}: walk, std, uring or replace"
                        ));
                    }
                }
            }
            "--journal" => journal = args.next().map(PathBuf::from),
            "--pattern" => pattern = Some(args.next().ok_or("--pattern takes a regex")?),
            "-i" => ignore_case = true,
            "-w" => word = true,
            "-j" | "--threads" => {
                threads = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("-j takes a thread count above 0")?;
            }
            _ => positional.push(arg),
        }
    }
    let pattern = match pattern {
        Some(pattern) => Some(
            grep_regex::RegexMatcherBuilder::new()
                .case_insensitive(ignore_case)
                .word(word)
                .line_terminator(Some(b'\n'))
                .build(&pattern)
                .map_err(|err| err.to_string())?,
        ),
        None => None,
    };
    match <[String; 2]>::try_from(positional) {
        Ok([root, extension]) => Ok(Args {
            mode,
            threads,
            root: root.into(),
            extension: extension.trim_start_matches('.').to_string(),
            journal,
            pattern,
        })
        .and_then(|args| match (&args.mode, &args.journal) {
            (Mode::Replace, None) => Err("--mode replace needs --journal DIR".into()),
            (mode, _) if *mode != Mode::Std && args.pattern.is_some() => {
                Err("--pattern goes with --mode std".into())
            }
            _ => Ok(args),
        }),
        Err(_) => Err(
            "usage: floor [--mode walk|std|uring|replace] [--journal DIR] \
             [--pattern REGEX [-i] [-w]] [-j N] DIR EXT"
                .into(),
        ),
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("floor: {message}");
            return ExitCode::from(2);
        }
    };
    let totals = Totals::default();
    let kept = AtomicU64::new(0);
    if let Some(journal) = &args.journal
        && let Err(err) = std::fs::create_dir_all(journal)
    {
        eprintln!("floor: cannot make {}: {err}", journal.display());
        return ExitCode::from(2);
    }
    let started = Instant::now();
    let walk = WalkBuilder::new(&args.root)
        .threads(args.threads)
        .build_parallel();
    let wanted = |path: &Path| {
        path.extension()
            .is_some_and(|ext| ext.as_encoded_bytes() == args.extension.as_bytes())
    };
    walk.run(|| {
        let mut reader = FileReader::new(&args, &totals, &kept);
        Box::new(move |entry| {
            let Ok(entry) = entry else {
                return WalkState::Continue;
            };
            if entry.file_type().is_some_and(|t| t.is_file()) && wanted(entry.path()) {
                reader.read(entry.into_path());
            }
            WalkState::Continue
        })
    });
    let elapsed = started.elapsed();
    let name = match args.mode {
        Mode::Walk => "walk",
        Mode::Std => "std",
        #[cfg(target_os = "linux")]
        Mode::Uring => "uring",
        Mode::Replace => "replace",
    };
    println!(
        "{name}: {} files, {} bytes, {} occurrences, {} ms",
        totals.files.load(Ordering::Relaxed),
        totals.bytes.load(Ordering::Relaxed),
        totals.occurrences.load(Ordering::Relaxed),
        elapsed.as_millis()
    );
    ExitCode::SUCCESS
}

/// One walker thread's way of reading the files it finds.
enum FileReader<'t> {
    Walk(&'t Totals),
    Std(StdReader<'t>),
    #[cfg(target_os = "linux")]
    Uring(uring::UringReader<'t>),
    Replace(Replacer<'t>),
}

impl<'t> FileReader<'t> {
    fn new(args: &'t Args, totals: &'t Totals, kept: &'t AtomicU64) -> Self {
        match args.mode {
            Mode::Replace => FileReader::Replace(Replacer {
                journal: args.journal.as_deref().unwrap_or(Path::new(".")),
                kept,
                totals,
            }),
            Mode::Walk => FileReader::Walk(totals),
            Mode::Std => FileReader::Std(StdReader::new(args.pattern.as_ref(), totals)),
            #[cfg(target_os = "linux")]
            Mode::Uring => match uring::UringReader::new(totals) {
                Ok(reader) => FileReader::Uring(reader),
                Err(err) => {
                    eprintln!("floor: io_uring unavailable ({err}); reading with std");
                    FileReader::Std(StdReader::new(None, totals))
                }
            },
        }
    }

    fn read(&mut self, path: PathBuf) {
        match self {
            FileReader::Walk(totals) => totals.add(0),
            FileReader::Std(reader) => reader.read(&path),
            #[cfg(target_os = "linux")]
            FileReader::Uring(reader) => reader.push(path),
            FileReader::Replace(replacer) => replacer.replace(&path),
        }
    }
}

/// The least an atomic, undoable replace does to a file (see the module's documentation).
struct Replacer<'t> {
    journal: &'t Path,
    /// Originals kept so far: each one's name in the journal.
    kept: &'t AtomicU64,
    totals: &'t Totals,
}

impl Replacer<'_> {
    fn replace(&mut self, path: &Path) {
        let Ok(bytes) = std::fs::read(path) else {
            return;
        };
        let Some(folder) = path.parent() else {
            return;
        };
        let number = self.kept.fetch_add(1, Ordering::Relaxed);
        let temp = folder.join(format!(".floor-{number}.tmp"));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut file| std::io::Write::write_all(&mut file, &bytes));
        if written.is_err()
            || std::fs::hard_link(path, self.journal.join(number.to_string())).is_err()
            || std::fs::rename(&temp, path).is_err()
        {
            eprintln!("floor: could not replace {}", path.display());
            return;
        }
        self.totals.add(bytes.len() as u64);
    }
}

/// Plain system calls: open, read until 0, close; with a pattern, its occurrences counted.
struct StdReader<'t> {
    buffer: PlacedBuffer,
    pattern: Option<&'t grep_regex::RegexMatcher>,
    /// A file longer than the buffer, gathered to be searched whole (with a pattern).
    whole: Vec<u8>,
    searcher: grep_searcher::Searcher,
    totals: &'t Totals,
}

impl<'t> StdReader<'t> {
    fn new(pattern: Option<&'t grep_regex::RegexMatcher>, totals: &'t Totals) -> Self {
        StdReader {
            buffer: PlacedBuffer::new(READ_SIZE),
            pattern,
            whole: Vec::new(),
            searcher: grep_searcher::SearcherBuilder::new()
                .line_number(false)
                .build(),
            totals,
        }
    }

    fn read(&mut self, path: &Path) {
        let Ok(mut file) = File::open(path) else {
            return;
        };
        let mut bytes = 0;
        self.whole.clear();
        loop {
            match file.read(self.buffer.as_mut()) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    bytes += n as u64;
                    if self.pattern.is_some() && (n == READ_SIZE || !self.whole.is_empty()) {
                        self.whole.extend_from_slice(&self.buffer.as_mut()[..n]);
                    }
                }
            }
        }
        if let Some(pattern) = self.pattern {
            let text = if self.whole.is_empty() {
                &self.buffer.as_mut()[..bytes as usize]
            } else {
                &self.whole[..]
            };
            let mut counter = Counter {
                matcher: pattern,
                found: 0,
            };
            let searched = self.searcher.search_slice(pattern, text, &mut counter);
            if searched.is_ok() {
                self.totals
                    .occurrences
                    .fetch_add(counter.found, Ordering::Relaxed);
            }
        }
        self.totals.add(bytes);
    }
}

/// Counts the occurrences on each matching line.
struct Counter<'m> {
    matcher: &'m grep_regex::RegexMatcher,
    found: u64,
}

impl grep_searcher::Sink for Counter<'_> {
    type Error = std::io::Error;

    fn matched(
        &mut self,
        _searcher: &grep_searcher::Searcher,
        line: &grep_searcher::SinkMatch<'_>,
    ) -> Result<bool, std::io::Error> {
        use grep_matcher::Matcher;
        let bytes = line.bytes();
        let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let found = &mut self.found;
        self.matcher
            .find_iter(bytes, |_| {
                *found += 1;
                true
            })
            .map_err(std::io::Error::other)?;
        Ok(true)
    }
}

/// A buffer whose first byte lies 64 bytes into a page: reads from a file's first byte land
/// where the kernel's copy is fast (`src/search/read_buffer.rs`).
struct PlacedBuffer {
    bytes: Vec<u8>,
    start: usize,
    len: usize,
}

impl PlacedBuffer {
    const PAGE: usize = 4096;

    fn new(len: usize) -> Self {
        let bytes = vec![0; len + 2 * Self::PAGE];
        let start = bytes.as_ptr().align_offset(Self::PAGE).min(Self::PAGE) + 64;
        PlacedBuffer { bytes, start, len }
    }

    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[self.start..self.start + self.len]
    }

    /// The `index`-th of `self.len / slot` slots of `slot` bytes.
    fn slot_ptr(&mut self, index: usize, slot: usize) -> *mut u8 {
        self.as_mut()[index * slot..].as_mut_ptr()
    }
}

#[cfg(target_os = "linux")]
mod uring {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::FileExt;
    use std::path::PathBuf;

    use io_uring::{IoUring, opcode, squeue, types};

    use super::{PlacedBuffer, Totals};

    /// Files per batch, one direct-descriptor slot and one buffer slot each. As trawl's ring:
    /// with 64 the batch's bytes outgrew the core's cache before they were read back (Intel
    /// machine, 2026-12-05: registry 114.2 → 105.3 ms, docs 152.9 → 144.6 with 16).
    const BATCH: usize = 16;
    /// Each file's first read; a file at least this long is read on with `pread`. Most source
    /// and HTML files are far smaller (the docs tree averages 11 KB).
    const SLOT: usize = 128 << 10;
    /// Operations a file takes: open, read, close.
    const OPS: usize = 3;

    /// A thread's ring, its batch of paths and their buffers.
    pub struct UringReader<'t> {
        ring: IoUring,
        paths: Vec<CString>,
        buffer: PlacedBuffer,
        totals: &'t Totals,
    }

    impl<'t> UringReader<'t> {
        pub fn new(totals: &'t Totals) -> std::io::Result<Self> {
            let ring = IoUring::new((BATCH * OPS).next_power_of_two() as u32)?;
            ring.submitter().register_files_sparse(BATCH as u32)?;
            Ok(UringReader {
                ring,
                paths: Vec::with_capacity(BATCH),
                buffer: PlacedBuffer::new(BATCH * SLOT),
                totals,
            })
        }

        pub fn push(&mut self, path: PathBuf) {
            let Ok(path) = CString::new(path.into_os_string().as_bytes()) else {
                return;
            };
            self.paths.push(path);
            if self.paths.len() == BATCH {
                self.flush();
            }
        }

        /// Opens, reads and closes the batch's files with one submission, then reads on the
        /// files that filled their slot.
        fn flush(&mut self) {
            let count = self.paths.len();
            if count == 0 {
                return;
            }
            for (slot, path) in self.paths.iter().enumerate() {
                let index = slot as u32;
                let Ok(target) = types::DestinationSlot::try_from_slot_target(index) else {
                    continue;
                };
                let open = opcode::OpenAt::new(types::Fd(libc::AT_FDCWD), path.as_ptr())
                    // A direct descriptor is never inherited: O_CLOEXEC is refused (EINVAL) there.
                    .flags(libc::O_RDONLY)
                    .file_index(Some(target))
                    .build()
                    // A hard link: the read and close run even when the one before fails or
                    // (for the read) comes back short, as it does for every small file.
                    .flags(squeue::Flags::IO_HARDLINK)
                    .user_data((slot * OPS) as u64);
                let read = opcode::Read::new(
                    types::Fixed(index),
                    self.buffer.slot_ptr(slot, SLOT),
                    SLOT as u32,
                )
                .offset(0)
                .build()
                .flags(squeue::Flags::IO_HARDLINK)
                .user_data((slot * OPS + 1) as u64);
                let close = opcode::Close::new(types::Fixed(index))
                    .build()
                    .user_data((slot * OPS + 2) as u64);
                // SAFETY: the paths and the buffer outlive the requests: this function waits
                // for every completion before it returns.
                let pushed = unsafe {
                    let mut queue = self.ring.submission();
                    queue.push(&open).is_ok()
                        && queue.push(&read).is_ok()
                        && queue.push(&close).is_ok()
                };
                assert!(pushed, "the ring holds a whole batch");
            }
            let mut read = [None::<i32>; BATCH];
            let mut left = count * OPS;
            while left > 0 {
                if let Err(err) = self.ring.submit_and_wait(1) {
                    if err.raw_os_error() == Some(libc::EINTR) {
                        continue;
                    }
                    panic!("io_uring_enter: {err}");
                }
                for entry in self.ring.completion() {
                    left -= 1;
                    let data = entry.user_data() as usize;
                    if std::env::var_os("FLOOR_DEBUG").is_some() && entry.result() < 0 {
                        eprintln!("op {} slot {}: {}", data % OPS, data / OPS, entry.result());
                    }
                    if data % OPS == 1 {
                        read[data / OPS] = Some(entry.result());
                    }
                }
            }
            for (slot, path) in self.paths.drain(..).enumerate() {
                match read[slot] {
                    Some(n) if n >= 0 => {
                        let mut bytes = n as u64;
                        if n as usize == SLOT {
                            bytes += read_rest(&path, SLOT as u64, &mut self.buffer);
                        }
                        self.totals.add(bytes);
                    }
                    _ => {}
                }
            }
        }
    }

    impl Drop for UringReader<'_> {
        fn drop(&mut self) {
            self.flush();
        }
    }

    /// Reads a file from `from` to its end with `pread`.
    fn read_rest(path: &CString, from: u64, buffer: &mut PlacedBuffer) -> u64 {
        let Ok(file) = std::fs::File::open(std::ffi::OsStr::from_bytes(path.as_bytes())) else {
            return 0;
        };
        let mut at = from;
        loop {
            match file.read_at(buffer.as_mut(), at) {
                Ok(0) | Err(_) => return at - from,
                Ok(n) => at += n as u64,
            }
        }
    }
}
