//! The compressions a single stream may be in, each read through its crate's streaming decoder.

use std::io::{self, Read};

/// A compression of one stream (as ripgrep's `-z` reads them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Codec {
    /// `.gz`: every gzip member in turn, as `gzip -d` reads a file of several.
    Gzip,
    /// `.bz2`: every bzip2 stream in turn, as `bzip2 -d` does.
    Bzip2,
    /// `.xz`: every xz stream in turn.
    Xz,
    /// `.zst`: every zstd frame in turn.
    Zstd,
    /// `.lz4`: the LZ4 frame format (`lz4` writes it).
    Lz4,
}

impl Codec {
    /// Every codec, for matching a name's suffix.
    pub(crate) const ALL: [Codec; 5] = [
        Codec::Gzip,
        Codec::Bzip2,
        Codec::Xz,
        Codec::Zstd,
        Codec::Lz4,
    ];

    /// The suffix a file compressed so ends with.
    pub(crate) fn suffix(self) -> &'static [u8] {
        match self {
            Codec::Gzip => b".gz",
            Codec::Bzip2 => b".bz2",
            Codec::Xz => b".xz",
            Codec::Zstd => b".zst",
            Codec::Lz4 => b".lz4",
        }
    }

    /// The decompressed stream of `compressed`.
    pub(crate) fn decoder<'r>(self, compressed: impl Read + 'r) -> io::Result<Box<dyn Read + 'r>> {
        Ok(match self {
            Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(compressed)),
            Codec::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(compressed)),
            Codec::Xz => Box::new(lzma_rust2::XzReader::new(compressed, true)),
            Codec::Zstd => Box::new(zstd::stream::read::Decoder::new(compressed)?),
            Codec::Lz4 => Box::new(lz4_flex::frame::FrameDecoder::new(compressed)),
        })
    }
}
