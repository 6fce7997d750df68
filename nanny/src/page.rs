//! The accounting page: one [`SharedMapping`] of cells, created by the supervisor before the
//! fork and inherited by the sandbox child.
//!
//! The child writes what it charges (renewable totals, throttled time, bucket levels, item
//! counts, output it wrote); the supervisor writes the CPU stop times and the start instant.
//! The supervisor reads the page after the child is gone to write the report, so the report
//! survives any death of the child.
//!
//! **Trust.** The page is writable by the sandbox. If the first two walls fall (the static
//! check and the capability API) the program can scribble on it: the numbers it holds are
//! then wrong, but nothing the supervisor *enforces* comes from the page. Memory, disk, CPU
//! share, CPU time, wall time and output are measured by the supervisor itself (`/proc`, the
//! vessel directory, the pipes it relays). Anything read from the page is treated as untrusted
//! input: bounded, never an index without a check, never a reason to block.
//!
//! Every field is an atomic in a `#[repr(C)]` struct, so both processes share one layout and
//! no access is a data race. The stop-time ring is guarded by a sequence counter (a seqlock)
//! so that the child never reads a half-written entry.

use std::sync::atomic::{fence, AtomicU64, Ordering};
use std::time::Duration;

use crate::clock::monotonic_now;
use crate::resource::{Item, Renewable};
use crate::shared::{MapError, SharedCells, SharedMapping};

/// How many CPU stop times the page keeps (the oldest are dropped), as RepyV2.
pub const STOP_RING_LEN: usize = 100;

/// Written first, so a page that is not one of ours is recognised.
const MAGIC: u64 = u64::from_le_bytes(*b"repynany");

/// A reader gives up on a seqlock that stays busy (a scribbled counter) after this many tries.
const MAX_READ_TRIES: usize = 1000;

/// Errors while creating the page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The shared mapping cannot be made.
    #[error("cannot map the shared accounting page")]
    Map(#[source] MapError),
}

/// One CPU suspension: when it started and how long it lasted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopTime {
    /// Runtime (seconds since the child was started) when the stop began.
    pub runtime_at_stop: f64,
    /// Seconds the program was kept from running.
    pub seconds_stopped: f64,
}

/// The totals of one renewable resource, as recorded on the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateTotals {
    /// Units charged over the whole run.
    pub charged: u64,
    /// Time callers spent waiting for the bucket to drain.
    pub throttled: Duration,
    /// The bucket level as of the last charge.
    pub level: f64,
}

/// The counts of one item resource, as recorded on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemCounts {
    /// Items held now.
    pub current: u64,
    /// The most items held at once.
    pub peak: u64,
}

#[repr(C)]
struct RateCell {
    charged: AtomicU64,
    throttled_ns: AtomicU64,
    level_bits: AtomicU64,
}

#[repr(C)]
struct ItemCell {
    current: AtomicU64,
    peak: AtomicU64,
}

#[repr(C)]
struct StopRing {
    /// Odd while the supervisor is writing.
    seq: AtomicU64,
    /// Entries ever pushed; the newest is at `(written - 1) % STOP_RING_LEN`.
    written: AtomicU64,
    /// `(runtime_at_stop, seconds_stopped)` as f64 bits.
    entries: [[AtomicU64; 2]; STOP_RING_LEN],
}

// The page is atomics only: [`SharedPage::snapshot`] relies on it.
const _: () =
    assert!(std::mem::size_of::<PageLayout>().is_multiple_of(std::mem::size_of::<AtomicU64>()));

/// The layout of the shared page. All-zero bytes are a valid, empty page.
#[repr(C)]
struct PageLayout {
    magic: AtomicU64,
    /// `CLOCK_MONOTONIC` in nanoseconds when the supervisor let the child start; 0 before.
    start_ns: AtomicU64,
    rates: [RateCell; Renewable::COUNT],
    items: [ItemCell; Item::COUNT],
    output_bytes: AtomicU64,
    stops: StopRing,
    /// The disk use a refused write would have reached (0: none was refused). The sandbox
    /// sets it; the supervisor kills for `diskused` when it sees it.
    disk_refused: AtomicU64,
    /// 1 once the program's first line is about to run (checking and compiling are over).
    program_started: AtomicU64,
}

