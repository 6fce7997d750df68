//! The output ring: the sandbox's standard output as a byte ring in shared memory.
//!
//! Writing each `log` line to a pipe costs the program a system call per line and the
//! supervisor a read and a write per line; a ring in memory both processes map costs the
//! program a copy. The child appends and publishes how far it wrote (`head`); the supervisor
//! relays what lies between its `tail` and `head` and publishes the new `tail`.
//!
//! **Nothing is lost when the child dies.** The ring lives in a mapping the supervisor owns
//! too, so output written before a kill is still there to relay after it: there is no buffer
//! inside the sandbox.
//!
//! **Wake-ups.** After writing, the child raises `notified` and, if it was not raised yet,
//! writes one byte to the notification pipe. The supervisor, woken, relays at most
//! [`DRAIN_DELAY`] later (at once if the ring is a quarter full), lowering `notified` before
//! it reads `head`, so a busy program costs one wake-up per delay, not one per line, and
//! output reaches the terminal within about a millisecond. A full ring makes the child wait
//! (with the interpreter released) until the supervisor has made room. Before the child
//! writes to standard error (a traceback), it waits until the ring is empty, so the two
//! streams keep their order.
//!
//! **Trust.** As for the accounting page: the sandbox can scribble on the header. The
//! supervisor bounds everything it reads (at most the ring's size, every index reduced
//! modulo the size) and never waits on the child.

use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use nix::fcntl::OFlag;
use nix::unistd::pipe2;

use crate::shared::{MapError, SharedCells, SharedMapping};

/// Bytes of output the ring holds (a power of two).
pub const RING_BYTES: usize = 256 * 1024;

/// How long the supervisor lets output gather after a wake-up before relaying it.
pub const DRAIN_DELAY: Duration = Duration::from_millis(1);

/// How long the child sleeps between looks at a full ring.
const FULL_WAIT: Duration = Duration::from_micros(100);

/// How long the child waits for the ring to empty before writing to standard error.
const FLUSH_LIMIT: Duration = Duration::from_secs(2);

/// Bytes between `tail` and `head`, bounded by the ring's size whatever the (possibly
/// scribbled) counters say.
fn filled(head: u64, tail: u64) -> usize {
    usize::try_from(head.wrapping_sub(tail))
        .unwrap_or(RING_BYTES)
        .min(RING_BYTES)
}

/// The shared header, the mapping's cells, before the data.
#[repr(C)]
struct Header {
    /// Bytes ever written (the child's).
    head: AtomicU64,
    /// Bytes ever relayed (the supervisor's).
    tail: AtomicU64,
    /// 1 while a wake-up is pending.
    notified: AtomicU32,
}

// SAFETY: a `#[repr(C)]` struct of atomics only.
unsafe impl SharedCells for Header {}

/// The mapping: the header, then [`RING_BYTES`] of data. Within one process the writer and
/// the reader copy disjoint bytes (the writer only the free room, the reader only what lies
/// between its tail and the head), and writers take turns (`RingWriter::lock`), so no two
/// threads of a process ever copy the same bytes at once (`crate::shared`'s rules).
type Mapping = SharedMapping<Header>;

/// Errors while creating the ring.
#[derive(Debug, thiserror::Error)]
pub enum RingError {
    /// The shared mapping cannot be made.
    #[error("cannot map the output ring")]
    Map(#[source] MapError),
    /// pipe(2) failed.
    #[error("cannot create the output ring's notification pipe")]
    Pipe(#[source] nix::Error),
}

/// Both ends, made before the fork: [`OutputRing::split`] gives the child its writer and the
/// supervisor its reader.
pub struct OutputRing {
    mapping: Mapping,
    notify_read: OwnedFd,
    notify_write: OwnedFd,
}

impl OutputRing {
    /// Maps a new, empty ring.
    pub fn create() -> Result<OutputRing, RingError> {
        let mapping = Mapping::create(RING_BYTES).map_err(RingError::Map)?;
        let (notify_read, notify_write) =
            pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK).map_err(RingError::Pipe)?;
        Ok(OutputRing {
            mapping,
            notify_read,
            notify_write,
        })
    }

    /// The writer (for the child) and the reader (for the supervisor).
    pub fn split(self) -> (RingWriter, RingReader) {
        let writer = RingWriter {
            mapping: self.mapping.clone(),
            notify: self.notify_write,
            lock: Mutex::new(()),
        };
        let reader = RingReader {
            mapping: self.mapping,
            notify: self.notify_read,
            tail: std::cell::Cell::new(0),
            scratch: std::cell::RefCell::new(vec![0; RING_BYTES].into_boxed_slice()),
        };
        (writer, reader)
    }
}

/// The sandbox's end: appends output.
pub struct RingWriter {
    mapping: Mapping,
    notify: OwnedFd,
    /// Serialises writers (threads of the program).
    lock: Mutex<()>,
}

impl std::fmt::Debug for RingWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RingWriter")
    }
}

