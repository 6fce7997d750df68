//! The API's one accounting interface: every call charges the nanny through here.
//!
//! The sandbox child installs its [`Accountant`] once, before the program runs; every API
//! function then charges it with RepyV2's amounts. Waiting for a rate limit happens with the
//! interpreter released, so other threads keep running.

use std::sync::OnceLock;

use nanny::{Accountant, ItemError, QuickCharge, RateError};
use pyo3::prelude::*;

use crate::exceptions::{ResourceExhaustedError, ResourceForbiddenError};

pub use nanny::{Item, Renewable};

static ACCOUNTANT: OnceLock<Accountant> = OnceLock::new();

/// The next item key; keys are never reused, so a handle's key stays its own for life.
static NEXT_KEY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1 << 32);

/// A fresh key for an item a handle will hold (thread events use their thread number,
/// below 2^32).
pub fn new_key() -> u64 {
    NEXT_KEY.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Installs the child's accountant. Called once, before the program runs.
pub fn install(accountant: Accountant) {
    let _ = ACCOUNTANT.set(accountant);
}

/// The installed accountant; using the API without one is an internal error.
pub fn accountant() -> &'static Accountant {
    match ACCOUNTANT.get() {
        Some(accountant) => accountant,
        None => {
            let _ = crate::errors::internal(
                "the API was used before its accountant was installed".into(),
            );
            unreachable!("errors::internal ends the process")
        }
    }
}

fn rate_error(err: RateError) -> PyErr {
    ResourceForbiddenError::new_err(err.to_string())
}

/// Reserves `growth` bytes of `diskused` before a write that grows the vessel. When the write
/// would exceed the quota it must not happen: the supervisor has been told and kills the run
/// for `diskused` within a tick, so the calling thread waits for that end and never returns.
/// Call it with the interpreter released.
pub fn reserve_disk(growth: u64) {
    if accountant().reserve_disk(growth).is_ok() {
        return;
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

/// Ends a reservation of [`reserve_disk`] once its write is done or failed.
pub fn disk_written(growth: u64) {
    accountant().disk_written(growth);
}

/// Says that checking and compiling are over and the program's code runs now: the memory
/// they used is handed back to the system (as far as the allocator can) and the program's own
/// memory limit applies from here on.
pub fn program_starting() {
    // SAFETY: malloc_trim only returns free heap memory to the system; it takes no pointer.
    unsafe {
        libc::malloc_trim(0);
    }
    accountant().page().mark_program_started();
}

/// Takes a removed file (`size` bytes and its directory entry) off the disk-use estimate.
pub fn disk_freed(size: u64) {
    accountant().disk_freed(size.saturating_add(nanny::measure::DISK_ENTRY_OVERHEAD));
}

/// Takes the bytes of a file emptied in place (`open(name, "w")`) off the disk-use estimate;
/// its directory entry stays.
pub fn disk_truncated(size: u64) {
    accountant().disk_freed(size);
}

/// Waits, with the interpreter released, until `resource` is under its limit (at once, with
/// no lock and no clock, when the last charge left it under).
pub fn before(py: Python<'_>, resource: Renewable) -> PyResult<()> {
    if accountant().ready(resource).map_err(rate_error)? {
        return Ok(());
    }
    after(py, resource, 0)
}

/// Charges `amount` of `resource` after an operation, then waits (interpreter released)
/// while the resource is over its limit.
///
/// Nothing here blocks with the interpreter held: the fast path only updates the bucket, and
/// a charge that must wait — for its own debt, or for another thread already waiting on the
/// resource — is made with the interpreter released, so a throttled thread never stops the
/// others (a thread calling `exitall()`, say).
pub fn after(py: Python<'_>, resource: Renewable, amount: u64) -> PyResult<()> {
    let accountant = accountant();
    let pending = match accountant
        .charge_without_waiting(resource, amount)
        .map_err(rate_error)?
    {
        QuickCharge::Within => return Ok(()),
        QuickCharge::Over => 0,
        QuickCharge::Busy => amount,
    };
    py.detach(|| accountant.charge(resource, pending))
        .map(|_| ())
        .map_err(rate_error)
}

/// Takes one `item` for `key`; `ResourceExhaustedError` when all are in use.
pub fn acquire(item: Item, key: u64) -> PyResult<()> {
    accountant().acquire(item, key).map_err(|err| match err {
        ItemError::Exhausted { .. } => ResourceExhaustedError::new_err(format!(
            "Resource '{}' limit exceeded!!",
            item.id().key()
        )),
    })
}

/// Returns the `item` held for `key` (idempotent).
pub fn release(item: Item, key: u64) {
    if let Some(accountant) = ACCOUNTANT.get() {
        accountant.release(item, key);
    }
}

/// Whether the restrictions grant local TCP port `port` (`connport`); records the check.
pub fn tcp_port_allowed(port: u16) -> bool {
    accountant().tcp_port_allowed(port)
}

/// Whether the restrictions grant local UDP port `port` (`messport`); records the check.
pub fn udp_port_allowed(port: u16) -> bool {
    accountant().udp_port_allowed(port)
}

/// The limit of an item resource.
pub fn item_limit(item: Item) -> u64 {
    accountant().item_limit(item)
}
