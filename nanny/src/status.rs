//! RepyV2's node-manager interface (reference §9): the stop file and the status files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The exit code of a run stopped through the stop file when the file gives none (RepyV2).
pub const STOPPED: i32 = crate::ExitStatus::Stopped as i32;

/// The code RepyV2 reserves for "the OS refused a thread"; a stop file may not ask for it,
/// and a child that ends with it writes the `ThreadErr` status.
pub(crate) const THREAD_ERR: i32 = crate::ExitStatus::ThreadRefused as i32;

/// A status written to the status files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The sandbox is running (rewritten every second).
    Started,
    /// The sandbox ended (any end but the two below).
    Terminated,
    /// The sandbox was stopped through the stop file with code 44.
    Stopped,
    /// The sandbox ended with RepyV2's thread-error code 56.
    ThreadErr,
}

impl Status {
    /// The name used in status file names.
    pub fn name(self) -> &'static str {
        match self {
            Status::Started => "Started",
            Status::Terminated => "Terminated",
            Status::Stopped => "Stopped",
            Status::ThreadErr => "ThreadErr",
        }
    }

    const ALL: [Status; 4] = [
        Status::Started,
        Status::Terminated,
        Status::Stopped,
        Status::ThreadErr,
    ];
}

/// What a stop file asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopRequest {
    /// The exit code asked for ([`STOPPED`] when the file gives none or is malformed).
    pub code: i32,
    /// A message to print on stdout (empty for none).
    pub message: String,
}

impl StopRequest {
    /// Reads a stop file's contents as RepyV2 did: `EXITCODE;MESSAGE`. Empty contents, a
    /// missing `;`, a code that is not an integer, or the reserved code 56 all mean
    /// "stopped" (44) without a message.
    pub fn parse(contents: &str) -> StopRequest {
        let stopped = StopRequest {
            code: STOPPED,
            message: String::new(),
        };
        let Some((code, message)) = contents.split_once(';') else {
            return stopped;
        };
        match code.trim().parse::<i32>() {
            Ok(code) if code != THREAD_ERR => StopRequest {
                code,
                message: message.to_owned(),
            },
            _ => stopped,
        }
    }

    /// The final status this stop writes.
    pub fn status(&self) -> Status {
        if self.code == STOPPED {
            Status::Stopped
        } else {
            Status::Terminated
        }
    }
}

/// Writes `PREFIX-<Status>-<unix time>` files; each write removes the previous ones.
#[derive(Debug)]
pub(crate) struct StatusFiles {
    dir: PathBuf,
    base: String,
}

impl StatusFiles {
    pub(crate) fn new(prefix: &Path) -> io::Result<StatusFiles> {
        let prefix = std::path::absolute(prefix)?;
        let base = prefix
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the status prefix must end in a file name",
                )
            })?
            .to_owned();
        let dir = prefix
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        Ok(StatusFiles { dir, base })
    }

    /// Whether `name` is one of this prefix's status files.
    fn is_ours(&self, name: &str) -> bool {
        let Some(rest) = name
            .strip_prefix(self.base.as_str())
            .and_then(|r| r.strip_prefix('-'))
        else {
            return false;
        };
        let Some((status, time)) = rest.split_once('-') else {
            return false;
        };
        Status::ALL.iter().any(|s| s.name() == status)
            && !time.is_empty()
            && time.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    }

    /// Writes `status` now and removes the files written before (listed first, so the new
    /// file is never removed).
    pub(crate) fn write(&self, status: Status) -> io::Result<()> {
        let previous: Vec<PathBuf> = fs::read_dir(&self.dir)?
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_str().is_some_and(|n| self.is_ours(n)))
            .map(|e| e.path())
            .collect();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let name = format!(
            "{}-{}-{}.{:06}",
            self.base,
            status.name(),
            now.as_secs(),
            now.subsec_micros()
        );
        let path = self.dir.join(name);
        fs::File::create(&path)?;
        for old in previous.into_iter().filter(|p| *p != path) {
            match fs::remove_file(&old) {
                Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_request_parses_like_repyv2() {
        let parse = StopRequest::parse;
        assert_eq!(
            parse(""),
            StopRequest {
                code: 44,
                message: String::new()
            }
        );
        assert_eq!(
            parse("7;bye"),
            StopRequest {
                code: 7,
                message: "bye".into()
            }
        );
        assert_eq!(
            parse(" 12 ;a;b\n"),
            StopRequest {
                code: 12,
                message: "a;b\n".into()
            }
        );
        assert_eq!(
            parse("44;"),
            StopRequest {
                code: 44,
                message: String::new()
            }
        );
        assert_eq!(
            parse("56;no"),
            StopRequest {
                code: 44,
                message: String::new()
            }
        );
        assert_eq!(
            parse("x;no"),
            StopRequest {
                code: 44,
                message: String::new()
            }
        );
        assert_eq!(
            parse("9"),
            StopRequest {
                code: 44,
                message: String::new()
            }
        );
        assert_eq!(parse("7;bye").status(), Status::Terminated);
        assert_eq!(parse("").status(), Status::Stopped);
    }

    #[test]
    fn status_files_replace_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let files = StatusFiles::new(&dir.path().join("vessel")).unwrap();
        std::fs::write(dir.path().join("vesselx-Started-1.0"), b"").unwrap();
        std::fs::write(dir.path().join("other"), b"").unwrap();
        files.write(Status::Started).unwrap();
        files.write(Status::Started).unwrap();
        files.write(Status::Terminated).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names.len(), 3, "{names:?}");
        assert_eq!(names[0], "other");
        assert!(names[1].starts_with("vessel-Terminated-"), "{names:?}");
        assert_eq!(names[2], "vesselx-Started-1.0");
    }
}
