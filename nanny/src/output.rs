//! Where the sandbox's stdout and stderr go: the supervisor reads them from pipes and writes
//! each read through at once (no buffering, so interleaving stays natural) to the terminal,
//! to descriptors given by the caller, or to RepyV2's circular log.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

/// The size of each half of the circular log, as RepyV2.
pub const LOG_HALF_BYTES: u64 = 16 * 1024;

/// Where relayed output goes.
#[derive(Debug, Default)]
pub enum OutputTarget {
    /// The supervisor's own stdout and stderr.
    #[default]
    Inherit,
    /// RepyV2's `--logfile PREFIX`: both streams go to `PREFIX.old` / `PREFIX.new`, 16 KiB
    /// each; the newest output is in `.new`, the 16 KiB before it in `.old`. A relative prefix
    /// is resolved against the directory current when the supervisor is created.
    Logfile(PathBuf),
    /// Descriptors chosen by the caller (a service, tests).
    Fds {
        /// Receives the sandbox's stdout.
        stdout: OwnedFd,
        /// Receives the sandbox's stderr.
        stderr: OwnedFd,
    },
}

/// Which stream of the sandbox some bytes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

/// The supervisor's writing end of relayed output.
#[derive(Debug)]
pub(crate) enum Relay {
    Fds {
        stdout: Option<OwnedFd>,
        stderr: Option<OwnedFd>,
        /// A stream whose reader went away (EPIPE) is dropped from then on.
        broken: [bool; 2],
    },
    Log(CircularLog),
}

impl Relay {
    /// Opens the target (the log files are created now, so a bad prefix fails early).
    pub(crate) fn open(target: OutputTarget) -> io::Result<Relay> {
        Ok(match target {
            OutputTarget::Inherit => Relay::Fds {
                stdout: None,
                stderr: None,
                broken: [false; 2],
            },
            OutputTarget::Fds { stdout, stderr } => Relay::Fds {
                stdout: Some(stdout),
                stderr: Some(stderr),
                broken: [false; 2],
            },
            OutputTarget::Logfile(prefix) => Relay::Log(CircularLog::open(&prefix)?),
        })
    }

    /// Writes `bytes` from `stream` through; a failed destination drops the bytes (the run
    /// goes on, and they are still counted by the caller).
    pub(crate) fn write(&mut self, stream: Stream, bytes: &[u8]) {
        match self {
            Relay::Fds {
                stdout,
                stderr,
                broken,
            } => {
                let index = usize::from(stream == Stream::Stderr);
                if broken[index] {
                    return;
                }
                let own = match stream {
                    Stream::Stdout => stdout.as_ref().map(AsFd::as_fd),
                    Stream::Stderr => stderr.as_ref().map(AsFd::as_fd),
                };
                let fd = own.unwrap_or_else(|| match stream {
                    // SAFETY: descriptors 1 and 2 stay open for the supervisor's lifetime
                    // (nothing in repy closes them), and the borrow ends with this call.
                    Stream::Stdout => unsafe { BorrowedFd::borrow_raw(libc::STDOUT_FILENO) },
                    // SAFETY: as above.
                    Stream::Stderr => unsafe { BorrowedFd::borrow_raw(libc::STDERR_FILENO) },
                });
                if write_all_fd(fd, bytes).is_err() {
                    broken[index] = true;
                }
            }
            Relay::Log(log) => {
                // A log that cannot be written loses output, never the run.
                let _ = log.write(bytes);
            }
        }
    }
}

