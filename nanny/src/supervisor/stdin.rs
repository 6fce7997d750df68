//! Standard input relayed to the sandbox ([`Stdin::Relay`](crate::Stdin::Relay)).
//!
//! The child's descriptor 0 is the read end of a pipe made before the fork; the watch loop
//! copies what the caller's source offers into the write end, as one more pair of entries in
//! its `poll`, and never waits on either: a slow or stuck source, or a program that does not
//! read, leaves the loop to its tick and its kills.
//!
//! * **Memory.** The source is polled only while nothing read from it waits to be written, and
//!   a read takes at most what the pipe has room for (its capacity less `FIONREAD`), and at
//!   most [`MAX_READ`] bytes. A program that never reads, given `/dev/zero`, fills its pipe
//!   (64 KiB by default) and the supervisor holds at most one more read.
//! * **Pace and total.** Each read is charged to the rate on the nanny's leaky bucket
//!   ([`crate::bucket`], RepyV2's semantics: the first second's worth may come at once, then
//!   the input is paced in steps of [`PACE_STEP`]'s worth), and no read goes past the total.
//! * **End of input.** At the source's end of file, when the source fails (`EIO` from a
//!   terminal that hung up, or any other error), or once the total is reached, the write end
//!   is closed as soon as what was read is written: the program then reads end of file
//!   (Python's `input()` raises `EOFError`). When the program closes its end (or exits),
//!   the relay stops reading. Past the total, one more byte is read, if the source offers one
//!   during the run, only to tell whether the input was cut ([`StdinRelay::truncated`]).
//! * **Never blocking, never touching the source's flags.** `O_NONBLOCK` belongs to an open
//!   file description, which a terminal or pipe given by the caller shares with the caller's
//!   shell and other processes: setting it would make their reads fail with `EAGAIN`. So the
//!   relay reads, by the source's kind (see [`ReadMode`]): a regular file or block device with
//!   plain reads (they never wait for a writer); a socket with `recv(MSG_DONTWAIT)` (for that
//!   call only); a pipe or terminal through a description of its own, opened again through
//!   `/proc/self/fd` with `O_NONBLOCK` (the same pipe or terminal, with flags nobody else
//!   sees); anything else (a character device, or a pipe or terminal that cannot be opened
//!   again) only after `poll` says it is readable, at most what `FIONREAD` says is waiting.
//!   That last way can block only if another process reads the same source between the
//!   `poll` and the read.
//! * **Signals.** While it relays, the supervising thread blocks `SIGPIPE` (a write after the
//!   program closed its end fails with `EPIPE` instead; the pending signal is discarded at
//!   the end) and `SIGTTIN` (a supervisor in the background reading its terminal gets `EIO`,
//!   which ends the input, instead of being stopped with its enforcement).

use std::io::IsTerminal;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::time::Duration;

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::PollFlags;
use nix::sys::stat::{fstat, FileStat, Mode};

use crate::bucket::{Decision, LeakyBucket, RateSpec};
use crate::process::StdinLimits;

/// The most bytes read from the source at once: besides the pipe's own buffer, the most input
/// the supervisor holds.
pub(crate) const MAX_READ: usize = 64 * 1024;

/// A paced relay reads at least this long's worth of its rate at once, so that a slow rate
/// makes a few reads a second rather than one per byte.
pub(crate) const PACE_STEP: Duration = Duration::from_millis(20);

/// The input's limits as they apply over time: the total left and the rate's bucket. Pure
/// state over instants passed in by the caller (tested on a fake clock).
#[derive(Debug)]
pub(crate) struct Pacer {
    /// The rate's bucket; `None` when the rate forbids any input.
    bucket: Option<LeakyBucket>,
    /// Bytes per second (`f64::INFINITY`: no limit).
    rate: f64,
    /// The smallest read worth waiting for ([`PACE_STEP`]'s worth of the rate, at least 1).
    step: usize,
    /// Bytes left under the total (`None`: no total).
    remaining: Option<u64>,
    /// While the bucket is over its rate: when the next read may happen.
    ready_at: Option<Duration>,
}

