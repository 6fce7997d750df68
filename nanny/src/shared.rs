//! Shared memory between the supervisor and the sandbox child: one anonymous `MAP_SHARED`
//! mapping, made before the fork and inherited by the child, so that both processes see the
//! same bytes. The accounting page ([`crate::page`]), the output ring ([`crate::ring`]) and
//! the hand-off page ([`crate::handoff`]) are each one [`SharedMapping`].
//!
//! A mapping has two parts:
//!
//! * **cells** at its start, a `#[repr(C)]` type made of atomics only ([`SharedCells`]),
//!   reached through a shared reference ([`SharedMapping::cells`]): every access is atomic, so
//!   what the other process does at the same time is never a data race;
//! * a **data area** of plain bytes after them, reached only by bounded copies in and out
//!   ([`SharedMapping::write_data`], [`SharedMapping::read_data`]), never by a reference.
//!
//! The memory is zero-filled when mapped (all-zero cells are valid), and unmapped when the
//! last handle of this process goes; the other process keeps its own copy of the mapping
//! until it drops its handles or exits. Pages of an anonymous shared mapping take memory only
//! once written, so a large data area that stays mostly empty costs address space only.
//!
//! **Trust.** The sandbox can write every byte of every mapping it shares. Nothing read from
//! one is trusted by the supervisor: its users bound every length and index they read.
//!
//! **The rules for the data area** (why [`SharedMapping::write_data`] and
//! [`SharedMapping::read_data`] are `unsafe`): the copies are plain, non-atomic memory
//! copies. The other process may write the same bytes during a copy; that only makes the
//! copied bytes meaningless, which every reader tolerates (it treats them as untrusted input).
//! But two threads of *one* process must not copy to or from the same bytes at the same time:
//! that would be a data race in this process. Each user keeps its own accesses apart (the
//! ring by its head and tail counters and a writer lock, the hand-off by being usable from
//! one thread only).

use std::marker::PhantomData;
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8};
use std::sync::Arc;

use nix::sys::mman::{mmap_anonymous, munmap, MapFlags, ProtFlags};

/// The smallest page size Linux uses: a mapping starts on a boundary of at least this, so
/// cells aligned to no more than this are aligned in the mapping.
const MIN_PAGE: usize = 4096;

/// Where the data area starts after the cells: on a cache line of its own, so that bytes
/// copied in do not share a line with the counters the other process polls.
const DATA_ALIGN: usize = 64;

/// Errors while mapping shared memory.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    /// The requested size overflows the address space.
    #[error("a shared mapping of {data_bytes} bytes after its cells is too large")]
    TooLarge {
        /// The data area's requested size.
        data_bytes: usize,
    },
    /// mmap(2) failed.
    #[error("cannot map {bytes} bytes of shared memory")]
    Map {
        /// The size of the mapping.
        bytes: usize,
        /// The system error.
        #[source]
        source: nix::Error,
    },
}

/// Types that may be the cells at the start of a [`SharedMapping`].
///
/// # Safety
///
/// Implement only for types that are made of atomics alone (`AtomicU8`, `AtomicU32`,
/// `AtomicU64`, and arrays and `#[repr(C)]` structs of them), so that:
/// * every bit pattern, all-zero included, is a valid value (the mapping starts zero-filled,
///   and the other process may write anything into it);
/// * every access through a shared reference is atomic, so the other process's writes at the
///   same time are never a data race;
/// * the type has no destructor to run and holds no pointer.
pub unsafe trait SharedCells: Sync {}

// SAFETY: no bytes at all.
unsafe impl SharedCells for () {}
// SAFETY: an atomic integer: any bits are a valid value, every access is atomic.
unsafe impl SharedCells for AtomicU8 {}
// SAFETY: as above.
unsafe impl SharedCells for AtomicU32 {}
// SAFETY: as above.
unsafe impl SharedCells for AtomicU64 {}
// SAFETY: an array of cells is cells (no padding between elements of one type).
unsafe impl<T: SharedCells, const N: usize> SharedCells for [T; N] {}

/// The mapping itself: unmapped when the last handle goes.
struct Region {
    base: NonNull<u8>,
    len: NonZeroUsize,
}

// SAFETY: the region is plain shared memory owned by this struct; the pointer is never handed
// out, and the accesses it allows follow the module's rules (atomics for the cells, copies
// that callers keep apart for the data area).
unsafe impl Send for Region {}
// SAFETY: as above.
unsafe impl Sync for Region {}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: `base`/`len` describe a mapping `SharedMapping::create` made and only this
        // struct owns; no reference into it outlives the last handle, which is being dropped.
        let _ = unsafe { munmap(self.base.cast(), self.len.get()) };
    }
}

