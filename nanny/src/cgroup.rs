//! Kernel backstops through cgroups, best effort: a CPU quota (the CPU share) and a memory cap
//! (so that an allocation burst between two polls cannot take the host down).
//!
//! One type serves cgroup v1 (one hierarchy per controller, as on hybrid systems) and v2 (the
//! unified hierarchy). The sandbox gets a new group `repy-<pid>-<n>` *under the supervisor's
//! own group* for each controller, so whatever limits the host put on the supervisor still
//! apply. Creating a group needs write access to the parent group: root usually has it, a
//! user usually has not, and then the caller falls back (stop/resume for the CPU, an address
//! space rlimit for memory). On v2 the controller must also be enabled in the parent's
//! `cgroup.subtree_control`, which the kernel refuses for a non-root group that has processes
//! in it (the supervisor's own group, typically): that is a fall-back case too.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStringExt;
#[cfg(test)]
use std::path::Path;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// Groups created by this process so far (several supervisors may run in one process).
static CREATED: AtomicU64 = AtomicU64::new(0);

/// Which cgroup interface a group belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// One hierarchy per controller.
    V1,
    /// The unified hierarchy.
    V2,
}

/// A cgroup directory created for one sandbox, removed on drop (after killing anything
/// left in it).
#[derive(Debug)]
pub(crate) struct Group {
    dir: PathBuf,
    version: Version,
}

/// One line of `/proc/self/mountinfo` that mounts a cgroup file system.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CgroupMount {
    /// Where it is mounted.
    point: PathBuf,
    /// The group of the hierarchy that appears at `point`.
    root: String,
    version: Version,
    /// The v1 controllers of the hierarchy (super options).
    controllers: Vec<String>,
}

fn parse_mountinfo(text: &str) -> Vec<CgroupMount> {
    let mut mounts = Vec::new();
    for line in text.lines() {
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let left: Vec<&str> = left.split(' ').collect();
        let right: Vec<&str> = right.split(' ').collect();
        let (Some(root), Some(point), Some(fstype)) = (left.get(3), left.get(4), right.first())
        else {
            continue;
        };
        let version = match *fstype {
            "cgroup" => Version::V1,
            "cgroup2" => Version::V2,
            _ => continue,
        };
        let controllers = right
            .get(2)
            .map(|opts| opts.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        mounts.push(CgroupMount {
            point: PathBuf::from(unescape(point)),
            root: unescape(root),
            version,
            controllers,
        });
    }
    mounts
}

/// Undoes mountinfo's octal escapes (`\040` for a space).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 3 < bytes.len() {
            if let Some(code) = std::str::from_utf8(&bytes[i + 1..i + 4])
                .ok()
                .and_then(|oct| u8::from_str_radix(oct, 8).ok())
            {
                out.push(code);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The directory of this process's group for `controller`, and the hierarchy's version.
fn own_group_dir(controller: &str, mountinfo: &str, cgroup: &str) -> Option<(PathBuf, Version)> {
    let mounts = parse_mountinfo(mountinfo);
    let mut unified = None;
    for line in cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_id), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if controllers.is_empty() {
            unified = Some(path.to_owned());
            continue;
        }
        if !controllers.split(',').any(|c| c == controller) {
            continue;
        }
        let mount = mounts
            .iter()
            .find(|m| m.version == Version::V1 && m.controllers.iter().any(|c| c == controller))?;
        return Some((join_group(mount, path)?, Version::V1));
    }
    // Not on a v1 hierarchy: the unified one, if the controller is available there.
    let path = unified?;
    let mount = mounts.iter().find(|m| m.version == Version::V2)?;
    let dir = join_group(mount, &path)?;
    let available = fs::read_to_string(dir.join("cgroup.controllers")).ok()?;
    available
        .split_ascii_whitespace()
        .any(|c| c == controller)
        .then_some((dir, Version::V2))
}

fn join_group(mount: &CgroupMount, path: &str) -> Option<PathBuf> {
    let relative = if mount.root == "/" {
        path
    } else {
        path.strip_prefix(mount.root.as_str())?
    };
    let relative = relative.trim_start_matches('/');
    if relative.split('/').any(|part| part == "..") {
        return None;
    }
    Some(mount.point.join(relative))
}