impl RingWriter {
    /// The notification pipe's descriptor (a child that closes descriptors must keep it).
    pub fn fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.notify)
    }

    fn wake(&self) {
        // Non-blocking: a full pipe already holds a wake-up.
        let _ = nix::unistd::write(&self.notify, &[1]);
    }

    /// Appends all of `data` if it fits in the free room now; `false` (nothing written) if
    /// it does not, or if another thread is writing.
    pub fn try_write(&self, data: &[u8]) -> bool {
        let Ok(_serial) = self.lock.try_lock() else {
            return false;
        };
        let header = self.mapping.cells();
        let head = header.head.load(Ordering::Relaxed);
        let tail = header.tail.load(Ordering::Acquire);
        if data.len() > RING_BYTES - filled(head, tail) {
            return false;
        }
        self.append(head, data);
        true
    }

    /// Copies `data` (which fits) at `head`, publishes it, and wakes the supervisor. The
    /// caller holds `self.lock`.
    fn append(&self, head: u64, data: &[u8]) {
        let header = self.mapping.cells();
        let count = data.len();
        let start = (head as usize) % RING_BYTES;
        let (first, rest) = data.split_at(count.min(RING_BYTES - start));
        // SAFETY: the bytes written are the ring's free room (`data` fits), which the reader
        // of this process, if any, does not copy until `head` is published below; other
        // writers wait for `self.lock`, which the caller holds. Both copies lie within the
        // data area (start < RING_BYTES, first.len() <= RING_BYTES - start, rest.len() <=
        // start since count <= RING_BYTES).
        let copied =
            unsafe { self.mapping.write_data(start, first) && self.mapping.write_data(0, rest) };
        debug_assert!(copied, "a ring copy out of bounds");
        header
            .head
            .store(head.wrapping_add(count as u64), Ordering::SeqCst);
        if header.notified.swap(1, Ordering::SeqCst) == 0 {
            self.wake();
        }
    }

    /// Appends all of `data`, waiting while the ring is full. Blocks only on the supervisor.
    pub fn write(&self, mut data: &[u8]) {
        let _serial = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let header = self.mapping.cells();
        let mut head = header.head.load(Ordering::Relaxed);
        while !data.is_empty() {
            let tail = header.tail.load(Ordering::Acquire);
            let free = RING_BYTES - filled(head, tail);
            if free == 0 {
                self.wake();
                std::thread::sleep(FULL_WAIT);
                continue;
            }
            let count = free.min(data.len());
            self.append(head, &data[..count]);
            head = head.wrapping_add(count as u64);
            data = &data[count..];
        }
    }

    /// Waits (at most two seconds) until the supervisor has relayed everything written.
    pub fn flush(&self) {
        let header = self.mapping.cells();
        let head = header.head.load(Ordering::SeqCst);
        let deadline = Instant::now() + FLUSH_LIMIT;
        let mut woke = false;
        // Relayed up to `head` once `tail` has reached it (or passed it: other threads may
        // keep writing while this one waits).
        let behind = |tail: u64| (head.wrapping_sub(tail) as i64) > 0;
        while behind(header.tail.load(Ordering::Acquire)) && Instant::now() < deadline {
            if !woke {
                self.wake();
                woke = true;
            }
            std::thread::sleep(FULL_WAIT);
        }
    }
}

/// The supervisor's end: relays output.
pub struct RingReader {
    mapping: Mapping,
    notify: OwnedFd,
    /// Bytes relayed so far: the supervisor's own count, published to the header but never
    /// read back from it (the child can write the header).
    tail: std::cell::Cell<u64>,
    /// Where waiting bytes are copied before they are relayed, out of the child's reach.
    scratch: std::cell::RefCell<Box<[u8]>>,
}

