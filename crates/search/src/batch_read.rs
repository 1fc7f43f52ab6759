//! Small files read in batches through io_uring (Linux): a search thread's ring opens, reads
//! and closes a batch of files with one system call, where the plain path makes four per file
//! (open, the read that fills the buffer, the read that sees the end, close).
//!
//! Each file is four linked operations on a direct descriptor (a slot of the ring's own file
//! table, never one of the process's descriptors): open → read → read → close. The first read
//! fills the file's slot of the buffer; the second, from where the first stopped, must see the
//! end (0 bytes), as the plain path's second read does. Only a file opened, read and seen to end
//! is searched from the ring's buffer. Where a read that comes back short is known to have met
//! the file's end — a regular file (as the walk saw it, not through a link) in a folder of a
//! disk file system ([`Target::short_read_ends`]) — the second read is left out: three
//! operations, not four (it was 4 % of the CPU of a rare literal in the Rust documentation).
//! There the one thing that cuts a read short before the end is the read's refusal to wait
//! for the disk, which stops where a page ends: a read of a whole number of pages goes to the
//! plain path with its bytes, to be read on (tests/uring.rs evicts files' tails from the page
//! cache to check it). A FIFO put in such a file's place after the walk is refused by the
//! first read, which does not wait. A file longer than its slot goes to the plain path with
//! the 128 KiB of its slot, which it does not read again (reading them
//! twice cost the Rust documentation's search 17 % more copying: 702 of its files hold 46 % of
//! its bytes). Any other outcome (an error, a file that grew between the reads, a procfs file
//! read a page at a time, a FIFO put in a file's place that has a writer) hands the file back to
//! be searched on the plain path, which opens it again and meets the same condition with the same
//! message: the ring never decides what an error says or how a file is read.
//!
//! The open is the plain path's: read-only, non-blocking and never a controlling terminal,
//! symbolic links followed as the plain open follows them (the walk has already applied the
//! symlink policy), relative to the directory handle the plain path would use, from the same
//! file of a folder on ([`crate::file_searcher::DirSlot::open_target`]). The reads ask not to
//! wait (`RWF_NOWAIT`): io_uring waits for a FIFO's data even when it was opened non-blocking,
//! so a FIFO put in a file's place after the walk with a writer attached would hang the search;
//! refused, it goes to the plain path, whose read fails at once as it always did. A thread
//! whose reads are mostly refused (tmpfs refuses them all; so do files not in the page cache)
//! reads the rest of its search on the plain path. Only batches of [`MIN_FILES`] files or more
//! are read here: smaller ones gain nothing (scripts/bench-results.md).
//!
//! Whether io_uring is used is decided once per process ([`batched_reads`]): it is not where
//! the kernel is too old, where seccomp refuses `io_uring_setup` (containers' default profiles),
//! where `/proc/sys/kernel/io_uring_disabled` forbids it, or where `TRAWL_IO_URING=off` asks
//! for the plain path. Then every file takes the plain path, silently but for a debug log line
//! (the `log` crate's, which trawl's programs do not print).
//!
//! A cancel is seen between files, as on the plain path; a batch's reads already submitted are
//! waited for (from the page cache, microseconds; from a disk, about one read's time, as they
//! run together), since the kernel writes into the buffer until they complete.

#[cfg(target_os = "linux")]
pub(crate) use linux::BatchReader;
#[cfg(not(target_os = "linux"))]
pub(crate) use other::BatchReader;

/// The environment variable that turns io_uring off for the process: `off`, `0`, `no` or
/// `false` (any case) makes every file take the plain path.
pub const IO_URING_ENV: &str = "TRAWL_IO_URING";

/// Whether this process reads small files in batches through io_uring (`Ok`) or takes the plain
/// path for every file, and why (`Err`: turned off with [`IO_URING_ENV`], not Linux, or the
/// kernel refused a ring). Decided at the first search and kept for the process.
pub fn batched_reads() -> Result<(), String> {
    #[cfg(target_os = "linux")]
    return linux::support().clone();
    #[cfg(not(target_os = "linux"))]
    return Err("io_uring is Linux's".to_string());
}

