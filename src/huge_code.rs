//! The pool host's code on huge pages: moves the binary's read-only segments (its constants,
//! then its code, CPython's included) onto 2 MB transparent huge pages before any pool is
//! forked.
//!
//! Why: every warm request runs in a fresh fork of its zygote. A fork copies no page-table
//! entry of a file mapping, so each request's process faulted the code and constants it ran
//! back in from the page cache, some 65 faults of 16 pages each, and unmapped them all again
//! at its exit: about a tenth of a warm request's CPU. Anonymous huge pages are copied at
//! fork as one entry per 2 MB (a dozen for the whole binary) and never faulted.
//!
//! How: build.rs links the binary with each segment starting on a 2 MB boundary. For each
//! read-only `PT_LOAD` segment the host maps a 2 MB-aligned anonymous window (the segment
//! rounded up to 2 MB; the rest of the last 2 MB is the hole the link left) advised
//! `MADV_HUGEPAGE`, copies the segment's bytes into it, checks that the kernel backed every
//! byte of it with huge pages, gives it the segment's protection (never writable and
//! executable at once) and moves it over the segment with `mremap`. The bytes are the same
//! before and after, so the code that makes the move runs on across it.
//!
//! Where a step does not hold (huge pages disabled or unavailable, memory too fragmented, a
//! binary linked without the alignment, a mapping in the way) the segment stays mapped from
//! the file: slower, never wrong. A process's memory use, which the nanny measures as its
//! resident set, does not count the moved bytes ([`nanny::measure::set_shared_code`]): a
//! program is not charged for repy's code, which it did not ask for and shares with every
//! process of the host. What is left out is the moved size, not what a process still maps: a
//! program that got past walls 1 and 2 and unmapped the code would be undercharged by at most
//! that (about 12 MB); the memory cgroup's cap, which counts only a run's own pages, holds
//! regardless.
//!
//! One failure is not survivable: `mremap` unmaps its target before it moves the window, and
//! should the move then fail (out of memory) the segment is gone and the host dies of it. The
//! service starts a new host for the next request (docs/service.md), and runs nothing wrong.

use std::fmt;

/// The huge page size this module moves segments onto (x86-64 and arm64 with 4 KB pages).
const HUGE_PAGE: usize = 2 << 20;

/// Why a segment stayed on the file's pages.
#[derive(Debug, thiserror::Error)]
pub enum HugeCodeError {
    /// The program headers or the memory map could not be read.
    #[error("cannot read the process's layout: {0}")]
    Layout(String),
    /// The segment does not start on a 2 MB boundary (the binary was linked otherwise).
    #[error("segment at {0:#x} is not 2 MB-aligned")]
    Unaligned(usize),
    /// Something else is mapped in the 2 MB window the segment would take.
    #[error("segment at {0:#x}: another mapping lies in its 2 MB window")]
    WindowTaken(usize),
    /// A system call failed.
    #[error("segment at {start:#x}: {call} failed: {err}")]
    Call {
        /// The segment's start.
        start: usize,
        /// The failing call.
        call: &'static str,
        /// What it returned.
        err: nix::errno::Errno,
    },
    /// The kernel backed the window with small pages (huge pages disabled or unavailable).
    #[error("segment at {start:#x}: only {huge_kib} of {window_kib} KiB on huge pages")]
    NotHuge {
        /// The segment's start.
        start: usize,
        /// How much of the window the kernel put on huge pages.
        huge_kib: u64,
        /// The window's size.
        window_kib: u64,
    },
}

/// One read-only segment of the executable, as loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    start: usize,
    /// One past its last byte in memory.
    end: usize,
    prot: libc::c_int,
}

impl Segment {
    /// The 2 MB window it would take: its start to its end rounded up to 2 MB.
    fn window_end(&self) -> usize {
        self.end.next_multiple_of(HUGE_PAGE)
    }
}

/// What [`move_read_only_segments`] did.
#[derive(Debug, Default)]
pub struct Moved {
    /// Bytes now on huge pages (whole windows).
    pub bytes: usize,
    /// The segments that stayed on the file's pages, and why.
    pub stayed: Vec<HugeCodeError>,
}

impl fmt::Display for Moved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} MiB of code on huge pages", self.bytes >> 20)?;
        for why in &self.stayed {
            write!(f, "; {why}")?;
        }
        Ok(())
    }
}

/// Moves each read-only segment of the executable onto huge pages (see the module's
/// documentation) and tells the nanny how many bytes every process forked from here now
/// shares that way. Call it while the process has one thread.
pub fn move_read_only_segments() -> Moved {
    let mut moved = Moved::default();
    let segments = match read_only_segments() {
        Ok(segments) => segments,
        Err(err) => {
            moved.stayed.push(err);
            return moved;
        }
    };
    let maps = match std::fs::read_to_string("/proc/self/maps") {
        Ok(maps) => maps,
        Err(err) => {
            moved.stayed.push(HugeCodeError::Layout(err.to_string()));
            return moved;
        }
    };
    let mappings = mapped_ranges(&maps);
    for segment in segments {
        match move_segment(segment, &mappings) {
            Ok(bytes) => moved.bytes += bytes,
            Err(err) => moved.stayed.push(err),
        }
    }
    nanny::measure::set_shared_code(u64::try_from(moved.bytes).unwrap_or(0));
    moved
}

