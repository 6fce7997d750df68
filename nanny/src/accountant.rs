//! The sandbox child's side of accounting: renewable resources (leaky buckets that make the
//! caller wait), item resources (counts with a cap), port checks, and the numbers
//! `getresources()` returns.
//!
//! Every call may block only in [`Accountant::charge`] (while a bucket drains, or while another
//! caller waits on the same bucket); the API layer releases the interpreter around it. No lock
//! is ever held while sleeping, so the other calls never wait for longer than a bucket update
//! (a thread holding the interpreter must not block behind a throttled one). Everything
//! charged is also recorded on the [`SharedPage`], so the supervisor's report has it whatever
//! becomes of the child.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use restrictions::{Kind, ResourceId, Restrictions};

use crate::bucket::{Decision, LeakyBucket, RateSpec};
use crate::clock::{Clock, MonotonicClock};
use crate::measure;
use crate::page::{SharedPage, StopTime};
use crate::resource::{Item, Renewable};

/// A renewable resource cannot be charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    /// The policy gives the resource a rate of 0: every use is refused, before the operation
    /// (the API raises `ResourceForbiddenError`). RepyV2 died with an internal error instead.
    #[error("resource '{resource}' has a rate of 0, so it may not be used")]
    Forbidden {
        /// The resource.
        resource: ResourceId,
    },
}

/// An item resource cannot be acquired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ItemError {
    /// As many items are held as the policy allows (the API raises `ResourceExhaustedError`
    /// with RepyV2's text `Resource '<key>' limit exceeded!!`).
    #[error("resource '{resource}' limit of {limit} exceeded")]
    Exhausted {
        /// The resource.
        resource: ResourceId,
        /// Its limit.
        limit: u64,
    },
}

/// The policy's limits, for `getresources()`: every resource except the port sets, in base
/// units, plus the port sets.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitsSnapshot {
    /// Every rate, quota, items and run-limit resource in force under the policy's profile
    /// with its limit, in table order; `f64::INFINITY` for an unlimited run limit
    /// (`wall-time`, `cpu-time`, `output`, `stdin`).
    pub amounts: Vec<(ResourceId, f64)>,
    /// Local TCP ports the program may use.
    pub connport: BTreeSet<u16>,
    /// Local UDP ports the program may use.
    pub messport: BTreeSet<u16>,
}

/// What the sandbox has used, for `getresources()`.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageSnapshot {
    /// Each renewable resource's bucket level as of its last charge (not decayed to now), for
    /// the resources in force under the policy's profile.
    pub levels: Vec<(ResourceId, f64)>,
    /// CPU seconds used by the sandbox process so far (all threads, live or ended).
    pub cpu: f64,
    /// Resident memory of the sandbox process in bytes.
    pub memory: u64,
    /// CPU seconds used by the calling thread.
    pub threadcpu: f64,
    /// The vessel directory's disk use (sizes + 4096 per entry), computed now; 0 if the
    /// directory cannot be read.
    pub diskused: u64,
    /// Items held now, per item resource.
    pub items: Vec<(ResourceId, u64)>,
    /// Allowed TCP ports that have been checked so far.
    pub connport: BTreeSet<u16>,
    /// Allowed UDP ports that have been checked so far.
    pub messport: BTreeSet<u16>,
    /// CPU stop times written by the supervisor, oldest first (at most 100).
    pub stoptimes: Vec<StopTime>,
}

/// What [`Accountant::charge_without_waiting`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuickCharge {
    /// Charged, and the resource is still within its rate: go on.
    Within,
    /// Charged, and the resource is now over its rate: the caller must wait with
    /// [`Accountant::charge`] of 0 (with the interpreter released).
    Over,
    /// Nothing charged: another caller is waiting for this resource to drain, and charges
    /// on it queue behind that caller. The caller must make the whole charge with
    /// [`Accountant::charge`] (with the interpreter released).
    Busy,
}