impl Group {
    /// Creates a new group for `controller` under this process's own group, or explains why
    /// it cannot.
    pub(crate) fn create(controller: &str) -> io::Result<Group> {
        let mountinfo = fs::read_to_string("/proc/self/mountinfo")?;
        let cgroup = fs::read_to_string("/proc/self/cgroup")?;
        let (parent, version) =
            own_group_dir(controller, &mountinfo, &cgroup).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no cgroup hierarchy offers the {controller} controller"),
                )
            })?;
        if version == Version::V2 {
            let enabled = fs::read_to_string(parent.join("cgroup.subtree_control"))?;
            if !enabled.split_ascii_whitespace().any(|c| c == controller) {
                fs::write(
                    parent.join("cgroup.subtree_control"),
                    format!("+{controller}"),
                )?;
            }
        }
        let n = CREATED.fetch_add(1, Ordering::Relaxed);
        let dir = parent.join(format!("repy-{}-{n}", std::process::id()));
        fs::create_dir(&dir)?;
        Ok(Group { dir, version })
    }

    /// The group's directory.
    #[cfg(test)]
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn write(&self, file: &str, value: &str) -> io::Result<()> {
        fs::write(self.dir.join(file), value)
    }

    fn read(&self, file: &str) -> io::Result<String> {
        fs::read_to_string(self.dir.join(file))
    }

    /// The file a single-threaded process writes `0` to in order to move itself into the
    /// group (see [`join_self`]).
    pub(crate) fn self_join_file(&self) -> io::Result<CString> {
        let file = match self.version {
            Version::V1 => "tasks",
            Version::V2 => "cgroup.procs",
        };
        CString::new(self.dir.join(file).into_os_string().into_vec())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in a cgroup path"))
    }

    /// Whether the process `pid` is in the group now. The child reports which groups it
    /// joined; this confirms it, which matters on cgroup v2, where a process is in one group
    /// only, so joining a second one leaves the first.
    pub(crate) fn contains(&self, pid: Pid) -> bool {
        let pid = pid.to_string();
        self.read("cgroup.procs")
            .is_ok_and(|procs| procs.lines().any(|line| line.trim() == pid))
    }

    /// Limits the number of tasks (processes and threads) in the group to `max`.
    pub(crate) fn set_pids_max(&self, max: u64) -> io::Result<()> {
        self.write("pids.max", &max.to_string())
    }

    /// Limits the group to `share` of one core, enforced every `period`.
    pub(crate) fn set_cpu_share(&self, share: f64, period: Duration) -> io::Result<()> {
        let period_us = period.as_micros().clamp(1_000, 1_000_000);
        let quota_us = ((period_us as f64) * share).round().max(1_000.0);
        match self.version {
            Version::V1 => {
                self.write("cpu.cfs_period_us", &period_us.to_string())?;
                self.write("cpu.cfs_quota_us", &format!("{quota_us:.0}"))
            }
            Version::V2 => self.write("cpu.max", &format!("{quota_us:.0} {period_us}")),
        }
    }

    /// Total time the group was throttled by its CPU quota.
    pub(crate) fn throttled(&self) -> Option<Duration> {
        let stat = self.read("cpu.stat").ok()?;
        let (key, unit_ns) = match self.version {
            Version::V1 => ("throttled_time", 1),
            Version::V2 => ("throttled_usec", 1_000),
        };
        let value = stat_value(&stat, key)?;
        Some(Duration::from_nanos(value.saturating_mul(unit_ns)))
    }

    /// Caps the group's memory (and swap) at `bytes`.
    pub(crate) fn set_memory_cap(&self, bytes: u64) -> io::Result<()> {
        match self.version {
            Version::V1 => {
                self.write("memory.limit_in_bytes", &bytes.to_string())?;
                // Only present with swap accounting; memory + swap may not exceed the cap.
                let _ = self.write("memory.memsw.limit_in_bytes", &bytes.to_string());
                // cgroup v1 does not count socket buffers in memory.limit_in_bytes: a program
                // with network could queue hundreds of MB in the kernel. Cap them too where
                // the kernel still has the file (v2's memory.max counts them already).
                let _ = self.write("memory.kmem.tcp.limit_in_bytes", &bytes.to_string());
                Ok(())
            }
            Version::V2 => {
                self.write("memory.max", &bytes.to_string())?;
                let _ = self.write("memory.swap.max", "0");
                Ok(())
            }
        }
    }

    /// How many processes of the group the kernel's OOM killer has killed.
    pub(crate) fn oom_kills(&self) -> u64 {
        let file = match self.version {
            Version::V1 => "memory.oom_control",
            Version::V2 => "memory.events",
        };
        self.read(file)
            .ok()
            .and_then(|text| stat_value(&text, "oom_kill"))
            .unwrap_or(0)
    }

    /// The most memory the group has been charged for, in bytes.
    pub(crate) fn memory_peak(&self) -> Option<u64> {
        let file = match self.version {
            Version::V1 => "memory.max_usage_in_bytes",
            Version::V2 => "memory.peak",
        };
        self.read(file).ok()?.trim().parse().ok()
    }
}

