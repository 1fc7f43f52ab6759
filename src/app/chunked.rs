//! Storage that grows by adding chunks, never by moving what it holds.
//!
//! The results model appends for as long as a search finds matches. A vector that doubles
//! copies all it holds into new memory each time it grows: at a million matches the 32 MB
//! occurrence array moved into 64 MB of pages not yet mapped, 25–40 ms inside one frame. Here
//! storage is a list of chunks of about a megabyte: growing allocates one more, whose pages
//! are mapped one by one as it fills, a little in each frame. The first chunk grows by
//! doubling, as a vector does, so that a small model stays small.

/// About the size of a chunk, in bytes.
const CHUNK_BYTES: usize = 1 << 20;

/// A vector of `T` in chunks of [`CHUNK_BYTES`].
#[derive(Debug)]
pub(crate) struct ChunkedVec<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
    /// Empty chunks to fill before allocating new ones: a replaced model's, whose pages are
    /// mapped already (see [`take_chunks_of`](Self::take_chunks_of)).
    spares: Vec<Vec<T>>,
}

impl<T> ChunkedVec<T> {
    /// Elements in a full chunk.
    const PER_CHUNK: usize = if size_of::<T>() == 0 || size_of::<T>() > CHUNK_BYTES {
        1
    } else {
        CHUNK_BYTES / size_of::<T>()
    };

    pub(crate) fn new() -> Self {
        ChunkedVec {
            chunks: Vec::new(),
            len: 0,
            spares: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < Self::PER_CHUNK => {
                if chunk.len() == chunk.capacity() {
                    // Only the first chunk can be short of room: it doubles, to a full chunk.
                    let room = (2 * chunk.capacity()).clamp(4, Self::PER_CHUNK) - chunk.len();
                    chunk.reserve_exact(room);
                }
                chunk.push(value);
            }
            _ => {
                let mut chunk = match self.spares.pop() {
                    Some(spare) => spare,
                    None if self.chunks.is_empty() => Vec::new(),
                    None => Vec::with_capacity(Self::PER_CHUNK),
                };
                chunk.push(value);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    pub(crate) fn get(&self, index: usize) -> Option<&T> {
        self.chunks
            .get(index / Self::PER_CHUNK)?
            .get(index % Self::PER_CHUNK)
    }

    /// Elements the chunks (spares included) have room for: the heap they take.
    pub(crate) fn capacity(&self) -> usize {
        self.chunks
            .iter()
            .chain(&self.spares)
            .map(Vec::capacity)
            .sum()
    }

    /// Frees the spares and what the last chunk has left unused: nothing more is added.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.spares = Vec::new();
        if let Some(last) = self.chunks.last_mut() {
            last.shrink_to_fit();
        }
    }

    /// Empties `old` and keeps its chunks as spares (a short one grows to a full one when
    /// filled).
    pub(crate) fn take_chunks_of(&mut self, old: &mut ChunkedVec<T>) {
        for mut chunk in old.chunks.drain(..).chain(old.spares.drain(..)) {
            chunk.clear();
            self.spares.push(chunk);
        }
        old.len = 0;
    }
}

impl<T> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec::new()
    }
}

impl<T> std::ops::Index<usize> for ChunkedVec<T> {
    type Output = T;

    fn index(&self, index: usize) -> &T {
        &self.chunks[index / Self::PER_CHUNK][index % Self::PER_CHUNK]
    }
}

/// Where a text starts in a [`ChunkedText`]: its chunk and its byte in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TextAt {
    chunk: u32,
    offset: u32,
}

/// Texts one after another in chunks of [`CHUNK_BYTES`]; a text is never split between two
/// (one longer than a chunk gets a chunk of its own). The first chunk grows by doubling.
#[derive(Debug, Default)]
pub(crate) struct ChunkedText {
    chunks: Vec<String>,
    spares: Vec<String>,
}

