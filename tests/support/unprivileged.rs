//! Running the trawl binary without root's privileges, for the tests of files and folders
//! without read permission: root reads them anyway, and CI runs the tests as root. As root the
//! binary runs as `nobody`; as anyone else it runs as that user, for whom mode 000 is as
//! unreadable as it is for `nobody`. Either way the same assertions run.
//!
//! Included by path (`#[path = "support/unprivileged.rs"]`) from the test files that need it.

#![allow(dead_code)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `nobody`'s user and group on Debian (and most Linux distributions).
const NOBODY: u32 = 65534;

/// Whether the tests run as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Opens `dir` to every user (mode 755), so that `nobody` can walk into it: a temporary
/// folder is made with mode 700.
pub fn open_to_everyone(dir: &Path) {
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).expect("chmod 755");
}

/// A command that runs trawl as `nobody` when the tests run as root, else as the current
/// user. `scratch` is a folder of the test's own, open to everyone: as root, when `nobody`
/// cannot reach the binary where cargo built it (a checkout under /root), it is linked (or
/// copied) there first.
pub fn trawl_command(scratch: &Path) -> Command {
    let built = PathBuf::from(env!("CARGO_BIN_EXE_trawl"));
    if !is_root() {
        return Command::new(built);
    }
    let binary = if nobody_runs(&built) {
        built
    } else {
        let reachable = scratch.join("trawl-for-nobody");
        // Made once per scratch folder. Never written over: a hard link shares the built
        // binary's contents, which writing to it would truncate.
        if !reachable.exists() && fs::hard_link(&built, &reachable).is_err() {
            let partial = scratch.join("trawl-for-nobody.partial");
            fs::copy(&built, &partial).expect("copy the trawl binary where nobody reaches it");
            fs::set_permissions(&partial, fs::Permissions::from_mode(0o755)).expect("chmod 755");
            fs::rename(&partial, &reachable).expect("rename the copy");
        }
        assert!(
            nobody_runs(&reachable),
            "nobody cannot run {} (is {} open to everyone?)",
            reachable.display(),
            scratch.display()
        );
        reachable
    };
    as_nobody(Command::new(binary))
}

/// `command` set to run as `nobody`. Run as root, std clears the supplementary groups
/// (`setgroups`) before it sets the group and the user, as `setpriv --clear-groups` does.
fn as_nobody(mut command: Command) -> Command {
    command.uid(NOBODY).gid(NOBODY);
    command
}

/// Whether `nobody` can start `binary` (every folder above it must be open to others).
fn nobody_runs(binary: &Path) -> bool {
    as_nobody(Command::new(binary))
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Removes the permissions of `path` (mode 000) until dropped, when its `restore` mode is put
/// back, so that the temporary folder can be deleted whatever the test's outcome.
pub struct Locked {
    path: PathBuf,
    restore: u32,
}

impl Locked {
    pub fn new(path: &Path, restore: u32) -> Self {
        fs::set_permissions(path, fs::Permissions::from_mode(0o000)).expect("chmod 000");
        Locked {
            path: path.to_path_buf(),
            restore,
        }
    }
}

impl Drop for Locked {
    fn drop(&mut self) {
        let _ = fs::set_permissions(&self.path, fs::Permissions::from_mode(self.restore));
    }
}