/// A bucket and whether a caller is waiting for it to drain.
#[derive(Debug)]
struct Metered {
    bucket: LeakyBucket,
    /// A caller of [`Accountant::charge`] is sleeping until this bucket is under its limit;
    /// other charges on it wait for the turn (on the slot's condition variable, not on the
    /// lock, which is never held while sleeping).
    waiting: bool,
}

#[derive(Debug)]
struct RateSlot {
    resource: Renewable,
    /// `None` when the resource is forbidden (rate 0).
    bucket: Option<Mutex<Metered>>,
    /// Signalled when a waiting caller has paid its debt.
    turn: Condvar,
    /// The last charge left the bucket within its limit (see [`Accountant::ready`]).
    within: AtomicBool,
}

#[derive(Debug)]
struct ItemPool {
    limit: u64,
    keys: Mutex<BTreeSet<u64>>,
}

#[derive(Debug, Default)]
struct CheckedPorts {
    tcp: BTreeSet<u16>,
    udp: BTreeSet<u16>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves consistent state (every update is a
    // single assignment), so a poisoned lock is simply taken over.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The sandbox child's accountant. One per child, shared by every thread (`Sync`).
pub struct Accountant {
    page: SharedPage,
    clock: Arc<dyn Clock>,
    limits: LimitsSnapshot,
    rates: [RateSlot; Renewable::COUNT],
    items: [ItemPool; Item::COUNT],
    checked: Mutex<CheckedPorts>,
    vessel: PathBuf,
    /// The vessel's disk use as the sandbox's own writes grow it.
    disk: Mutex<DiskLedger>,
}

/// The `diskused` reservations of the sandbox's writes.
#[derive(Debug, Default)]
struct DiskLedger {
    /// Disk use on disk plus `pending` (`None`: measure the vessel next).
    estimate: Option<u64>,
    /// Bytes reserved by writes that have not finished yet.
    pending: u64,
}

/// A write that would take the vessel directory over `diskused`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the vessel directory would use {would_use} bytes, over the diskused limit of {limit} bytes"
)]
pub struct DiskQuotaError {
    /// The disk use the write would have reached.
    pub would_use: u64,
    /// The limit.
    pub limit: u64,
}

impl std::fmt::Debug for Accountant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accountant")
            .field("page", &self.page)
            .field("limits", &self.limits)
            .field("rates", &self.rates)
            .field("items", &self.items)
            .field("vessel", &self.vessel)
            .finish_non_exhaustive()
    }
}

impl Accountant {
    /// The accountant of a sandbox run under `restrictions`, recording on `page`, whose
    /// vessel directory is `vessel` (for `diskused`), on the real monotonic clock.
    pub fn new(
        page: SharedPage,
        restrictions: &Restrictions,
        vessel: impl Into<PathBuf>,
    ) -> Accountant {
        Accountant::with_clock(page, restrictions, vessel, Arc::new(MonotonicClock))
    }

    /// As [`Accountant::new`], on the given clock (tests use a [`crate::FakeClock`]).
    pub fn with_clock(
        page: SharedPage,
        restrictions: &Restrictions,
        vessel: impl Into<PathBuf>,
        clock: Arc<dyn Clock>,
    ) -> Accountant {
        let now = clock.now();
        let rates = Renewable::ALL.map(|resource| RateSlot {
            resource,
            bucket: LeakyBucket::new(RateSpec::from_limit(restrictions.limit(resource.id())), now)
                .map(|bucket| {
                    Mutex::new(Metered {
                        bucket,
                        waiting: false,
                    })
                }),
            turn: Condvar::new(),
            within: AtomicBool::new(true),
        });
        let items = Item::ALL.map(|item| {
            let limit = restrictions.limit(item.id());
            ItemPool {
                // Item limits are whole counts; anything else is clamped into u64.
                limit: if limit.is_nan() {
                    0
                } else {
                    limit.max(0.0).floor() as u64
                },
                keys: Mutex::new(BTreeSet::new()),
            }
        });
        let amounts = restrictions
            .limits()
            .filter(|(id, _)| id.kind() != Kind::Ports)
            .collect();
        Accountant {
            page,
            clock,
            limits: LimitsSnapshot {
                amounts,
                connport: restrictions.connport().clone(),
                messport: restrictions.messport().clone(),
            },
            rates,
            items,
            checked: Mutex::new(CheckedPorts::default()),
            vessel: vessel.into(),
            disk: Mutex::new(DiskLedger::default()),
        }
    }