/// An anonymous shared mapping: cells of type `C` at its start, then a data area of bytes.
/// Made before a fork, it is inherited by the child; clones share the same mapping, and the
/// last clone of a process unmaps it.
pub struct SharedMapping<C: SharedCells = ()> {
    region: Arc<Region>,
    data_len: usize,
    cells: PhantomData<C>,
}

impl<C: SharedCells> Clone for SharedMapping<C> {
    fn clone(&self) -> Self {
        SharedMapping {
            region: Arc::clone(&self.region),
            data_len: self.data_len,
            cells: PhantomData,
        }
    }
}

impl<C: SharedCells> std::fmt::Debug for SharedMapping<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedMapping")
            .field("base", &self.region.base)
            .field("len", &self.region.len)
            .field("data_len", &self.data_len)
            .finish()
    }
}

impl<C: SharedCells> SharedMapping<C> {
    /// Where the data area starts in the mapping.
    const DATA_OFFSET: usize = std::mem::size_of::<C>().next_multiple_of(DATA_ALIGN);

    /// Maps zero-filled cells and a data area of `data_bytes`, shared with every child forked
    /// afterwards.
    pub fn create(data_bytes: usize) -> Result<Self, MapError> {
        const {
            assert!(
                std::mem::align_of::<C>() <= MIN_PAGE,
                "cells must fit the mapping's alignment"
            )
        };
        let bytes = Self::DATA_OFFSET
            .checked_add(data_bytes)
            .ok_or(MapError::TooLarge { data_bytes })?;
        // A mapping of nothing at all still takes one byte (one page).
        let len = NonZeroUsize::new(bytes).unwrap_or(NonZeroUsize::MIN);
        // SAFETY: a new anonymous mapping with no address hint aliases nothing; the kernel
        // zero-fills it, and all-zero bytes are valid cells (`SharedCells`).
        let base = unsafe {
            mmap_anonymous(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )
        }
        .map_err(|source| MapError::Map { bytes, source })?;
        Ok(SharedMapping {
            region: Arc::new(Region {
                base: base.cast(),
                len,
            }),
            data_len: data_bytes,
            cells: PhantomData,
        })
    }

    /// The cells at the start of the mapping.
    pub fn cells(&self) -> &C {
        // SAFETY: the mapping is at least `size_of::<C>()` bytes (`create`), starts on a page
        // boundary, which satisfies `C`'s alignment (asserted in `create`), lives as long as
        // `self.region`, and holds a valid `C` whatever its bytes (`SharedCells`), so a shared
        // reference is sound even while the other process writes.
        unsafe { self.region.base.cast::<C>().as_ref() }
    }

    /// The size of the data area in bytes.
    pub fn data_len(&self) -> usize {
        self.data_len
    }

    /// The data area's bytes `offset..offset + len`, if they lie within it.
    fn data_range(&self, offset: usize, len: usize) -> Option<*mut u8> {
        let end = offset.checked_add(len)?;
        if end > self.data_len {
            return None;
        }
        // SAFETY: `DATA_OFFSET + offset <= DATA_OFFSET + data_len`, the mapping's length, so
        // the pointer stays within the mapping (or one past its end when `len` is 0).
        Some(unsafe {
            self.region
                .base
                .as_ptr()
                .add(Self::DATA_OFFSET.saturating_add(offset))
        })
    }