impl ChunkedText {
    /// Appends `text` and says where it starts.
    pub(crate) fn push_str(&mut self, text: &str) -> TextAt {
        let fits = match self.chunks.last() {
            // The first chunk may grow to a full one.
            Some(chunk) if self.chunks.len() == 1 => {
                chunk.len() + text.len() <= chunk.capacity().max(CHUNK_BYTES)
            }
            Some(chunk) => chunk.capacity() - chunk.len() >= text.len(),
            None => false,
        };
        if !fits && self.chunks.is_empty() && self.spares.is_empty() {
            self.chunks.push(String::new());
        } else if !fits {
            let chunk = match self.spares.last() {
                Some(spare) if spare.capacity() >= text.len() => self.spares.pop(),
                _ => None,
            };
            self.chunks
                .push(chunk.unwrap_or_else(|| String::with_capacity(text.len().max(CHUNK_BYTES))));
        }
        let index = self.chunks.len() - 1;
        let chunk = &mut self.chunks[index];
        let at = TextAt {
            chunk: u32::try_from(index).unwrap_or(u32::MAX),
            offset: u32::try_from(chunk.len()).unwrap_or(u32::MAX),
        };
        chunk.push_str(text);
        at
    }

    /// The `len` bytes at `at` (none when they are not all there, or not a whole text).
    pub(crate) fn get(&self, at: TextAt, len: u32) -> Option<&str> {
        let start = at.offset as usize;
        self.chunks
            .get(at.chunk as usize)?
            .get(start..start + len as usize)
    }

    /// Bytes the chunks (spares included) take on the heap.
    pub(crate) fn capacity(&self) -> usize {
        self.chunks
            .iter()
            .chain(&self.spares)
            .map(String::capacity)
            .sum()
    }

    /// Frees the spares and what the last chunk has left unused: nothing more is added.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.spares = Vec::new();
        if let Some(last) = self.chunks.last_mut() {
            last.shrink_to_fit();
        }
    }

    /// Empties `old` and keeps its chunks as spares.
    pub(crate) fn take_chunks_of(&mut self, old: &mut ChunkedText) {
        for mut chunk in old.chunks.drain(..).chain(old.spares.drain(..)) {
            chunk.clear();
            self.spares.push(chunk);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunked_vec_indexes_across_chunks_without_moving_its_elements() {
        let mut vec = ChunkedVec::<u64>::new();
        let per = ChunkedVec::<u64>::PER_CHUNK;
        for i in 0..2 * per + 3 {
            vec.push(i as u64);
        }
        let first = vec.get(0).map(|v| v as *const u64);
        for i in 2 * per + 3..3 * per {
            vec.push(i as u64);
        }
        assert_eq!(vec.get(0).map(|v| v as *const u64), first, "nothing moved");
        assert_eq!(vec.len(), 3 * per);
        assert_eq!(vec[per], per as u64);
        assert_eq!(vec.get(3 * per - 1), Some(&(3 * per as u64 - 1)));
        assert_eq!(vec.get(3 * per), None);
    }

    #[test]
    fn a_new_vec_fills_the_chunks_of_the_one_it_replaces_first() {
        let per = ChunkedVec::<u32>::PER_CHUNK;
        let mut old = ChunkedVec::<u32>::new();
        for i in 0..2 * per {
            old.push(i as u32);
        }
        let mut new = ChunkedVec::<u32>::new();
        new.push(7);
        new.take_chunks_of(&mut old);
        assert_eq!(old.len(), 0);
        assert!(new.capacity() >= 2 * per);
        for i in 0..per {
            new.push(i as u32);
        }
        assert_eq!((new.len(), new[0], new[per]), (per + 1, 7, per as u32 - 1));
        new.shrink_to_fit();
        assert_eq!(new.capacity(), per + 1);
    }

    #[test]
    fn texts_are_never_split_between_chunks() {
        let mut text = ChunkedText::default();
        let a = text.push_str("abc");
        let long = "x".repeat(CHUNK_BYTES - 2);
        let b = text.push_str(&long);
        let c = text.push_str("déf");
        assert_eq!(text.get(a, 3), Some("abc"));
        assert_eq!(text.get(b, long.len() as u32), Some(long.as_str()));
        assert_ne!(a.chunk, b.chunk, "the long text did not fit after abc");
        assert_eq!(text.get(c, 4), Some("déf"));
        assert_eq!(text.get(c, 2), None, "not at a character boundary");
        let huge = "y".repeat(3 * CHUNK_BYTES);
        let d = text.push_str(&huge);
        assert_eq!(text.get(d, huge.len() as u32), Some(huge.as_str()));
    }
}
