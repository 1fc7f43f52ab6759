//! A tar's members, read front to back from any stream (a file, a decompressor, a member).

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Inflated, MEMBER_LIMIT, Report, Walker, is_safe, kind_of, member_path, message_of};
use crate::FileSearcher;
use crate::split::SharedWork;

/// A member up to this size is handed to another thread, read into memory: the size a file is
/// read whole at (a larger one is streamed here).
const HANDED_OFF_SIZE: u64 = 1 << 20;
/// At most this many bytes of members handed off wait for a thread at a time, per tar.
pub(crate) const IN_FLIGHT_LIMIT: u64 = 16 << 20;

/// A member read into memory by the thread reading its tar, for another to search.
pub(crate) struct QueuedMember {
    path: PathBuf,
    bytes: Vec<u8>,
    /// The bytes of its tar's members waiting or being searched.
    in_flight: Arc<AtomicU64>,
}

impl QueuedMember {
    /// The member's path, `ARCHIVE!/MEMBER`.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// Searches a member another thread read (see [`QueuedMember`]).
pub(crate) fn search_queued(
    searcher: &mut FileSearcher,
    member: &QueuedMember,
    report: &mut dyn Report,
) {
    let found = searcher.search_bytes(&member.bytes);
    member
        .in_flight
        .fetch_sub(member.bytes.len() as u64, Ordering::Relaxed);
    match found {
        Ok(found) => report.searched(member.path.clone(), found),
        Err(err) if err.kind() == io::ErrorKind::Interrupted && report.cancelled() => {}
        Err(err) => report.failed(member.path.clone(), message_of(&err)),
    }
}

/// Searches the members of the tar `stream` holds, as members of the archive at `path`.
/// Only regular files are members: folders, links, devices and FIFOs are passed over, as the
/// walk passes over anything but a regular file. A header that cannot be read ends the
/// archive with an error (what was before it stays searched).
///
/// A tar on disk (`depth` 1) hands its small members to the other search threads, so that
/// this one goes on reading (and decompressing) while they search.
pub(super) fn search(
    walker: &mut Walker<'_>,
    stream: &mut dyn Read,
    path: &Path,
    named: bool,
    depth: usize,
) -> io::Result<()> {
    let hand_off = depth == 1 && walker.searcher.helpers().is_some();
    let in_flight = Arc::new(AtomicU64::new(0));
    let mut archive = tar::Archive::new(stream);
    let mut entries = archive.entries()?;
    loop {
        if walker.report.cancelled() {
            return Ok(());
        }
        let mut entry = match entries.next() {
            None => return Ok(()),
            Some(Ok(entry)) => entry,
            Some(Err(err)) => return Err(err),
        };
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let size = entry.size();
        if size > MEMBER_LIMIT {
            walker
                .report
                .failed(member_path(path, &name), Inflated::Size.to_string());
            continue;
        }
        let base = name.rsplit('/').next().unwrap_or(&name).as_bytes();
        let member = member_path(path, &name);
        if hand_off
            && size <= HANDED_OFF_SIZE
            && in_flight.load(Ordering::Relaxed) + size <= IN_FLIGHT_LIMIT
            && is_safe(&name)
            && kind_of(base).is_none()
        {
            if !walker.selection.selects(&member, base, named) {
                continue;
            }
            let mut bytes = Vec::with_capacity(size as usize);
            if let Err(err) = entry.read_to_end(&mut bytes) {
                // The stream under the tar failed: nothing after it can be read.
                walker.report.failed(member, message_of(&err));
                return Ok(());
            }
            in_flight.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            let queued = Arc::new(QueuedMember {
                path: member,
                bytes,
                in_flight: Arc::clone(&in_flight),
            });
            let given = match walker.searcher.helpers() {
                Some(helpers) => helpers.give(SharedWork::Member(queued)),
                None => Err(SharedWork::Member(queued)),
            };
            // Every other thread has ended: this one searches it.
            if let Err(SharedWork::Member(queued)) = given {
                search_queued(walker.searcher, &queued, walker.report);
            }
            continue;
        }
        if !walker.member(&mut entry, size, path, &name, named, depth) {
            // The stream under the member failed (a truncated or corrupt compressed tar, or
            // past its inflation limit): what follows cannot be read, and the member's error
            // said why.
            let mut rest = [0u8; 1];
            if entry.read(&mut rest).is_err() {
                return Ok(());
            }
        }
    }
}
