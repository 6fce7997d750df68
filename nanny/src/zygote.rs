//! The control channel of a batch (`repy call --batch`): the sandbox child runs the program's
//! top level once and becomes a zygote; for each call the supervisor asks it for a fork, and
//! watches that fork as it watches any run.
//!
//! Two pipes, made by the supervisor before the fork. Down (supervisor → zygote): one byte
//! per request (`C` a call, `W` watching, `F` fork ahead, below); end of file when the batch
//! is over. The supervisor's end is non-blocking: a zygote that stops reading fills the pipe
//! and is given up on, never waited for. Up (zygote → supervisor), records
//! of at most `PIPE_BUF` bytes, so each is written at once:
//!
//! | record | bytes | when |
//! |---|---|---|
//! | `R` | 1 | the top level finished: the zygote waits for calls |
//! | `P` pid | 1 + 4 | a call process was forked |
//! | `E` wait status, CPU µs, peak RSS KiB | 1 + 4 + 8 + 8 | that call process ended |
//!
//! Down, after a `P`, the supervisor writes `W` once it has checked the pid and holds a
//! pidfd for it; the zygote reaps the call process only after that, so the pid cannot be
//! reaped (and reused) before the supervisor has checked it. A call process may run before it
//! is watched (the engine's wait for `W`; simpler zygotes need not). If a process forked ahead
//! and announced (below) has already ended, it was killed from outside while it waited: the
//! supervisor writes `D` (discard) instead of `W`, and the zygote reaps it, forks a fresh one
//! and reports that one with a `P` of its own, which is watched as it is.
//!
//! Down, between two calls, the supervisor may also write `F` (fork ahead): the previous call
//! is over and its totals read, so the zygote may fork the next call's process now and
//! **announce** it with its `P` at once. The process waits until it is watched (`W`); the
//! supervisor, when the next call is asked for, finds the announcement already in the pipe,
//! checks it and writes `W`, without asking (`C`) and waiting for the zygote to answer. The
//! fork and the process's own set-up then happen while the service answers the previous
//! request, and one round trip between supervisor and zygote leaves the request's path. A
//! supervisor that asks (`C`) before the announcement arrives reads it as the answer; the
//! zygote passes over a `C` for a process it announced. A zygote may also ignore `F`
//! ([`ZygoteControl::next_request`] does); then every call is asked for with `C`.
//!
//! **Trust.** The zygote ran the program's top level, so it is no more trusted than the
//! program: the supervisor checks that a reported pid is the zygote's child before watching
//! it, never waits on the zygote longer than [`REPORT_TIMEOUT`], and enforces every limit
//! itself (`/proc`, the pidfd). A reported status and usage only shape the call's report,
//! as a run's own exit code does.

use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::time::Duration;

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::unistd::Pid;

/// How long the supervisor waits for a record the zygote owes it (a pid after a request,
/// a status after the call process ended).
pub const REPORT_TIMEOUT: Duration = Duration::from_secs(5);

/// The record the zygote writes once the top level has finished.
const READY: u8 = b'R';
/// The record of a forked call process.
const FORKED: u8 = b'P';
/// The record of an ended call process.
const ENDED: u8 = b'E';

/// Down: a call is asked for.
const CALL: u8 = b'C';
/// Down: the call process reported is watched.
const WATCHING: u8 = b'W';
/// Down: the zygote may fork the next call's process ahead.
const FORK_AHEAD: u8 = b'F';
/// Down: the call process reported has ended before it was released: fork another.
const DISCARD: u8 = b'D';

/// What the supervisor asks of the zygote between two calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Run a call: report its process, wait until it is watched, reap it, report its end.
    Call,
    /// Fork the next call's process now, to wait until the call is asked for.
    ForkAhead,
    /// The batch is over (or the supervisor is gone).
    End,
}

/// What the supervisor says of a call process the zygote reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It is watched: release it (and reap it when it ends).
    Watched,
    /// It had ended before it was watched: reap it and report a fresh one.
    Discard,
    /// The batch is over (or the supervisor is gone).
    End,
}

