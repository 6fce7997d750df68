//! Where the sandbox's stdout and stderr go: the supervisor reads them (from the output ring
//! and the stderr pipe) and hands each read on at once, in order, to the terminal or
//! descriptors given by the caller (through a writer thread, so a slow or absent reader never
//! stalls enforcement), or to RepyV2's circular log.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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

/// Bytes of relayed output that may wait for a slow reader before the supervisor stops
/// taking more from the sandbox (which then waits itself: its ring fills, its pipe fills).
pub const RELAY_BUFFER_BYTES: usize = 1024 * 1024;

/// The supervisor's writing end of relayed output.
///
/// Writing to a terminal or a pipe can block for as long as the reader likes, so those writes
/// happen on a writer thread of their own: the supervisor hands bytes over and goes on
/// enforcing (wall time, CPU, memory, disk, stop file) whatever the reader does. At most
/// [`RELAY_BUFFER_BYTES`] wait (plus one read or ring drain); past that the supervisor stops
/// reading the sandbox's output until the reader catches up. A destination that fails (a
/// closed pipe, a full disk) is reported by [`Relay::failure`].
#[derive(Debug)]
pub(crate) enum Relay {
    Fds(FdWriter),
    Log(CircularLog),
}

impl Relay {
    /// Opens the target (the log files are created now, so a bad prefix fails early).
    pub(crate) fn open(target: OutputTarget) -> io::Result<Relay> {
        Ok(match target {
            OutputTarget::Inherit => Relay::Fds(FdWriter::new(None, None)),
            OutputTarget::Fds { stdout, stderr } => {
                Relay::Fds(FdWriter::new(Some(stdout), Some(stderr)))
            }
            OutputTarget::Logfile(prefix) => Relay::Log(CircularLog::open(&prefix)?),
        })
    }

    /// Starts the writer thread now, once the supervisor has forked (a thread must not exist
    /// when it forks): made while the sandbox starts, it is ready when the output comes, not
    /// made after the program has ended. A thread that cannot be made is reported at the
    /// first write, as before.
    pub(crate) fn start(&mut self) {
        if let Relay::Fds(writer) = self {
            let _ = writer.start();
        }
    }

    /// Hands `bytes` from `stream` over without waiting for the destination. A log that
    /// cannot be written loses output, never the run (as RepyV2's).
    pub(crate) fn write(&mut self, stream: Stream, bytes: &[u8]) {
        match self {
            Relay::Fds(writer) => writer.push(stream, bytes),
            Relay::Log(log) => {
                let _ = log.write(bytes);
            }
        }
    }

    /// Whether more output may be taken from the sandbox now.
    pub(crate) fn has_room(&self) -> bool {
        match self {
            Relay::Fds(writer) => writer.waiting_bytes() < RELAY_BUFFER_BYTES,
            Relay::Log(_) => true,
        }
    }

    /// The first stream whose destination failed, and why.
    pub(crate) fn failure(&self) -> Option<(Stream, Errno)> {
        match self {
            Relay::Fds(writer) => writer.failure(),
            Relay::Log(_) => None,
        }
    }

    /// Between the calls of a batch: waits until everything handed over so far has been
    /// written, its destination failed, or the writer made no progress for `stall`. The
    /// relay stays open. Returns whether everything was written.
    pub(crate) fn settle(&self, stall: Duration) -> bool {
        match self {
            Relay::Fds(writer) => writer.settle(stall),
            Relay::Log(_) => true,
        }
    }

    /// After the run: waits until everything handed over has been written, its destination
    /// failed, the reader has taken nothing for `stall`, or `interrupted()` says repy was
    /// asked to stop. Returns the bytes given up on (never delivered).
    pub(crate) fn finish(&mut self, stall: Duration, interrupted: &mut dyn FnMut() -> bool) -> u64 {
        match self {
            Relay::Fds(writer) => writer.finish(stall, interrupted),
            Relay::Log(_) => 0,
        }
    }
}