/// The executable's read-only `PT_LOAD` segments, from its program headers in memory.
fn read_only_segments() -> Result<Vec<Segment>, HugeCodeError> {
    // SAFETY: getauxval reads the auxiliary vector the kernel gave the process.
    let (phdr, count) = unsafe {
        (
            libc::getauxval(libc::AT_PHDR) as usize,
            libc::getauxval(libc::AT_PHNUM) as usize,
        )
    };
    if phdr == 0 || count == 0 {
        return Err(HugeCodeError::Layout("no program headers".into()));
    }
    // SAFETY: AT_PHDR points at the executable's `AT_PHNUM` program headers, mapped for the
    // whole life of the process and never written after the dynamic linker ran.
    let headers = unsafe { std::slice::from_raw_parts(phdr as *const libc::Elf64_Phdr, count) };
    // The load bias: where PT_PHDR's own address says the headers should be, against where
    // they are (0 for the position-dependent binary build.rs links).
    let bias = headers
        .iter()
        .find(|h| h.p_type == libc::PT_PHDR)
        .map_or(0, |h| phdr.wrapping_sub(h.p_vaddr as usize));
    Ok(headers
        .iter()
        .filter(|h| h.p_type == libc::PT_LOAD && h.p_flags & libc::PF_W == 0 && h.p_memsz > 0)
        .map(|h| Segment {
            start: bias.wrapping_add(h.p_vaddr as usize),
            end: bias.wrapping_add((h.p_vaddr + h.p_memsz) as usize),
            prot: libc::PROT_READ
                | if h.p_flags & libc::PF_X != 0 {
                    libc::PROT_EXEC
                } else {
                    0
                },
        })
        .collect())
}

/// Every mapped range of `/proc/self/maps`' text, as (start, end).
fn mapped_ranges(maps: &str) -> Vec<(usize, usize)> {
    maps.lines()
        .filter_map(|line| {
            let (start, end) = line.split_whitespace().next()?.split_once('-')?;
            Some((
                usize::from_str_radix(start, 16).ok()?,
                usize::from_str_radix(end, 16).ok()?,
            ))
        })
        .collect()
}

/// Whether `segment`'s window holds the segment's own mappings and nothing else: the ranges
/// that meet the window cover the segment's pages exactly, without a gap (a segment not
/// where the program headers say would be copied from unmapped memory), and nothing lies in
/// the rest of the window.
fn window_is_free(segment: Segment, mappings: &[(usize, usize)]) -> bool {
    let page = usize::try_from(nanny::measure::page_size()).unwrap_or(4096);
    let pages_end = segment.end.next_multiple_of(page);
    let mut meeting: Vec<(usize, usize)> = mappings
        .iter()
        .copied()
        .filter(|&(start, end)| start < segment.window_end() && end > segment.start)
        .collect();
    meeting.sort_unstable();
    let mut covered = segment.start;
    for (start, end) in meeting {
        if start != covered || end > pages_end {
            return false;
        }
        covered = end;
    }
    covered == pages_end
}

/// Moves one segment; returns the bytes now on huge pages.
fn move_segment(segment: Segment, mappings: &[(usize, usize)]) -> Result<usize, HugeCodeError> {
    if !segment.start.is_multiple_of(HUGE_PAGE) {
        return Err(HugeCodeError::Unaligned(segment.start));
    }
    if !window_is_free(segment, mappings) {
        return Err(HugeCodeError::WindowTaken(segment.start));
    }
    let window = segment.window_end() - segment.start;
    let call = |call: &'static str| HugeCodeError::Call {
        start: segment.start,
        call,
        err: nix::errno::Errno::last(),
    };
    let copy = AlignedWindow::map(window).map_err(|()| call("mmap"))?;
    // SAFETY: `copy` is a fresh private mapping of `window` bytes this function owns; the
    // segment's `end - start` bytes are mapped readable (the program headers say so) and do
    // not overlap it.
    unsafe {
        if libc::madvise(copy.at.cast(), window, libc::MADV_HUGEPAGE) != 0 {
            return Err(call("madvise"));
        }
        std::ptr::copy_nonoverlapping(
            segment.start as *const u8,
            copy.at,
            segment.end - segment.start,
        );
    }
    let huge_kib = anon_huge_kib(copy.at as usize).unwrap_or(0);
    let window_kib = (window / 1024) as u64;
    if huge_kib < window_kib {
        return Err(HugeCodeError::NotHuge {
            start: segment.start,
            huge_kib,
            window_kib,
        });
    }
    // SAFETY: the window is ours (above); it becomes read-only (and executable if the
    // segment is) before it is moved, and it is moved over the segment's own window, which
    // holds only the segment (checked above) and whose bytes it repeats.
    unsafe {
        if libc::mprotect(copy.at.cast(), window, segment.prot) != 0 {
            return Err(call("mprotect"));
        }
        let to = libc::mremap(
            copy.at.cast(),
            window,
            window,
            libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
            segment.start as *mut libc::c_void,
        );
        if to == libc::MAP_FAILED {
            return Err(call("mremap"));
        }
    }
    std::mem::forget(copy);
    Ok(window)
}