/// What the [`Pacer`] allows now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Allowance {
    /// Read at most this many bytes.
    Read(usize),
    /// Nothing may be read before this instant.
    WaitUntil(Duration),
    /// The total is reached, or the rate forbids input: nothing more is relayed.
    Exhausted,
}

impl Pacer {
    /// A pacer for `limits`, starting at `now`.
    pub(crate) fn new(limits: StdinLimits, now: Duration) -> Pacer {
        let spec = limits
            .rate
            .map_or(RateSpec::Unlimited, RateSpec::from_limit);
        let rate = match spec {
            RateSpec::PerSecond(rate) => rate,
            RateSpec::Unlimited | RateSpec::Forbidden => f64::INFINITY,
        };
        let step = (rate * PACE_STEP.as_secs_f64()).ceil();
        // A float-to-integer `as` saturates: an unlimited rate gives usize::MAX.
        let step = (step as usize).max(1);
        Pacer {
            bucket: LeakyBucket::new(spec, now),
            rate,
            step,
            remaining: limits.total,
            ready_at: None,
        }
    }

    /// Whether nothing more may be relayed (the total is reached, or the rate is 0).
    pub(crate) fn exhausted(&self) -> bool {
        self.bucket.is_none() || self.remaining == Some(0)
    }

    /// How much may be read at `now`.
    pub(crate) fn allowance(&mut self, now: Duration) -> Allowance {
        if self.exhausted() {
            return Allowance::Exhausted;
        }
        let Some(bucket) = self.bucket.as_mut() else {
            return Allowance::Exhausted;
        };
        if let Some(at) = self.ready_at {
            if now < at {
                return Allowance::WaitUntil(at);
            }
            self.ready_at = None;
        }
        let bytes = match bucket.poll(now) {
            Decision::Wait(wait) => {
                let at = now + wait;
                self.ready_at = Some(at);
                return Allowance::WaitUntil(at);
            }
            // Under the rate: up to what the bucket still holds, and at least one step (pay
            // after: the bucket then waits for the step's excess, at most one step's time).
            Decision::Granted => {
                let room = (self.rate - bucket.level()).floor();
                // A float-to-integer `as` saturates (no rate: usize::MAX).
                (room as usize).max(self.step)
            }
        };
        let bytes = match self.remaining {
            Some(left) => bytes.min(usize::try_from(left).unwrap_or(usize::MAX)),
            None => bytes,
        };
        Allowance::Read(bytes)
    }

    /// Charges `bytes` just read at `now`.
    pub(crate) fn charge(&mut self, now: Duration, bytes: usize) {
        let bytes64 = u64::try_from(bytes).unwrap_or(u64::MAX);
        if let Some(left) = self.remaining.as_mut() {
            *left = left.saturating_sub(bytes64);
        }
        if let Some(bucket) = self.bucket.as_mut() {
            self.ready_at = match bucket.charge(now, bytes as f64) {
                Decision::Wait(wait) => Some(now + wait),
                Decision::Granted => None,
            };
        }
    }
}

/// How the relay reads its source without blocking and without changing the source's own
/// file status flags (module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadMode {
    /// Plain reads, which never wait for a writer: a regular file or a block device, or a
    /// non-blocking description (the relay's own of a pipe or terminal, or the caller's).
    Direct,
    /// A socket: `recv` with `MSG_DONTWAIT`, non-blocking for that call only.
    Socket,
    /// Anything else: read only once `poll` says it is readable, at most what `FIONREAD`
    /// says is waiting (or one byte, an end of file, when it says nothing is).
    Measured,
}

/// The source, as the relay reads it.
#[derive(Debug)]
struct InputSource {
    fd: OwnedFd,
    mode: ReadMode,
}