/// How a call process ended, as the zygote's `wait4` saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallEnd {
    /// The raw wait status.
    pub status: i32,
    /// User + system CPU time in microseconds.
    pub cpu_micros: u64,
    /// Peak resident memory in KiB.
    pub peak_rss_kib: u64,
}

/// The zygote's ends of the channel (inherited through the fork, kept through confinement).
#[derive(Debug)]
pub struct ZygoteControl {
    requests: OwnedFd,
    reports: OwnedFd,
}

impl ZygoteControl {
    /// The descriptors confinement must keep open.
    pub fn fds(&self) -> [RawFd; 2] {
        [self.requests.as_raw_fd(), self.reports.as_raw_fd()]
    }

    /// Tells the supervisor the top level finished.
    pub fn ready(&self) -> bool {
        write_record(&self.reports, &[READY])
    }

    /// Waits for the next call: `true` for a call, `false` when the batch is over (or the
    /// supervisor is gone). Offers to fork ahead are passed over.
    pub fn next_request(&self) -> bool {
        loop {
            match self.next() {
                Request::Call => return true,
                Request::ForkAhead => continue,
                Request::End => return false,
            }
        }
    }

    /// Waits for what the supervisor asks next.
    pub fn next(&self) -> Request {
        let mut byte = [0u8; 1];
        loop {
            match nix::unistd::read(&self.requests, &mut byte) {
                Ok(1) if byte[0] == FORK_AHEAD => return Request::ForkAhead,
                Ok(1) if byte[0] == CALL => return Request::Call,
                Err(Errno::EINTR) => continue,
                _ => return Request::End,
            }
        }
    }

    /// Reports a forked call process.
    pub fn forked(&self, pid: Pid) -> bool {
        let mut record = [0u8; 5];
        record[0] = FORKED;
        record[1..].copy_from_slice(&pid.as_raw().to_le_bytes());
        write_record(&self.reports, &record)
    }

    /// Waits for what the supervisor says of the call process just reported: watched (it
    /// has checked it and holds its pidfd; only then may the zygote reap it), to be
    /// discarded, or the end. A request for a call (`C`) meanwhile is the supervisor asking
    /// before it read the report of a process forked ahead: passed over.
    pub fn await_watch(&self) -> Verdict {
        let mut byte = [0u8; 1];
        loop {
            match nix::unistd::read(&self.requests, &mut byte) {
                Ok(1) if byte[0] == CALL => continue,
                Ok(1) if byte[0] == WATCHING => return Verdict::Watched,
                Ok(1) if byte[0] == DISCARD => return Verdict::Discard,
                Err(Errno::EINTR) => continue,
                _ => return Verdict::End,
            }
        }
    }

    /// Reports how the call process ended.
    pub fn ended(&self, end: CallEnd) -> bool {
        let mut record = [0u8; 21];
        record[0] = ENDED;
        record[1..5].copy_from_slice(&end.status.to_le_bytes());
        record[5..13].copy_from_slice(&end.cpu_micros.to_le_bytes());
        record[13..21].copy_from_slice(&end.peak_rss_kib.to_le_bytes());
        write_record(&self.reports, &record)
    }
}

/// The supervisor's ends of the channel.
#[derive(Debug)]
pub(crate) struct ZygoteLink {
    requests: Option<OwnedFd>,
    reports: OwnedFd,
}

