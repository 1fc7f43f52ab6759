//! Reading one member again, by the path the search reported it under: what a preview, a copy
//! of a long line or an "open in editor" needs of a result found inside an archive.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Write};
use std::path::{Path, PathBuf};

use zip::ZipArchive;

use super::zip_members::zip_error;
use super::{IN_MEMORY_LIMIT, Inflation, Kind, MEMBER_LIMIT, kind_of};

/// The decompressed bytes of the file the search reported at `path`, at most `limit` of them:
/// a member (`ARCHIVE!/MEMBER`, nested to any depth the search reached) or a compressed file
/// (`app.log.gz`, `logs.tar!/app.log.gz`). Read as the search read it, through the same
/// decompressors and the same inflation limits; nothing is written anywhere.
pub fn read_inside_archive(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    copy_inside_archive(path, limit, &mut out)?;
    Ok(out)
}

/// [`read_inside_archive`], the bytes written to `out` as they are decompressed instead of
/// collected: a reader that needs only a stretch of a large member keeps only that. An error
/// `out` returns stops the reading and is returned as it is (a reader that has what it needs,
/// or was cancelled, stops the decompression so).
pub fn copy_inside_archive(path: &Path, limit: u64, out: &mut dyn Write) -> io::Result<()> {
    let (disk, members) = split(path)?;
    let name = disk.file_name().map_or(&[][..], |n| n.as_encoded_bytes());
    let kind = kind_of(name).ok_or_else(|| not_an_archive(&disk))?;
    let file = crate::file_searcher::open_for_search(&disk)?;
    let size = file.metadata()?.len();
    read_in(kind, Input::File(file), size, &members, limit, out)
}

/// The path on disk and the member names after it: `d/a.zip!/lib/b.jar!/x/Y.java` is
/// `d/a.zip` and `["lib/b.jar", "x/Y.java"]`.
fn split(path: &Path) -> io::Result<(PathBuf, Vec<String>)> {
    let mut disk = PathBuf::new();
    let mut members: Vec<String> = Vec::new();
    for part in path.components() {
        let text = part.as_os_str();
        let archive = text
            .to_str()
            .and_then(|text| text.strip_suffix('!'))
            .filter(|name| kind_of(name.as_bytes()).is_some());
        match (members.last_mut(), archive) {
            (None, Some(name)) => {
                disk.push(name);
                members.push(String::new());
            }
            (None, None) => disk.push(text),
            (Some(member), archive) => {
                if !member.is_empty() {
                    member.push('/');
                }
                member.push_str(archive.or(text.to_str()).ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidInput, "a member name not in UTF-8")
                })?);
                if archive.is_some() {
                    members.push(String::new());
                }
            }
        }
    }
    if members.last().is_some_and(String::is_empty) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path names an archive, not a member",
        ));
    }
    Ok((disk, members))
}

fn not_an_archive(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{} is not a compressed file or an archive", path.display()),
    )
}

/// What an archive is read from: a zip seeks in a file, or in memory.
enum Input<'r> {
    File(File),
    Stream(&'r mut dyn Read),
}

impl Read for Input<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::File(file) => file.read(buf),
            Input::Stream(stream) => stream.read(buf),
        }
    }
}