/// Moves the calling thread into the group whose [`Group::self_join_file`] is `file`.
///
/// Called by the sandbox child right after the fork, while it has one thread. On a v1
/// hierarchy, a thread that writes `0` to `tasks` moves itself alone, and the kernel skips
/// the global thread-group lock it takes for any other migration, whose first use waits a
/// whole RCU grace period (6–15 ms measured here, most of a hello-world run). Writing the
/// child's pid to `cgroup.procs` from the supervisor, as before, paid that wait on every run.
/// Only async-signal-safe calls: it runs between fork and exec-less start-up.
pub(crate) fn join_self(file: &CString) -> bool {
    // SAFETY: open/write/close on a NUL-terminated path and a two-byte buffer we own.
    unsafe {
        let fd = libc::open(file.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return false;
        }
        let written = libc::write(fd, b"0".as_ptr().cast(), 1);
        libc::close(fd);
        written == 1
    }
}

/// The value of `key` in a `key value` per line file (`cpu.stat`, `memory.events`, ...).
fn stat_value(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok()).flatten()
    })
}

impl Drop for Group {
    fn drop(&mut self) {
        // Anything still in the group (a descendant of the sandbox) is killed, then the empty
        // group is removed; the kernel may take a moment to let go of the last task.
        for _ in 0..200 {
            if let Ok(procs) = self.read("cgroup.procs") {
                for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                }
            }
            match fs::remove_dir(&self.dir) {
                Err(err) if err.raw_os_error() == Some(libc::EBUSY) => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                // Removed, already gone, or not ours to remove: nothing more to do.
                _ => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
25 30 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
26 25 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
27 25 0:24 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
28 25 0:25 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
29 25 0:26 /outer /sys/fs/cgroup/pids\\040x rw - cgroup cgroup rw,pids
";

    #[test]
    fn cgroup_paths_come_from_mountinfo_and_proc_cgroup() {
        let cgroup = "4:memory:/process_api/abc\n1:cpu:/\n8:pids:/outer/inner\n0::/\n";
        assert_eq!(
            own_group_dir("memory", MOUNTINFO, cgroup),
            Some((
                PathBuf::from("/sys/fs/cgroup/memory/process_api/abc"),
                Version::V1
            ))
        );
        assert_eq!(
            own_group_dir("cpu", MOUNTINFO, cgroup),
            Some((PathBuf::from("/sys/fs/cgroup/cpu"), Version::V1))
        );
        assert_eq!(
            own_group_dir("pids", MOUNTINFO, cgroup),
            Some((PathBuf::from("/sys/fs/cgroup/pids x/inner"), Version::V1))
        );
        let escaping = "8:pids:/outer/../../etc\n";
        assert_eq!(own_group_dir("pids", MOUNTINFO, escaping), None);
    }

    #[test]
    fn cgroup_stat_values_are_read_by_key() {
        let stat = "nr_periods 10\nnr_throttled 4\nthrottled_time 123456\n";
        assert_eq!(stat_value(stat, "throttled_time"), Some(123_456));
        assert_eq!(stat_value(stat, "throttled"), None);
        assert_eq!(
            stat_value("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", "oom_kill"),
            Some(2)
        );
    }

    #[test]
    fn cgroup_group_is_created_configured_and_removed() {
        let group = match Group::create("cpu") {
            Ok(group) => group,
            Err(err) => {
                if std::env::var_os("REPY_TEST_REQUIRE_ALL").is_some() {
                    panic!("required: cannot create a cpu cgroup: {err}");
                }
                eprintln!("skipped: cannot create a cpu cgroup: {err}");
                return;
            }
        };
        let dir = group.dir().to_path_buf();
        assert!(dir.is_dir());
        group
            .set_cpu_share(0.25, Duration::from_millis(20))
            .unwrap();
        let quota = match group.version {
            Version::V1 => group.read("cpu.cfs_quota_us").unwrap(),
            Version::V2 => group.read("cpu.max").unwrap(),
        };
        assert!(quota.starts_with("5000"), "{quota}");
        assert_eq!(group.throttled(), Some(Duration::ZERO));
        drop(group);
        assert!(!dir.exists());
    }
}
