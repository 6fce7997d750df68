//! Measurements taken from the kernel, never from the shared page: resident memory, CPU time,
//! and the vessel directory's disk use.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use nix::time::{clock_getcpuclockid, clock_gettime, ClockId};
use nix::unistd::Pid;

/// What each directory entry costs on top of its size, as in RepyV2.
pub const DISK_ENTRY_OVERHEAD: u64 = 4096;

/// The vessel directory's disk use as RepyV2 counted it: for every entry directly in `dir`
/// (not recursive), its size plus [`DISK_ENTRY_OVERHEAD`]. A subdirectory counts with its own
/// inode size. Symbolic links are not followed (the link itself is counted). Entries that
/// vanish during the scan are skipped.
pub fn disk_usage(dir: &Path) -> io::Result<u64> {
    let mut total: u64 = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        let size = match entry.path().symlink_metadata() {
            Ok(meta) => meta.len(),
            Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        total = total
            .saturating_add(size)
            .saturating_add(DISK_ENTRY_OVERHEAD);
    }
    Ok(total)
}

/// The size of a memory page in bytes.
pub fn page_size() -> u64 {
    // SAFETY: sysconf takes an integer name and touches no memory of ours.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).ok().filter(|&s| s > 0).unwrap_or(4096)
}

/// The text of a small kernel-generated file (`/proc`, cgroup files), read into a buffer larger
/// than the file in the usual case: `std::fs::read_to_string` first asks for the size (which
/// such files do not report) and then reads in growing pieces, six system calls for one
/// `/proc/PID/stat` where this makes two reads. It reads until a read returns nothing: a
/// file of many lines (`/proc/PID/maps`, `cgroup.procs`) comes a page at a time, so a short
/// read is not its end.
pub fn read_kernel_file(path: impl AsRef<Path>) -> io::Result<String> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut text = vec![0u8; 1024];
    let mut filled = 0;
    loop {
        if filled == text.len() {
            text.resize(text.len() * 2, 0);
        }
        match file.read(&mut text[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        }
    }
    text.truncate(filled);
    String::from_utf8(text).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8"))
}

/// Bytes of repy's own code that every process forked from a pool host maps on huge pages it
/// shares with all of them (src/huge_code.rs); 0 in any other process. Inherited by fork.
static SHARED_CODE: AtomicU64 = AtomicU64::new(0);

/// Records that this process, and every process it forks from now on, maps `bytes` of repy's
/// code on shared huge pages: [`memory_use`] leaves them out.
pub fn set_shared_code(bytes: u64) {
    SHARED_CODE.store(bytes, Ordering::Relaxed);
}

/// A process's memory use from its resident set size (or peak) in bytes: the resident set
/// less the code of [`set_shared_code`], which the process did not ask for and shares with
/// every process of its pool host. A cold run's code pages are file pages it faulted in as it
/// ran them, a few megabytes counted as RepyV2 counted them; a warm run maps the whole of
/// repy's code at once, which would charge it some 12 MB more for the same program.
pub fn memory_use(resident: u64) -> u64 {
    resident.saturating_sub(SHARED_CODE.load(Ordering::Relaxed))
}

/// Memory use in bytes ([`memory_use`]) of the process `pid` (all its threads share one
/// address space), from `/proc/<pid>/statm`.
pub fn process_rss(pid: Pid) -> io::Result<u64> {
    rss_from_statm(&read_kernel_file(format!("/proc/{pid}/statm"))?)
}

/// How many threads the process `pid` has (field 20 of `/proc/<pid>/stat`).
pub fn process_threads(pid: Pid) -> io::Result<u64> {
    stat_field(pid, 20)?
        .parse()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "no thread count in stat"))
}

/// Field `number` (counted from 1, as proc(5) does; 3 or more) of `/proc/<pid>/stat`. The
/// command name (field 2) may hold spaces and parentheses: fields are counted from the last
/// `)`.
fn stat_field(pid: Pid, number: usize) -> io::Result<String> {
    let stat = read_kernel_file(format!("/proc/{}/stat", pid.as_raw()))?;
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_ascii_whitespace().nth(number - 3))
        .map(str::to_owned)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("no field {number} in /proc/<pid>/stat"),
            )
        })
}

/// Memory use in bytes ([`memory_use`]) of the calling process.
pub fn self_rss() -> io::Result<u64> {
    rss_from_statm(&read_kernel_file("/proc/self/statm")?)
}

fn rss_from_statm(text: &str) -> io::Result<u64> {
    let pages = text
        .split_ascii_whitespace()
        .nth(1)
        .and_then(|field| field.parse::<u64>().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "malformed statm"))?;
    Ok(memory_use(pages.saturating_mul(page_size())))
}

/// Total CPU time (user + system, every thread, live or ended) of the process `pid`, with
/// nanosecond precision, from its process CPU clock. `None` once the process is gone.
pub fn process_cpu(pid: Pid) -> Option<Duration> {
    let clock = clock_getcpuclockid(pid).ok()?;
    clock_gettime(clock).ok().map(Duration::from)
}