impl InputSource {
    /// Chooses how to read `fd` (module documentation); a pipe or terminal is opened again
    /// for a description of the relay's own, and the caller's descriptor closed.
    fn new(fd: OwnedFd) -> InputSource {
        let keep = |fd, mode| InputSource { fd, mode };
        let Ok(stat) = fstat(&fd) else {
            return keep(fd, ReadMode::Measured);
        };
        let flags = fcntl(&fd, FcntlArg::F_GETFL).map_or(OFlag::empty(), OFlag::from_bits_retain);
        let reopen = match stat.st_mode & libc::S_IFMT {
            libc::S_IFREG | libc::S_IFBLK => return keep(fd, ReadMode::Direct),
            libc::S_IFSOCK => return keep(fd, ReadMode::Socket),
            _ if flags.contains(OFlag::O_NONBLOCK) => return keep(fd, ReadMode::Direct),
            libc::S_IFIFO => true,
            // Another character device is not opened again: that could have effects of its
            // own (a pseudo-terminal's master makes a new terminal, a tape rewinds).
            libc::S_IFCHR => fd.as_fd().is_terminal() && !is_pty_master(fd.as_fd()),
            _ => false,
        };
        match reopen
            .then(|| reopen_nonblocking(&fd, &stat, flags))
            .flatten()
        {
            // The caller's descriptor is closed here: the relay reads only its own.
            Some(own) => keep(own, ReadMode::Direct),
            None => keep(fd, ReadMode::Measured),
        }
    }

    /// Reads at most `buffer.len()` bytes; called only once `poll` said the source is
    /// readable (or at its end).
    fn read(&self, buffer: &mut [u8]) -> Result<usize, Errno> {
        match self.mode {
            ReadMode::Direct => nix::unistd::read(&self.fd, buffer),
            ReadMode::Socket => nix::sys::socket::recv(
                self.fd.as_raw_fd(),
                buffer,
                nix::sys::socket::MsgFlags::MSG_DONTWAIT,
            ),
            ReadMode::Measured => {
                let limit = match bytes_waiting(self.fd.as_fd()) {
                    // Readable with nothing waiting: an end of file (a pipe without writers,
                    // a terminal's end-of-file character), which a read returns at once.
                    Some(0) => 1,
                    Some(waiting) => waiting,
                    // No count for this kind of file (a character device such as /dev/zero,
                    // whose reads do not wait).
                    None => buffer.len(),
                };
                let end = limit.min(buffer.len());
                nix::unistd::read(&self.fd, buffer.get_mut(..end).unwrap_or_default())
            }
        }
    }
}

/// Whether `fd` is the master side of a pseudo-terminal (opening it again would make a new
/// one).
fn is_pty_master(fd: BorrowedFd<'_>) -> bool {
    let mut number: libc::c_uint = 0;
    // SAFETY: TIOCGPTN writes one unsigned int through the pointer, which points to a live
    // local; on anything but a master it fails without writing.
    unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCGPTN, &mut number) == 0 }
}

/// The bytes waiting to be read on `fd` (`FIONREAD`), if the file says.
fn bytes_waiting(fd: BorrowedFd<'_>) -> Option<usize> {
    let mut waiting: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int through the pointer, which points to a live local.
    let ok = unsafe { libc::ioctl(fd.as_raw_fd(), libc::FIONREAD, &mut waiting) } == 0;
    ok.then(|| usize::try_from(waiting).ok()).flatten()
}

/// Opens the pipe or terminal behind `fd` again, for an open file description of the relay's
/// own that is non-blocking (`O_NONBLOCK` on it changes nothing for whoever shares `fd`'s).
/// `None` if `fd` is not readable, `/proc` cannot open it, or what it opened is another file.
fn reopen_nonblocking(fd: &OwnedFd, stat: &FileStat, flags: OFlag) -> Option<OwnedFd> {
    if flags & OFlag::O_ACCMODE == OFlag::O_WRONLY {
        return None;
    }
    let path = format!("/proc/self/fd/{}", fd.as_raw_fd());
    let own = nix::fcntl::open(
        path.as_str(),
        OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_NOCTTY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    let again = fstat(&own).ok()?;
    let same =
        again.st_dev == stat.st_dev && again.st_ino == stat.st_ino && again.st_rdev == stat.st_rdev;
    same.then_some(own)
}

/// What the watch loop is to watch for the relay on one pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Interest {
    /// Poll the source for input.
    pub(crate) source: bool,
    /// Poll the pipe's write end with these events (empty: only for its errors, which say
    /// the program closed its end); `None` once it is closed.
    pub(crate) sink: Option<PollFlags>,
    /// Wake up by then: the rate allows the next read.
    pub(crate) wake: Option<Duration>,
}

