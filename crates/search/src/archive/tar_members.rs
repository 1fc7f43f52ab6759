//! A tar's members, read front to back from any stream (a file, a decompressor, a member).

use std::io::{self, Read};
use std::path::Path;

use super::{Inflated, MEMBER_LIMIT, Walker, member_path};

/// Searches the members of the tar `stream` holds, as members of the archive at `path`.
/// Only regular files are members: folders, links, devices and FIFOs are passed over, as the
/// walk passes over anything but a regular file. A header that cannot be read ends the
/// archive with an error (what was before it stays searched).
pub(super) fn search(
    walker: &mut Walker<'_>,
    stream: &mut dyn Read,
    path: &Path,
    named: bool,
    depth: usize,
) -> io::Result<()> {
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
