//! A process where io_uring is refused, as a container's seccomp profile refuses it: the
//! search falls back to the plain path for every file, silently, and finds what it finds
//! elsewhere. A test binary of its own, with one test: whether io_uring is used is decided once
//! per process (crates/search/src/batch_read.rs), so no other test may decide it first.
#![cfg(target_os = "linux")]

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use trawl::search::{self, SearchEvent, SearchRequest};

/// Makes every later `io_uring_setup` of this thread, and of the threads it starts, fail with
/// EPERM, as Docker's default seccomp profile and `io_uring_disabled = 2` do.
fn refuse_io_uring() {
    // A classic BPF program over `struct seccomp_data`, whose first word is the system call's
    // number: io_uring_setup → EPERM, anything else allowed.
    let filter = [
        libc::sock_filter {
            code: (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16,
            jt: 0,
            jf: 0,
            k: 0,
        },
        libc::sock_filter {
            code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
            jt: 0,
            jf: 1,
            k: libc::SYS_io_uring_setup as u32,
        },
        libc::sock_filter {
            code: (libc::BPF_RET | libc::BPF_K) as u16,
            jt: 0,
            jf: 0,
            k: libc::SECCOMP_RET_ERRNO | libc::EPERM as u32,
        },
        libc::sock_filter {
            code: (libc::BPF_RET | libc::BPF_K) as u16,
            jt: 0,
            jf: 0,
            k: libc::SECCOMP_RET_ALLOW,
        },
    ];
    let program = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr().cast_mut(),
    };
    // SAFETY: plain prctl calls; the program outlives the call, which copies it.
    unsafe {
        assert_eq!(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        assert_eq!(
            libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                &program as *const libc::sock_fprog
            ),
            0,
            "seccomp: {}",
            std::io::Error::last_os_error()
        );
    }
}

#[test]
fn without_io_uring_every_file_is_read_on_the_plain_path_and_found() {
    refuse_io_uring();
    let why = search::batched_reads().expect_err("io_uring_setup is refused");
    assert!(why.contains("Operation not permitted"), "{why}");

    let dir = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for folder in 0..30 {
        for i in 0..folder % 25 {
            let path = dir.path().join(format!("d{folder}/f{i}.txt"));
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            let text = if i % 3 == 0 {
                expected.push(path.clone());
                format!("x\nneedle {folder} {i}\n")
            } else {
                format!("nothing {folder} {i}\n")
            };
            fs::write(&path, text).unwrap();
        }
    }
    fs::write(dir.path().join("top.txt"), "needle\n").unwrap();
    expected.push(dir.path().join("top.txt"));
    expected.sort();

    let handle = search::start(SearchRequest::new(
        dir.path(),
        vec!["txt".to_string()],
        "needle",
    ))
    .unwrap();
    let mut found: Vec<PathBuf> = Vec::new();
    let summary = loop {
        match handle
            .events()
            .recv_timeout(Duration::from_secs(30))
            .expect("the search ends")
        {
            SearchEvent::File(file) => found.push(file.path),
            SearchEvent::Error(error) => panic!("{error:?}"),
            SearchEvent::Finished(summary) => break summary,
        }
    };
    found.sort();
    assert_eq!(found, expected);
    assert_eq!(summary.errors, 0);
    assert_eq!(summary.files_matched, expected.len() as u64);

    // The command line, started from this thread, inherits the filter: the same files, and
    // not a word about io_uring.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_trawl"))
        .arg(dir.path())
        .args(["-l", "txt", "needle"])
        .output()
        .expect("trawl runs");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(output.status.code(), Some(0));
    let mut listed: Vec<PathBuf> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(PathBuf::from)
        .collect();
    listed.sort();
    assert_eq!(listed, expected);
}