    /// Reserves `growth` bytes of the vessel's `diskused` quota before a write that grows it
    /// (a file's new length past its old one, or [`crate::measure::DISK_ENTRY_OVERHEAD`]
    /// for a new file), so the quota holds at its value whatever threads write at once. A
    /// write that would exceed it is refused and recorded on the page, where the supervisor
    /// sees it and kills the run for `diskused` (RepyV2's verdict): the caller must not write.
    pub fn reserve_disk(&self, growth: u64) -> Result<(), DiskQuotaError> {
        if growth == 0 {
            return Ok(());
        }
        let limit = self
            .limits
            .amounts
            .iter()
            .find(|(id, _)| *id == ResourceId::Diskused)
            .map_or(f64::INFINITY, |(_, amount)| *amount);
        let limit = if limit.is_finite() {
            limit.max(0.0) as u64
        } else {
            u64::MAX
        };
        let mut disk = lock(&self.disk);
        // What is on disk (measured now) plus what writes in flight have reserved. A vessel
        // that cannot be measured (no descriptor left, say) counts as full: fail closed.
        let measure = |pending: u64| {
            crate::measure::disk_usage(&self.vessel)
                .ok()
                .map(|used| used.saturating_add(pending))
        };
        let mut used = match disk.estimate {
            Some(estimate) => estimate,
            None => measure(disk.pending).unwrap_or(u64::MAX),
        };
        if used.saturating_add(growth) > limit {
            // The estimate only ever over-counts (writes that failed, removals measured
            // approximately): measure to be sure, keeping the estimate if that fails.
            used = measure(disk.pending).unwrap_or(used);
        }
        let would_use = used.saturating_add(growth);
        if would_use > limit {
            disk.estimate = Some(used).filter(|&u| u != u64::MAX);
            self.page.refuse_disk(would_use);
            return Err(DiskQuotaError { would_use, limit });
        }
        disk.estimate = Some(would_use);
        disk.pending = disk.pending.saturating_add(growth);
        Ok(())
    }

    /// Ends a reservation of [`Accountant::reserve_disk`]: the write is done (or failed), so
    /// its bytes are on disk (or never will be) rather than in flight.
    pub fn disk_written(&self, growth: u64) {
        let mut disk = lock(&self.disk);
        disk.pending = disk.pending.saturating_sub(growth);
    }

    /// Takes `bytes` (a removed file's size and its entry) off the disk-use estimate.
    pub fn disk_freed(&self, bytes: u64) {
        let mut disk = lock(&self.disk);
        disk.estimate = disk.estimate.map(|estimate| estimate.saturating_sub(bytes));
    }