/// Whether the environment asks for the plain path.
#[cfg(target_os = "linux")]
fn turned_off() -> Option<String> {
    let value = std::env::var(IO_URING_ENV).ok()?;
    let off = ["off", "0", "no", "false"]
        .iter()
        .any(|word| value.trim().eq_ignore_ascii_case(word));
    off.then(|| format!("turned off by {IO_URING_ENV}={value}"))
}

/// The fewest files a search thread takes together that are read through the ring. A
/// submission of a few files wins nothing: with each small folder of a cargo registry (five
/// files on average) read as one submission, the ring was 5 % slower than plain reads, while
/// on the Rust documentation's folders (34 files on average) it was 7 % faster
/// (scripts/bench-results.md). A thread adds the walk's batches already waiting to the one it
/// takes (`crate::engine`), so small folders reach this when the walk is ahead; a batch still
/// this small means the thread was waiting for the walk, and is read at once on the plain path.
#[cfg(target_os = "linux")]
pub(crate) const MIN_FILES: usize = 8;

/// Where a batch opens a file, as the caller of [`BatchReader::read`] says.
#[cfg(target_os = "linux")]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target {
    /// The directory its name is relative to, or `AT_FDCWD` for a whole path.
    pub(crate) dir: std::os::fd::RawFd,
    /// A read that comes back short has met the file's end: it is a regular file on a file
    /// system whose reads of regular files fill what they are asked for up to the end (see
    /// `crate::file_searcher`'s `DirHandle`). Not so for procfs and sysfs (a page at a time),
    /// FUSE or a network file system, or where that is not known.
    pub(crate) short_read_ends: bool,
}

