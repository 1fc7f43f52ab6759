//! Small files read in batches through io_uring (crates/search/src/batch_read.rs) against the
//! plain path: each tree is searched by the trawl binary twice, as it runs by default and with
//! `TRAWL_IO_URING=off`, and both runs must print the same matches, the same errors, the same
//! summary (but its time) and exit alike. Where this machine has no io_uring both runs take
//! the plain path, and the tests still check what they can: the outputs' agreement and the
//! counts the tree was built with. The process that has no io_uring is tests/uring_fallback.rs.
#![cfg(target_os = "linux")]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use trawl::search::IO_URING_ENV;

#[path = "support/unprivileged.rs"]
mod unprivileged;

/// Longer than any search here may take; reaching it means a search hung.
const DEADLINE: Duration = Duration::from_secs(60);

/// What a run printed, in an order that does not depend on the threads: its output lines
/// sorted (the summary's time left out), its error lines sorted, its exit code.
#[derive(Debug, PartialEq, Eq)]
struct Printed {
    stdout: Vec<String>,
    stderr: Vec<String>,
    code: Option<i32>,
}

fn printed(output: Output) -> Printed {
    let lines = |bytes: &[u8]| {
        let mut lines: Vec<String> = String::from_utf8_lossy(bytes)
            .lines()
            .map(without_elapsed)
            .collect();
        lines.sort();
        lines
    };
    Printed {
        stdout: lines(&output.stdout),
        stderr: lines(&output.stderr),
        code: output.status.code(),
    }
}

/// A JSON summary line without its `elapsed_ms`, which differs from run to run.
fn without_elapsed(line: &str) -> String {
    match line.find(",\"elapsed_ms\":") {
        Some(at) if line.starts_with("{\"type\":\"summary\"") => line[..at].to_string(),
        _ => line.to_string(),
    }
}

/// Runs `command` (a trawl command with its arguments) with io_uring as the process would use
/// it, and on the plain path, and returns both, with a deadline.
fn both_paths(mut command: impl FnMut() -> Command) -> (Printed, Printed) {
    let run = |mut command: Command| {
        let started = Instant::now();
        let output = command.output().expect("trawl runs");
        assert!(started.elapsed() < DEADLINE, "trawl hung");
        printed(output)
    };
    let mut batched = command();
    batched.env_remove(IO_URING_ENV);
    let mut plain = command();
    plain.env(IO_URING_ENV, "off");
    (run(batched), run(plain))
}

fn trawl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trawl"))
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create folders");
    }
    fs::write(path, bytes).expect("write file");
}

fn mkfifo(path: &Path) {
    let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0, "mkfifo");
}

/// Which of the kinds of [`contents`] the `i`-th file has.
fn kind(i: usize) -> usize {
    match i % 23 {
        6 if (i / 23).is_multiple_of(500) => 100 + (i / 23 / 500) % 3,
        7 if (i / 23).is_multiple_of(1500) => 200,
        k => k,
    }
}

/// The contents of the `i`-th small file: every kind a file read whole can be, so that both
/// paths meet each (text with and without the needle, binary, UTF-16, a UTF-8 BOM, Latin-1,
/// CRLF, empty, and sizes on both sides of a batch slot's 128 KiB and of the 1 MiB read whole).
/// Files of one [`kind`] have the same contents.
fn contents(i: usize) -> Vec<u8> {
    let i = kind(i);
    match i {
        0 => Vec::new(),
        1 => b"needle\0 binary\n".to_vec(),
        2 => {
            let mut utf16 = vec![0xFF, 0xFE];
            utf16.extend(
                format!("utf16 needle {i}\n")
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            );
            utf16
        }
        3 => format!("\u{FEFF}bom needle {i}\n").into_bytes(),
        4 => format!("caf\u{E9} needle {i}\r\n").into_bytes(),
        5 => {
            let mut latin1 = b"caf\xE9 needle ".to_vec();
            latin1.extend(i.to_string().bytes());
            latin1
        }
        // 9 files in 100,000 hold a slot's 128 KiB less one byte, exactly or plus one.
        100..=102 => {
            let mut big = format!("needle {i}\n").into_bytes();
            big.resize((128 << 10) + i - 102, b'x');
            big.push(b'\n');
            big
        }
        // 3 files over 1 MiB, split between the threads.
        200 => format!("needle {i}\n{}\n", "y".repeat(1 << 20)).into_bytes(),
        n if n % 2 == 0 => format!("line one {i}\nno match here\n").into_bytes(),
        _ => format!("x {i}\nneedle {i} and needle\nend\n").into_bytes(),
    }
}