// SAFETY: `#[repr(C)]` structs and arrays of `AtomicU64` only (the assertion above checks
// the size is whole atomics): any bits are valid and every access is atomic.
unsafe impl SharedCells for PageLayout {}

/// The cells of a page at one instant (see [`SharedPage::snapshot`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSnapshot(Vec<u64>);

/// A handle on the shared accounting page. Clones share the same mapping; a clone moved into
/// the sandbox closure before the fork is the child's handle.
#[derive(Debug, Clone)]
pub struct SharedPage {
    /// The page's cells; no data area.
    mapping: SharedMapping<PageLayout>,
}

impl SharedPage {
    /// Maps a new, zeroed page shared with any child forked afterwards.
    pub fn create() -> Result<SharedPage, PageError> {
        let page = SharedPage {
            mapping: SharedMapping::create(0).map_err(PageError::Map)?,
        };
        page.layout().magic.store(MAGIC, Ordering::Relaxed);
        Ok(page)
    }

    fn layout(&self) -> &PageLayout {
        self.mapping.cells()
    }

    /// Every cell of the page, for [`SharedPage::restore`]: the zygote of a batch keeps the
    /// page as its top level left it and puts it back after each call, so that no call's
    /// charges, items or throttling carry into the next.
    pub fn snapshot(&self) -> PageSnapshot {
        PageSnapshot(
            self.cells()
                .iter()
                .map(|c| c.load(Ordering::Acquire))
                .collect(),
        )
    }

    /// Puts back every cell of a [`SharedPage::snapshot`] of this page.
    pub fn restore(&self, snapshot: &PageSnapshot) {
        for (cell, value) in self.cells().iter().zip(&snapshot.0) {
            cell.store(*value, Ordering::Release);
        }
    }

    /// The page as the atomics it is made of.
    fn cells(&self) -> &[AtomicU64] {
        let count = std::mem::size_of::<PageLayout>() / std::mem::size_of::<AtomicU64>();
        let layout: *const PageLayout = self.layout();
        // SAFETY: `PageLayout` is `#[repr(C)]` and made of `AtomicU64`s only (arrays and
        // structs of them, no padding), so it is `count` consecutive atomics; the slice
        // borrows `self`, so it lives no longer than the mapping.
        unsafe { std::slice::from_raw_parts(layout.cast::<AtomicU64>(), count) }
    }

    /// Whether the page still carries its marker (a scribbled page may not).
    pub fn is_intact(&self) -> bool {
        self.layout().magic.load(Ordering::Relaxed) == MAGIC
    }

    /// Records the start instant of the child (`CLOCK_MONOTONIC`).
    pub(crate) fn set_start(&self, start: Duration) {
        let ns = u64::try_from(start.as_nanos()).unwrap_or(u64::MAX).max(1);
        self.layout().start_ns.store(ns, Ordering::Release);
    }

    /// The start instant of the child on `CLOCK_MONOTONIC`, if the supervisor has set it.
    pub fn start(&self) -> Option<Duration> {
        match self.layout().start_ns.load(Ordering::Acquire) {
            0 => None,
            ns => Some(Duration::from_nanos(ns)),
        }
    }

    /// Seconds since the supervisor started the child (0 before it did): what `getruntime()`
    /// returns. Monotonic, and the same in both processes.
    pub fn runtime(&self) -> f64 {
        match self.start() {
            Some(start) => monotonic_now().saturating_sub(start).as_secs_f64(),
            None => 0.0,
        }
    }

    pub(crate) fn record_charge(
        &self,
        r: Renewable,
        charged: u64,
        throttled: Duration,
        level: f64,
    ) {
        let Some(cell) = self.layout().rates.get(r.index()) else {
            return;
        };
        cell.charged.fetch_add(charged, Ordering::Relaxed);
        let ns = u64::try_from(throttled.as_nanos()).unwrap_or(u64::MAX);
        cell.throttled_ns.fetch_add(ns, Ordering::Relaxed);
        cell.level_bits.store(level.to_bits(), Ordering::Relaxed);
    }