impl RingReader {
    /// The notification pipe, to poll.
    pub fn notify_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.notify.as_fd()
    }

    /// Takes the wake-ups waiting in the notification pipe, with one bounded read (a child
    /// writing wake-ups as fast as it can must not keep the supervisor here; `poll` reports
    /// what is left). `false` once the child's end is closed: stop polling it (the ticks
    /// and the final drain still relay the ring).
    pub fn take_wakeups(&self) -> bool {
        let mut buffer = [0u8; 4096];
        !matches!(nix::unistd::read(&self.notify, &mut buffer), Ok(0))
    }

    /// Bytes waiting to be relayed (at most the ring's size, whatever the header says).
    pub fn pending(&self) -> usize {
        let header = self.mapping.cells();
        filled(header.head.load(Ordering::SeqCst), self.tail.get())
    }

    /// Hands every waiting byte to `relay` (copied out of the shared mapping first), then
    /// makes the room available to the child again. Lowers `notified` first, so a write that
    /// races with the drain either is included or raises a new wake-up.
    pub fn drain(&self, mut relay: impl FnMut(&[u8])) {
        let header = self.mapping.cells();
        header.notified.store(0, Ordering::SeqCst);
        let pending = self.pending();
        if pending == 0 {
            return;
        }
        let tail = self.tail.get();
        let start = (tail as usize) % RING_BYTES;
        let mut scratch = self.scratch.borrow_mut();
        let Some(out) = scratch.get_mut(..pending) else {
            return;
        };
        let (first, rest) = out.split_at_mut(pending.min(RING_BYTES - start));
        // SAFETY: the bytes read lie between the tail and the published head, which a writer
        // of this process, if any, does not touch again until the tail passes them (below).
        // Both copies lie within the data area (start < RING_BYTES, first.len() <=
        // RING_BYTES - start, rest.len() <= start since pending <= RING_BYTES). A child that
        // writes them meanwhile (only a compromised one would) spoils only its own output.
        let copied =
            unsafe { self.mapping.read_data(start, first) && self.mapping.read_data(0, rest) };
        debug_assert!(copied, "a ring copy out of bounds");
        let tail = tail.wrapping_add(pending as u64);
        self.tail.set(tail);
        header.tail.store(tail, Ordering::Release);
        relay(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drained(reader: &RingReader) -> Vec<u8> {
        let mut out = Vec::new();
        reader.drain(|bytes| out.extend_from_slice(bytes));
        out
    }

    #[test]
    fn bytes_come_out_in_order_across_the_wrap() {
        let (writer, reader) = OutputRing::create().unwrap().split();
        let line: Vec<u8> = (0..=250u8).collect();
        let mut expected = Vec::new();
        let mut got = Vec::new();
        for _ in 0..5_000 {
            writer.write(&line);
            expected.extend_from_slice(&line);
            if reader.pending() > RING_BYTES / 2 {
                got.extend(drained(&reader));
            }
        }
        got.extend(drained(&reader));
        assert_eq!(got, expected);
    }

    #[test]
    fn a_write_wakes_the_reader_once_until_it_drains() {
        let (writer, reader) = OutputRing::create().unwrap().split();
        writer.write(b"a");
        writer.write(b"b");
        let mut buffer = [0u8; 8];
        assert_eq!(nix::unistd::read(&reader.notify, &mut buffer), Ok(1));
        assert_eq!(drained(&reader), b"ab");
        writer.write(b"c");
        assert_eq!(nix::unistd::read(&reader.notify, &mut buffer), Ok(1));
    }

    #[test]
    fn a_full_ring_waits_for_the_reader() {
        let (writer, reader) = OutputRing::create().unwrap().split();
        let big = vec![7u8; RING_BYTES * 3];
        let handle = std::thread::spawn(move || {
            writer.write(&big);
            writer
        });
        let mut total = 0;
        while total < RING_BYTES * 3 {
            reader.drain(|bytes| total += bytes.len());
            std::thread::sleep(Duration::from_millis(1));
        }
        let writer = handle.join().unwrap();
        writer.flush();
        assert_eq!(total, RING_BYTES * 3);
    }

    #[test]
    fn a_scribbled_header_is_bounded() {
        let (_writer, reader) = OutputRing::create().unwrap().split();
        let header = reader.mapping.cells();
        header.head.store(u64::MAX, Ordering::SeqCst);
        header.tail.store(12345, Ordering::SeqCst);
        assert_eq!(reader.pending(), RING_BYTES);
        let mut total = 0;
        reader.drain(|bytes| total += bytes.len());
        assert_eq!(total, RING_BYTES);
        // The reader keeps its own tail: what the child writes there changes nothing.
        header.tail.store(0, Ordering::SeqCst);
        assert_eq!(reader.pending(), RING_BYTES);
    }

    #[test]
    fn wake_ups_are_taken_in_one_bounded_read_and_a_closed_writer_is_noticed() {
        let (writer, reader) = OutputRing::create().unwrap().split();
        for _ in 0..10_000 {
            writer.wake();
        }
        assert!(reader.take_wakeups());
        drop(writer);
        let mut closed = false;
        for _ in 0..100 {
            if !reader.take_wakeups() {
                closed = true;
                break;
            }
        }
        assert!(closed, "end of file was never seen");
    }

    #[test]
    fn flush_returns_once_the_reader_has_passed_what_was_written() {
        let (writer, reader) = OutputRing::create().unwrap().split();
        writer.write(b"before");
        let writer = std::sync::Arc::new(writer);
        let other = std::sync::Arc::clone(&writer);
        let flusher = std::thread::spawn(move || {
            let start = Instant::now();
            other.flush();
            start.elapsed()
        });
        // More output arrives while the flush waits; the reader relays it all.
        for _ in 0..50 {
            writer.write(b"more");
            reader.drain(|_| {});
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(flusher.join().unwrap() < FLUSH_LIMIT);
    }
}
