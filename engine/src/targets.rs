//! The caller's files: `--report`, `--stop`, `--status` and `--logfile`. Each is resolved
//! against the directory repy was started in ([`Job::resolve_caller_paths`]; never the
//! vessel, which the run moves into),
//! refused when it lies inside the vessel (the program could forge or overwrite it), and
//! checked before the program starts: a directory that does not exist or cannot be written
//! is a usage error then, not a report lost after the run.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use crate::job::Job;

/// The options naming the caller's files, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// `--report FILE`: written by repy after the run.
    Report,
    /// `--stop FILE`: created by the caller to stop the run; read by repy.
    Stop,
    /// `--status PREFIX`: files `PREFIX-<Status>-<time>` written by repy.
    Status,
    /// `--logfile PREFIX`: `PREFIX.old` and `PREFIX.new` written by repy.
    Logfile,
}

impl Target {
    fn option(self) -> &'static str {
        match self {
            Target::Report => "--report",
            Target::Stop => "--stop",
            Target::Status => "--status",
            Target::Logfile => "--logfile",
        }
    }

    /// Whether repy writes files there (the stop file is only read).
    fn written_by_repy(self) -> bool {
        !matches!(self, Target::Stop)
    }
}

/// A caller's file that cannot be used, and why.
#[derive(Debug)]
pub struct Refused {
    /// Whether it is the report (which is then not written at all).
    pub is_report: bool,
    /// The message for the usage error.
    pub message: String,
}

/// Checks every caller's path against the canonical `vessel`; the first problem found.
pub fn check(job: &Job, vessel: &Path) -> Result<(), Refused> {
    let targets = [
        (Target::Report, job.report_file.as_deref()),
        (Target::Stop, job.stop_file.as_deref()),
        (Target::Status, job.status_prefix.as_deref()),
        (Target::Logfile, job.logfile()),
    ];
    for (target, path) in targets {
        if let Some(path) = path {
            check_one(target, path, vessel).map_err(|message| Refused {
                is_report: target == Target::Report,
                message,
            })?;
        }
    }
    Ok(())
}

fn check_one(target: Target, path: &Path, vessel: &Path) -> Result<(), String> {
    let option = target.option();
    let name = path
        .file_name()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("{option} '{}' must end in a file name", path.display()))?;
    let parent = path.parent().unwrap_or(Path::new("/"));
    let dir = parent.canonicalize().map_err(|err| {
        format!(
            "{option} '{}': its directory '{}' cannot be used: {err}",
            path.display(),
            parent.display()
        )
    })?;
    if !dir.is_dir() {
        return Err(format!(
            "{option} '{}': '{}' is not a directory",
            path.display(),
            parent.display()
        ));
    }
    // A last component that is a link counts where it points: a link into the vessel is as
    // much inside it as a file there (a dangling link cannot be checked, so it is refused).
    let resolved = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => path.canonicalize().map_err(|err| {
            format!(
                "{option} '{}' is a link that cannot be followed: {err}",
                path.display()
            )
        })?,
        _ => dir.join(name),
    };
    if dir.starts_with(vessel) || resolved.starts_with(vessel) {
        return Err(format!(
            "{option} '{}' lies inside the vessel directory '{}', where the program could {} it; \
             name a file outside it, or give the program its own vessel with --cwd DIR or \
             --vessel-temp",
            path.display(),
            vessel.display(),
            if target.written_by_repy() {
                "overwrite"
            } else {
                "forge"
            }
        ));
    }
    if target.written_by_repy() {
        probe_writable(&dir.join(name), target)
            .map_err(|err| format!("{option} '{}' cannot be written: {err}", path.display()))?;
    }
    Ok(())
}

/// Proves a file can be created in the directory: the report is opened where it will be
/// written (and written again after the run); for a prefix, a probe file beside it is created
/// and removed.
fn probe_writable(file: &Path, target: Target) -> std::io::Result<()> {
    let probe: PathBuf = if target == Target::Report {
        file.to_path_buf()
    } else {
        let mut name = file.as_os_str().to_owned();
        name.push(format!(".repy-probe-{}", std::process::id()));
        PathBuf::from(name)
    };
    OpenOptions::new().create(true).append(true).open(&probe)?;
    if probe != file {
        std::fs::remove_file(&probe)?;
    }
    Ok(())
}
