//! A page of shared memory through which the sandbox child tells the supervisor, for the run
//! report, what its confinement put in force and how the program ended (its violations or its
//! uncaught exception). Mapped before the fork, one fixed-size [`Slot`] each; the child writes
//! a length-prefixed JSON text once per slot; the parent reads them after the run, bounded by
//! the slot's size. A child that scribbles on it can only spoil its own report's
//! `confinement`, `violations` or `exception` entries (the parent then reports them as
//! unreadable); it reaches no other run's report.

use std::ptr::NonNull;

use nix::sys::mman::{mmap_anonymous, MapFlags, ProtFlags};

/// The size of the confinement and outcome slots.
const SLOT: usize = 32 * 1024;

/// The most bytes of JSON a returned value may take (`repy eval --expr`, `repy call`).
const VALUE_LIMIT: usize = api::program::VALUE_LIMIT;

/// The size of the mapping: the two small slots, then the value's (pages of a shared
/// anonymous mapping take memory only once written).
const SIZE: usize = 2 * SLOT + 2 * (8 + VALUE_LIMIT);

/// What a slot of the page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// What confinement put in force (`confine::ConfineStatus` as JSON), or its error.
    Confinement,
    /// How the program ended: its violations or its uncaught exception, as JSON.
    Outcome,
    /// The value of the expression or the call, as JSON.
    Value,
    /// The next call of a batch, as JSON (`{"function", "args", "kwargs"}`), written by the
    /// parent.
    Request,
}

impl Slot {
    /// The slot's offset in the page.
    fn offset(self) -> usize {
        match self {
            Slot::Confinement => 0,
            Slot::Outcome => SLOT,
            Slot::Value => 2 * SLOT,
            Slot::Request => 2 * SLOT + 8 + VALUE_LIMIT,
        }
    }

    /// The slot's size, its 8-byte length included.
    fn size(self) -> usize {
        match self {
            Slot::Confinement | Slot::Outcome => SLOT,
            Slot::Value | Slot::Request => VALUE_LIMIT + 8,
        }
    }
}

/// The shared page.
#[derive(Debug, Clone, Copy)]
pub struct Handoff {
    base: NonNull<u8>,
}

// SAFETY: the mapping lives for the whole process (never unmapped) and is only written by
// the child before the parent reads it, after the child has ended.
unsafe impl Send for Handoff {}

impl Handoff {
    /// Maps the page (shared between the parent and the child it forks).
    pub fn create() -> std::io::Result<Self> {
        let size =
            std::num::NonZeroUsize::new(SIZE).ok_or_else(|| std::io::Error::other("zero size"))?;
        // SAFETY: an anonymous shared mapping with no address hint; the result is checked.
        let base = unsafe {
            mmap_anonymous(
                None,
                size,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )
        }
        .map_err(std::io::Error::from)?;
        Ok(Self { base: base.cast() })
    }

    /// Empties `slot` (reads of it give nothing until written again).
    pub fn clear(&self, slot: Slot) {
        self.write(slot, "");
    }

    /// Whether `text` fits in `slot` whole.
    pub fn fits(slot: Slot, text: &str) -> bool {
        text.len() <= slot.size() - 8
    }

    /// Writes `text` into `slot` (truncated to the slot), in the child.
    pub fn write(&self, slot: Slot, text: &str) {
        let bytes = &text.as_bytes()[..text.len().min(slot.size() - 8)];
        let len = (bytes.len() as u64).to_le_bytes();
        // SAFETY: the slot lies within the mapping (offset + size <= SIZE) and
        // 8 + bytes.len() <= its size.
        unsafe {
            let base = self.base.as_ptr().add(slot.offset());
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), base.add(8), bytes.len());
            std::ptr::copy_nonoverlapping(len.as_ptr(), base, 8);
        }
    }

    /// Reads what the child wrote into `slot`, if anything readable.
    pub fn read(&self, slot: Slot) -> Option<String> {
        let mut len = [0u8; 8];
        // SAFETY: the slot lies within the page and is at least 8 bytes long.
        let base = unsafe { self.base.as_ptr().add(slot.offset()) };
        // SAFETY: as above.
        unsafe { std::ptr::copy_nonoverlapping(base, len.as_mut_ptr(), 8) };
        let len = usize::try_from(u64::from_le_bytes(len))
            .ok()
            .filter(|l| *l > 0 && *l <= slot.size() - 8)?;
        let mut bytes = vec![0u8; len];
        // SAFETY: 8 + len <= the slot's size, checked above.
        unsafe { std::ptr::copy_nonoverlapping(base.add(8), bytes.as_mut_ptr(), len) };
        String::from_utf8(bytes).ok()
    }
}