/// The supervisor's side of a relay: the source, the pipe's write end, what was read and not
/// yet written, the limits and the counts.
#[derive(Debug)]
pub(crate) struct StdinRelay {
    /// `None` once it ended (end of file, an error, the program's end closed, or the probe
    /// past the total done).
    source: Option<InputSource>,
    /// The pipe's write end; `None` once closed (the program reads end of file).
    sink: Option<OwnedFd>,
    /// The pipe's capacity in bytes.
    capacity: usize,
    /// Bytes read from the source and not all written yet (at most [`MAX_READ`]).
    pending: Vec<u8>,
    /// How many of `pending` are written.
    written: usize,
    pacer: Pacer,
    relayed: u64,
    truncated: bool,
}

impl StdinRelay {
    /// The relay from `source` into `sink` (the write end of the child's stdin pipe), under
    /// `limits`, starting at `now`. An input forbidden by its limits (a total or rate of 0)
    /// closes `sink` at once.
    pub(crate) fn new(
        source: OwnedFd,
        sink: OwnedFd,
        limits: StdinLimits,
        now: Duration,
    ) -> StdinRelay {
        // The pipe is the relay's own: non-blocking writes change nothing for anyone else.
        let _ = fcntl(&sink, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
        let capacity = fcntl(&sink, FcntlArg::F_GETPIPE_SZ)
            .ok()
            .and_then(|bytes| usize::try_from(bytes).ok())
            .unwrap_or(MAX_READ);
        let mut relay = StdinRelay {
            source: Some(InputSource::new(source)),
            sink: Some(sink),
            capacity,
            pending: Vec::new(),
            written: 0,
            pacer: Pacer::new(limits, now),
            relayed: 0,
            truncated: false,
        };
        relay.settle();
        relay
    }

    /// Bytes written into the program's pipe.
    pub(crate) fn relayed(&self) -> u64 {
        self.relayed
    }

    /// Whether the source offered input past the total (which the program did not get).
    pub(crate) fn truncated(&self) -> bool {
        self.truncated
    }

    /// The source, while it is read.
    pub(crate) fn source_fd(&self) -> Option<BorrowedFd<'_>> {
        self.source.as_ref().map(|source| source.fd.as_fd())
    }