/// Makes the channel: the supervisor's ends and the zygote's.
pub(crate) fn channel() -> nix::Result<(ZygoteLink, ZygoteControl)> {
    use nix::fcntl::OFlag;
    let (requests_r, requests_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    // The supervisor never blocks on a zygote that does not read (its writes fail instead);
    // the zygote's end, another open file description, stays blocking.
    nix::fcntl::fcntl(
        &requests_w,
        nix::fcntl::FcntlArg::F_SETFL(OFlag::O_NONBLOCK),
    )?;
    let (reports_r, reports_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    // The supervisor reads a record without polling first (`read_exact`).
    nix::fcntl::fcntl(&reports_r, nix::fcntl::FcntlArg::F_SETFL(OFlag::O_NONBLOCK))?;
    Ok((
        ZygoteLink {
            requests: Some(requests_w),
            reports: reports_r,
        },
        ZygoteControl {
            requests: requests_r,
            reports: reports_w,
        },
    ))
}

/// What the supervisor found waiting from the zygote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Waiting {
    /// Nothing yet.
    Nothing,
    /// A whole record.
    Record(Report),
    /// Something that is not a record (or the channel is gone).
    Broken,
}

/// What the supervisor read from the zygote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Report {
    Ready,
    Forked(Pid),
    Ended(CallEnd),
}

impl ZygoteLink {
    /// The descriptor to poll for the top level's `R`.
    pub(crate) fn reports_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.reports.as_fd()
    }

    /// Asks the zygote for one call; `false` if it is gone.
    pub(crate) fn request(&self) -> bool {
        self.requests
            .as_ref()
            .is_some_and(|fd| write_record(fd, &[CALL]))
    }

    /// Tells the zygote it may fork the next call's process ahead: the previous call is over
    /// and its totals read. `false` if it is gone.
    pub(crate) fn fork_ahead(&self) -> bool {
        self.requests
            .as_ref()
            .is_some_and(|fd| write_record(fd, &[FORK_AHEAD]))
    }

    /// Tells the zygote the call process it reported had ended before it was watched: it
    /// reaps it and reports another. `false` if it is gone.
    pub(crate) fn discard(&self) -> bool {
        self.requests
            .as_ref()
            .is_some_and(|fd| write_record(fd, &[DISCARD]))
    }

    /// The next record if one is waiting now (a call process the zygote forked ahead and
    /// announced), without waiting for one to come.
    pub(crate) fn read_waiting(&self) -> Waiting {
        let mut fds = [PollFd::new(self.reports.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::ZERO) {
            Ok(0) => Waiting::Nothing,
            // A record is written at once: what begins one and is not whole is broken.
            Ok(_) => self
                .read(Duration::ZERO)
                .map_or(Waiting::Broken, Waiting::Record),
            Err(_) => Waiting::Broken,
        }
    }

    /// Tells the zygote the call process it reported is watched: it may reap it.
    pub(crate) fn watching(&self) -> bool {
        self.requests
            .as_ref()
            .is_some_and(|fd| write_record(fd, &[WATCHING]))
    }

    /// Ends the batch: the zygote reads end of file and exits.
    pub(crate) fn close(&mut self) {
        self.requests = None;
    }

    /// Reads the next record, waiting at most `timeout`; `None` on a timeout, end of file or
    /// anything that is not a whole record.
    pub(crate) fn read(&self, timeout: Duration) -> Option<Report> {
        let mut first = [0u8; 1];
        if !read_exact(&self.reports, &mut first, timeout) {
            return None;
        }
        match first[0] {
            READY => Some(Report::Ready),
            FORKED => {
                let mut pid = [0u8; 4];
                read_exact(&self.reports, &mut pid, timeout)
                    .then(|| Report::Forked(Pid::from_raw(i32::from_le_bytes(pid))))
            }
            ENDED => {
                let mut rest = [0u8; 20];
                if !read_exact(&self.reports, &mut rest, timeout) {
                    return None;
                }
                let u64_at = |at: usize| {
                    let mut bytes = [0u8; 8];
                    bytes.copy_from_slice(&rest[at..at + 8]);
                    u64::from_le_bytes(bytes)
                };
                let mut status = [0u8; 4];
                status.copy_from_slice(&rest[..4]);
                Some(Report::Ended(CallEnd {
                    status: i32::from_le_bytes(status),
                    cpu_micros: u64_at(4),
                    peak_rss_kib: u64_at(12),
                }))
            }
            _ => None,
        }
    }
}

/// Writes a whole record (at most `PIPE_BUF` bytes, so at once or not at all).
fn write_record(fd: &OwnedFd, record: &[u8]) -> bool {
    loop {
        match nix::unistd::write(fd, record) {
            Ok(n) => return n == record.len(),
            Err(Errno::EINTR) => continue,
            Err(_) => return false,
        }
    }
}