/// What a batch gives back for each of its files.
#[cfg(target_os = "linux")]
pub(crate) enum Fetched<'b> {
    /// The file read whole: all its bytes.
    Whole(&'b [u8]),
    /// The file's first bytes, a whole slot of them or the whole pages a read that would have
    /// waited for the disk stopped after, and it may go on: to be read on after them on the plain
    /// path.
    Start(&'b [u8]),
    /// To be searched on the plain path (see the module's documentation for when).
    Plain,
}

#[cfg(not(target_os = "linux"))]
mod other {
    /// No ring outside Linux: [`BatchReader::new`] gives none (and `crate::engine` reads
    /// through one on Linux alone).
    pub(crate) struct BatchReader<T>(std::convert::Infallible, std::marker::PhantomData<T>);

    impl<T> BatchReader<T> {
        pub(crate) fn new() -> Option<Self> {
            None
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::os::fd::RawFd;
    use std::sync::OnceLock;

    use io_uring::{IoUring, Probe, opcode, squeue, types};

    use super::{Fetched, Target, turned_off};
    use crate::read_buffer::ReadBuffer;

    /// Files in flight at once: the walk hands over at most this many of a folder together,
    /// a search thread gathers waiting batches up to about as many (`crate::engine`), a walker
    /// thread searching what it finds gathers this many from one folder or several, and a
    /// longer list is read this many at a time.
    const SLOTS: usize = 16;
    /// Each file's room in the buffer. A longer file is read on after it on the plain path (1.4 %
    /// of the Rust documentation's files, 1.6 % of a cargo registry's `.rs` files,
    /// scripts/bench-results.md); 16 slots of it are the buffer each search thread keeps.
    pub(super) const SLOT_BYTES: usize = 128 << 10;
    /// Every page size is a multiple of this: where a read that would have waited stops.
    const PAGE_MULTIPLE: usize = 4096;
    /// What the second read may read: any byte means the file goes on past the first read.
    const END_BYTES: usize = 64;
    /// Operations per file: open, read, read to the end, close.
    const OPS: usize = 4;
    const OPEN: u64 = 0;
    const READ: u64 = 1;
    const END: u64 = 2;
    /// The file's position, for a read that goes on where the one before stopped.
    const AT_POSITION: u64 = u64::MAX;
    /// Times in a row `io_uring_enter` may fail with a passing error before the ring is given up.
    const RETRIES: u32 = 100;
    /// Files opened between two looks at how many reads were refused (see [`Refusals`]).
    const JUDGED: u32 = 64;

    /// Decided once per process: whether rings can be had, or why not.
    pub(super) fn support() -> &'static Result<(), String> {
        static SUPPORT: OnceLock<Result<(), String>> = OnceLock::new();
        SUPPORT.get_or_init(|| {
            let support = probe();
            if let Err(why) = &support {
                log::debug!("reading files without io_uring: {why}");
            }
            support
        })
    }

    /// Sets up a ring as the search threads do and asks the kernel for the operations used.
    fn probe() -> Result<(), String> {
        if let Some(why) = turned_off() {
            return Err(why);
        }
        let ring = new_ring().map_err(|err| format!("no io_uring ring: {err}"))?;
        let mut probe = Probe::new();
        ring.submitter()
            .register_probe(&mut probe)
            .map_err(|err| format!("io_uring's operations cannot be probed: {err}"))?;
        for (code, name) in [
            (opcode::OpenAt::CODE, "openat"),
            (opcode::Read::CODE, "read"),
            (opcode::Close::CODE, "close"),
        ] {
            if !probe.is_supported(code) {
                return Err(format!("this kernel's io_uring has no {name}"));
            }
        }
        Ok(())
    }

    /// A ring with room for a batch and a sparse table of direct descriptors, one per slot
    /// (Linux 5.19 or later).
    fn new_ring() -> io::Result<IoUring> {
        let ring = IoUring::new((SLOTS * OPS) as u32)?;
        ring.submitter().register_files_sparse(SLOTS as u32)?;
        Ok(ring)
    }

    /// One slot's file while its operations run.
    #[derive(Clone, Copy, Default)]
    struct Results {
        open: Option<i32>,
        read: Option<i32>,
        end: Option<i32>,
        /// No second read: a short first read is the file's end ([`Target::short_read_ends`]).
        short_read_ends: bool,
    }

    /// What a slot's file came to.
    enum Outcome {
        /// Read whole: this many bytes.
        Whole(usize),
        /// This many of its first bytes, and maybe more after them.
        Start(usize),
        Plain,
    }

    impl Results {
        /// What the file came to, once the results it depends on are known.
        fn outcome(&self) -> Option<Outcome> {
            let (open, read) = (self.open?, self.read?);
            if open < 0 || read < 0 {
                return Some(Outcome::Plain);
            }
            let filled = read as usize == SLOT_BYTES;
            if self.short_read_ends {
                // A full slot may be the whole file or its start, and a read that would have
                // waited for the disk stops where a page ends (`filemap_read` copies whole
                // folios, aligned to their size, from the file's first byte): the plain path
                // reads on after either. A file that ends exactly there (8 of the docs' 48,625
                // files) is then read again.
                let maybe_cut = read > 0 && (read as usize).is_multiple_of(PAGE_MULTIPLE);
                return Some(if filled || maybe_cut {
                    Outcome::Start(read as usize)
                } else {
                    Outcome::Whole(read as usize)
                });
            }
            Some(match self.end? {
                0 => Outcome::Whole(read as usize),
                1.. if filled => Outcome::Start(SLOT_BYTES),
                _ => Outcome::Plain,
            })
        }
    }

    /// Reads refused because they would have waited: on a file system that cannot read without
    /// waiting (tmpfs refuses every such read) or on files not in the page cache. Where more
    /// than half of a stretch of files is refused, the ring only doubles their opens: the
    /// thread reads the rest of its search on the plain path.
    #[derive(Default)]
    struct Refusals {
        opened: u32,
        refused: u32,
    }

    impl Refusals {
        /// Counts a file whose open succeeded; true once the ring is not worth it.
        fn count(&mut self, read: i32) -> bool {
            self.opened += 1;
            if read == -libc::EAGAIN || read == -libc::EOPNOTSUPP {
                self.refused += 1;
            }
            if self.opened < JUDGED {
                return false;
            }
            let mostly_refused = 2 * self.refused > self.opened;
            *self = Refusals::default();
            mostly_refused
        }
    }

    /// A search thread's ring, its buffer and the files of the batch in flight.
    pub(crate) struct BatchReader<T> {
        ring: IoUring,
        /// One buffer per slot, each placed as the plain path's (`crate::read_buffer`).
        slots: Vec<ReadBuffer>,
        /// Where each slot's second read puts what it finds (read only to see that it is 0).
        end_scratch: Box<[u8; SLOTS * END_BYTES]>,
        /// The batch's files by slot, until their reads are done.
        files: Vec<Option<T>>,
        results: [Results; SLOTS],
        /// The NUL-terminated names of the batch's files, and where each slot's starts.
        names: Vec<u8>,
        name_at: [usize; SLOTS],
        dirs: [RawFd; SLOTS],
        /// Operations submitted and not yet completed.
        in_flight: usize,
        /// `io_uring_enter` failed for good: every file takes the plain path, and the slots'
        /// buffers are never freed while an operation may still write into them.
        broken: bool,
        refusals: Refusals,
        /// Most reads were refused: every further file takes the plain path.
        refused: bool,
    }

    impl<T> BatchReader<T> {
        /// A ring for one search thread; none where the process reads without io_uring, or
        /// where this thread's ring cannot be set up (it then reads on the plain path).
        pub(crate) fn new() -> Option<Self> {
            support().as_ref().ok()?;
            match Self::with_new_ring() {
                Ok(reader) => Some(reader),
                Err(err) => {
                    log::debug!("a search thread reads without io_uring: {err}");
                    None
                }
            }
        }

        /// A reader on a ring of its own, whatever the process decided.
        pub(super) fn with_new_ring() -> io::Result<Self> {
            new_ring().map(|ring| BatchReader {
                ring,
                slots: (0..SLOTS).map(|_| ReadBuffer::new(SLOT_BYTES)).collect(),
                end_scratch: Box::new([0; SLOTS * END_BYTES]),
                files: (0..SLOTS).map(|_| None).collect(),
                results: [Results::default(); SLOTS],
                names: Vec::new(),
                name_at: [0; SLOTS],
                dirs: [libc::AT_FDCWD; SLOTS],
                in_flight: 0,
                broken: false,
                refusals: Refusals::default(),
                refused: false,
            })
        }

        /// Reads `files`, [`SLOTS`] at a time, and gives each to `each` as its reads complete,
        /// with its bytes or for the plain path. `open_at` writes a file's NUL-terminated name
        /// into the buffer it is given and says where to open it; none sends the file to the
        /// plain path at once.
        pub(crate) fn read(
            &mut self,
            files: Vec<T>,
            mut open_at: impl FnMut(&T, &mut Vec<u8>) -> Option<Target>,
            mut each: impl FnMut(T, Fetched<'_>),
        ) {
            let mut files = files.into_iter().peekable();
            while files.peek().is_some() {
                let mut used = 0;
                self.names.clear();
                while used < SLOTS {
                    let Some(file) = files.next() else { break };
                    let start = self.names.len();
                    // Once the ring is off for this thread, a file goes to the plain path
                    // without opening its folder here first (the plain path opens it).
                    let usable = !self.broken && !self.refused;
                    let target = if usable {
                        open_at(&file, &mut self.names)
                    } else {
                        None
                    };
                    match target {
                        Some(target) => {
                            self.name_at[used] = start;
                            self.dirs[used] = target.dir;
                            self.files[used] = Some(file);
                            self.results[used] = Results {
                                short_read_ends: target.short_read_ends,
                                ..Results::default()
                            };
                            used += 1;
                        }
                        None => {
                            self.names.truncate(start);
                            each(file, Fetched::Plain);
                        }
                    }
                }
                if used > 0 {
                    self.submit(used);
                    self.complete(&mut each);
                }
            }
        }

        /// Queues the open → read → read → close of the first `used` slots' files.
        fn submit(&mut self, used: usize) {
            for slot in 0..used {
                let index = slot as u32;
                let name = self.names[self.name_at[slot]..]
                    .as_ptr()
                    .cast::<libc::c_char>();
                let buffer = self.slots[slot].for_offset(0).as_mut_ptr();
                let scratch = self.end_scratch[slot * END_BYTES..].as_mut_ptr();
                let data = |op: u64| slot as u64 * OPS as u64 + op;
                let Ok(target) = types::DestinationSlot::try_from_slot_target(index) else {
                    unreachable!("slot {index} is a valid direct descriptor slot");
                };
                // Hard links: each operation runs whatever the one before gave, so that the
                // close always runs and each result is known (a failed open makes the reads fail
                // with EBADF, and only the open's result is looked at then).
                let open = opcode::OpenAt::new(types::Fd(self.dirs[slot]), name)
                    // O_CLOEXEC is refused for a direct descriptor, which no child inherits.
                    .flags(libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY)
                    .file_index(Some(target))
                    .build()
                    .flags(squeue::Flags::IO_HARDLINK)
                    .user_data(data(OPEN));
                let read = opcode::Read::new(types::Fixed(index), buffer, SLOT_BYTES as u32)
                    .offset(AT_POSITION)
                    .rw_flags(libc::RWF_NOWAIT)
                    .build()
                    .flags(squeue::Flags::IO_HARDLINK)
                    .user_data(data(READ));
                let end = opcode::Read::new(types::Fixed(index), scratch, END_BYTES as u32)
                    .offset(AT_POSITION)
                    .rw_flags(libc::RWF_NOWAIT)
                    .build()
                    .flags(squeue::Flags::IO_HARDLINK)
                    .user_data(data(END));
                let close = opcode::Close::new(types::Fixed(index))
                    .build()
                    .user_data(data(OPS as u64 - 1));
                // SAFETY: the names, the slots' buffers and the scratch are this reader's and
                // are neither moved nor freed until every operation has completed: `complete`
                // waits for them, and `Drop` waits for them too (or leaks the buffers).
                let operations = if self.results[slot].short_read_ends {
                    &[open, read, close][..]
                } else {
                    &[open, read, end, close][..]
                };
                let pushed = unsafe {
                    let mut queue = self.ring.submission();
                    queue.push_multiple(operations).is_ok()
                };
                assert!(pushed, "the ring holds a batch's {used} files");
                self.in_flight += operations.len();
            }
        }

        /// Submits what is queued and hands each file to `each` as its reads complete, until
        /// nothing is in flight.
        fn complete(&mut self, each: &mut impl FnMut(T, Fetched<'_>)) {
            let mut failures = 0;
            while self.in_flight > 0 {
                if let Err(err) = self.ring.submit_and_wait(1) {
                    let passing = matches!(
                        err.raw_os_error(),
                        Some(libc::EINTR | libc::EAGAIN | libc::EBUSY)
                    );
                    failures += 1;
                    if !passing || failures > RETRIES {
                        log::debug!("io_uring failed ({err}); reading without it");
                        self.give_up(each);
                        return;
                    }
                }
                let Self {
                    ring,
                    slots,
                    files,
                    results,
                    in_flight,
                    refusals,
                    refused,
                    ..
                } = self;
                for entry in ring.completion() {
                    *in_flight -= 1;
                    let slot = (entry.user_data() / OPS as u64) as usize;
                    let result = entry.result();
                    let known = &mut results[slot];
                    match entry.user_data() % OPS as u64 {
                        OPEN => known.open = Some(result),
                        READ => known.read = Some(result),
                        END => known.end = Some(result),
                        _ => continue,
                    }
                    let Some(outcome) = known.outcome() else {
                        continue;
                    };
                    let Some(file) = files[slot].take() else {
                        continue;
                    };
                    let opened = known.open.is_some_and(|open| open >= 0);
                    if let (true, Some(read)) = (opened, known.read)
                        && refusals.count(read)
                        && !*refused
                    {
                        log::debug!(
                            "most reads would have waited (files not cached, or a file system \
                             that cannot read without waiting): reading without io_uring"
                        );
                        *refused = true;
                    }
                    match outcome {
                        Outcome::Whole(len) => {
                            each(file, Fetched::Whole(slots[slot].read_from(0, len)))
                        }
                        Outcome::Start(len) => {
                            each(file, Fetched::Start(slots[slot].read_from(0, len)))
                        }
                        Outcome::Plain => each(file, Fetched::Plain),
                    }
                }
            }
        }

        /// After `io_uring_enter` failed for good: the files still waiting take the plain path
        /// (which reads into its own buffer), and the ring is not used again.
        fn give_up(&mut self, each: &mut impl FnMut(T, Fetched<'_>)) {
            self.broken = true;
            for slot in 0..SLOTS {
                if let Some(file) = self.files[slot].take() {
                    each(file, Fetched::Plain);
                }
            }
        }
    }

    impl<T> Drop for BatchReader<T> {
        /// Waits for what is still in flight (a panic while a batch was read); where that
        /// fails, leaves the buffers the kernel may still write into allocated.
        fn drop(&mut self) {
            let mut failures = 0;
            while self.in_flight > 0 && !self.broken {
                if self.ring.submit_and_wait(1).is_err() {
                    failures += 1;
                    self.broken = failures > RETRIES;
                }
                self.in_flight -= self.ring.completion().count().min(self.in_flight);
            }
            if self.in_flight > 0 {
                std::mem::forget(std::mem::take(&mut self.slots));
                std::mem::forget(std::mem::take(&mut self.names));
                std::mem::forget(std::mem::replace(
                    &mut self.end_scratch,
                    Box::new([0; SLOTS * END_BYTES]),
                ));
            }
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::mpsc;
    use std::time::Duration;

    use super::linux::SLOT_BYTES;
    use super::*;

    /// How a file comes back from a batch.
    #[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum Got {
        Whole(Vec<u8>),
        Start(Vec<u8>),
        Plain,
    }

    /// How each file of `paths` comes back from one batch, each opened by its path with
    /// `short_read_ends` as given. On a thread of its own, so that a read that blocks fails
    /// the test.
    fn fetch(paths: Vec<PathBuf>, short_read_ends: bool) -> Vec<(PathBuf, Got)> {
        let (done_tx, done) = mpsc::channel();
        std::thread::spawn(move || {
            // Whatever this process decided (TRAWL_IO_URING=off included): the ring itself.
            let mut reader =
                BatchReader::with_new_ring().expect("io_uring here (Linux 5.19 or later)");
            let mut fetched = Vec::new();
            reader.read(
                paths,
                |path: &PathBuf, name| {
                    name.extend_from_slice(path.as_os_str().as_encoded_bytes());
                    name.push(0);
                    Some(Target {
                        dir: libc::AT_FDCWD,
                        short_read_ends,
                    })
                },
                |path, outcome| {
                    let bytes = match outcome {
                        Fetched::Whole(bytes) => Got::Whole(bytes.to_vec()),
                        Fetched::Start(bytes) => Got::Start(bytes.to_vec()),
                        Fetched::Plain => Got::Plain,
                    };
                    fetched.push((path, bytes));
                },
            );
            let _ = done_tx.send(fetched);
        });
        let mut fetched = done
            .recv_timeout(Duration::from_secs(10))
            .expect("a batch read never blocks");
        fetched.sort();
        fetched
    }

    fn mkfifo(path: &Path) {
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    }

    /// Drops the pages of `path` from byte `from` on from the page cache (written to disk first,
    /// so that they can be dropped), and returns how many of its first bytes are still in
    /// memory, in whole pages, as `mincore` sees them (which reads nothing in).
    pub(super) fn evict_after(path: &Path, from: i64) -> usize {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open(path).unwrap();
        file.sync_all().unwrap();
        let len = file.metadata().unwrap().len() as usize;
        // SAFETY: `file` is open; the call only advises the kernel.
        let advised =
            unsafe { libc::posix_fadvise(file.as_raw_fd(), from, 0, libc::POSIX_FADV_DONTNEED) };
        assert_eq!(advised, 0, "posix_fadvise");
        // SAFETY: a shared read-only mapping of the open file, only passed to `mincore` and
        // unmapped before it is dropped.
        unsafe {
            let map = libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            );
            assert_ne!(map, libc::MAP_FAILED, "mmap");
            let page = libc::sysconf(libc::_SC_PAGESIZE) as usize;
            let mut resident = vec![0u8; len.div_ceil(page)];
            assert_eq!(libc::mincore(map, len, resident.as_mut_ptr()), 0, "mincore");
            libc::munmap(map, len);
            let pages = resident.iter().take_while(|&&r| r & 1 == 1).count();
            (pages * page).min(len)
        }
    }

    #[test]
    fn a_read_cut_short_by_pages_not_in_memory_is_never_taken_for_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tail-evicted.txt");
        let content: Vec<u8> = (0..100_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&path, &content).unwrap();
        let mut cut = 0;
        for short_read_ends in [false, true] {
            let in_memory = evict_after(&path, 16384);
            cut += usize::from(in_memory < content.len());
            // The ring's read stops before the pages that are not in memory (and starts
            // reading them in), or is refused.
            let fetched = fetch(vec![path.clone()], short_read_ends);
            match &fetched[0].1 {
                Got::Whole(bytes) => {
                    assert_eq!(bytes.len(), content.len(), "taken for the whole file");
                    assert!(
                        in_memory == content.len(),
                        "{in_memory} bytes were in memory"
                    );
                }
                Got::Start(bytes) => {
                    assert!(short_read_ends, "only where a short read may be the end");
                    assert_eq!(bytes.len() % 4096, 0);
                    assert!(bytes.len() < content.len() && content.starts_with(bytes));
                }
                Got::Plain => {}
            }
        }
        // Where the file system keeps nothing in memory (tmpfs refuses every such read) or
        // cannot drop the pages, there is nothing to check.
        if cut == 0 {
            eprintln!("the page cache kept the whole file: nothing was cut");
        }
    }

    #[test]
    fn small_files_come_whole_longer_ones_with_their_start_and_the_rest_go_to_the_plain_path() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name);
        std::fs::write(at("empty.txt"), b"").unwrap();
        std::fs::write(at("small.txt"), b"a needle\n").unwrap();
        let fits = vec![b'x'; SLOT_BYTES];
        std::fs::write(at("fits.txt"), &fits).unwrap();
        std::fs::write(at("longer.txt"), vec![b'x'; SLOT_BYTES + 1]).unwrap();
        // FIFOs put in a file's place after the walk, without a writer, with one that writes
        // nothing and with one that has written: never waited for, and left to the plain path
        // (which reads the first as empty and reports EAGAIN for the others, as it always did).
        mkfifo(&at("fifo.txt"));
        mkfifo(&at("fifo-held.txt"));
        mkfifo(&at("fifo-written.txt"));
        let _writer = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(at("fifo-held.txt"))
            .unwrap();
        let mut written = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(at("fifo-written.txt"))
            .unwrap();
        std::io::Write::write_all(&mut written, b"a needle\n").unwrap();
        let paths = [
            "empty.txt",
            "small.txt",
            "fits.txt",
            "longer.txt",
            "fifo.txt",
            "fifo-held.txt",
            "fifo-written.txt",
            "gone.txt",
        ];
        // More files than slots: read in two rounds.
        let mut all: Vec<PathBuf> = paths.iter().map(|name| at(name)).collect();
        all.extend((0..20).map(|i| at(&format!("many{i}.txt"))));
        for i in 0..20 {
            std::fs::write(at(&format!("many{i}.txt")), format!("{i}\n")).unwrap();
        }
        // Without the read that sees the end, where a short read is known to end the file, all
        // come back alike but a file that fills its slot exactly: its end unseen, the plain
        // path reads on after it (and finds nothing more).
        for short_read_ends in [false, true] {
            let fetched = fetch(all.clone(), short_read_ends);
            let got = |name: &str| {
                let (_, got) = (fetched.iter())
                    .find(|(path, _)| *path == at(name))
                    .expect("every file comes back");
                got
            };
            assert_eq!(fetched.len(), paths.len() + 20);
            assert_eq!(got("empty.txt"), &Got::Whole(Vec::new()));
            assert_eq!(got("small.txt"), &Got::Whole(b"a needle\n".to_vec()));
            let fits = fits.clone();
            let expected = if short_read_ends {
                Got::Start(fits)
            } else {
                Got::Whole(fits)
            };
            assert_eq!(got("fits.txt"), &expected, "{short_read_ends}");
            assert_eq!(
                got("longer.txt"),
                &Got::Start(vec![b'x'; SLOT_BYTES]),
                "a longer file's first slot, for the plain path to read on after"
            );
            for name in ["fifo.txt", "fifo-held.txt", "fifo-written.txt", "gone.txt"] {
                assert_eq!(got(name), &Got::Plain, "{name}, {short_read_ends}");
            }
            for i in 0..20 {
                assert_eq!(
                    got(&format!("many{i}.txt")),
                    &Got::Whole(format!("{i}\n").into_bytes())
                );
            }
        }
    }
}