/// Opens `path` to write (at its end when `append`) without waiting for a reader, should it be
/// a FIFO now.
fn open_nonblocking(path: &Path, append: bool) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .append(append)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[test]
fn a_hundred_thousand_small_files_give_the_same_results_on_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    const FILES: usize = 100_000;
    // Each kind of contents is written once, outside the tree, and the tree's files are hard
    // links to it: a link costs one system call and no inode, so the tree is made (and
    // removed) in seconds where 100,000 written files took minutes on this machine's disk.
    let kinds = tempfile::tempdir_in(root.parent().unwrap_or(root)).unwrap();
    let source = |i: usize| kinds.path().join(format!("k{}", kind(i)));
    for i in 0..FILES {
        if !source(i).exists() {
            fs::write(source(i), contents(i)).unwrap();
        }
    }
    // Folders of 1 to 60 files: many hand over fewer files than a batch holds, some more.
    let mut i = 0;
    let mut folder = 0;
    while i < FILES {
        let here = 1 + folder * 7 % 60;
        let path = root.join(format!("d{:03}/e{folder}", folder % 500));
        fs::create_dir_all(&path).unwrap();
        for _ in 0..here.min(FILES - i) {
            fs::hard_link(source(i), path.join(format!("f{i}.txt"))).unwrap();
            i += 1;
        }
        folder += 1;
    }
    let expected_matching = (0..FILES)
        .filter(|&i| {
            let bytes = contents(i);
            !bytes.contains(&0) && String::from_utf8_lossy(&bytes).contains("needle") || i % 23 == 2
        })
        .count();
    for args in [
        &["--json", "txt", "needle"][..],
        &["-E", "auto", "-c", "txt", "needle"],
        &["-a", "-j", "3", "txt", "binary|needle"],
    ] {
        let (batched, plain) = both_paths(|| {
            let (options, search) = args.split_at(args.len() - 2);
            let mut command = trawl();
            command.args(options).arg(root).args(search);
            command
        });
        assert_eq!(batched.code, Some(0), "{args:?}: {:?}", batched.stderr);
        assert!(batched.stderr.is_empty(), "{args:?}: {:?}", batched.stderr);
        assert!(batched == plain, "{args:?}: the paths differ");
        if args[0] == "--json" {
            let summary = batched.stdout.last().expect("a summary");
            assert!(
                summary.contains(&format!(
                    "\"files_searched\":{FILES},\"files_matched\":{expected_matching},"
                )),
                "{summary}"
            );
        }
    }
}

/// Unreadable files and folders, FIFOs (also behind links, with `-L`), a socket, links to
/// devices: each behaves alike on both paths. As root the binary runs as `nobody`
/// (tests/support/unprivileged.rs).
#[test]
fn unreadable_files_fifos_and_devices_behave_alike_on_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    unprivileged::open_to_everyone(root);
    for i in 0..40 {
        write(
            &root.join(format!("many/f{i}.txt")),
            format!("needle {i}\n"),
        );
    }
    write(&root.join("locked/inside.txt"), "needle\n");
    let _locked = unprivileged::Locked::new(&root.join("locked"), 0o755);
    let mut secrets = Vec::new();
    for i in 0..20 {
        // Unreadable files among readable ones, in a batch of their folder.
        let path = root.join(format!("many/secret{i}.txt"));
        write(&path, "needle\n");
        secrets.push(unprivileged::Locked::new(&path, 0o644));
    }
    mkfifo(&root.join("many/pipe.txt"));
    mkfifo(&root.join("pipe.txt"));
    std::os::unix::fs::symlink(root.join("pipe.txt"), root.join("many/to-pipe.txt")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", root.join("zero.txt")).unwrap();
    std::os::unix::fs::symlink("/dev/null", root.join("many/null.txt")).unwrap();
    let _socket =
        std::os::unix::net::UnixListener::bind(root.join("socket.txt")).expect("bind a socket");
    // A FIFO with a writer attached: were it opened, a blocking read would wait forever.
    let _writer = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(root.join("pipe.txt"))
        .unwrap();

    for follow in [false, true] {
        let (batched, plain) = both_paths(|| {
            let mut command = unprivileged::trawl_command(root);
            if follow {
                command.arg("-L");
            }
            command.arg(root).args(["txt", "needle"]);
            command
        });
        assert!(batched == plain, "-L {follow}: {batched:?}\n{plain:?}");
        assert_eq!(
            batched.stdout.len(),
            40,
            "-L {follow}: {:?}",
            batched.stdout
        );
        let denied: Vec<&String> = batched
            .stderr
            .iter()
            .filter(|line| line.ends_with(": permission denied"))
            .collect();
        assert_eq!(denied.len(), 21, "-L {follow}: {:?}", batched.stderr);
        assert_eq!(
            batched.stderr.len(),
            21,
            "-L {follow}: {:?}",
            batched.stderr
        );
        assert_eq!(batched.code, Some(0));
    }
}