/// The parent of `pid` (field 4 of `/proc/<pid>/stat`).
pub fn parent_pid(pid: Pid) -> io::Result<Pid> {
    stat_field(pid, 4)?
        .parse()
        .map(Pid::from_raw)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "no parent in stat"))
}

/// The children of `pid` (of every thread of it), from `/proc/<pid>/task/*/children`.
pub fn children(pid: Pid) -> Vec<Pid> {
    let mut found = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", pid.as_raw())) else {
        return found;
    };
    for task in tasks.flatten() {
        let Ok(list) = read_kernel_file(task.path().join("children")) else {
            continue;
        };
        found.extend(
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .map(Pid::from_raw),
        );
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Total CPU time of the calling process (every thread, live or ended).
pub fn self_cpu() -> Duration {
    clock_gettime(ClockId::CLOCK_PROCESS_CPUTIME_ID).map_or(Duration::ZERO, Duration::from)
}

/// CPU time of the calling thread.
pub fn thread_cpu() -> Duration {
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).map_or(Duration::ZERO, Duration::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_lists_a_forked_child() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
        assert!(children(nix::unistd::getpid()).contains(&pid));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn kernel_files_are_read_whole_small_or_large() {
        // A /proc file of a few hundred bytes, read at once, as std reads it.
        let stat = read_kernel_file("/proc/self/stat").unwrap();
        assert!(
            stat.starts_with(&format!("{} (", std::process::id())),
            "{stat}"
        );
        assert!(stat.ends_with('\n'));
        // One of many lines, which the kernel hands out a page at a time: read to its end,
        // whatever its size (a red-team review found a reader that stopped at a short read).
        // 300 separate mappings (alternate protections keep them apart): some 20 KB of maps.
        let page = 4096;
        // SAFETY: a fresh anonymous mapping, unmapped below; nothing else refers to it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                300 * page,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(base, libc::MAP_FAILED);
        for i in (0..300).step_by(2) {
            // SAFETY: within the mapping just made.
            unsafe {
                libc::mprotect(
                    base.cast::<u8>().add(i * page).cast(),
                    page,
                    libc::PROT_NONE,
                )
            };
        }
        let maps = read_kernel_file("/proc/self/maps").unwrap();
        let last = base as usize + 299 * page;
        assert!(maps.len() > 3 * page, "{}", maps.len());
        assert!(
            maps.contains(&format!("{last:x}-")),
            "the mapping near the end is listed"
        );
        // SAFETY: unmapping the mapping made above.
        unsafe { libc::munmap(base, 300 * page) };
        assert!(maps.ends_with('\n'), "{maps}");
        assert!(maps.contains("[stack]"), "the last lines too: {maps}");
        // A regular file of exactly the buffer's size, and one past it.
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 1023, 1024, 1025, 5000] {
            let path = dir.path().join(format!("f{size}"));
            std::fs::write(&path, "x".repeat(size)).unwrap();
            assert_eq!(read_kernel_file(&path).unwrap().len(), size);
        }
        assert!(read_kernel_file(dir.path().join("missing")).is_err());
    }

    #[test]
    fn thread_count_is_the_one_proc_status_gives() {
        let me = nix::unistd::getpid();
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let threads: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("Threads:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap();
        // The harness's threads come and go: equal within what may start meanwhile.
        assert!(process_threads(me).unwrap().abs_diff(threads) <= 2);
        // Field 3, the state, the first after the command name.
        assert!(matches!(stat_field(me, 3).unwrap().as_str(), "R" | "S"));
    }

    #[test]
    fn parent_pid_reads_the_parent_from_proc() {
        let me = nix::unistd::getpid();
        assert_eq!(parent_pid(me).unwrap(), nix::unistd::getppid());
    }

    #[test]
    fn disk_usage_counts_sizes_plus_4096_per_entry() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(disk_usage(dir.path()).unwrap(), 0);
        std::fs::write(dir.path().join("a"), vec![0u8; 1000]).unwrap();
        std::fs::write(dir.path().join("b"), b"").unwrap();
        assert_eq!(disk_usage(dir.path()).unwrap(), 1000 + 2 * 4096);
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub").join("deep"), vec![0u8; 50_000]).unwrap();
        let sub = std::fs::metadata(dir.path().join("sub")).unwrap().len();
        assert_eq!(disk_usage(dir.path()).unwrap(), 1000 + 3 * 4096 + sub);
    }

    #[test]
    fn rss_and_cpu_of_this_process_are_plausible() {
        let rss = self_rss().unwrap();
        assert!(rss > 100_000, "{rss}");
        let via_pid = process_rss(nix::unistd::getpid()).unwrap();
        assert!(via_pid.abs_diff(rss) < 10_000_000, "{via_pid} vs {rss}");
        let own = process_cpu(nix::unistd::getpid()).unwrap();
        assert!(own > Duration::ZERO);
        assert!(self_cpu() >= thread_cpu());
        assert!(rss_from_statm("garbage").is_err());
    }
}
