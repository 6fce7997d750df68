//! The API's descriptor budget: every file, socket and directory listing the API opens for
//! the program takes a slot first, so descriptors are counted wherever they are held (a
//! thread blocked in `openconnection` holds one before any item is charged) and running out
//! is the documented `ResourceExhaustedError`, never an internal error. The budget sits below
//! the kernel's `RLIMIT_NOFILE` backstop by [`RESERVED`] descriptors, which stay for the
//! interpreter and the sandbox's own channels (standard streams, output ring, broker).

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};

use pyo3::PyResult;

use crate::exceptions::ResourceExhaustedError;

/// Descriptors under the rlimit kept out of the API's budget.
pub const RESERVED: u64 = 24;

static HELD: AtomicU64 = AtomicU64::new(0);
/// Unlimited until the sandbox installs its budget.
static LIMIT: AtomicU64 = AtomicU64::new(u64::MAX);

/// Sets the budget from the descriptor rlimit the sandbox runs under.
pub fn install(rlimit: u64) {
    LIMIT.store(rlimit.saturating_sub(RESERVED), Ordering::Relaxed);
}

/// One descriptor of the budget, given back when dropped.
#[derive(Debug)]
pub struct Slot(());

impl Drop for Slot {
    fn drop(&mut self) {
        HELD.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Takes a slot for a descriptor about to be opened for `what`.
pub fn take(what: &str) -> PyResult<Slot> {
    let limit = LIMIT.load(Ordering::Relaxed);
    HELD.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |held| {
        (held < limit).then_some(held + 1)
    })
    .map(|_| Slot(()))
    .map_err(|_| {
        ResourceExhaustedError::new_err(format!(
            "No file descriptors are left to {what} ({limit} are open)"
        ))
    })
}

/// A value holding a descriptor, with the slot that counts it.
#[derive(Debug)]
pub struct Counted<T> {
    inner: T,
    _slot: Slot,
}

impl<T> Counted<T> {
    /// Pairs `inner` with its slot.
    pub fn new(inner: T, slot: Slot) -> Self {
        Counted { inner, _slot: slot }
    }

    /// The same descriptor as another type (a socket becoming a stream), still counted.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Counted<U> {
        Counted {
            inner: f(self.inner),
            _slot: self._slot,
        }
    }
}

impl<T> Deref for Counted<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for Counted<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

/// Descriptors the API holds now.
pub fn held() -> u64 {
    HELD.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_refuses_past_its_limit_and_returns_slots() {
        install(RESERVED + 2);
        let base = held();
        let a = take("test").unwrap();
        let b = take("test").unwrap();
        assert_eq!(held(), base + 2);
        assert!(take("test").is_err());
        drop(a);
        let c = take("test").unwrap();
        drop((b, c));
        assert_eq!(held(), base);
        install(u64::MAX);
    }
}
