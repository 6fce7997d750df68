//! `--vessel-temp`: a new, empty vessel directory for one run, with the caller's input files
//! copied in (`--vessel-copy`), removed afterwards unless `--keep-vessel` (isolate's `--init`
//! and `--cleanup` are the model). Without it the vessel is `--cwd` or the current directory,
//! as in RepyV2.
//!
//! A vessel that is not kept is named `repy-vessel-<pid>-<start>-<pidns>-XXXXXX` after the
//! supervisor that made it (see `nanny::owner`): a supervisor killed by SIGKILL cannot remove
//! it, so the next `--vessel-temp` run removes the vessels of supervisors that are gone from
//! the same temporary directory ([`sweep_dead`]). A kept vessel (`--keep-vessel`) is named
//! `repy-vessel-XXXXXX` and never swept.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A temporary vessel; removed when dropped unless kept.
#[derive(Debug)]
pub struct TempVessel {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl TempVessel {
    /// Creates the directory and copies `files` into it under their own names.
    pub fn create(files: &[PathBuf], keep: bool) -> Result<TempVessel, String> {
        let mut names = BTreeSet::new();
        for file in files {
            let name = file.file_name().ok_or_else(|| {
                format!("--vessel-copy '{}' does not name a file", file.display())
            })?;
            if !names.insert(name.to_owned()) {
                return Err(format!(
                    "--vessel-copy names two files called '{}'",
                    name.to_string_lossy()
                ));
            }
            if !file.is_file() {
                return Err(format!(
                    "--vessel-copy '{}' is not a readable regular file",
                    file.display()
                ));
            }
        }
        let temp = std::env::temp_dir();
        let owner = nanny::owner::Owner::current();
        if let Some(me) = &owner {
            sweep_dead(&temp, me);
        }
        let prefix = match (&owner, keep) {
            (Some(me), false) => format!("repy-vessel-{}-", me.tag()),
            _ => "repy-vessel-".to_owned(),
        };
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(&temp)
            .map_err(|err| format!("cannot create a temporary vessel directory: {err}"))?;
        for file in files {
            let target = dir.path().join(file.file_name().unwrap_or_default());
            std::fs::copy(file, &target).map_err(|err| {
                format!("cannot copy '{}' into the vessel: {err}", file.display())
            })?;
        }
        let path = dir.path().to_path_buf();
        let dir = if keep {
            let _ = dir.keep();
            None
        } else {
            Some(dir)
        };
        Ok(TempVessel { dir, path })
    }

    /// The vessel directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the directory stays after the run.
    pub fn is_kept(&self) -> bool {
        self.dir.is_none()
    }
}

/// Removes from `temp` the temporary vessels of supervisors that are gone: named
/// `repy-vessel-<pid>-<start>-<pidns>-…` by an owner of `me`'s pid namespace that no longer
/// runs (a reused pid has another start time), a directory (never a symlink) owned by this
/// user. Returns the names removed. Kept vessels carry no owner and stay.
pub fn sweep_dead(temp: &Path, me: &nanny::owner::Owner) -> Vec<String> {
    use std::os::unix::fs::MetadataExt as _;
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(temp) else {
        return removed;
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let Some((owner, _)) = name
            .strip_prefix("repy-vessel-")
            .and_then(nanny::owner::Owner::parse_tag)
        else {
            continue;
        };
        if owner.pidns != me.pidns || owner.is_alive() {
            continue;
        }
        let path = entry.path();
        let ours = std::fs::symlink_metadata(&path)
            .is_ok_and(|meta| meta.file_type().is_dir() && meta.uid() == uid);
        // remove_dir_all does not follow symlinks the sandbox may have left in the vessel.
        if ours && std::fs::remove_dir_all(&path).is_ok() {
            removed.push(name);
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vessel_sweep_removes_only_the_vessels_of_dead_supervisors() {
        let temp = tempfile::tempdir().expect("tempdir");
        let me = nanny::owner::Owner::current().expect("/proc describes this process");
        let dead = nanny::owner::Owner {
            start: me.start + 1,
            ..me
        };
        let foreign = nanny::owner::Owner {
            pidns: me.pidns + 1,
            ..dead
        };
        let names = [
            (format!("repy-vessel-{}-aB3xYz", me.tag()), true),
            (format!("repy-vessel-{}-q1w2e3", dead.tag()), false),
            (format!("repy-vessel-{}-q1w2e3", foreign.tag()), true),
            ("repy-vessel-Kp9xQa".to_owned(), true),
            ("repy-test-abcdef".to_owned(), true),
        ];
        for (name, _) in &names {
            std::fs::create_dir(temp.path().join(name)).expect("mkdir");
            std::fs::write(temp.path().join(name).join("data"), "x").expect("write");
        }
        // A symlink named like a dead vessel is not followed nor removed.
        let link = format!("repy-vessel-{}-link00", dead.tag());
        std::os::unix::fs::symlink(temp.path().join(&names[0].0), temp.path().join(&link))
            .expect("symlink");
        let removed = sweep_dead(temp.path(), &me);
        assert_eq!(removed, [names[1].0.clone()]);
        for (name, kept) in &names {
            assert_eq!(temp.path().join(name).exists(), *kept, "{name}");
        }
        assert!(temp.path().join(&link).exists());
    }
}