    /// The totals recorded for a renewable resource.
    pub fn rate_totals(&self, r: Renewable) -> RateTotals {
        match self.layout().rates.get(r.index()) {
            Some(cell) => RateTotals {
                charged: cell.charged.load(Ordering::Relaxed),
                throttled: Duration::from_nanos(cell.throttled_ns.load(Ordering::Relaxed)),
                level: f64::from_bits(cell.level_bits.load(Ordering::Relaxed)),
            },
            None => RateTotals {
                charged: 0,
                throttled: Duration::ZERO,
                level: 0.0,
            },
        }
    }

    pub(crate) fn record_items(&self, item: Item, current: u64) {
        if let Some(cell) = self.layout().items.get(item.index()) {
            cell.current.store(current, Ordering::Relaxed);
            cell.peak.fetch_max(current, Ordering::Relaxed);
        }
    }

    /// The counts recorded for an item resource.
    pub fn item_counts(&self, item: Item) -> ItemCounts {
        match self.layout().items.get(item.index()) {
            Some(cell) => ItemCounts {
                current: cell.current.load(Ordering::Relaxed),
                peak: cell.peak.load(Ordering::Relaxed),
            },
            None => ItemCounts {
                current: 0,
                peak: 0,
            },
        }
    }

    pub(crate) fn add_output(&self, bytes: u64) {
        self.layout()
            .output_bytes
            .fetch_add(bytes, Ordering::Relaxed);
    }

    /// Records that checking and compiling are over and the program's code runs now: from
    /// here on, the memory limit is the program's own (see `SupervisorConfig`'s
    /// `preparation_allowance`). A program that escaped could only set it early, which only
    /// tightens its own limit.
    pub fn mark_program_started(&self) {
        self.layout().program_started.store(1, Ordering::Release);
    }

    /// Whether the program's code has started to run.
    pub fn program_started(&self) -> bool {
        self.layout().program_started.load(Ordering::Acquire) != 0
    }

    /// Records that a write was refused because the vessel would have reached `bytes`.
    pub(crate) fn refuse_disk(&self, bytes: u64) {
        self.layout()
            .disk_refused
            .fetch_max(bytes.max(1), Ordering::Relaxed);
    }

    /// The disk use a refused write would have reached, if the sandbox refused one.
    pub fn disk_refused(&self) -> Option<u64> {
        Some(self.layout().disk_refused.load(Ordering::Relaxed)).filter(|&b| b > 0)
    }

    /// Output bytes the sandbox says it wrote (the supervisor counts what it relays itself).
    pub fn output_bytes(&self) -> u64 {
        self.layout().output_bytes.load(Ordering::Relaxed)
    }

    /// Appends a stop time, dropping the oldest beyond [`STOP_RING_LEN`]. Single writer: the
    /// supervisor.
    pub(crate) fn push_stop(&self, stop: StopTime) {
        let ring = &self.layout().stops;
        let seq = ring.seq.load(Ordering::Relaxed);
        // Make the counter odd (even if a scribbler left it odd) while the entry is written.
        let busy = seq.wrapping_add(1) | 1;
        ring.seq.store(busy, Ordering::Relaxed);
        fence(Ordering::Release);
        let written = ring.written.load(Ordering::Relaxed);
        let slot = usize::try_from(written % STOP_RING_LEN as u64).unwrap_or(0);
        if let Some(entry) = ring.entries.get(slot) {
            entry[0].store(stop.runtime_at_stop.to_bits(), Ordering::Relaxed);
            entry[1].store(stop.seconds_stopped.to_bits(), Ordering::Relaxed);
        }
        ring.written
            .store(written.wrapping_add(1), Ordering::Relaxed);
        ring.seq.store(busy.wrapping_add(1), Ordering::Release);
    }

