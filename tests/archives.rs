//! `-z/--search-zip` against docs/CONTRACT.md ("Compressed files and archives"): archives and
//! compressed files written here (zip stored and deflated, jar, tar, tar.gz, tgz, tar.xz,
//! tar.zst, tar.bz2, gz, bz2, xz, zst, lz4, a zip inside a tar.gz), searched by the real
//! binary; their occurrences are those of the same search over the extracted tree, with the
//! paths mapped to `ARCHIVE!/MEMBER`. Then what goes wrong: a zip bomb of 10 GiB nominal (and
//! the peak memory it costs), a truncated gz, a corrupt and an encrypted member, members named
//! with `..` or from the root, links and devices in a tar, and replace never writing a member.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;
#[cfg(target_os = "linux")]
use std::{io::Read, process::Stdio};

use serde_json::Value;
use tempfile::TempDir;

/// One occurrence as `--json` gives it: path, line, column, byte offset, length, text.
type Occurrence = (String, u64, u64, u64, u64, String);

/// What one run printed.
struct Run {
    matches: BTreeSet<Occurrence>,
    /// `(path, message)` of each `error` object.
    errors: Vec<(String, String)>,
    summary: Value,
    code: i32,
}

fn trawl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trawl"))
}

/// `trawl --json ARGS`, its objects sorted out.
fn run(args: &[&str]) -> Run {
    let output = trawl()
        .arg("--json")
        .args(args)
        .output()
        .expect("trawl runs");
    parse(&output.stdout, output.status.code().unwrap_or(-1))
}

fn parse(stdout: &[u8], code: i32) -> Run {
    let mut run = Run {
        matches: BTreeSet::new(),
        errors: Vec::new(),
        summary: Value::Null,
        code,
    };
    for line in String::from_utf8_lossy(stdout).lines() {
        let object: Value = serde_json::from_str(line).expect("a JSON line");
        let text = |key: &str| object[key].as_str().unwrap_or_default().to_string();
        let number = |key: &str| object[key].as_u64().unwrap_or(u64::MAX);
        match object["type"].as_str() {
            Some("match") => {
                run.matches.insert((
                    text("path"),
                    number("line"),
                    number("column"),
                    number("byte_offset"),
                    number("length"),
                    text("text"),
                ));
            }
            Some("error") => run.errors.push((text("path"), text("message"))),
            Some("summary") => run.summary = object,
            other => panic!("unexpected object {other:?}: {line}"),
        }
    }
    run
}

const PATTERN: &str = "needle|Needle";

/// The files every archive holds, each with something to find and something to trip on: a
/// byte-order mark, UTF-16, CRLF, no final newline, a binary file, and a file past the
/// searcher's 1 MiB buffer (streamed, not read whole).
fn members() -> Vec<(String, Vec<u8>)> {
    let mut big = String::new();
    for i in 0..40_000 {
        if i % 997 == 0 {
            big.push_str(&format!("line {i}: a needle in the haystack, needle\n"));
        } else {
            big.push_str(&format!("line {i}: only hay and more hay in this line\n"));
        }
    }
    big.push_str("the last needle");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "é a needle in UTF-16\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    vec![
        (
            "a.txt".into(),
            b"hello needle\nno\nneedle twice needle\n".to_vec(),
        ),
        ("src/lib.rs".into(), b"fn needle() {}\n// Needle\n".to_vec()),
        (
            "src/deep/notes.md".into(),
            b"# Needle\ncaf\xc3\xa9 needle at the end".to_vec(),
        ),
        (
            "bom.txt".into(),
            b"\xEF\xBB\xBFneedle after a mark\n".to_vec(),
        ),
        ("utf16.txt".into(), utf16),
        ("bin.dat".into(), b"needle\0binary\n".to_vec()),
        ("crlf.txt".into(), b"needle\r\nx needle\r\n".to_vec()),
        ("big.log".into(), big.into_bytes()),
    ]
}

/// Writes `files` under `dir`.
fn extract(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (name, bytes) in files {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        fs::write(path, bytes).expect("a file");
    }
}

fn zip_of(files: &[(String, Vec<u8>)], method: zip::CompressionMethod) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in files {
        writer.start_file(name.as_str(), options).expect("a member");
        writer.write_all(bytes).expect("its bytes");
    }
    writer.finish().expect("a zip").into_inner()
}