    /// The pipe's write end, while it is open.
    pub(crate) fn sink_fd(&self) -> Option<BorrowedFd<'_>> {
        self.sink.as_ref().map(AsFd::as_fd)
    }

    /// What to watch on this pass, at `now`.
    pub(crate) fn interest(&mut self, now: Duration) -> Interest {
        let mut interest = Interest {
            source: false,
            sink: self.sink.as_ref().map(|_| PollFlags::empty()),
            wake: None,
        };
        if self.written < self.pending.len() {
            interest.sink = interest.sink.map(|_| PollFlags::POLLOUT);
            return interest;
        }
        if self.source.is_none() {
            return interest;
        }
        match self.pacer.allowance(now) {
            // Past the total: the source is watched only for the one byte that tells
            // whether the input was cut.
            Allowance::Exhausted => interest.source = true,
            Allowance::WaitUntil(at) => interest.wake = Some(at),
            Allowance::Read(_) if self.room() == 0 => {
                // Full: wait for the program to read.
                interest.sink = interest.sink.map(|_| PollFlags::POLLOUT);
            }
            Allowance::Read(_) => interest.source = true,
        }
        interest
    }

    /// The source is readable (or at its end, or failed): reads what the limits and the pipe
    /// allow, and writes it on.
    pub(crate) fn on_source(&mut self, now: Duration) {
        let Some(source) = self.source.as_ref() else {
            return;
        };
        if self.written < self.pending.len() {
            return;
        }
        let limit = match self.pacer.allowance(now) {
            Allowance::Exhausted => {
                let mut byte = [0u8; 1];
                match source.read(&mut byte) {
                    Err(Errno::EAGAIN | Errno::EINTR) => {}
                    Ok(n) => {
                        self.truncated = n > 0;
                        self.source = None;
                    }
                    Err(_) => self.source = None,
                }
                return;
            }
            Allowance::WaitUntil(_) => return,
            Allowance::Read(bytes) => bytes.min(MAX_READ).min(self.room()),
        };
        if limit == 0 {
            return;
        }
        self.pending.clear();
        self.written = 0;
        self.pending.resize(limit, 0);
        match source.read(&mut self.pending) {
            Ok(0) => {
                self.pending.clear();
                self.source = None;
            }
            Ok(n) => {
                self.pending.truncate(n);
                self.pacer.charge(now, n);
                self.flush();
            }
            Err(Errno::EAGAIN | Errno::EINTR) => self.pending.clear(),
            // A failing source (EIO from a terminal that hung up, or from a read in the
            // background) ends the input as an end of file would.
            Err(_) => {
                self.pending.clear();
                self.source = None;
            }
        }
        self.settle();
    }

    /// The pipe's write end is ready (`revents`): writes what waits, or, if the program
    /// closed its end, ends the relay.
    pub(crate) fn on_sink(&mut self, revents: PollFlags) {
        if revents.intersects(PollFlags::POLLERR | PollFlags::POLLHUP | PollFlags::POLLNVAL) {
            self.reader_gone();
            return;
        }
        self.flush();
        self.settle();
    }

    /// Writes what waits, as far as the pipe takes it.
    fn flush(&mut self) {
        while self.written < self.pending.len() {
            let Some(sink) = self.sink.as_ref() else {
                return;
            };
            let rest = self.pending.get(self.written..).unwrap_or_default();
            match nix::unistd::write(sink, rest) {
                Ok(n) => {
                    self.written += n;
                    self.relayed += n as u64;
                }
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => return,
                // EPIPE: the program closed its end (its SIGPIPE is blocked while relaying).
                Err(_) => {
                    self.reader_gone();
                    return;
                }
            }
        }
        self.pending.clear();
        self.written = 0;
    }

    /// Closes the write end once nothing more is to come: the source ended, or the total is
    /// reached, and what was read is written.
    fn settle(&mut self) {
        let drained = self.written >= self.pending.len();
        if drained && (self.source.is_none() || self.pacer.exhausted()) {
            self.sink = None;
        }
    }

    /// The program closed its standard input (or ended): nothing more is read or written.
    fn reader_gone(&mut self) {
        self.sink = None;
        self.source = None;
        self.pending.clear();
        self.written = 0;
    }

    /// Bytes the pipe can take now (its capacity less what waits in it).
    fn room(&self) -> usize {
        let Some(sink) = self.sink.as_ref() else {
            return 0;
        };
        match bytes_waiting(sink.as_fd()) {
            Some(waiting) => self.capacity.saturating_sub(waiting),
            None => MAX_READ,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, FakeClock};

    fn limits(total: Option<u64>, rate: Option<f64>) -> StdinLimits {
        StdinLimits { total, rate }
    }

    /// Relays `input` bytes through a pacer on a fake clock, reading whatever it allows at
    /// once; returns the clock's time at the end and each read's size.
    fn pace(pacer: &mut Pacer, clock: &FakeClock, input: usize) -> (Duration, Vec<usize>) {
        let mut left = input;
        let mut reads = Vec::new();
        while left > 0 {
            match pacer.allowance(clock.now()) {
                Allowance::Read(bytes) => {
                    let n = bytes.min(left);
                    pacer.charge(clock.now(), n);
                    reads.push(n);
                    left -= n;
                }
                Allowance::WaitUntil(at) => {
                    assert!(at > clock.now(), "a wait must be in the future");
                    clock.sleep(at - clock.now());
                }
                Allowance::Exhausted => break,
            }
        }
        (clock.now(), reads)
    }

    #[test]
    fn the_rate_lets_one_second_through_at_once_then_paces_in_steps() {
        let clock = FakeClock::new();
        let mut pacer = Pacer::new(limits(None, Some(10_000.0)), clock.now());
        let (end, reads) = pace(&mut pacer, &clock, 30_000);
        // One second's worth at once (the bucket's burst) and one step paid after, then the
        // rest at 10 000 B/s: 30 000 bytes take 2 s less the step paid after.
        assert_eq!(reads.first(), Some(&10_000));
        let seconds = end.as_secs_f64();
        assert!((1.97..=2.03).contains(&seconds), "{seconds} s");
        // Paced in steps of 20 ms' worth (200 bytes), never a byte at a time.
        assert!(reads[1..].iter().all(|&n| n == 200), "{reads:?}");
        assert_eq!(reads.iter().sum::<usize>(), 30_000);
        // Every wait is at most one step long: the loop keeps its tick.
        let longest = PACE_STEP + Duration::from_micros(1);
        assert!(
            clock.sleeps().iter().all(|&d| d <= longest),
            "{:?}",
            clock.sleeps()
        );
    }

    #[test]
    fn the_rate_holds_over_a_long_relay_of_large_reads() {
        let clock = FakeClock::new();
        let mut pacer = Pacer::new(limits(None, Some(1_000_000.0)), clock.now());
        let (end, _) = pace(&mut pacer, &clock, 10_000_000);
        let seconds = end.as_secs_f64();
        assert!((8.9..=9.1).contains(&seconds), "{seconds} s");
    }

    #[test]
    fn the_total_stops_the_input_exactly() {
        let clock = FakeClock::new();
        let mut pacer = Pacer::new(limits(Some(1_500), None), clock.now());
        assert_eq!(pacer.allowance(clock.now()), Allowance::Read(1_500));
        pacer.charge(clock.now(), 1_000);
        assert_eq!(pacer.allowance(clock.now()), Allowance::Read(500));
        pacer.charge(clock.now(), 500);
        assert!(pacer.exhausted());
        assert_eq!(pacer.allowance(clock.now()), Allowance::Exhausted);
    }

    #[test]
    fn a_rate_of_zero_or_a_total_of_zero_relays_nothing() {
        for limits in [
            limits(None, Some(0.0)),
            limits(None, Some(f64::NAN)),
            limits(Some(0), None),
        ] {
            let mut pacer = Pacer::new(limits, Duration::ZERO);
            assert!(pacer.exhausted(), "{limits:?}");
            assert_eq!(pacer.allowance(Duration::ZERO), Allowance::Exhausted);
        }
    }

    #[test]
    fn no_limits_allow_any_read_at_once() {
        let mut pacer = Pacer::new(StdinLimits::default(), Duration::ZERO);
        assert_eq!(pacer.allowance(Duration::ZERO), Allowance::Read(usize::MAX));
        pacer.charge(Duration::ZERO, 1 << 30);
        assert_eq!(pacer.allowance(Duration::ZERO), Allowance::Read(usize::MAX));
    }

    #[test]
    fn a_slow_rate_reads_one_byte_at_a_time_at_its_pace() {
        let clock = FakeClock::new();
        let mut pacer = Pacer::new(limits(None, Some(2.0)), clock.now());
        let (end, reads) = pace(&mut pacer, &clock, 6);
        // One second's worth at once, one step paid after, then one byte every half second.
        assert_eq!(reads, vec![2, 1, 1, 1, 1]);
        let seconds = end.as_secs_f64();
        assert!((1.49..=1.51).contains(&seconds), "{seconds} s");
    }

    /// A pipe pair, both ends close-on-exec.
    fn pipe() -> (OwnedFd, OwnedFd) {
        nix::unistd::pipe2(OFlag::O_CLOEXEC).expect("pipe")
    }

    /// Waits until `fd` is readable or at its end: other tests of this binary fork, and a
    /// child forked meanwhile holds a copy of a closed write end until it exits.
    fn settled(fd: BorrowedFd<'_>) {
        let mut fds = [nix::poll::PollFd::new(fd, PollFlags::POLLIN)];
        let _ = nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(10_000u16));
    }

    #[test]
    fn a_pipe_source_is_read_through_a_description_of_its_own() {
        let (read_end, write_end) = pipe();
        let shared = read_end.try_clone().expect("dup");
        let source = InputSource::new(read_end);
        assert_eq!(source.mode, ReadMode::Direct);
        // The relay's description is non-blocking; the caller's (shared) one is untouched.
        let own = fcntl(&source.fd, FcntlArg::F_GETFL).map(OFlag::from_bits_retain);
        assert!(own.expect("flags").contains(OFlag::O_NONBLOCK));
        let theirs = fcntl(&shared, FcntlArg::F_GETFL).map(OFlag::from_bits_retain);
        assert!(!theirs.expect("flags").contains(OFlag::O_NONBLOCK));
        let mut buffer = [0u8; 8];
        assert_eq!(source.read(&mut buffer), Err(Errno::EAGAIN));
        nix::unistd::write(&write_end, b"hi").expect("write");
        assert_eq!(source.read(&mut buffer), Ok(2));
        drop(write_end);
        settled(source.fd.as_fd());
        assert_eq!(source.read(&mut buffer), Ok(0));
    }

    #[test]
    fn a_file_and_a_socket_are_read_without_reopening() {
        let mut file = tempfile::tempfile().expect("file");
        std::io::Write::write_all(&mut file, b"abc").expect("write");
        std::io::Seek::rewind(&mut file).expect("seek");
        let source = InputSource::new(OwnedFd::from(file));
        assert_eq!(source.mode, ReadMode::Direct);
        let mut buffer = [0u8; 8];
        assert_eq!(source.read(&mut buffer), Ok(3));
        assert_eq!(source.read(&mut buffer), Ok(0));

        let (ours, theirs) = std::os::unix::net::UnixStream::pair().expect("socket pair");
        let source = InputSource::new(OwnedFd::from(ours));
        assert_eq!(source.mode, ReadMode::Socket);
        assert_eq!(source.read(&mut buffer), Err(Errno::EAGAIN));
        std::io::Write::write_all(&mut &theirs, b"xy").expect("write");
        assert_eq!(source.read(&mut buffer), Ok(2));
        drop(theirs);
        settled(source.fd.as_fd());
        assert_eq!(source.read(&mut buffer), Ok(0));
    }

    #[test]
    fn a_terminal_is_read_through_a_description_of_its_own_and_its_master_never_reopened() {
        use std::os::fd::FromRawFd;
        // SAFETY: posix_openpt returns a new descriptor or -1, which is checked; grantpt,
        // unlockpt and ptsname_r take it and, for ptsname_r, a live buffer of the length
        // given.
        let (master, path) = unsafe {
            let raw = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
            if raw < 0 {
                eprintln!("skipped: no pseudo-terminal");
                return;
            }
            let master = OwnedFd::from_raw_fd(raw);
            let mut name = [0 as libc::c_char; 128];
            assert_eq!(libc::grantpt(raw), 0);
            assert_eq!(libc::unlockpt(raw), 0);
            assert_eq!(libc::ptsname_r(raw, name.as_mut_ptr(), name.len()), 0);
            let path = std::ffi::CStr::from_ptr(name.as_ptr()).to_owned();
            (master, path)
        };
        let slave = nix::fcntl::open(
            path.as_c_str(),
            OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .expect("the terminal");
        let shared = slave.try_clone().expect("dup");
        let source = InputSource::new(slave);
        assert_eq!(source.mode, ReadMode::Direct);
        assert_ne!(source.fd.as_raw_fd(), shared.as_raw_fd());
        let theirs = fcntl(&shared, FcntlArg::F_GETFL).map(OFlag::from_bits_retain);
        assert!(!theirs.expect("flags").contains(OFlag::O_NONBLOCK));
        let mut buffer = [0u8; 16];
        assert_eq!(source.read(&mut buffer), Err(Errno::EAGAIN));
        // The master side is measured, never opened again (that would make a new terminal).
        assert!(is_pty_master(master.as_fd()));
        assert!(!is_pty_master(shared.as_fd()));
        let source = InputSource::new(master);
        assert_eq!(source.mode, ReadMode::Measured);
    }

    #[test]
    fn a_pipe_that_cannot_be_reopened_is_read_by_measure() {
        let (read_end, write_end) = pipe();
        let source = InputSource {
            fd: read_end,
            mode: ReadMode::Measured,
        };
        nix::unistd::write(&write_end, b"hello").expect("write");
        let mut buffer = [0u8; 64];
        // Only what is waiting: the read returns without waiting for more.
        assert_eq!(source.read(&mut buffer), Ok(5));
        drop(write_end);
        settled(source.fd.as_fd());
        assert_eq!(source.read(&mut buffer), Ok(0));
    }

    #[test]
    fn the_relay_holds_no_more_than_the_pipe_takes_and_closes_at_the_total() {
        let (source_r, source_w) = pipe();
        let (sink_r, sink_w) = pipe();
        let mut relay = StdinRelay::new(source_r, sink_w, limits(Some(10), None), Duration::ZERO);
        nix::unistd::write(&source_w, b"0123456789abcdef").expect("write");
        let interest = relay.interest(Duration::ZERO);
        assert!(interest.source);
        relay.on_source(Duration::ZERO);
        assert_eq!(relay.relayed(), 10);
        // The total is reached: the write end is closed, the program reads end of file.
        assert!(relay.sink_fd().is_none());
        let mut buffer = [0u8; 32];
        assert_eq!(nix::unistd::read(&sink_r, &mut buffer), Ok(10));
        assert_eq!(nix::unistd::read(&sink_r, &mut buffer), Ok(0));
        // The source is still watched for the byte that says the input was cut.
        assert!(relay.interest(Duration::ZERO).source);
        relay.on_source(Duration::ZERO);
        assert!(relay.truncated());
        assert!(relay.source_fd().is_none());
    }

    #[test]
    fn the_relay_stops_reading_while_the_pipe_is_full() {
        let (source_r, source_w) = pipe();
        let (_sink_r, sink_w) = pipe();
        let mut relay = StdinRelay::new(source_r, sink_w, StdinLimits::default(), Duration::ZERO);
        let chunk = vec![7u8; 16 * 1024];
        let _ = fcntl(&source_w, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
        // Keep the source full and let the relay read until it stops asking.
        for _ in 0..64 {
            let _ = nix::unistd::write(&source_w, &chunk);
            let interest = relay.interest(Duration::ZERO);
            if !interest.source {
                assert_eq!(interest.sink, Some(PollFlags::POLLOUT));
                break;
            }
            relay.on_source(Duration::ZERO);
        }
        let interest = relay.interest(Duration::ZERO);
        assert!(!interest.source, "the relay must stop reading a full pipe");
        assert!(relay.relayed() as usize <= relay.capacity);
        assert!(relay.pending.len() - relay.written <= MAX_READ);
    }

    #[test]
    fn a_write_after_the_program_closed_its_end_ends_the_relay() {
        // The program closed its end between the poll and the write: EPIPE (its SIGPIPE is
        // blocked in the supervisor, ignored in this test binary).
        let (source_r, source_w) = pipe();
        let (sink_r, sink_w) = pipe();
        let mut relay = StdinRelay::new(source_r, sink_w, StdinLimits::default(), Duration::ZERO);
        nix::unistd::write(&source_w, b"lost").expect("write");
        drop(sink_r);
        assert!(relay.interest(Duration::ZERO).source);
        relay.on_source(Duration::ZERO);
        assert_eq!(relay.relayed(), 0);
        assert!(relay.source_fd().is_none());
        assert!(relay.sink_fd().is_none());
    }

    #[test]
    fn the_relay_ends_when_the_program_closes_its_end() {
        let (source_r, source_w) = pipe();
        let (sink_r, sink_w) = pipe();
        let mut relay = StdinRelay::new(source_r, sink_w, StdinLimits::default(), Duration::ZERO);
        drop(sink_r);
        nix::unistd::write(&source_w, b"lost").expect("write");
        assert_eq!(
            relay.interest(Duration::ZERO).sink,
            Some(PollFlags::empty())
        );
        relay.on_sink(PollFlags::POLLERR);
        assert!(relay.source_fd().is_none());
        assert!(relay.sink_fd().is_none());
    }
}