/// Files removed, put back, grown, shrunk and turned into FIFOs while both paths search them,
/// over and over: no search hangs or fails in any other way, every error names one of the
/// changing files with the plain path's message, and the files that never change are always
/// found whole.
#[test]
fn files_that_vanish_or_change_size_between_walk_and_read_never_hang_or_err_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    for i in 0..200 {
        write(
            &root.join(format!("steady/f{i}.txt")),
            format!("needle {i}\n"),
        );
    }
    let changing: Vec<PathBuf> = (0..60)
        .map(|i| root.join(format!("changing/c{i}.txt")))
        .collect();
    for path in &changing {
        write(path, "needle first\n");
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let changer = {
        let stop = stop.clone();
        let changing = changing.clone();
        std::thread::spawn(move || {
            let mut n = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Each file in turn, and each file through every change in turn.
                let path = &changing[n % changing.len()];
                match n / changing.len() % 5 {
                    0 => {
                        let _ = fs::remove_file(path);
                    }
                    1 => {
                        let _ = fs::remove_file(path);
                        mkfifo(path);
                    }
                    2 => {
                        let _ = fs::remove_file(path);
                        let _ = fs::write(path, "needle first\n");
                    }
                    3 => {
                        if let Ok(mut file) = open_nonblocking(path, true) {
                            let _ = writeln!(file, "needle {n} {}", "x".repeat(n % 40_000));
                        }
                    }
                    _ => {
                        if let Ok(file) = open_nonblocking(path, false) {
                            let _ = file.set_len((n * 7919 % 200_000) as u64);
                        }
                    }
                }
                n += 1;
                std::thread::sleep(Duration::from_micros(100));
            }
        })
    };
    for round in 0..10 {
        for plain in [false, true] {
            let mut command = trawl();
            command.env(IO_URING_ENV, if plain { "off" } else { "on" });
            let started = Instant::now();
            let output = command
                .arg(&root)
                .args(["txt", "needle"])
                .output()
                .expect("trawl runs");
            assert!(started.elapsed() < DEADLINE, "trawl hung");
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            for i in 0..200 {
                let line = format!(
                    "{}:1:1:needle {i}\n",
                    root.join(format!("steady/f{i}.txt")).display()
                );
                assert!(
                    stdout.contains(&line),
                    "round {round}, plain {plain}: {line}"
                );
            }
            for line in stderr.lines() {
                let named = changing
                    .iter()
                    .any(|path| line.starts_with(&format!("trawl: {}: ", path.display())));
                assert!(named, "round {round}, plain {plain}: {line}");
                assert!(
                    line.ends_with(": not found (removed during the search, or a broken link)"),
                    "round {round}, plain {plain}: {line}"
                );
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    changer.join().unwrap();
}

/// A file longer than a batch's slot (128 KiB) comes to the plain path with its first 128 KiB
/// already read, and is read on after them (crates/search/src/batch_read.rs): matches before the
/// slot's end, on a line that crosses it, after it, past the 1 MiB read whole and at a file's
/// last byte are found with the same lines, columns and byte offsets as on the plain path, for
/// UTF-8, Latin-1 (detected) and UTF-16 files, and a NUL byte after the slot still makes a file
/// binary.
#[test]
fn files_longer_than_a_slot_are_read_on_after_it_alike_on_both_paths() {
    const SLOT: usize = 128 << 10;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A line of `len` bytes (newline included) with the needle at its start.
    let line = |len: usize| {
        let mut line = b"needle ".to_vec();
        line.resize(len - 1, b'x');
        line.push(b'\n');
        line
    };
    // Fills `bytes` with short lines up to `len`, a needle on every tenth.
    let fill = |bytes: &mut Vec<u8>, len: usize| {
        let mut n = 0;
        while bytes.len() + 40 < len {
            let text = if n % 10 == 0 { "needle" } else { "hay" };
            bytes.extend(format!("{text} line {n:>20}\n").bytes());
            n += 1;
        }
        bytes.resize(len, b'z');
    };
    let mut expected = 0;
    for (i, len) in [
        SLOT + 1,
        SLOT + 4096,
        200_000,
        (1 << 20) - 1,
        1 << 20,
        (1 << 20) + 1,
        3 << 20,
    ]
    .into_iter()
    .enumerate()
    {
        // Lines up to just before the slot's end, one that crosses it, more after.
        let mut bytes = Vec::new();
        fill(&mut bytes, SLOT - 10);
        bytes.extend(line(100));
        fill(&mut bytes, len - 6);
        bytes.extend(b"needle");
        assert_eq!(bytes.len(), len);
        expected += bytes.windows(6).filter(|w| w == b"needle").count();
        write(&root.join(format!("big/utf8-{i}.txt")), &bytes);
        // The same as Latin-1 (an é on every line makes it not UTF-8 after the slot).
        let latin1: Vec<u8> = bytes
            .iter()
            .map(|&b| if b == b'z' { 0xE9 } else { b })
            .collect();
        write(&root.join(format!("big/latin1-{i}.txt")), &latin1);
        expected += latin1.windows(6).filter(|w| w == b"needle").count();
    }
    let mut utf16 = vec![0xFF, 0xFE];
    let text = format!(
        "{}needle\n{}needle",
        "a".repeat(SLOT / 2 - 3),
        "b\n".repeat(SLOT)
    );
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    write(&root.join("big/utf16.txt"), &utf16);
    expected += 2;
    let mut binary = Vec::new();
    fill(&mut binary, SLOT + 100);
    binary.push(0);
    write(&root.join("big/binary.txt"), &binary);
    // Small files beside them, so that the folder's batch goes to the ring.
    for i in 0..20 {
        write(
            &root.join(format!("big/small{i}.txt")),
            format!("needle {i}\n"),
        );
    }
    expected += 20;

    for encoding in ["utf8", "auto"] {
        let (batched, plain) = both_paths(|| {
            let mut command = trawl();
            command.args(["--json", "-j", "2", "-E", encoding]);
            command.arg(root).args(["txt", "needle"]);
            command
        });
        assert_eq!(batched.code, Some(0), "-E {encoding}: {:?}", batched.stderr);
        assert!(
            batched.stderr.is_empty(),
            "-E {encoding}: {:?}",
            batched.stderr
        );
        assert!(batched == plain, "-E {encoding}: the paths differ");
        let summary = batched.stdout.last().expect("a summary");
        assert!(
            summary.contains(&format!("\"matches\":{expected},")),
            "-E {encoding}: {expected} needles written: {summary}"
        );
    }
}

/// Files whose tails are not in memory: the ring's read, which does not wait for the disk,
/// stops where the pages in memory end, and that is never taken for the file's end
/// (crates/search/src/batch_read.rs). Every needle at a file's end is found, however much of
/// each file was in memory.
#[test]
fn files_partly_in_memory_are_searched_to_their_end() {
    use std::os::fd::AsRawFd;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files: Vec<PathBuf> = (0..24)
        .map(|i| root.join(format!("partly/f{i}.txt")))
        .collect();
    for (i, path) in files.iter().enumerate() {
        let mut bytes = format!("line {i}\n").repeat(20_000 + 997 * i).into_bytes();
        bytes.extend(format!("needle {i}\n").bytes());
        write(path, bytes);
    }
    for round in 0..3 {
        for (i, path) in files.iter().enumerate() {
            let file = fs::File::open(path).unwrap();
            file.sync_all().unwrap();
            // Each file's pages from a different point on dropped from the page cache.
            let from = (4096 * (i + round)) as i64;
            // SAFETY: `file` is open; the call only advises the kernel.
            let advised = unsafe {
                libc::posix_fadvise(file.as_raw_fd(), from, 0, libc::POSIX_FADV_DONTNEED)
            };
            assert_eq!(advised, 0);
        }
        let output = trawl()
            .args(["-c", "-j", "2"])
            .arg(root)
            .args(["txt", "needle"])
            .output()
            .expect("trawl runs");
        let printed = printed(output);
        assert_eq!(printed.code, Some(0), "round {round}: {:?}", printed.stderr);
        assert_eq!(
            printed.stdout.len(),
            files.len(),
            "round {round}: {:?}",
            printed.stdout
        );
    }
}
