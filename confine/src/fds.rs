//! Layer `close-fds`: every descriptor except 0, 1, 2 and the plan's `keep_fds` is closed, so
//! nothing the interpreter or the supervisor left open (a directory above the vessel, a socket to
//! a host service) stays reachable. Done early: /proc, the fallback, is out of reach later.

use std::os::fd::RawFd;

use crate::error::ConfineError;
use crate::status::LayerOutcome;
use crate::{sys, Done, Layer};

/// Closes every descriptor not in `0..=2` or `keep`.
pub(crate) fn close_fds(keep: &[RawFd]) -> Result<Done, ConfineError> {
    let mut kept: Vec<u32> = keep
        .iter()
        .filter_map(|&fd| u32::try_from(fd).ok())
        .filter(|&fd| fd > 2)
        .collect();
    kept.sort_unstable();
    kept.dedup();
    match close_ranges(&kept) {
        Ok(()) => Ok(Done {
            outcome: LayerOutcome::Applied,
            detail: detail(&kept, "close_range"),
        }),
        Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {
            close_listed(&kept)?;
            Ok(Done {
                outcome: LayerOutcome::Applied,
                detail: detail(&kept, "/proc/self/fd"),
            })
        }
        Err(e) => Err(ConfineError::os(Layer::CloseFds, "close_range", e)),
    }
}

/// Describes what stays open.
fn detail(kept: &[u32], how: &str) -> String {
    let list: Vec<String> = [0, 1, 2].iter().chain(kept).map(u32::to_string).collect();
    format!("open: {} (closed with {how})", list.join(", "))
}

/// Closes the gaps between the kept descriptors with `close_range` (Linux 5.9+).
fn close_ranges(kept: &[u32]) -> std::io::Result<()> {
    let mut first = 3u32;
    for &fd in kept {
        if fd > first {
            sys::close_range(first, fd - 1)?;
        }
        first = fd.saturating_add(1);
    }
    sys::close_range(first, u32::MAX)
}

/// Fallback for kernels without `close_range`: lists /proc/self/fd, then closes.
fn close_listed(kept: &[u32]) -> Result<(), ConfineError> {
    let entries = std::fs::read_dir("/proc/self/fd")
        .map_err(|e| ConfineError::os(Layer::CloseFds, "listing /proc/self/fd", e))?;
    // Collect first: the listing holds a descriptor of its own, closed when `entries` drops.
    let open: Vec<u32> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .collect();
    for fd in open
        .into_iter()
        .filter(|fd| *fd > 2 && kept.binary_search(fd).is_err())
    {
        let Ok(raw) = RawFd::try_from(fd) else {
            continue;
        };
        // SAFETY: closing a descriptor this process owns; EBADF (the listing's own descriptor,
        // already closed) is harmless.
        unsafe { libc::close(raw) };
    }
    Ok(())
}