/// Reads `members`' last one from the archive or compressed stream `input` of kind `kind`,
/// compressed in `compressed_size` bytes.
fn read_in(
    kind: Kind,
    input: Input<'_>,
    compressed_size: u64,
    members: &[String],
    limit: u64,
    out: &mut dyn Write,
) -> io::Result<()> {
    match kind {
        Kind::Compressed { codec, inner } => {
            let decoded = codec.decoder(input)?;
            if kind_of(&inner) == Some(Kind::Tar) {
                let mut stream = Inflation::ratio_only(decoded, compressed_size);
                return read_in_tar(&mut stream, members, limit, out);
            }
            if !members.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a compressed file holds one file, not members",
                ));
            }
            io::copy(
                &mut Inflation::new(decoded, compressed_size).take(limit),
                out,
            )?;
            Ok(())
        }
        Kind::Tar => {
            let mut input = input;
            read_in_tar(&mut input, members, limit, out)
        }
        Kind::Zip => match input {
            Input::File(file) => {
                let archive = ZipArchive::new(BufReader::new(file)).map_err(zip_error)?;
                read_in_zip(archive, members, limit, out)
            }
            Input::Stream(stream) => {
                let mut bytes = Vec::new();
                stream.take(IN_MEMORY_LIMIT + 1).read_to_end(&mut bytes)?;
                if bytes.len() as u64 > IN_MEMORY_LIMIT {
                    return Err(io::Error::other("a zip inside another archive past 64 MiB"));
                }
                let archive = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
                read_in_zip(archive, members, limit, out)
            }
        },
    }
}

fn read_in_zip<R: Read + io::Seek>(
    mut archive: ZipArchive<R>,
    members: &[String],
    limit: u64,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (name, rest) = members.split_first().ok_or_else(no_member)?;
    let index = archive
        .index_for_name(name)
        .or_else(|| archive.index_for_name(&format!("./{name}")))
        .ok_or_else(|| missing(name))?;
    let member = archive.by_index(index).map_err(zip_error)?;
    let compressed = member.compressed_size();
    let mut limited = Inflation::new(member, compressed);
    read_member(&mut limited, compressed, name, rest, limit, out)
}

fn read_in_tar(
    stream: &mut dyn Read,
    members: &[String],
    limit: u64,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (name, rest) = members.split_first().ok_or_else(no_member)?;
    let mut archive = tar::Archive::new(stream);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let kind = entry.header().entry_type();
        let regular = kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse();
        if !regular
            || String::from_utf8_lossy(&entry.path_bytes()).trim_start_matches("./") != *name
        {
            continue;
        }
        let size = entry.size();
        if size > MEMBER_LIMIT {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                super::Inflated::Size,
            ));
        }
        return read_member(&mut entry, size, name, rest, limit, out);
    }
    Err(missing(name))
}

/// The member `name`, read from `stream`: its bytes when it is the last one (a compressed
/// file decompressed, as the search reported it), else the archive it is.
fn read_member(
    stream: &mut dyn Read,
    compressed_size: u64,
    name: &str,
    rest: &[String],
    limit: u64,
    out: &mut dyn Write,
) -> io::Result<()> {
    let base = name.rsplit('/').next().unwrap_or(name).as_bytes();
    match kind_of(base) {
        // The path goes on inside this member, or the member is one compressed stream.
        Some(kind) if !rest.is_empty() || matches!(kind, Kind::Compressed { .. }) => read_in(
            kind,
            Input::Stream(stream),
            compressed_size,
            rest,
            limit,
            out,
        ),
        _ if rest.is_empty() => {
            io::copy(&mut stream.take(limit), out)?;
            Ok(())
        }
        _ => Err(not_an_archive(Path::new(name))),
    }
}

fn no_member() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "no member named")
}

fn missing(name: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("no member {name} in the archive"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_path_is_the_file_on_disk_and_the_names_inside() {
        let (disk, members) = split(Path::new("d/a.zip!/lib/b.jar!/x/Y.java")).unwrap();
        assert_eq!(disk, PathBuf::from("d/a.zip"));
        assert_eq!(members, ["lib/b.jar", "x/Y.java"]);
        let (disk, members) = split(Path::new("/logs/app.log.gz")).unwrap();
        assert_eq!(disk, PathBuf::from("/logs/app.log.gz"));
        assert!(members.is_empty());
        // A folder named with a `!` that is no archive stays a folder.
        let (disk, members) = split(Path::new("x!/a.tar!/b.txt")).unwrap();
        assert_eq!(disk, PathBuf::from("x!/a.tar"));
        assert_eq!(members, ["b.txt"]);
        assert!(split(Path::new("d/a.zip!/")).is_err());
    }
}