fn tar_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, bytes.as_slice())
            .expect("a member");
    }
    builder.into_inner().expect("a tar")
}

/// A compressor of whole files, for a table of them.
type Compress = fn(&[u8]) -> Vec<u8>;

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn bz2(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    encoder.write_all(bytes).expect("bzip2");
    encoder.finish().expect("bzip2")
}

fn xz(bytes: &[u8]) -> Vec<u8> {
    let mut encoder =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).expect("xz");
    encoder.write_all(bytes).expect("xz");
    encoder.finish().expect("xz")
}

fn zst(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).expect("zstd")
}

fn lz4(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = lz4_flex::frame::FrameEncoder::new(Vec::new());
    encoder.write_all(bytes).expect("lz4");
    encoder.finish().expect("lz4")
}

/// A folder for one test, its name without a dot.
fn folder() -> TempDir {
    tempfile::Builder::new()
        .prefix("trawl-archives-")
        .tempdir()
        .expect("a temporary folder")
}

fn root(dir: &Path) -> String {
    dir.to_str().expect("a UTF-8 temporary path").to_string()
}

/// The occurrences of the extracted tree at `extracted`, searched with `args`, as they are
/// named inside `archive`: `extracted/NAME` becomes `archive!/NAME`.
fn mapped(extracted: &Path, archive: &str, args: &[&str]) -> BTreeSet<Occurrence> {
    let prefix = format!("{}/", root(extracted));
    let mut all = vec![root(extracted)];
    all.extend(args.iter().map(|s| s.to_string()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let reference = run(&all);
    assert!(reference.errors.is_empty(), "{:?}", reference.errors);
    reference
        .matches
        .into_iter()
        .map(|(path, line, column, offset, length, text)| {
            let name = path.strip_prefix(&prefix).expect("under the tree");
            (
                format!("{archive}!/{name}"),
                line,
                column,
                offset,
                length,
                text,
            )
        })
        .collect()
}

#[test]
fn every_archive_format_finds_what_its_extracted_tree_holds() {
    let files = members();
    let work = folder();
    let extracted = work.path().join("extracted");
    extract(&extracted, &files);
    let tar = tar_of(&files);
    let archives: Vec<(&str, Vec<u8>)> = vec![
        ("stored.zip", zip_of(&files, zip::CompressionMethod::Stored)),
        (
            "deflated.zip",
            zip_of(&files, zip::CompressionMethod::Deflated),
        ),
        ("lib.jar", zip_of(&files, zip::CompressionMethod::Deflated)),
        ("plain.tar", tar.clone()),
        ("a.tar.gz", gz(&tar)),
        ("b.tgz", gz(&tar)),
        ("c.tar.xz", xz(&tar)),
        ("d.tar.zst", zst(&tar)),
        ("e.tar.bz2", bz2(&tar)),
    ];
    let dir = work.path().join("archives");
    fs::create_dir(&dir).expect("a folder");
    for (name, bytes) in &archives {
        fs::write(dir.join(name), bytes).expect("an archive");
    }
    for ext_args in [
        &["*", PATTERN][..],
        &["txt,rs", PATTERN],
        &["*", "-i", "-w", "NEEDLE"],
    ] {
        let mut expected = BTreeSet::new();
        for (name, _) in &archives {
            let archive = format!("{}/{name}", root(&dir));
            expected.extend(mapped(&extracted, &archive, ext_args));
        }
        // One thread reads each zip alone; with more, they share its members.
        for threads in ["1", "4"] {
            let mut args = vec!["-z", "-j", threads, dir.to_str().expect("UTF-8")];
            args.extend_from_slice(ext_args);
            let got = run(&args);
            assert!(got.errors.is_empty(), "{:?}", got.errors);
            assert_eq!(got.code, 0);
            assert!(!expected.is_empty());
            assert_eq!(got.matches, expected, "trawl -z -j {threads} {ext_args:?}");
        }
    }
    // Each member reads back (what a preview or an editor is given) as the file it was.
    let mut read_back = 0;
    for path in got_paths(&run(&["-z", dir.to_str().expect("UTF-8"), "*", PATTERN])) {
        let name = path.rsplit("!/").next().expect("a member");
        let bytes = trawl::search::read_inside_archive(Path::new(&path), u64::MAX)
            .unwrap_or_else(|err| panic!("{path}: {err}"));
        assert_eq!(
            bytes,
            fs::read(extracted.join(name)).expect("extracted"),
            "{path}"
        );
        read_back += 1;
    }
    assert_eq!(read_back, archives.len() * 7);
    let cut = trawl::search::read_inside_archive(
        Path::new(&format!("{}/a.tar.gz!/big.log", root(&dir))),
        10,
    )
    .expect("read");
    assert_eq!(cut, b"line 0: a ");
    let missing = trawl::search::read_inside_archive(
        Path::new(&format!("{}/plain.tar!/nothing.txt", root(&dir))),
        10,
    );
    assert_eq!(
        missing.expect_err("no such member").kind(),
        std::io::ErrorKind::NotFound
    );
    // Without -z an archive is a binary file like any other.
    let plain = run(&[dir.to_str().expect("UTF-8"), "*", PATTERN]);
    assert!(plain.matches.is_empty() && plain.code == 1);
}

#[test]
fn a_compressed_file_keeps_its_own_path_and_its_inner_name_is_matched() {
    let files = members();
    let (_, big) = files
        .iter()
        .find(|(name, _)| name == "big.log")
        .expect("big.log");
    let work = folder();
    let extracted = work.path().join("extracted");
    extract(&extracted, &[("big.log".into(), big.clone())]);
    let dir = work.path().join("logs");
    fs::create_dir(&dir).expect("a folder");
    let streams: [(&str, Compress); 5] = [
        ("gz", gz),
        ("bz2", bz2),
        ("xz", xz),
        ("zst", zst),
        ("lz4", lz4),
    ];
    let reference = run(&[&root(&extracted), "log", PATTERN]);
    let mut expected = BTreeSet::new();
    for (suffix, compress) in streams {
        let name = format!("big.log.{suffix}");
        fs::write(dir.join(&name), compress(big)).expect("a compressed file");
        let path = format!("{}/{name}", root(&dir));
        expected.extend((reference.matches.iter()).map(
            |(_, line, column, offset, length, text)| {
                (path.clone(), *line, *column, *offset, *length, text.clone())
            },
        ));
    }
    // Not gzip at all: an error when its content is asked for, never opened otherwise.
    fs::write(dir.join("notes.txt.gz"), "not gzip").expect("a file");
    // A file compressed from a `.log` is a `.log`: EXT applies to the name inside.
    let got = run(&["-z", &root(&dir), "log", PATTERN]);
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    assert_eq!(got.matches, expected);
    assert_eq!(got.summary["files_searched"], 5);
    // Another extension leaves them out; their own suffix names them.
    let other = run(&["-z", &root(&dir), "txt", PATTERN]);
    assert!(other.matches.is_empty() && other.code == 2);
    assert_eq!(
        other.errors.iter().map(|e| e.0.clone()).collect::<Vec<_>>(),
        [format!("{}/notes.txt.gz", root(&dir))]
    );
    let named = run(&["-z", &root(&dir), "gz,xz", PATTERN]);
    assert_eq!(named.matches.len(), 2 * reference.matches.len());
    for (suffix, _) in streams {
        let path = dir.join(format!("big.log.{suffix}"));
        let bytes = trawl::search::read_inside_archive(&path, u64::MAX).expect("read");
        assert_eq!(&bytes, big, "{suffix}");
    }
    // A glob on the inner name.
    let globbed = run(&["-z", &root(&dir), "*", PATTERN, "-g", "big.log"]);
    assert_eq!(globbed.matches, expected);
}

#[test]
fn extensions_and_globs_select_members_by_name() {
    let files = members();
    let work = folder();
    let dir = work.path().join("archives");
    fs::create_dir(&dir).expect("a folder");
    fs::write(
        dir.join("a.zip"),
        zip_of(&files, zip::CompressionMethod::Deflated),
    )
    .expect("a zip");
    let paths = |run: &Run| -> BTreeSet<String> {
        run.matches
            .iter()
            .map(|m| m.0.clone())
            .collect::<BTreeSet<_>>()
    };
    let archive = format!("{}/a.zip", root(&dir));
    let rs = run(&["-z", &root(&dir), "rs", PATTERN]);
    assert_eq!(
        paths(&rs),
        BTreeSet::from([format!("{archive}!/src/lib.rs")])
    );
    let globbed = run(&["-z", &root(&dir), "*", PATTERN, "-g", "*.md"]);
    assert_eq!(
        paths(&globbed),
        BTreeSet::from([format!("{archive}!/src/deep/notes.md")])
    );
    let excluded = run(&["-z", &root(&dir), "*", PATTERN, "-g", "!**/src/**"]);
    assert!(!paths(&excluded).is_empty());
    assert!(paths(&excluded).iter().all(|path| !path.contains("/src/")));
    // Asking for the archive's own extension searches every member; an exclude still holds.
    let named = run(&["-z", &root(&dir), "zip", PATTERN, "-g", "!*.log"]);
    let all = run(&["-z", &root(&dir), "*", PATTERN]);
    let not_log: BTreeSet<String> = paths(&all)
        .into_iter()
        .filter(|p| !p.ends_with(".log"))
        .collect();
    assert_eq!(paths(&named), not_log);
    // An archive left out by a glob is not opened.
    let none = run(&["-z", &root(&dir), "*", PATTERN, "-g", "!a.zip"]);
    assert!(none.matches.is_empty());
}

#[test]
fn archives_inside_archives_are_searched_to_a_depth_of_three() {
    let inner = vec![("x/Y.java".to_string(), b"class Y { // needle\n}\n".to_vec())];
    let jar = zip_of(&inner, zip::CompressionMethod::Deflated);
    let zip = zip_of(
        &[
            ("lib/b.jar".to_string(), jar.clone()),
            ("top.txt".to_string(), b"needle on top\n".to_vec()),
        ],
        zip::CompressionMethod::Stored,
    );
    // Depth 1: the tar.gz; 2: the zip; 3: the jar; a fourth level is not opened.
    let deeper = zip_of(
        &[("d.zip".to_string(), zip.clone())],
        zip::CompressionMethod::Deflated,
    );
    let tar = tar_of(&[
        ("pkg/inner.zip".to_string(), zip),
        ("pkg/deeper.zip".to_string(), deeper),
        ("pkg/app.log.gz".to_string(), gz(b"gz in a tar: needle\n")),
    ]);
    let work = folder();
    fs::write(work.path().join("r.tar.gz"), gz(&tar)).expect("a tar.gz");
    let base = format!("{}/r.tar.gz", root(work.path()));
    let got = run(&["-z", &root(work.path()), "*", PATTERN]);
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    let paths: BTreeSet<String> = got.matches.iter().map(|m| m.0.clone()).collect();
    assert_eq!(
        paths,
        BTreeSet::from([
            format!("{base}!/pkg/inner.zip!/lib/b.jar!/x/Y.java"),
            format!("{base}!/pkg/inner.zip!/top.txt"),
            format!("{base}!/pkg/deeper.zip!/d.zip!/top.txt"),
            format!("{base}!/pkg/app.log.gz"),
        ])
    );
    for path in &paths {
        let bytes = trawl::search::read_inside_archive(Path::new(path), u64::MAX)
            .unwrap_or_else(|err| panic!("{path}: {err}"));
        assert!(String::from_utf8_lossy(&bytes).contains("needle"), "{path}");
    }
    let java = run(&["-z", &root(work.path()), "java", PATTERN]);
    assert_eq!(java.matches.len(), 1);
    assert_eq!(java.matches.iter().next().expect("one").1, 1);
}

/// The paths a run found matches in.
fn got_paths(run: &Run) -> BTreeSet<String> {
    run.matches.iter().map(|m| m.0.clone()).collect()
}

/// A zip written by hand, for what the zip crate will not write: a member's flags, method,
/// sizes and data as given.
struct RawMember {
    name: &'static str,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: Vec<u8>,
    declared_size: u32,
}

fn raw_zip(members: &[RawMember]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for member in members {
        let offset = out.len() as u32;
        let name = member.name.as_bytes();
        let compressed_size = member.compressed.len() as u32;
        // Local header.
        out.extend_from_slice(&0x04034b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&member.flags.to_le_bytes());
        out.extend_from_slice(&member.method.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // time, date
        out.extend_from_slice(&member.crc.to_le_bytes());
        out.extend_from_slice(&compressed_size.to_le_bytes());
        out.extend_from_slice(&member.declared_size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&member.compressed);
        // Central directory entry.
        central.extend_from_slice(&0x02014b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&member.flags.to_le_bytes());
        central.extend_from_slice(&member.method.to_le_bytes());
        central.extend_from_slice(&[0; 4]);
        central.extend_from_slice(&member.crc.to_le_bytes());
        central.extend_from_slice(&compressed_size.to_le_bytes());
        central.extend_from_slice(&member.declared_size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        // Extra field and comment lengths, disk, internal and external attributes.
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x06054b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let count = (members.len() as u16).to_le_bytes();
    out.extend_from_slice(&count);
    out.extend_from_slice(&count);
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn stored(name: &'static str, text: &[u8]) -> RawMember {
    RawMember {
        name,
        flags: 0,
        method: 0,
        crc: crc32(text),
        compressed: text.to_vec(),
        declared_size: text.len() as u32,
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

#[test]
fn broken_encrypted_and_escaping_members_are_errors_naming_them_and_the_rest_is_searched() {
    let work = folder();
    let dir = root(work.path());
    let zip = raw_zip(&[
        stored("before.txt", b"needle before\n"),
        // Not a deflate stream: the first block's type is the reserved one.
        RawMember {
            name: "corrupt.txt",
            flags: 0,
            method: 8,
            crc: 0,
            compressed: vec![0xFF; 64],
            declared_size: 100,
        },
        // Encrypted (flag bit 0), as ZipCrypto writes it.
        RawMember {
            flags: 1,
            ..stored("secret.txt", b"an encrypted needle\n")
        },
        // The right bytes, the wrong checksum.
        RawMember {
            crc: 1,
            ..stored("bad-crc.txt", b"needle with a bad crc\n")
        },
        stored("../escape.txt", b"needle outside\n"),
        stored("/etc/absolute.txt", b"needle at the root\n"),
        stored("after.txt", b"needle after\n"),
    ]);
    fs::write(work.path().join("broken.zip"), zip).expect("a zip");
    let got = run(&["-z", &dir, "*", PATTERN]);
    let paths: BTreeSet<String> = got.matches.iter().map(|m| m.0.clone()).collect();
    let archive = format!("{dir}/broken.zip");
    assert_eq!(
        paths,
        BTreeSet::from([
            format!("{archive}!/before.txt"),
            format!("{archive}!/after.txt"),
        ])
    );
    let errors: BTreeSet<String> = got.errors.iter().map(|e| e.0.clone()).collect();
    assert_eq!(
        errors,
        BTreeSet::from([
            format!("{archive}!/corrupt.txt"),
            format!("{archive}!/secret.txt"),
            format!("{archive}!/bad-crc.txt"),
            format!("{archive}!/../escape.txt"),
            format!("{archive}!//etc/absolute.txt"),
        ]),
        "{:?}",
        got.errors
    );
    let message = |name: &str| {
        got.errors
            .iter()
            .find(|e| e.0.ends_with(name))
            .map(|e| e.1.clone())
            .unwrap_or_default()
    };
    assert!(message("secret.txt").contains("encrypted"));
    assert!(message("escape.txt").contains(".."));
    // Matches and errors: exit 0, the errors counted.
    assert_eq!(got.code, 0);
    assert_eq!(got.summary["errors"], 5);
}

#[test]
fn a_truncated_stream_is_an_error_and_other_files_are_searched() {
    let work = folder();
    let whole = gz(b"needle in a whole file\n".repeat(1000).as_slice());
    fs::write(work.path().join("cut.log.gz"), &whole[..whole.len() / 2]).expect("a gz");
    fs::write(work.path().join("ok.txt"), "needle\n").expect("a file");
    let tar = tar_of(&[("a.txt".into(), b"needle\n".repeat(20_000))]);
    let tar_gz = gz(&tar);
    fs::write(
        work.path().join("cut.tar.gz"),
        &tar_gz[..tar_gz.len() * 2 / 3],
    )
    .expect("a tar.gz");
    let dir = root(work.path());
    let got = run(&["-z", &dir, "*", PATTERN]);
    let errors: BTreeSet<String> = got.errors.iter().map(|e| e.0.clone()).collect();
    assert_eq!(
        errors,
        BTreeSet::from([
            format!("{dir}/cut.log.gz"),
            format!("{dir}/cut.tar.gz!/a.txt"),
        ]),
        "{:?}",
        got.errors
    );
    // The decompressor's words ("incomplete deflate stream").
    assert!(
        got.errors.iter().all(|e| e.1.contains("incomplete")),
        "{:?}",
        got.errors
    );
    let paths: BTreeSet<String> = got.matches.iter().map(|m| m.0.clone()).collect();
    assert_eq!(paths, BTreeSet::from([format!("{dir}/ok.txt")]));
    assert_eq!(got.code, 0);
    // Nothing else matched: the errors make it 2.
    fs::remove_file(work.path().join("ok.txt")).expect("removed");
    assert_eq!(run(&["-z", &dir, "*", PATTERN]).code, 2);
}

#[test]
fn links_and_devices_in_a_tar_are_passed_over() {
    let mut builder = tar::Builder::new(Vec::new());
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    builder
        .append_link(&mut link, "link.txt", "/etc/passwd")
        .expect("a link");
    let mut device = tar::Header::new_gnu();
    device.set_entry_type(tar::EntryType::Char);
    device.set_size(0);
    device.set_cksum();
    builder
        .append_data(&mut device, "dev/zero", &[][..])
        .expect("a device");
    let mut file = tar::Header::new_gnu();
    file.set_size(7);
    file.set_cksum();
    builder
        .append_data(&mut file, "real.txt", &b"needle\n"[..])
        .expect("a file");
    let work = folder();
    fs::write(
        work.path().join("special.tar"),
        builder.into_inner().expect("a tar"),
    )
    .expect("a tar");
    let dir = root(work.path());
    let got = run(&["-z", &dir, "*", "needle|root"]);
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    let paths: BTreeSet<String> = got.matches.iter().map(|m| m.0.clone()).collect();
    assert_eq!(
        paths,
        BTreeSet::from([format!("{dir}/special.tar!/real.txt")])
    );
}

/// A raw deflate stream of `chunks` times `chunk`, made quickly: each chunk is compressed on its
/// own (a full flush forgets what came before), so its compressed bytes repeat as they are.
/// For the zip bomb's test, which measures memory through /proc (Linux).
#[cfg(target_os = "linux")]
fn repeated_deflate(chunk: &[u8], chunks: usize) -> Vec<u8> {
    let mut compress = flate2::Compress::new(flate2::Compression::best(), false);
    let mut one = Vec::with_capacity(chunk.len());
    compress
        .compress_vec(chunk, &mut one, flate2::FlushCompress::Full)
        .expect("deflate");
    assert_eq!(
        compress.total_in(),
        chunk.len() as u64,
        "one call compressed it all"
    );
    let mut end = Vec::with_capacity(64);
    compress
        .compress_vec(&[], &mut end, flate2::FlushCompress::Finish)
        .expect("deflate");
    let mut out = Vec::with_capacity(one.len() * chunks + end.len());
    for _ in 0..chunks {
        out.extend_from_slice(&one);
    }
    out.extend_from_slice(&end);
    out
}

/// Runs trawl and returns what it printed and its peak resident memory in KiB: the kernel's
/// high-water mark of its memory (`VmHWM`), read every few milliseconds while it runs. (The
/// rusage of a child counts its parent's memory from before the exec too.)
#[cfg(target_os = "linux")]
fn run_measured(args: &[&str]) -> (Run, u64) {
    let mut child = trawl()
        .arg("--json")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("trawl starts");
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    });
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    let status = loop {
        if let Ok(status) = fs::read_to_string(&status_file)
            && let Some(line) = status.lines().find(|line| line.starts_with("VmHWM:"))
        {
            let kib = line
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().expect("trawl waited for") {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let out = reader.join().expect("reader").expect("stdout");
    (parse(&out, status.code().unwrap_or(-1)), peak_kib)
}

#[cfg(target_os = "linux")]
#[test]
fn a_zip_bomb_of_10_gib_nominal_is_stopped_with_memory_bounded() {
    const GIB: u64 = 1 << 30;
    let line = b"a line of text in a zip bomb, with no match in it at all.....\n";
    let chunk: Vec<u8> = line.iter().copied().cycle().take(1 << 20).collect();
    // One gibibyte of text, about 3 MiB compressed.
    let data = repeated_deflate(&chunk, 1024);
    assert!(data.len() < 4 << 20, "{}", data.len());
    let mut members = Vec::new();
    let names = [
        "bomb/0.txt",
        "bomb/1.txt",
        "bomb/2.txt",
        "bomb/3.txt",
        "bomb/4.txt",
        "bomb/5.txt",
        "bomb/6.txt",
        "bomb/7.txt",
        "bomb/8.txt",
        "bomb/9.txt",
    ];
    for (i, name) in names.into_iter().enumerate() {
        members.push(RawMember {
            name,
            flags: 0,
            method: 8,
            crc: 0,
            compressed: data.clone(),
            // Eight say what they are (1 GiB each); two lie, saying they are as small as their
            // compressed bytes, and are stopped as they inflate.
            declared_size: if i < 8 {
                u32::try_from(GIB).expect("fits")
            } else {
                data.len() as u32
            },
        });
    }
    members.push(stored("fine.txt", b"needle beside the bomb\n"));
    let work = folder();
    fs::write(work.path().join("bomb.zip"), raw_zip(&members)).expect("a zip");
    // And the same gibibyte as a .gz, whose size nothing declares: it is inflated, and
    // searched, until it passes 200 times its compressed size.
    let mut gz_bomb = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    gz_bomb.extend_from_slice(&data);
    gz_bomb.extend_from_slice(&[0; 8]);
    fs::write(work.path().join("bomb.log.gz"), gz_bomb).expect("a gz");
    let dir = root(work.path());
    let started = std::time::Instant::now();
    let (got, peak_kib) = run_measured(&["-z", &dir, "*", "needle"]);
    let elapsed = started.elapsed();
    let archive = format!("{dir}/bomb.zip");
    let errors: BTreeSet<String> = got.errors.iter().map(|e| e.0.clone()).collect();
    let mut expected: BTreeSet<String> = names
        .iter()
        .map(|name| format!("{archive}!/{name}"))
        .collect();
    expected.insert(format!("{dir}/bomb.log.gz"));
    assert_eq!(errors, expected, "{:?}", got.errors);
    assert_eq!(got.matches.len(), 1);
    assert_eq!(got.code, 0);
    let gz_error = &got
        .errors
        .iter()
        .find(|e| e.0.ends_with(".gz"))
        .expect("one")
        .1;
    assert!(gz_error.contains("200 times"), "{gz_error}");
    // The searcher's buffers and the decompressor's window, not the gibibytes: the whole
    // process stays under 64 MiB (about 20 MiB is the debug binary itself and its threads).
    assert!(
        peak_kib < 64 << 10,
        "peak resident memory {peak_kib} KiB ({elapsed:?})"
    );
    eprintln!(
        "zip bomb: peak {peak_kib} KiB in {elapsed:?}: {:?}",
        got.errors
    );
}

#[test]
fn replace_never_writes_inside_an_archive() {
    let work = folder();
    let zip_bytes = zip_of(
        &[("a.txt".to_string(), b"needle\n".to_vec())],
        zip::CompressionMethod::Stored,
    );
    fs::write(work.path().join("a.zip"), &zip_bytes).expect("a zip");
    let gz_bytes = gz(b"needle\n");
    fs::write(work.path().join("b.txt.gz"), &gz_bytes).expect("a gz");
    fs::write(work.path().join("c.txt"), "needle\n").expect("a file");
    let journal = folder();
    let dir = root(work.path());
    let output = trawl()
        .args(["-z", &dir, "*", "needle", "-r", "pin", "--write"])
        .env("TRAWL_JOURNAL_DIR", journal.path())
        .output()
        .expect("trawl runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("a.zip!/a.txt: not written"), "{stderr}");
    assert!(stderr.contains("b.txt.gz: not written"), "{stderr}");
    assert_eq!(
        fs::read(work.path().join("a.zip")).expect("read"),
        zip_bytes
    );
    assert_eq!(
        fs::read(work.path().join("b.txt.gz")).expect("read"),
        gz_bytes
    );
    assert_eq!(
        fs::read_to_string(work.path().join("c.txt")).expect("read"),
        "pin\n"
    );
    let diff = trawl()
        .args(["-z", &dir, "*", "pin|needle", "-r", "x", "--diff"])
        .output()
        .expect("trawl runs");
    assert_eq!(diff.status.code(), Some(2));
    let diff_text = String::from_utf8_lossy(&diff.stdout);
    assert!(diff_text.contains("+++ b/c.txt") && !diff_text.contains(".zip"));
}
