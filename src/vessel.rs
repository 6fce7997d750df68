//! `--vessel-temp`: a new, empty vessel directory for one run, with the caller's input files
//! copied in (`--vessel-copy`), removed afterwards unless `--keep-vessel` (isolate's `--init`
//! and `--cleanup` are the model). Without it the vessel is `--cwd` or the current directory,
//! as in RepyV2.

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
        let dir = tempfile::Builder::new()
            .prefix("repy-vessel-")
            .tempdir()
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