    /// Charges `quantity` units of a renewable resource and blocks until its bucket is back
    /// under the limit; returns how long the caller waited.
    ///
    /// The API calls it twice per operation, as RepyV2: with 0 before the operation (waits
    /// while a previous operation's debt drains) and with the real amount after it. Concurrent
    /// callers on one resource are serialised, in the order RepyV2's lock gave: while one
    /// caller sleeps off a debt, the others wait for their turn before charging. The
    /// resource's lock itself is released while sleeping, so a caller that only looks at the
    /// bucket ([`Accountant::charge_without_waiting`], made with the interpreter held) never
    /// blocks behind a sleeper. A resource whose rate is 0 refuses every charge, including
    /// the one of 0 made before the operation, so a forbidden operation never runs.
    pub fn charge(&self, resource: Renewable, quantity: u64) -> Result<Duration, RateError> {
        let slot = &self.rates[resource.index()];
        let Some(metered) = &slot.bucket else {
            return Err(RateError::Forbidden {
                resource: slot.resource.id(),
            });
        };
        let mut state = lock(metered);
        while state.waiting {
            state = slot
                .turn
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let start = self.clock.now();
        let mut decision = state.bucket.charge(start, quantity as f64);
        self.page
            .record_charge(resource, quantity, Duration::ZERO, state.bucket.level());
        if matches!(decision, Decision::Wait(_)) {
            state.waiting = true;
            slot.within.store(false, Ordering::Relaxed);
        }
        while let Decision::Wait(wait) = decision {
            drop(state);
            self.clock.sleep(wait);
            state = lock(metered);
            decision = state.bucket.poll(self.clock.now());
            self.page
                .record_charge(resource, 0, Duration::ZERO, state.bucket.level());
        }
        let waited = self.clock.now().saturating_sub(start);
        self.page
            .record_charge(resource, 0, waited, state.bucket.level());
        slot.within.store(true, Ordering::Relaxed);
        if std::mem::replace(&mut state.waiting, false) {
            drop(state);
            slot.turn.notify_all();
        }
        Ok(waited)
    }

    /// Whether an operation on `resource` may start now without a charge of 0 first: the
    /// last charge left its bucket within the limit, and a bucket only goes over by being
    /// charged (time only drains it). `false` means the caller must take the slow path,
    /// [`Accountant::charge`] of 0, which waits out the debt. A forbidden resource is an
    /// error, as for a charge. The API's fast path before an operation: no lock, no clock.
    pub fn ready(&self, resource: Renewable) -> Result<bool, RateError> {
        let slot = &self.rates[resource.index()];
        if slot.bucket.is_none() {
            return Err(RateError::Forbidden {
                resource: slot.resource.id(),
            });
        }
        Ok(slot.within.load(Ordering::Relaxed))
    }

    /// Charges `quantity` units without waiting (see [`QuickCharge`]): the API's fast path.
    /// Most calls never wait, and this one takes the clock once, holds the resource's lock
    /// only for the update and does not release the interpreter. When it answers
    /// [`QuickCharge::Over`] the caller waits with [`Accountant::charge`] of 0, which sleeps
    /// until the debt has drained and records the time as throttled; when another caller is
    /// already waiting on the resource it charges nothing and answers [`QuickCharge::Busy`],
    /// and the caller makes the whole charge with [`Accountant::charge`], in turn.
    pub fn charge_without_waiting(
        &self,
        resource: Renewable,
        quantity: u64,
    ) -> Result<QuickCharge, RateError> {
        let slot = &self.rates[resource.index()];
        let Some(metered) = &slot.bucket else {
            return Err(RateError::Forbidden {
                resource: slot.resource.id(),
            });
        };
        let mut state = lock(metered);
        if state.waiting {
            return Ok(QuickCharge::Busy);
        }
        let decision = state.bucket.charge(self.clock.now(), quantity as f64);
        self.page
            .record_charge(resource, quantity, Duration::ZERO, state.bucket.level());
        let granted = matches!(decision, Decision::Granted);
        slot.within.store(granted, Ordering::Relaxed);
        Ok(if granted {
            QuickCharge::Within
        } else {
            QuickCharge::Over
        })
    }

    /// Takes one item of `item` identified by `key` (an opaque id chosen by the API, e.g. a
    /// handle's address). Taking a key already held is a no-op.
    pub fn acquire(&self, item: Item, key: u64) -> Result<(), ItemError> {
        let pool = &self.items[item.index()];
        let mut keys = lock(&pool.keys);
        if keys.contains(&key) {
            return Ok(());
        }
        if keys.len() as u64 >= pool.limit {
            return Err(ItemError::Exhausted {
                resource: item.id(),
                limit: pool.limit,
            });
        }
        keys.insert(key);
        self.page.record_items(item, keys.len() as u64);
        Ok(())
    }

    /// Gives back the item `key` of `item`; releasing a key not held is a no-op.
    pub fn release(&self, item: Item, key: u64) {
        let mut keys = lock(&self.items[item.index()].keys);
        if keys.remove(&key) {
            self.page.record_items(item, keys.len() as u64);
        }
    }

    /// The policy's cap on `item`.
    pub fn item_limit(&self, item: Item) -> u64 {
        self.items[item.index()].limit
    }

    /// Items of `item` held now.
    pub fn held(&self, item: Item) -> u64 {
        lock(&self.items[item.index()].keys).len() as u64
    }

    /// Whether the program may use local TCP port `port` (`connport`). An allowed port is
    /// recorded in the usage's checked ports, as RepyV2.
    pub fn tcp_port_allowed(&self, port: u16) -> bool {
        let allowed = self.limits.connport.contains(&port);
        if allowed {
            lock(&self.checked).tcp.insert(port);
        }
        allowed
    }

    /// Whether the program may use local UDP port `port` (`messport`). An allowed port is
    /// recorded in the usage's checked ports, as RepyV2.
    pub fn udp_port_allowed(&self, port: u16) -> bool {
        let allowed = self.limits.messport.contains(&port);
        if allowed {
            lock(&self.checked).udp.insert(port);
        }
        allowed
    }

    /// Counts `bytes` written to the program's output (stdout or stderr) on the shared page.
    ///
    /// It does not charge `lograte`: RepyV2 charged `lograte` only for `log` (not for
    /// tracebacks), so the API calls `charge(Renewable::LOGRATE, n)` itself where it applies.
    /// The `output` limit is enforced by the supervisor from the bytes it relays, not from
    /// this count.
    pub fn charge_output(&self, bytes: u64) {
        self.page.add_output(bytes);
    }

    /// Seconds since the supervisor started the child: what `getruntime()` returns.
    pub fn runtime(&self) -> f64 {
        self.page.runtime()
    }

    /// The policy's limits, for `getresources()`.
    pub fn limits_snapshot(&self) -> LimitsSnapshot {
        self.limits.clone()
    }

    /// What the sandbox has used, for `getresources()`. Never blocks on a sleeping charge:
    /// bucket levels come from the page, where each charge publishes them.
    pub fn usage_snapshot(&self) -> UsageSnapshot {
        // Only the resources in force under the policy's profile, as in `limits`: a RepyV2
        // program sees RepyV2's resources (and repy's run limits), nothing of `python`'s.
        let levels = Renewable::ALL
            .into_iter()
            .filter(|r| self.limits.amounts.iter().any(|(id, _)| *id == r.id()))
            .map(|r| (r.id(), self.page.rate_totals(r).level))
            .collect();
        let items = Item::ALL
            .into_iter()
            .map(|i| (i.id(), self.held(i)))
            .collect();
        let checked = lock(&self.checked);
        UsageSnapshot {
            levels,
            cpu: measure::self_cpu().as_secs_f64(),
            memory: measure::self_rss().unwrap_or_else(|_| peak_rss()),
            threadcpu: measure::thread_cpu().as_secs_f64(),
            diskused: measure::disk_usage(&self.vessel).unwrap_or(0),
            items,
            connport: checked.tcp.clone(),
            messport: checked.udp.clone(),
            stoptimes: self.page.stop_times(),
        }
    }

    /// The shared page this accountant records on.
    pub fn page(&self) -> &SharedPage {
        &self.page
    }
}

/// The peak resident size of this process (fallback when `/proc` cannot be read).
fn peak_rss() -> u64 {
    match nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF) {
        Ok(usage) => measure::memory_use(
            u64::try_from(usage.max_rss())
                .unwrap_or(0)
                .saturating_mul(1024),
        ),
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;
    use crate::clock::FakeClock;

    fn policy(text: &str) -> Restrictions {
        Restrictions::from_toml(&format!("[resources]\n{text}"), "test.toml").unwrap()
    }

    fn accountant(text: &str) -> (Accountant, Arc<FakeClock>) {
        let clock = Arc::new(FakeClock::new());
        let dir = std::env::temp_dir();
        let acc = Accountant::with_clock(
            SharedPage::create().unwrap(),
            &policy(text),
            dir,
            clock.clone(),
        );
        (acc, clock)
    }

    #[test]
    fn accountant_charge_waits_like_repyv2() {
        let (acc, clock) = accountant("lograte = 1000");
        assert_eq!(acc.charge(Renewable::LOGRATE, 0), Ok(Duration::ZERO));
        let waited = acc.charge(Renewable::LOGRATE, 3001).unwrap();
        assert_eq!(waited, Duration::from_millis(2001));
        assert_eq!(clock.sleeps(), vec![Duration::from_millis(2001)]);
        // The next operation's pre-charge is immediate.
        assert_eq!(acc.charge(Renewable::LOGRATE, 0), Ok(Duration::ZERO));
        let totals = acc.page().rate_totals(Renewable::LOGRATE);
        assert_eq!(totals.charged, 3001);
        assert_eq!(totals.throttled, Duration::from_millis(2001));
        let usage = acc.usage_snapshot();
        let level = usage
            .levels
            .iter()
            .find(|(id, _)| *id == ResourceId::Lograte)
            .unwrap()
            .1;
        assert!((level - 1000.0).abs() < 1e-6);
    }

    #[test]
    fn accountant_is_ready_until_a_charge_goes_over_and_after_the_wait() {
        let (acc, clock) = accountant("lograte = 1000\nnetsend = 0");
        assert_eq!(acc.ready(Renewable::LOGRATE), Ok(true));
        assert_eq!(
            acc.charge_without_waiting(Renewable::LOGRATE, 500),
            Ok(QuickCharge::Within)
        );
        assert_eq!(acc.ready(Renewable::LOGRATE), Ok(true));
        // Over the rate: the next operation must take the slow path, which waits.
        assert_eq!(
            acc.charge_without_waiting(Renewable::LOGRATE, 3000),
            Ok(QuickCharge::Over)
        );
        assert_eq!(acc.ready(Renewable::LOGRATE), Ok(false));
        assert!(acc.charge(Renewable::LOGRATE, 0).unwrap() > Duration::ZERO);
        assert!(!clock.sleeps().is_empty());
        assert_eq!(acc.ready(Renewable::LOGRATE), Ok(true));
        assert!(acc.ready(Renewable::NETSEND).is_err());
    }

    #[test]
    fn accountant_reports_levels_as_of_the_last_charge() {
        let (acc, clock) = accountant("random = 10000");
        acc.charge(Renewable::RANDOM, 1024).unwrap();
        clock.advance(Duration::from_secs(60));
        let usage = acc.usage_snapshot();
        let level = usage
            .levels
            .iter()
            .find(|(id, _)| *id == ResourceId::Random)
            .unwrap()
            .1;
        assert_eq!(level, 1024.0);
    }

    #[test]
    fn accountant_forbids_a_rate_of_zero() {
        let (acc, clock) = accountant("netsend = 0");
        let err = acc.charge(Renewable::NETSEND, 0).unwrap_err();
        assert_eq!(
            err,
            RateError::Forbidden {
                resource: ResourceId::Netsend
            }
        );
        assert_eq!(
            err.to_string(),
            "resource 'netsend' has a rate of 0, so it may not be used"
        );
        assert!(acc.charge(Renewable::NETSEND, 10).is_err());
        assert!(clock.sleeps().is_empty());
    }

    /// A clock whose first sleep blocks until the test releases it.
    struct GateClock {
        inner: FakeClock,
        entered: Mutex<Option<mpsc::Sender<()>>>,
        release: Mutex<Option<mpsc::Receiver<()>>>,
    }

    impl Clock for GateClock {
        fn now(&self) -> Duration {
            self.inner.now()
        }
        fn sleep(&self, duration: Duration) {
            if let Some(entered) = lock(&self.entered).take() {
                entered.send(()).unwrap();
                let release = lock(&self.release).take().unwrap();
                release.recv().unwrap();
            }
            self.inner.sleep(duration);
        }
    }

    #[test]
    fn accountant_serialises_concurrent_charges_on_one_resource_without_holding_its_lock() {
        let (entered_tx, entered_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel();
        let clock = Arc::new(GateClock {
            inner: FakeClock::new(),
            entered: Mutex::new(Some(entered_tx)),
            release: Mutex::new(Some(release_rx)),
        });
        let acc = Arc::new(Accountant::with_clock(
            SharedPage::create().unwrap(),
            &policy("filewrite = 1000\nfileread = 1000"),
            std::env::temp_dir(),
            clock.clone(),
        ));
        let first = {
            let acc = acc.clone();
            std::thread::spawn(move || acc.charge(Renewable::FILEWRITE, 3001))
        };
        entered_rx.recv().unwrap();
        // The first caller sleeps without holding the resource's lock: a thread holding the
        // interpreter may look at the bucket without blocking behind the sleeper...
        let slot = &acc.rates[Renewable::FILEWRITE.index()];
        assert!(slot.bucket.as_ref().unwrap().try_lock().is_ok());
        assert_eq!(acc.ready(Renewable::FILEWRITE), Ok(false));
        // ...and a quick charge charges nothing while a caller waits: it must queue.
        assert_eq!(
            acc.charge_without_waiting(Renewable::FILEWRITE, 100),
            Ok(QuickCharge::Busy)
        );
        assert_eq!(acc.page().rate_totals(Renewable::FILEWRITE).charged, 3001);
        // Other resources, items and snapshots stay usable.
        assert_eq!(acc.charge(Renewable::FILEREAD, 10), Ok(Duration::ZERO));
        let _ = acc.usage_snapshot();
        // A second waiter queues for its turn (behind the first, as under RepyV2's lock).
        let second = {
            let acc = acc.clone();
            std::thread::spawn(move || acc.charge(Renewable::FILEWRITE, 0))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!second.is_finished());
        release_tx.send(()).unwrap();
        assert_eq!(first.join().unwrap(), Ok(Duration::from_millis(2001)));
        // The second caller ran after the first had paid: nothing left to wait for.
        assert_eq!(second.join().unwrap(), Ok(Duration::ZERO));
        assert_eq!(clock.inner.sleeps(), vec![Duration::from_millis(2001)]);
        assert_eq!(acc.ready(Renewable::FILEWRITE), Ok(true));
        // A later charge pays for the level the first one left at the limit: the amounts
        // are RepyV2's, whatever the interleaving.
        assert_eq!(
            acc.charge(Renewable::FILEWRITE, 500),
            Ok(Duration::from_millis(500))
        );
        assert_eq!(acc.page().rate_totals(Renewable::FILEWRITE).charged, 3501);
    }

    #[test]
    fn accountant_items_cap_and_are_idempotent() {
        let (acc, _) = accountant("filesopened = 2");
        acc.acquire(Item::FILESOPENED, 1).unwrap();
        acc.acquire(Item::FILESOPENED, 1).unwrap();
        acc.acquire(Item::FILESOPENED, 2).unwrap();
        let err = acc.acquire(Item::FILESOPENED, 3).unwrap_err();
        assert_eq!(
            err,
            ItemError::Exhausted {
                resource: ResourceId::Filesopened,
                limit: 2
            }
        );
        // Re-acquiring a held key is still allowed at the limit.
        acc.acquire(Item::FILESOPENED, 2).unwrap();
        acc.release(Item::FILESOPENED, 1);
        acc.release(Item::FILESOPENED, 1);
        acc.release(Item::FILESOPENED, 99);
        assert_eq!(acc.held(Item::FILESOPENED), 1);
        assert_eq!(acc.item_limit(Item::FILESOPENED), 2);
        acc.acquire(Item::FILESOPENED, 3).unwrap();
        let counts = acc.page().item_counts(Item::FILESOPENED);
        assert_eq!((counts.current, counts.peak), (2, 2));
        let usage = acc.usage_snapshot();
        assert!(usage.items.contains(&(ResourceId::Filesopened, 2)));
    }

    #[test]
    fn accountant_items_with_limit_zero_refuse_everything() {
        let (acc, _) = accountant("insockets = 0");
        assert!(acc.acquire(Item::INSOCKETS, 1).is_err());
        assert_eq!(acc.held(Item::INSOCKETS), 0);
    }

    #[test]
    fn accountant_ports_check_membership_and_record_allowed_ones() {
        let (acc, _) = accountant("connport = [12345, \"63100-63101\"]\nmessport = [12345]");
        assert!(acc.tcp_port_allowed(63101));
        assert!(!acc.tcp_port_allowed(80));
        assert!(acc.udp_port_allowed(12345));
        assert!(!acc.udp_port_allowed(63100));
        let usage = acc.usage_snapshot();
        assert_eq!(usage.connport, BTreeSet::from([63101]));
        assert_eq!(usage.messport, BTreeSet::from([12345]));
        let limits = acc.limits_snapshot();
        assert_eq!(limits.connport, BTreeSet::from([12345, 63100, 63101]));
        assert!(limits
            .amounts
            .iter()
            .all(|(id, _)| id.kind() != Kind::Ports));
        assert!(limits
            .amounts
            .contains(&(ResourceId::WallTime, f64::INFINITY)));
    }

    #[test]
    fn accountant_usage_measures_this_process() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), vec![1u8; 100]).unwrap();
        let acc = Accountant::new(SharedPage::create().unwrap(), &policy(""), dir.path());
        acc.charge_output(42);
        let usage = acc.usage_snapshot();
        assert_eq!(usage.diskused, 100 + 4096);
        assert!(usage.memory > 0);
        assert!(usage.cpu >= usage.threadcpu);
        assert_eq!(acc.page().output_bytes(), 42);
        assert!(usage.stoptimes.is_empty());
        assert_eq!(acc.runtime(), 0.0);
    }

    #[test]
    fn disk_reservations_hold_the_quota_and_tell_the_supervisor() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old"), vec![0u8; 1000]).unwrap();
        let acc = Accountant::new(
            SharedPage::create().unwrap(),
            &policy("diskused = 10000"),
            dir.path(),
        );
        // 1000 + 4096 measured; 4904 more fits exactly.
        assert_eq!(acc.reserve_disk(4904), Ok(()));
        assert_eq!(acc.page().disk_refused(), None);
        assert_eq!(
            acc.reserve_disk(1),
            Err(DiskQuotaError {
                would_use: 10001,
                limit: 10000
            })
        );
        assert_eq!(acc.page().disk_refused(), Some(10001));
        // A write that ends without writing gives its room back once the vessel is measured
        // again, as after a removal.
        acc.disk_written(4904);
        std::fs::remove_file(dir.path().join("old")).unwrap();
        acc.disk_freed(1000 + crate::measure::DISK_ENTRY_OVERHEAD);
        assert_eq!(acc.reserve_disk(10000), Ok(()));
        // A vessel that cannot be measured counts as full.
        let gone = Accountant::new(
            SharedPage::create().unwrap(),
            &policy("diskused = 10000"),
            dir.path().join("no-such-directory"),
        );
        assert!(gone.reserve_disk(1).is_err());
    }
}
