//! A search thread's read buffer, placed where the kernel copies into it fastest.
//!
//! Reading a file copies it out of the page cache. On the AMD machines trawl is measured on
//! that copy (`rep movsb`) runs at a quarter of its speed when the destination lies 1 to 31
//! bytes after the source within their pages (scripts/bench-results.md, "The copy out of the
//! page cache"). A large `Vec` starts 16 bytes into a page (the allocator's header), so every
//! file read from its first byte was copied at the slow rate. Here a read of the file from
//! byte `offset` goes to a spot [`DISTANCE`] bytes after `offset`'s place in a page, which is
//! fast on every placement measured; elsewhere it costs nothing but two pages.

/// The size of a page, which the page cache copies from.
const PAGE: usize = 4096;
/// How far a read's destination lies after its source within their pages.
const DISTANCE: usize = 64;

/// The most one read asks for at once where a cancel must be seen between reads: a read of
/// this size takes about a millisecond from the page cache.
pub(crate) const CANCELLABLE_READ: usize = 1 << 20;

/// A buffer of a fixed length for reads at any file offset. Allocated and initialised at its
/// first read (reads need no zero-filling per file), so that a searcher that never reads a
/// file (bytes already in memory) never pays for it.
pub(crate) struct ReadBuffer {
    bytes: Vec<u8>,
    /// The index of the first byte that starts a page.
    page: usize,
    len: usize,
}

impl ReadBuffer {
    /// A buffer for reads of up to `len` bytes (nothing is allocated yet).
    pub(crate) fn new(len: usize) -> Self {
        ReadBuffer {
            bytes: Vec::new(),
            page: 0,
            len,
        }
    }

    /// Where to read the file from byte `offset` on.
    pub(crate) fn for_offset(&mut self, offset: u64) -> &mut [u8] {
        if self.bytes.is_empty() {
            self.allocate();
        }
        let start = self.start(offset);
        &mut self.bytes[start..start + self.len]
    }

    /// The first `len` bytes of what was read from byte `offset` on (nothing before a read).
    pub(crate) fn read_from(&self, offset: u64, len: usize) -> &[u8] {
        if self.bytes.is_empty() {
            return &[];
        }
        let start = self.start(offset);
        &self.bytes[start..start + len.min(self.len)]
    }

    #[cold]
    fn allocate(&mut self) {
        self.bytes = vec![0; self.len + 2 * PAGE];
        self.page = self.bytes.as_ptr().align_offset(PAGE).min(PAGE);
    }

    fn start(&self, offset: u64) -> usize {
        let in_page = (offset % PAGE as u64) as usize;
        self.page + (in_page + DISTANCE) % PAGE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_lands_the_same_distance_after_its_source_in_a_page() {
        let mut buffer = ReadBuffer::new(10_000);
        assert_eq!(
            buffer.read_from(0, 3),
            b"",
            "nothing is read before the first read"
        );
        for offset in [0, 1, 63, 4095, 4096, 1 << 20, (1 << 20) - 1] {
            let area = buffer.for_offset(offset);
            assert_eq!(area.len(), 10_000);
            let at = area.as_ptr() as usize % PAGE;
            assert_eq!(
                at,
                (offset as usize % PAGE + DISTANCE) % PAGE,
                "offset {offset}"
            );
            area[..3].copy_from_slice(b"abc");
            assert_eq!(buffer.read_from(offset, 3), b"abc");
        }
    }
}