/// What the supervisor and the writer thread share.
#[derive(Debug, Default)]
struct Queue {
    chunks: VecDeque<(Stream, Vec<u8>)>,
    /// Bytes in `chunks`.
    bytes: usize,
    /// No more chunks will come: the thread ends once `chunks` is empty.
    closed: bool,
    /// The first failed stream; its later chunks are dropped.
    failed: Option<(Stream, Errno)>,
    /// Streams whose destination failed.
    broken: [bool; 2],
    /// The writer thread has ended (closed and empty).
    ended: bool,
}

#[derive(Debug, Default)]
struct Shared {
    queue: Mutex<Queue>,
    changed: Condvar,
    /// Signalled by the writer thread after each chunk it has written (or given up on) and
    /// when it ends, so that waiting for it costs no polling delay.
    progressed: Condvar,
    /// Bytes the writer thread has written so far (its progress, read without the lock).
    written: AtomicU64,
}

/// Writes relayed output to descriptors on a thread of its own (started once the supervisor
/// has forked the sandbox, [`Relay::start`], or at the first write: none exists when the
/// supervisor forks).
#[derive(Debug)]
pub(crate) struct FdWriter {
    /// The caller's descriptors; `None` writes to the supervisor's own stdout and stderr.
    fds: Option<[Option<OwnedFd>; 2]>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl FdWriter {
    fn new(stdout: Option<OwnedFd>, stderr: Option<OwnedFd>) -> FdWriter {
        FdWriter {
            fds: Some([stdout, stderr]),
            shared: Arc::default(),
            thread: None,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.shared
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts the writer thread if it is not running; false when it cannot be started.
    fn start(&mut self) -> bool {
        if self.thread.is_some() {
            return true;
        }
        let Some(fds) = self.fds.take() else {
            return false;
        };
        let shared = Arc::clone(&self.shared);
        let spawned = std::thread::Builder::new()
            .name("repy-output".into())
            .spawn(move || write_loop(&shared, fds));
        match spawned {
            Ok(handle) => {
                self.thread = Some(handle);
                true
            }
            Err(_) => false,
        }
    }

    fn push(&mut self, stream: Stream, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if !self.start() {
            // No thread: the output cannot be relayed, and the run is told so.
            let mut queue = self.lock();
            queue.failed.get_or_insert((stream, Errno::EAGAIN));
            return;
        }
        let mut queue = self.lock();
        if queue.broken[stream.index()] {
            return;
        }
        queue.bytes += bytes.len();
        queue.chunks.push_back((stream, bytes.to_vec()));
        drop(queue);
        self.shared.changed.notify_one();
    }

    fn waiting_bytes(&self) -> usize {
        self.lock().bytes
    }

    fn failure(&self) -> Option<(Stream, Errno)> {
        self.lock().failed
    }

    fn settle(&self, stall: Duration) -> bool {
        let mut seen = self.shared.written.load(Ordering::Relaxed);
        let mut since = Instant::now();
        let mut queue = self.lock();
        loop {
            if queue.bytes == 0 {
                return true;
            }
            if queue.failed.is_some() && queue.chunks.is_empty() {
                return false;
            }
            let now = self.shared.written.load(Ordering::Relaxed);
            if now != seen {
                seen = now;
                since = Instant::now();
            }
            let Some(left) = stall.checked_sub(since.elapsed()) else {
                return false;
            };
            queue = self
                .shared
                .progressed
                .wait_timeout(queue, left.min(FINISH_POLL))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn finish(&mut self, stall: Duration, interrupted: &mut dyn FnMut() -> bool) -> u64 {
        let written = {
            let mut queue = self.lock();
            queue.closed = true;
            // `bytes` drops only once a chunk is written (or given up on with its stream).
            queue.bytes == 0
        };
        self.shared.changed.notify_one();
        let Some(thread) = self.thread.take() else {
            return 0;
        };
        if written {
            // Nothing waits: the writer ends on its own (see below).
            drop(thread);
            return 0;
        }
        let mut seen = self.shared.written.load(Ordering::Relaxed);
        let mut since = Instant::now();
        loop {
            let queue = self.lock();
            if queue.ended {
                break;
            }
            // Woken at once by the writer's progress or end; at least every FINISH_POLL to
            // look at the stall and at `interrupted`.
            let queue = self
                .shared
                .progressed
                .wait_timeout(queue, FINISH_POLL)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            if queue.ended {
                break;
            }
            drop(queue);
            let now = self.shared.written.load(Ordering::Relaxed);
            if now != seen {
                seen = now;
                since = Instant::now();
            }
            if since.elapsed() >= stall || interrupted() {
                // The reader takes nothing (or repy must stop): give up on what waits. The
                // thread, blocked in a write, is left to end with the process.
                let mut queue = self.lock();
                let dropped = queue.bytes;
                queue.chunks.clear();
                queue.bytes = 0;
                return dropped as u64;
            }
        }
        // The writer has done everything once `ended` is set (it returns right after): it is
        // detached, not joined, which would wait for the thread's exit itself (about half a
        // millisecond at the end of every run). It ends on its own, or with the process.
        drop(thread);
        0
    }
}

/// How often the final drain looks at the writer thread's progress.
const FINISH_POLL: Duration = Duration::from_millis(20);

/// How long the final drain waits for a reader that takes nothing before giving up on the
/// rest of the output.
pub(crate) const FINISH_STALL: Duration = Duration::from_secs(5);

impl Drop for FdWriter {
    fn drop(&mut self) {
        // Only the process that started the thread joins it (a forked child has none).
        if self.thread.is_some() {
            self.finish(FINISH_STALL, &mut || false);
        }
    }
}

impl Stream {
    fn index(self) -> usize {
        usize::from(self == Stream::Stderr)
    }
}

/// The writer thread: writes chunks in order until closed and empty.
fn write_loop(shared: &Shared, fds: [Option<OwnedFd>; 2]) {
    loop {
        let mut queue = shared.queue.lock().unwrap_or_else(PoisonError::into_inner);
        while queue.chunks.is_empty() && !queue.closed {
            queue = shared
                .changed
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let Some((stream, chunk)) = queue.chunks.pop_front() else {
            queue.ended = true;
            drop(queue);
            shared.progressed.notify_all();
            return;
        };
        drop(queue);
        let own = fds
            .get(stream.index())
            .and_then(Option::as_ref)
            .map(AsFd::as_fd);
        let fd = own.unwrap_or_else(|| match stream {
            // SAFETY: descriptors 1 and 2 stay open for the supervisor's lifetime (nothing in
            // repy closes them), and the borrow ends with this iteration.
            Stream::Stdout => unsafe { BorrowedFd::borrow_raw(libc::STDOUT_FILENO) },
            // SAFETY: as above.
            Stream::Stderr => unsafe { BorrowedFd::borrow_raw(libc::STDERR_FILENO) },
        });
        let result = write_all_fd(fd, &chunk, &shared.written);
        let mut queue = shared.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.bytes = queue.bytes.saturating_sub(chunk.len());
        if let Err(errno) = result {
            queue.broken[stream.index()] = true;
            queue.failed.get_or_insert((stream, errno));
            // What else waits for the broken stream is dropped.
            let mut dropped = 0;
            queue.chunks.retain(|(s, c)| {
                let keep = *s != stream;
                if !keep {
                    dropped += c.len();
                }
                keep
            });
            queue.bytes = queue.bytes.saturating_sub(dropped);
        }
        drop(queue);
        shared.progressed.notify_all();
    }
}

/// Writes all of `bytes` to `fd`, waiting if the descriptor is non-blocking and full, and
/// counting what was written in `written`.
fn write_all_fd(fd: BorrowedFd<'_>, mut bytes: &[u8], written: &AtomicU64) -> Result<(), Errno> {
    while !bytes.is_empty() {
        match nix::unistd::write(fd, bytes) {
            Ok(0) => return Err(Errno::EIO),
            Ok(n) => {
                written.fetch_add(n as u64, Ordering::Relaxed);
                bytes = bytes.get(n..).unwrap_or_default();
            }
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

/// Appends `bytes` to the circular log at `prefix` (as the run's own output is): repy's
/// messages about a run started with `--logfile` belong beside the program's output.
pub fn append_to_log(prefix: &Path, bytes: &[u8]) -> io::Result<()> {
    CircularLog::open(prefix)?.write(bytes)
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