/// Writes all of `bytes` to `fd`, waiting if the descriptor is non-blocking and full.
fn write_all_fd(fd: BorrowedFd<'_>, mut bytes: &[u8]) -> Result<(), Errno> {
    while !bytes.is_empty() {
        match nix::unistd::write(fd, bytes) {
            Ok(0) => return Err(Errno::EIO),
            Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => {
                let mut fds = [PollFd::new(fd, PollFlags::POLLOUT)];
                match poll(&mut fds, PollTimeout::NONE) {
                    Ok(_) | Err(Errno::EINTR) => continue,
                    Err(err) => return Err(err),
                }
            }
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// RepyV2's circular log: two files of at most [`LOG_HALF_BYTES`] each. `.old` fills first;
/// then `.new` fills; when `.new` is full and more comes, `.new` replaces `.old` and a fresh
/// `.new` starts. So the newest output is always kept, with at least 16 KiB before it once
/// that much was written. Existing files are continued, as RepyV2 did.
#[derive(Debug)]
pub(crate) struct CircularLog {
    old: PathBuf,
    new: PathBuf,
    active: File,
    /// Bytes in the active file.
    size: u64,
    /// Whether the active file is still `.old` (the log's first half).
    filling_old: bool,
}

impl CircularLog {
    pub(crate) fn open(prefix: &Path) -> io::Result<CircularLog> {
        let prefix = std::path::absolute(prefix)?;
        let mut old = prefix.clone().into_os_string();
        old.push(".old");
        let mut new = prefix.into_os_string();
        new.push(".new");
        let (old, new) = (PathBuf::from(old), PathBuf::from(new));
        let append = |path: &Path| OpenOptions::new().append(true).create(true).open(path);
        let (active, size, filling_old) = match (old.exists(), new.exists()) {
            (_, true) if old.exists() => {
                let file = append(&new)?;
                let size = file.metadata()?.len();
                (file, size, false)
            }
            (false, true) => {
                fs::rename(&new, &old)?;
                (File::create(&new)?, 0, false)
            }
            (true, false) => {
                let file = append(&old)?;
                let size = file.metadata()?.len();
                (file, size, true)
            }
            _ => (File::create(&old)?, 0, true),
        };
        Ok(CircularLog {
            old,
            new,
            active,
            size,
            filling_old,
        })
    }

    /// Appends `bytes`, rotating as often as needed.
    pub(crate) fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            if self.size >= LOG_HALF_BYTES {
                self.rotate()?;
            }
            let room = usize::try_from(LOG_HALF_BYTES - self.size).unwrap_or(usize::MAX);
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            self.active.write_all(now)?;
            self.size += now.len() as u64;
            bytes = rest;
        }
        Ok(())
    }

    fn rotate(&mut self) -> io::Result<()> {
        if self.filling_old {
            self.filling_old = false;
        } else {
            fs::rename(&self.new, &self.old)?;
        }
        self.active = File::create(&self.new)?;
        self.size = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> Vec<u8> {
        fs::read(path).unwrap_or_default()
    }

    #[test]
    fn circular_log_keeps_the_newest_output_in_two_halves() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("log");
        let mut log = CircularLog::open(&prefix).unwrap();
        let data: Vec<u8> = (0..50_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        for chunk in data.chunks(1000) {
            log.write(chunk).unwrap();
        }
        let old = read(&dir.path().join("log.old"));
        let new = read(&dir.path().join("log.new"));
        assert_eq!(old.len(), 16 * 1024);
        assert_eq!(new.len(), 50_000 - 3 * 16 * 1024);
        let kept = [old, new].concat();
        assert_eq!(kept[..], data[data.len() - kept.len()..]);
    }

    #[test]
    fn circular_log_fills_old_first_and_handles_one_big_write() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("log");
        let mut log = CircularLog::open(&prefix).unwrap();
        log.write(b"hello\n").unwrap();
        assert_eq!(read(&dir.path().join("log.old")), b"hello\n");
        assert!(!dir.path().join("log.new").exists());
        let big = vec![b'x'; 100_000];
        log.write(&big).unwrap();
        assert_eq!(read(&dir.path().join("log.old")).len(), 16 * 1024);
        assert_eq!(
            read(&dir.path().join("log.new")).len() as u64,
            (100_006 % LOG_HALF_BYTES)
        );
        // Reopening continues the same log.
        drop(log);
        let mut log = CircularLog::open(&prefix).unwrap();
        log.write(b"more").unwrap();
        assert!(read(&dir.path().join("log.new")).ends_with(b"xmore"));
    }
}
