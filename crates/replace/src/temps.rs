//! The temporary files a replace or an undo creates beside the files it rewrites, named and
//! recorded so that a later run removes the ones a killed process left behind, and nothing
//! else.
//!
//! A run (one replace, or one undo) has a token, 16 random hexadecimal digits, and a ledger in
//! the journal, `ID/temps-TOKEN`, which it holds locked while it runs. Before it creates its
//! first temporary file in a folder it appends the folder to the ledger, and every temporary
//! file it creates is named `.trawl-TOKEN-XXXXXX.tmp`. When it is done (each temporary file by
//! then renamed into place or removed) it deletes the ledger. A ledger whose lock can be taken
//! belongs to a run that died: [`sweep`] removes, in each folder it lists, the regular files
//! whose names are exactly that run's, then the ledger. A person's file cannot be taken for one:
//! its name would have to hold the dead run's random token.
//!
//! A folder reaches the ledger before the file is created (a write the system has taken, so a
//! killed process cannot lose it). It is not flushed to disk on its own: after a power cut, a
//! temporary file whose ledger line was lost stays (as `.trawl-*.tmp`, as it would without a
//! ledger); flushing each line would cost a disk commit per folder.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// Starts every ledger's file name.
const LEDGER_PREFIX: &str = "temps-";
/// The random part tempfile gives each name.
const RANDOM_CHARS: usize = 6;

/// One live run's ledger: its token, the open (locked) file and the folders recorded so far.
pub(crate) struct TempLedger {
    path: PathBuf,
    file: File,
    token: String,
    folders: HashSet<PathBuf>,
}

impl TempLedger {
    /// A new ledger in `dir` (a replace's folder in the journal), locked for this run.
    pub(crate) fn create(dir: &Path) -> io::Result<TempLedger> {
        loop {
            let token = random_token();
            let path = dir.join(format!("{LEDGER_PREFIX}{token}"));
            let file = match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => file,
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(err) => return Err(err),
            };
            // Held until the file is closed, however the process ends.
            file.try_lock().map_err(io::Error::from)?;
            return Ok(TempLedger {
                path,
                file,
                token,
                folders: HashSet::new(),
            });
        }
    }

    /// A new temporary file in `folder`, the folder recorded in the ledger first.
    pub(crate) fn temp_in(&mut self, folder: &Path) -> io::Result<tempfile::NamedTempFile> {
        if !self.folders.contains(folder) {
            let mut line = serde_json::to_vec(folder).map_err(io::Error::other)?;
            line.push(b'\n');
            self.file.write_all(&line)?;
            self.folders.insert(folder.to_path_buf());
        }
        tempfile::Builder::new()
            .prefix(&self.prefix())
            .suffix(".tmp")
            .rand_bytes(RANDOM_CHARS)
            .tempfile_in(folder)
    }

    fn prefix(&self) -> String {
        temp_prefix(&self.token)
    }

    /// The run is over and its temporary files are gone: the ledger goes too.
    pub(crate) fn finish(self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// 16 hexadecimal digits: std's `RandomState` keys come from the system's random source; the
/// time and the process ID set apart runs that might share them.
fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}

/// Removes what dead runs left: in every replace folder of the journal in `journal_dir`, each
/// ledger that no live run holds, with the temporary files it names.
pub(crate) fn sweep(journal_dir: &Path) {
    let Ok(replaces) = fs::read_dir(journal_dir) else {
        return;
    };
    for replace in replaces.flatten() {
        let Ok(files) = fs::read_dir(replace.path()) else {
            continue;
        };
        for file in files.flatten() {
            let name = file.file_name();
            if let Some(token) = name
                .to_str()
                .and_then(|name| name.strip_prefix(LEDGER_PREFIX))
            {
                sweep_ledger(&file.path(), token);
            }
        }
    }
}

fn sweep_ledger(ledger: &Path, token: &str) {
    let Ok(file) = OpenOptions::new().read(true).write(true).open(ledger) else {
        return;
    };
    if file.try_lock().is_err() {
        // A live run's (or unreadable): left alone.
        return;
    }
    let prefix = temp_prefix(token);
    let mut all_gone = true;
    for line in BufReader::new(&file).lines() {
        let Ok(line) = line else {
            all_gone = false;
            break;
        };
        // A line cut short by the kill names no folder a file was created in.
        let Ok(folder) = serde_json::from_str::<PathBuf>(&line) else {
            continue;
        };
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let ours = name
                .to_str()
                .is_some_and(|name| is_temp_name(name, &prefix));
            if ours && entry.file_type().is_ok_and(|kind| kind.is_file()) {
                all_gone &= fs::remove_file(entry.path()).is_ok();
            }
        }
    }
    if all_gone {
        if let Some(record) = ledger.parent() {
            crate::journal::drop_unrenamed_kept(record);
        }
        let _ = fs::remove_file(ledger);
    }
}

/// The start of every temporary file's name of the run with `token`.
fn temp_prefix(token: &str) -> String {
    format!(".trawl-{token}-")
}

/// Whether `name` is exactly a temporary file's name with `prefix` (`.trawl-TOKEN-`).
fn is_temp_name(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(|random| {
            random.len() == RANDOM_CHARS && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_run_s_temporary_files_go_and_nothing_else() {
        let journal = tempfile::tempdir().unwrap();
        let tree = tempfile::tempdir().unwrap();
        let record = journal.path().join("1");
        fs::create_dir(&record).unwrap();
        let mut ledger = TempLedger::create(&record).unwrap();
        let token = ledger.token.clone();
        let left = ledger
            .temp_in(tree.path())
            .unwrap()
            .into_temp_path()
            .keep()
            .unwrap();
        // Files a person (or another run) named alike.
        let others = [
            ".trawl-abcdef.tmp".to_string(),
            format!(".trawl-{token}-abcdef.tmp.bak"),
            format!(".trawl-{token}-abcdefg.tmp"),
            format!(".trawl-{}-abcdef.tmp", "0".repeat(16)),
        ];
        for name in &others {
            fs::write(tree.path().join(name), "mine").unwrap();
        }
        // Held by a live run: nothing is removed.
        sweep(journal.path());
        assert!(left.exists());
        // The run dies (its lock goes with its file): its file and ledger are removed.
        drop(ledger);
        sweep(journal.path());
        assert!(!left.exists());
        assert_eq!(fs::read_dir(&record).unwrap().count(), 0);
        for name in &others {
            assert_eq!(fs::read(tree.path().join(name)).unwrap(), b"mine", "{name}");
        }
    }

    #[test]
    fn a_finished_run_leaves_no_ledger() {
        let journal = tempfile::tempdir().unwrap();
        let tree = tempfile::tempdir().unwrap();
        let mut ledger = TempLedger::create(journal.path()).unwrap();
        let temp = ledger.temp_in(tree.path()).unwrap();
        assert!(
            temp.path()
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| is_temp_name(n, &ledger.prefix()))
        );
        drop(temp);
        ledger.finish();
        assert_eq!(fs::read_dir(journal.path()).unwrap().count(), 0);
    }
}