/// Fills `buffer` from `fd` (non-blocking), waiting at most `timeout` in all: a record the
/// zygote wrote is read at once, without a `poll` first.
fn read_exact(fd: &OwnedFd, buffer: &mut [u8], timeout: Duration) -> bool {
    let deadline = crate::clock::monotonic_now() + timeout;
    let mut filled = 0;
    while filled < buffer.len() {
        match nix::unistd::read(fd, &mut buffer[filled..]) {
            Ok(0) => return false,
            Ok(n) => {
                filled += n;
                continue;
            }
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => {}
            Err(_) => return false,
        }
        let left = deadline.saturating_sub(crate::clock::monotonic_now());
        let millis = i32::try_from(left.as_millis()).unwrap_or(i32::MAX);
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        match poll(
            &mut fds,
            PollTimeout::try_from(millis).unwrap_or(PollTimeout::ZERO),
        ) {
            Ok(0) => return false,
            Ok(_) | Err(Errno::EINTR) => {}
            Err(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zygote_records_cross_the_channel_whole() {
        let (mut link, control) = channel().expect("pipes");
        assert!(control.ready());
        assert!(control.forked(Pid::from_raw(4321)));
        let end = CallEnd {
            status: 9,
            cpu_micros: 1_234_567,
            peak_rss_kib: 8_192,
        };
        assert!(control.ended(end));
        let wait = Duration::from_millis(100);
        assert_eq!(link.read(wait), Some(Report::Ready));
        assert_eq!(link.read(wait), Some(Report::Forked(Pid::from_raw(4321))));
        assert_eq!(link.read(wait), Some(Report::Ended(end)));
        // Nothing more: a timeout, not a hang.
        assert_eq!(link.read(Duration::from_millis(20)), None);
        assert!(link.request());
        assert!(control.next_request());
        // An offer to fork ahead is one request of its own, passed over by next_request.
        assert!(link.fork_ahead());
        assert_eq!(control.next(), Request::ForkAhead);
        assert!(link.fork_ahead());
        assert!(link.request());
        assert!(control.next_request());
        // A request for a call while a process forked ahead waits is passed over.
        assert!(link.request());
        assert!(link.discard());
        assert_eq!(control.await_watch(), Verdict::Discard);
        assert!(link.watching());
        assert_eq!(control.await_watch(), Verdict::Watched);
        // An announcement is read without waiting, and only once there.
        assert_eq!(link.read_waiting(), Waiting::Nothing);
        assert!(control.forked(Pid::from_raw(77)));
        assert_eq!(
            link.read_waiting(),
            Waiting::Record(Report::Forked(Pid::from_raw(77)))
        );
        assert_eq!(link.read_waiting(), Waiting::Nothing);
        // Half a record waiting is broken, not nothing.
        assert!(write_record(&control.reports, &[FORKED, 1]));
        assert_eq!(link.read_waiting(), Waiting::Broken);
        link.close();
        assert_eq!(control.await_watch(), Verdict::End);
        assert!(!control.next_request());
        assert_eq!(control.next(), Request::End);
    }

    #[test]
    fn a_zygote_that_stops_reading_is_given_up_on_not_waited_for() {
        let (link, _control) = channel().expect("pipes");
        // The zygote never reads: once the pipe is full, a request fails at once.
        let refused = (0..1_000_000).find(|_| !link.request());
        assert!(refused.is_some(), "the pipe never filled");
    }

    #[test]
    fn a_garbled_record_is_refused() {
        let (link, control) = channel().expect("pipes");
        assert!(write_record(&control.reports, b"Zjunk"));
        assert_eq!(link.read(Duration::from_millis(50)), None);
        // A record cut short is not waited for beyond the timeout.
        assert!(write_record(&control.reports, &[FORKED, 1]));
        assert_eq!(link.read(Duration::from_millis(50)), None);
    }
}