    /// The stop times, oldest first (at most [`STOP_RING_LEN`]).
    pub fn stop_times(&self) -> Vec<StopTime> {
        let ring = &self.layout().stops;
        let mut out = Vec::new();
        for _ in 0..MAX_READ_TRIES {
            let before = ring.seq.load(Ordering::Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            out.clear();
            let written = ring.written.load(Ordering::Relaxed);
            let count = written.min(STOP_RING_LEN as u64);
            for index in written - count..written {
                let slot = usize::try_from(index % STOP_RING_LEN as u64).unwrap_or(0);
                if let Some(entry) = ring.entries.get(slot) {
                    out.push(StopTime {
                        runtime_at_stop: f64::from_bits(entry[0].load(Ordering::Relaxed)),
                        seconds_stopped: f64::from_bits(entry[1].load(Ordering::Relaxed)),
                    });
                }
            }
            fence(Ordering::Acquire);
            if ring.seq.load(Ordering::Relaxed) == before {
                return out;
            }
        }
        // The counter never settled: the page was scribbled on. Return the last attempt.
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_fits_in_one_page_and_starts_empty() {
        assert!(std::mem::size_of::<PageLayout>() <= 4096);
        let page = SharedPage::create().unwrap();
        assert!(page.is_intact());
        assert_eq!(page.start(), None);
        assert_eq!(page.runtime(), 0.0);
        assert!(page.stop_times().is_empty());
        assert_eq!(page.output_bytes(), 0);
        assert_eq!(
            page.item_counts(Item::EVENTS),
            ItemCounts {
                current: 0,
                peak: 0
            }
        );
    }

    #[test]
    fn page_restore_puts_back_every_count_of_a_snapshot() {
        let page = SharedPage::create().unwrap();
        page.record_items(Item::FILESOPENED, 2);
        page.record_charge(Renewable::RANDOM, 10, Duration::ZERO, 1.0);
        let before = page.snapshot();
        page.record_items(Item::FILESOPENED, 7);
        page.record_charge(Renewable::RANDOM, 500, Duration::from_millis(3), 9.0);
        page.push_stop(StopTime {
            runtime_at_stop: 1.0,
            seconds_stopped: 0.5,
        });
        page.restore(&before);
        assert_eq!(
            page.item_counts(Item::FILESOPENED),
            ItemCounts {
                current: 2,
                peak: 2
            }
        );
        assert_eq!(page.rate_totals(Renewable::RANDOM).charged, 10);
        assert!(page.stop_times().is_empty());
        assert!(page.is_intact());
        assert_eq!(page.snapshot(), before);
    }

    #[test]
    fn page_stop_ring_keeps_the_newest_hundred_in_order() {
        let page = SharedPage::create().unwrap();
        for i in 0..250 {
            page.push_stop(StopTime {
                runtime_at_stop: f64::from(i),
                seconds_stopped: 0.5,
            });
        }
        let stops = page.stop_times();
        assert_eq!(stops.len(), STOP_RING_LEN);
        assert_eq!(stops[0].runtime_at_stop, 150.0);
        assert_eq!(stops[99].runtime_at_stop, 249.0);
    }

    #[test]
    fn page_is_shared_with_a_forked_child() {
        let page = SharedPage::create().unwrap();
        let child_page = page.clone();
        let child = crate::process::fork_sandbox(move || {
            child_page.record_charge(Renewable::RANDOM, 1024, Duration::from_millis(5), 24.0);
            child_page.record_items(Item::FILESOPENED, 3);
            child_page.record_items(Item::FILESOPENED, 1);
            0
        })
        .unwrap();
        assert_eq!(child.wait().unwrap(), crate::process::ChildEnd::Exited(0));
        let totals = page.rate_totals(Renewable::RANDOM);
        assert_eq!(totals.charged, 1024);
        assert_eq!(totals.throttled, Duration::from_millis(5));
        assert_eq!(totals.level, 24.0);
        assert_eq!(
            page.item_counts(Item::FILESOPENED),
            ItemCounts {
                current: 1,
                peak: 3
            }
        );
    }
}
