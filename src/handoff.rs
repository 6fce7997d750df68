//! A page of shared memory through which the sandbox child tells the supervisor what its
//! confinement put in force, for the run report. Mapped before the fork; the child writes a
//! length-prefixed JSON text once; the parent reads it after the run. A child that scribbles
//! on it can only spoil its own report's `confinement` entry, which the parent then reports
//! as unreadable.

use std::ptr::NonNull;

use nix::sys::mman::{mmap_anonymous, MapFlags, ProtFlags};

/// The size of the page.
const SIZE: usize = 64 * 1024;

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

    /// Writes `text` (truncated to the page), in the child.
    pub fn write(&self, text: &str) {
        let bytes = &text.as_bytes()[..text.len().min(SIZE - 8)];
        let len = (bytes.len() as u64).to_le_bytes();
        // SAFETY: the page is SIZE bytes long; 8 + bytes.len() <= SIZE.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.base.as_ptr().add(8), bytes.len());
            std::ptr::copy_nonoverlapping(len.as_ptr(), self.base.as_ptr(), 8);
        }
    }

    /// Reads what the child wrote, if anything readable.
    pub fn read(&self) -> Option<String> {
        let mut len = [0u8; 8];
        // SAFETY: the page is at least 8 bytes long.
        unsafe { std::ptr::copy_nonoverlapping(self.base.as_ptr(), len.as_mut_ptr(), 8) };
        let len = usize::try_from(u64::from_le_bytes(len))
            .ok()
            .filter(|l| *l > 0 && *l <= SIZE - 8)?;
        let mut bytes = vec![0u8; len];
        // SAFETY: 8 + len <= SIZE, checked above.
        unsafe {
            std::ptr::copy_nonoverlapping(self.base.as_ptr().add(8), bytes.as_mut_ptr(), len)
        };
        String::from_utf8(bytes).ok()
    }
}