/// A private anonymous read-write mapping of `len` bytes starting on a 2 MB boundary,
/// unmapped when dropped.
struct AlignedWindow {
    at: *mut u8,
    len: usize,
}

impl AlignedWindow {
    fn map(len: usize) -> Result<Self, ()> {
        let span = len + HUGE_PAGE;
        // SAFETY: a fresh anonymous mapping at an address the kernel chooses.
        let raw = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                span,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            return Err(());
        }
        let raw = raw as usize;
        let at = raw.next_multiple_of(HUGE_PAGE);
        // SAFETY: the head and tail trimmed lie within the mapping just made.
        unsafe {
            if at > raw {
                libc::munmap(raw as *mut libc::c_void, at - raw);
            }
            let tail = raw + span - (at + len);
            if tail > 0 {
                libc::munmap((at + len) as *mut libc::c_void, tail);
            }
        }
        Ok(Self {
            at: at as *mut u8,
            len,
        })
    }
}

impl Drop for AlignedWindow {
    fn drop(&mut self) {
        // SAFETY: the mapping is this value's own.
        unsafe {
            libc::munmap(self.at.cast(), self.len);
        }
    }
}

/// The `AnonHugePages` of the mapping starting at `start`, from `/proc/self/smaps`.
fn anon_huge_kib(start: usize) -> Option<u64> {
    huge_kib_in(&std::fs::read_to_string("/proc/self/smaps").ok()?, start)
}

/// The `AnonHugePages` of the mapping starting at `start` in `smaps`' text.
fn huge_kib_in(smaps: &str, start: usize) -> Option<u64> {
    let header = format!("{start:08x}-");
    let entry = smaps
        .split_inclusive('\n')
        .skip_while(|line| !line.starts_with(&header))
        .skip(1)
        // Its fields, up to the next mapping's header: a field's name ends with ':'.
        .take_while(|line| {
            line.split_whitespace()
                .next()
                .is_some_and(|name| name.ends_with(':'))
        });
    entry
        .filter_map(|line| line.strip_prefix("AnonHugePages:"))
        .find_map(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_free_when_only_the_segment_lies_in_it() {
        let segment = Segment {
            start: 0x80_0000,
            end: 0xd5_68b0,
            prot: libc::PROT_READ,
        };
        assert_eq!(segment.window_end(), 0xe0_0000);
        let alone = [
            (0x20_0000, 0x68_6000),
            (0x80_0000, 0xd5_7000),
            (0xe0_0000, 0xe4_a000),
        ];
        assert!(window_is_free(segment, &alone));
        let split = [(0x80_0000, 0x90_0000), (0x90_0000, 0xd5_7000)];
        assert!(window_is_free(segment, &split));
        let crowded = [(0x80_0000, 0xd5_7000), (0xd8_0000, 0xd9_0000)];
        assert!(!window_is_free(segment, &crowded));
        // Not mapped where the headers say (a load bias got wrong): nothing is copied.
        assert!(!window_is_free(segment, &[]));
        let gap = [(0x80_0000, 0x90_0000), (0x91_0000, 0xd5_7000)];
        assert!(!window_is_free(segment, &gap));
    }

    #[test]
    fn anon_huge_pages_are_read_from_the_mapping_s_own_entry() {
        let smaps = "00400000-00600000 rw-p 00000000 00:00 0\n\
                     Size:               2048 kB\n\
                     AnonHugePages:      2048 kB\n\
                     VmFlags: rd wr mr mw me ac hg\n\
                     00600000-00800000 rw-p 00000000 00:00 0\n\
                     AnonHugePages:         0 kB\n";
        assert_eq!(huge_kib_in(smaps, 0x40_0000), Some(2048));
        assert_eq!(huge_kib_in(smaps, 0x60_0000), Some(0));
        assert_eq!(huge_kib_in(smaps, 0x80_0000), None);
    }

    #[test]
    fn the_maps_ranges_are_read() {
        let maps = "00200000-00686000 r--p 00000000 fe:01 1 /bin/repy\n\
                    7ffc0000-7ffd0000 rw-p 00000000 00:00 0 [stack]\n";
        assert_eq!(
            mapped_ranges(maps),
            vec![(0x20_0000, 0x68_6000), (0x7ffc_0000, 0x7ffd_0000)]
        );
    }
}