    /// Copies `bytes` into the data area at `offset`. Returns `false`, having copied nothing,
    /// if they would not lie within it.
    ///
    /// # Safety
    ///
    /// No other thread of this process may read or write the data area's bytes
    /// `offset..offset + bytes.len()` during the call (the module's rules). The other process
    /// may.
    #[must_use]
    pub unsafe fn write_data(&self, offset: usize, bytes: &[u8]) -> bool {
        let Some(target) = self.data_range(offset, bytes.len()) else {
            return false;
        };
        // SAFETY: `target` has room for `bytes.len()` bytes within the mapping
        // (`data_range`); the mapping never overlaps `bytes`, memory of this process's own;
        // no other thread of this process accesses the range (the caller's promise).
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), target, bytes.len()) };
        true
    }

    /// Copies the data area's bytes at `offset` into all of `out`. Returns `false`, having
    /// copied nothing, if they do not lie within it. What is copied is whatever the other
    /// process left there: untrusted.
    ///
    /// # Safety
    ///
    /// No other thread of this process may write the data area's bytes
    /// `offset..offset + out.len()` during the call (the module's rules). The other process
    /// may.
    #[must_use]
    pub unsafe fn read_data(&self, offset: usize, out: &mut [u8]) -> bool {
        let Some(source) = self.data_range(offset, out.len()) else {
            return false;
        };
        // SAFETY: `source` holds `out.len()` bytes within the mapping (`data_range`), which
        // `out`, memory of this process's own, cannot overlap; no other thread of this
        // process writes the range (the caller's promise).
        unsafe { std::ptr::copy_nonoverlapping(source, out.as_mut_ptr(), out.len()) };
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    #[repr(C)]
    struct TestCells {
        counter: AtomicU64,
        flags: [AtomicU32; 3],
    }

    // SAFETY: atomics only.
    unsafe impl SharedCells for TestCells {}

    /// Whether `/proc/self/maps` lists a mapping from exactly `start` to `end`.
    fn mapped(start: usize, end: usize) -> bool {
        let maps = std::fs::read_to_string("/proc/self/maps").expect("read /proc/self/maps");
        let range = format!("{start:08x}-{end:08x} ");
        maps.lines().any(|line| line.starts_with(&range))
    }

    #[test]
    fn a_new_mapping_is_zero_filled_and_its_data_follows_the_cells() {
        let mapping = SharedMapping::<TestCells>::create(1000).unwrap();
        assert_eq!(mapping.cells().counter.load(Ordering::Relaxed), 0);
        assert_eq!(mapping.data_len(), 1000);
        assert_eq!(SharedMapping::<TestCells>::DATA_OFFSET, DATA_ALIGN);
        assert_eq!(SharedMapping::<()>::DATA_OFFSET, 0);
        let mut out = [1u8; 1000];
        // SAFETY: this test is the only thread using the mapping.
        assert!(unsafe { mapping.read_data(0, &mut out) });
        assert!(out.iter().all(|&b| b == 0));
        // Writing the whole data area leaves the cells alone.
        // SAFETY: as above.
        assert!(unsafe { mapping.write_data(0, &[0xff; 1000]) });
        assert_eq!(mapping.cells().counter.load(Ordering::Relaxed), 0);
        assert_eq!(mapping.cells().flags[2].load(Ordering::Relaxed), 0);
    }

    #[test]
    fn copies_out_of_bounds_copy_nothing() {
        let mapping = SharedMapping::<()>::create(16).unwrap();
        // SAFETY: this test is the only thread using the mapping.
        unsafe {
            assert!(mapping.write_data(8, b"12345678"));
            assert!(!mapping.write_data(9, b"12345678"));
            assert!(!mapping.write_data(usize::MAX, b"1"));
            assert!(mapping.write_data(16, b""));
            let mut out = [0u8; 8];
            assert!(!mapping.read_data(12, &mut out));
            assert_eq!(out, [0u8; 8]);
            assert!(!mapping.read_data(usize::MAX - 2, &mut out));
            assert!(mapping.read_data(8, &mut out));
            assert_eq!(&out, b"12345678");
        }
    }

    #[test]
    fn a_mapping_is_shared_with_a_forked_child() {
        let mapping = SharedMapping::<TestCells>::create(64).unwrap();
        let child_mapping = mapping.clone();
        let child = crate::process::fork_sandbox(move || {
            child_mapping.cells().counter.store(42, Ordering::Release);
            child_mapping.cells().flags[1].store(7, Ordering::Release);
            // SAFETY: the child has one thread.
            let written = unsafe { child_mapping.write_data(60, b"kid!") };
            i32::from(!written)
        })
        .unwrap();
        assert_eq!(
            child.wait().unwrap(),
            crate::process::ChildEnd::Exited(0),
            "the child could not write"
        );
        assert_eq!(mapping.cells().counter.load(Ordering::Acquire), 42);
        assert_eq!(mapping.cells().flags[1].load(Ordering::Acquire), 7);
        let mut out = [0u8; 4];
        // SAFETY: this test is the only thread of this process using the mapping.
        assert!(unsafe { mapping.read_data(60, &mut out) });
        assert_eq!(&out, b"kid!");
    }

    #[test]
    fn the_last_handle_unmaps_and_no_earlier_one_does() {
        // An odd size, so that no other test's mapping has the same range.
        let mapping = SharedMapping::<TestCells>::create(13 * 4096 + 5).unwrap();
        // SAFETY: sysconf takes a constant and returns a number.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap();
        let start = mapping.region.base.as_ptr() as usize;
        let end = start + mapping.region.len.get().next_multiple_of(page);
        assert!(mapped(start, end));
        let other = mapping.clone();
        drop(mapping);
        assert!(mapped(start, end), "a clone was still alive");
        other.cells().counter.store(1, Ordering::Relaxed);
        drop(other);
        assert!(
            !mapped(start, end),
            "the last handle left the mapping behind"
        );
    }
}
