//! Kernel backstops through cgroups, best effort: a CPU quota (the CPU share), a memory cap
//! (so that an allocation burst between two polls cannot take the host down) and a task cap.
//!
//! The sandbox's groups are made *under the supervisor's own group*, so whatever limits the
//! host put on the supervisor still apply ([`Placement::create`]):
//!
//! * **cgroup v1** (one hierarchy per controller, as on hybrid systems): one new group per
//!   hierarchy, shared by the controllers mounted together.
//! * **cgroup v2** (the unified hierarchy): ONE new group with every controller, since a
//!   process is in one v2 group only. The controllers must first be enabled in the parent's
//!   `cgroup.subtree_control`, which the kernel refuses for a non-root group that has
//!   processes in it (the supervisor's own group): the supervisor then moves itself into a
//!   leaf group of its own (`repy-<owner>-supervisor`) and tries again, which succeeds when
//!   it was alone in its group (a `systemd-run --user --scope -p Delegate=yes` scope, say).
//!
//! Creating a group needs write access to the parent group: root usually has it, a user has
//! it in the subtree systemd delegates to them (`user@UID.service`) and nowhere else. Where a
//! group cannot be made the caller falls back (stop/resume for the CPU, an address space
//! rlimit for memory, no task cap) and [`Placement::refused`] says why.
//!
//! Every name carries its owner, `repy-<pid>-<start>-<pidns>-…` (the supervisor's pid, its
//! start time in clock ticks since boot, its pid namespace): a supervisor killed by SIGKILL
//! cannot remove its groups, so every supervisor first sweeps the empty groups of dead
//! owners from the parents it uses ([`sweep`]). The start time tells a reused pid from the
//! owner; rmdir(2) removes only empty groups, and nothing is ever killed by the sweep.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::owner::{parse_stat, Owner};
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

/// The file operations a placement makes: the real file system, or a simulated kernel in
/// the tests (which checks the v2 rules against a directory tree in a tempdir).
pub(crate) trait CgroupFs {
    /// Reads a control file.
    fn read(&self, path: &Path) -> io::Result<String>;
    /// Writes a control file.
    fn write(&self, path: &Path, value: &str) -> io::Result<()>;
    /// Creates a group.
    fn mkdir(&self, path: &Path) -> io::Result<()>;
    /// Removes an empty group.
    fn rmdir(&self, path: &Path) -> io::Result<()>;
    /// The names in a group directory.
    fn list(&self, path: &Path) -> io::Result<Vec<String>>;
}

/// The real cgroup file systems.
struct SysFs;

impl CgroupFs for SysFs {
    fn read(&self, path: &Path) -> io::Result<String> {
        crate::measure::read_kernel_file(path)
    }
    fn write(&self, path: &Path, value: &str) -> io::Result<()> {
        fs::write(path, value)
    }
    fn mkdir(&self, path: &Path) -> io::Result<()> {
        fs::create_dir(path)
    }
    fn rmdir(&self, path: &Path) -> io::Result<()> {
        fs::remove_dir(path)
    }
    fn list(&self, path: &Path) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(path)? {
            if let Ok(name) = entry?.file_name().into_string() {
                names.push(name);
            }
        }
        Ok(names)
    }
}

/// Why a controller has no group (the caller then falls back).
#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    /// `/proc/self/mountinfo` or `/proc/self/cgroup` cannot be read.
    #[error("cannot read this process's cgroups: {0}")]
    Tables(#[source] io::Error),
    /// No mounted hierarchy offers the controller to this process's group.
    #[error("no cgroup hierarchy offers the {controller} controller here")]
    NoController {
        /// The controller.
        controller: String,
    },
    /// cgroup v2: the controllers cannot be enabled for the parent's children.
    #[error(
        "cgroup v2: cannot enable {controllers} in '{}/cgroup.subtree_control' ({source}); \
         the group has other processes or is not delegated to this user: run repy alone in a \
         delegated group (systemd-run --user --scope -p Delegate=yes repy ...)",
        dir.display()
    )]
    Enable {
        /// The parent group.
        dir: PathBuf,
        /// The controllers, space-separated.
        controllers: String,
        /// The kernel's refusal.
        #[source]
        source: io::Error,
    },
    /// The group cannot be created (no write access to the parent: not root, not delegated).
    #[error("cannot create the cgroup '{}': {source}", dir.display())]
    Create {
        /// The group that could not be created.
        dir: PathBuf,
        /// The system error.
        #[source]
        source: io::Error,
    },
}

/// Who made a group, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameOwner {
    /// `repy-<pid>-<start>-<pidns>-<n>` or `…-supervisor`.
    Owner(Owner),
    /// `repy-<pid>-<n>`, as named before the owner's start time was recorded.
    Legacy(u32),
}

fn parse_name(name: &str) -> Option<NameOwner> {
    let rest = name.strip_prefix("repy-")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((owner, last)) = Owner::parse_tag(rest) {
        return (digits(last) || last == "supervisor").then_some(NameOwner::Owner(owner));
    }
    let (pid, n) = rest.split_once('-')?;
    (digits(pid) && digits(n))
        .then(|| pid.parse().ok().map(NameOwner::Legacy))
        .flatten()
}

/// Removes from `parent` the empty groups of supervisors that are gone (killed by SIGKILL,
/// say, before they could remove them); returns the names removed.
///
/// A group is judged only when its owner was in `me`'s pid namespace (a pid of another one
/// means nothing here), and its owner is gone when no live process has its pid *and* start
/// time (a reused pid has another start time). A group named before start times were
/// recorded (`repy-<pid>-<n>`) is judged by its pid alone, and kept while that pid lives.
/// Only rmdir(2) is used: a group with a task or a child group in it stays, and nothing is
/// killed.
pub(crate) fn sweep(
    cgfs: &dyn CgroupFs,
    parent: &Path,
    me: &Owner,
    alive: &dyn Fn(&NameOwner) -> bool,
) -> Vec<String> {
    let mut removed = Vec::new();
    let Ok(names) = cgfs.list(parent) else {
        return removed;
    };
    for name in names {
        let Some(owner) = parse_name(&name) else {
            continue;
        };
        if matches!(owner, NameOwner::Owner(o) if o.pidns != me.pidns) || alive(&owner) {
            continue;
        }
        if cgfs.rmdir(&parent.join(&name)).is_ok() {
            removed.push(name);
        }
    }
    removed
}

/// The controllers a supervisor makes groups for.
const SUPERVISOR_CONTROLLERS: [&str; 3] = ["cpu", "memory", "pids"];

/// What a sweep of dead supervisors' groups found: how many it removed, and how many it
/// could not remove yet (a task of theirs still in them, dying).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Swept {
    /// Groups removed.
    pub removed: usize,
    /// Groups of dead supervisors that still hold a task or a group.
    pub busy: usize,
}

/// Removes, beside this process's own groups, the groups of supervisors that are gone:
/// what a pool host does for the pools it forked once they have ended, since a pool killed
/// before it could remove its groups leaves them (a later supervisor started here sweeps
/// them too, [`Placement::create`]).
pub fn sweep_dead_groups() -> Swept {
    let mut swept = Swept::default();
    let (Ok(mountinfo), Ok(cgroup), Some(me)) = (
        fs::read_to_string("/proc/self/mountinfo"),
        fs::read_to_string("/proc/self/cgroup"),
        Owner::current(),
    ) else {
        return swept;
    };
    let mut parents: Vec<PathBuf> = Vec::new();
    for controller in SUPERVISOR_CONTROLLERS {
        if let Some((dir, _)) = own_group_dir(&SysFs, controller, &mountinfo, &cgroup) {
            if !parents.contains(&dir) {
                parents.push(dir);
            }
        }
    }
    for parent in parents {
        swept.removed += sweep(&SysFs, &parent, &me, &alive_in_proc).len();
        let Ok(names) = SysFs.list(&parent) else {
            continue;
        };
        swept.busy += names
            .iter()
            .filter_map(|name| parse_name(name))
            .filter(|owner| !matches!(owner, NameOwner::Owner(o) if o.pidns != me.pidns))
            .filter(|owner| !alive_in_proc(owner))
            .count();
    }
    swept
}

/// Whether the process a group's name refers to is alive, from `/proc`.
fn alive_in_proc(owner: &NameOwner) -> bool {
    match owner {
        NameOwner::Owner(owner) => owner.is_alive(),
        NameOwner::Legacy(pid) => fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| parse_stat(&stat))
            .is_some_and(|(_, _, zombie)| !zombie),
    }
}

/// The directory of this process's group for `controller`, and the hierarchy's version.
fn own_group_dir(
    cgfs: &dyn CgroupFs,
    controller: &str,
    mountinfo: &str,
    cgroup: &str,
) -> Option<(PathBuf, Version)> {
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
    let available = cgfs.read(&dir.join("cgroup.controllers")).ok()?;
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

/// The groups made for one sandbox, by controller (on v2, or on v1 where controllers share
/// a hierarchy, several controllers share one group).
#[derive(Debug, Default)]
pub(crate) struct Placement {
    groups: Vec<(&'static str, Arc<Group>)>,
    /// The controllers that have no group, and why.
    pub(crate) refused: Vec<(&'static str, CgroupError)>,
}

impl Placement {
    /// Makes the groups for `controllers` under this process's own groups, after sweeping
    /// the groups of dead supervisors from the parents it uses.
    pub(crate) fn create(controllers: &[&'static str]) -> Placement {
        let tables = fs::read_to_string("/proc/self/mountinfo")
            .and_then(|mountinfo| Ok((mountinfo, fs::read_to_string("/proc/self/cgroup")?)));
        match tables {
            Ok((mountinfo, cgroup)) => Placement::create_with(
                &SysFs,
                &mountinfo,
                &cgroup,
                Owner::current(),
                controllers,
                &alive_in_proc,
            ),
            Err(err) => Placement {
                groups: Vec::new(),
                refused: controllers
                    .iter()
                    .map(|&c| (c, CgroupError::Tables(copy_error(&err))))
                    .collect(),
            },
        }
    }

    /// [`Placement::create`] on `cgfs`, from the given `/proc/self/mountinfo` and
    /// `/proc/self/cgroup`, for `owner`, with `alive` telling whether a group's owner runs.
    pub(crate) fn create_with(
        cgfs: &dyn CgroupFs,
        mountinfo: &str,
        cgroup: &str,
        owner: Option<Owner>,
        controllers: &[&'static str],
        alive: &dyn Fn(&NameOwner) -> bool,
    ) -> Placement {
        // Without a known owner (a /proc of another pid namespace) the name must not look
        // like a legacy `repy-<pid>-<n>`, which a sweep judges by the pid alone: such groups
        // are never swept.
        let prefix = owner.map_or_else(
            || format!("repy-unowned-{}", std::process::id()),
            |o| o.prefix(),
        );
        let mut placement = Placement::default();
        // The v1 parents (one per hierarchy) and the v2 parent, each with its controllers.
        let mut parents: Vec<(PathBuf, Version, Vec<&'static str>)> = Vec::new();
        for &controller in controllers {
            match own_group_dir(cgfs, controller, mountinfo, cgroup) {
                Some((dir, version)) => {
                    match parents
                        .iter_mut()
                        .find(|(d, v, _)| *d == dir && *v == version)
                    {
                        Some((_, _, list)) => list.push(controller),
                        None => parents.push((dir, version, vec![controller])),
                    }
                }
                None => placement.refused.push((
                    controller,
                    CgroupError::NoController {
                        controller: controller.to_owned(),
                    },
                )),
            }
        }
        for (own, version, list) in parents {
            let leaf = format!("{prefix}-supervisor");
            // On v2, a supervisor already in its own leaf (an earlier run in this process)
            // makes its groups beside it.
            let parent = match own.parent() {
                Some(up) if version == Version::V2 && own.file_name() == Some(leaf.as_ref()) => {
                    up.to_path_buf()
                }
                _ => own,
            };
            if let Some(me) = &owner {
                sweep(cgfs, &parent, me, alive);
            }
            if version == Version::V2 {
                if let Err(source) = enable_controllers(cgfs, &parent, &list, &parent.join(&leaf)) {
                    for &controller in &list {
                        placement.refused.push((
                            controller,
                            CgroupError::Enable {
                                dir: parent.clone(),
                                controllers: list.join(" "),
                                source: copy_error(&source),
                            },
                        ));
                    }
                    continue;
                }
            }
            let n = CREATED.fetch_add(1, Ordering::Relaxed);
            let dir = parent.join(format!("{prefix}-{n}"));
            match cgfs.mkdir(&dir) {
                Ok(()) => {
                    let group = Arc::new(Group { dir, version });
                    for &controller in &list {
                        placement.groups.push((controller, Arc::clone(&group)));
                    }
                }
                Err(source) => {
                    for &controller in &list {
                        placement.refused.push((
                            controller,
                            CgroupError::Create {
                                dir: dir.clone(),
                                source: copy_error(&source),
                            },
                        ));
                    }
                }
            }
        }
        placement
    }

    /// Takes the group that holds `controller`, if one was made.
    pub(crate) fn take(&mut self, controller: &str) -> Option<Arc<Group>> {
        let index = self.groups.iter().position(|(c, _)| *c == controller)?;
        Some(self.groups.swap_remove(index).1)
    }
}

/// A copy of an I/O error for each controller it concerns (`io::Error` is not `Clone`).
fn copy_error(err: &io::Error) -> io::Error {
    match err.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(err.kind(), err.to_string()),
    }
}

/// cgroup v2: enables `controllers` for the children of `parent`. The kernel refuses (EBUSY)
/// while `parent` has processes, unless it is the root group; the supervisor, which is
/// usually one of them, then moves itself into `leaf` and tries again. If that fails too
/// (other processes are there), it moves back and removes `leaf`.
fn enable_controllers(
    cgfs: &dyn CgroupFs,
    parent: &Path,
    controllers: &[&str],
    leaf: &Path,
) -> io::Result<()> {
    let file = parent.join("cgroup.subtree_control");
    let enabled = cgfs.read(&file)?;
    let missing: Vec<String> = controllers
        .iter()
        .filter(|c| !enabled.split_ascii_whitespace().any(|e| e == **c))
        .map(|c| format!("+{c}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let request = missing.join(" ");
    let refused = match cgfs.write(&file, &request) {
        Ok(()) => return Ok(()),
        Err(err) if err.raw_os_error() == Some(libc::EBUSY) => err,
        Err(err) => return Err(err),
    };
    match cgfs.mkdir(leaf) {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
        Err(_) => return Err(refused),
    }
    if cgfs.write(&leaf.join("cgroup.procs"), "0").is_err() {
        let _ = cgfs.rmdir(leaf);
        return Err(refused);
    }
    cgfs.write(&file, &request).inspect_err(|_| {
        // Not alone in the group: back where the supervisor was, as if nothing happened.
        let _ = cgfs.write(&parent.join("cgroup.procs"), "0");
        let _ = cgfs.rmdir(leaf);
    })
}

impl Group {
    /// The group's directory.
    #[cfg(test)]
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn write(&self, file: &str, value: &str) -> io::Result<()> {
        fs::write(self.dir.join(file), value)
    }

    fn read(&self, file: &str) -> io::Result<String> {
        crate::measure::read_kernel_file(self.dir.join(file))
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

    /// The number of tasks (processes and threads) in the group now, from `pids.current`.
    pub(crate) fn pids_current(&self) -> Option<u64> {
        self.read("pids.current").ok()?.trim().parse().ok()
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

    /// A simulated kernel over a tempdir laid out like `/sys/fs/cgroup` (v2): it keeps
    /// `cgroup.procs` and `cgroup.subtree_control` as the kernel does and enforces its rules
    /// (no processes in a non-root group whose subtree has controllers; rmdir only of an
    /// empty group), so the placement's decisions can be tested where no v2 is mounted.
    struct FakeKernel {
        root: PathBuf,
        /// The pid that writing `0` to `cgroup.procs` moves.
        me: u32,
        /// Every write is refused (a user the subtree is not delegated to).
        deny: bool,
    }

    fn busy() -> io::Error {
        io::Error::from_raw_os_error(libc::EBUSY)
    }

    impl FakeKernel {
        fn words(&self, file: &Path) -> Vec<String> {
            fs::read_to_string(file)
                .unwrap_or_default()
                .split_ascii_whitespace()
                .map(str::to_owned)
                .collect()
        }

        fn groups(dir: &Path, out: &mut Vec<PathBuf>) {
            out.push(dir.to_path_buf());
            for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
                if entry.path().is_dir() {
                    FakeKernel::groups(&entry.path(), out);
                }
            }
        }

        /// Lays out `rel` (with its ancestors, every controller enabled down to it) holding
        /// `procs`, `own_controllers` available in it.
        fn tree(rel: &str, procs: &[u32], own_controllers: &str) -> (tempfile::TempDir, Self) {
            let tmp = tempfile::tempdir().expect("tempdir");
            let root = tmp.path().to_path_buf();
            let mut dir = root.clone();
            fs::write(dir.join("cgroup.controllers"), "cpuset cpu io memory pids").unwrap();
            let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
            for (i, part) in parts.iter().enumerate() {
                // What the parent enables is what its child has (`cgroup.controllers`).
                let enabled = if i + 1 == parts.len() {
                    own_controllers
                } else {
                    "cpu memory pids"
                };
                fs::write(dir.join("cgroup.subtree_control"), enabled).unwrap();
                fs::write(dir.join("cgroup.procs"), "").unwrap();
                dir = dir.join(part);
                fs::create_dir(&dir).unwrap();
            }
            fs::write(dir.join("cgroup.subtree_control"), "").unwrap();
            let list: Vec<String> = procs.iter().map(u32::to_string).collect();
            fs::write(dir.join("cgroup.procs"), list.join("\n")).unwrap();
            let me = procs.first().copied().unwrap_or(4242);
            (
                tmp,
                FakeKernel {
                    root,
                    me,
                    deny: false,
                },
            )
        }

        fn mountinfo(&self) -> String {
            format!(
                "24 1 0:21 / /sys/fs/cgroup-not-this rw - tmpfs tmpfs rw\n\
                 30 23 0:26 / {} rw,nosuid,nodev - cgroup2 cgroup2 rw,nsdelegate\n",
                self.root.display()
            )
        }
    }

    impl CgroupFs for FakeKernel {
        fn read(&self, path: &Path) -> io::Result<String> {
            match (path.parent(), path.file_name().and_then(|n| n.to_str())) {
                // A child group has the controllers its parent enables for it, now.
                (Some(dir), Some("cgroup.controllers")) if dir != self.root => {
                    let parent = dir.parent().expect("a parent group");
                    fs::read_to_string(parent.join("cgroup.subtree_control"))
                }
                _ => fs::read_to_string(path),
            }
        }
        fn write(&self, path: &Path, value: &str) -> io::Result<()> {
            if self.deny {
                return Err(io::Error::from_raw_os_error(libc::EACCES));
            }
            let dir = path.parent().expect("a group");
            let is_root = dir == self.root;
            match path.file_name().and_then(|n| n.to_str()) {
                Some("cgroup.subtree_control") => {
                    if !is_root && !self.words(&dir.join("cgroup.procs")).is_empty() {
                        return Err(busy());
                    }
                    let mut enabled = self.words(path);
                    for word in value.split_ascii_whitespace() {
                        let name = word.trim_start_matches('+').to_owned();
                        if !enabled.contains(&name) {
                            enabled.push(name);
                        }
                    }
                    fs::write(path, enabled.join(" "))
                }
                Some("cgroup.procs") => {
                    if !is_root && !self.words(&dir.join("cgroup.subtree_control")).is_empty() {
                        return Err(busy());
                    }
                    let pid = match value.trim() {
                        "0" => self.me.to_string(),
                        other => other.to_owned(),
                    };
                    let mut all = Vec::new();
                    FakeKernel::groups(&self.root, &mut all);
                    for group in all {
                        let file = group.join("cgroup.procs");
                        let mut procs = self.words(&file);
                        if group == dir {
                            procs.push(pid.clone());
                        } else if procs.contains(&pid) {
                            procs.retain(|p| *p != pid);
                        } else {
                            continue;
                        }
                        fs::write(file, procs.join("\n"))?;
                    }
                    Ok(())
                }
                _ => fs::write(path, value),
            }
        }
        fn mkdir(&self, path: &Path) -> io::Result<()> {
            if self.deny {
                return Err(io::Error::from_raw_os_error(libc::EACCES));
            }
            fs::create_dir(path)?;
            fs::write(path.join("cgroup.subtree_control"), "")?;
            fs::write(path.join("cgroup.procs"), "")
        }
        fn rmdir(&self, path: &Path) -> io::Result<()> {
            let mut all = Vec::new();
            FakeKernel::groups(path, &mut all);
            if all.len() > 1 || !self.words(&path.join("cgroup.procs")).is_empty() {
                return Err(busy());
            }
            fs::remove_dir_all(path)
        }
        fn list(&self, path: &Path) -> io::Result<Vec<String>> {
            SysFs.list(path)
        }
    }

    const ME: Owner = Owner {
        pid: 4242,
        start: 777,
        pidns: 4026531836,
    };
    const SCOPE: &str = "/user.slice/user-1000.slice/user@1000.service/app.slice/repy.scope";
    const ALL: [&str; 3] = ["cpu", "memory", "pids"];

    fn place(kernel: &FakeKernel, cgroup: &str, controllers: &[&'static str]) -> Placement {
        let mountinfo = kernel.mountinfo();
        Placement::create_with(kernel, &mountinfo, cgroup, Some(ME), controllers, &|_| true)
    }

    #[test]
    fn cgroup_version_is_detected_from_the_mount_table() {
        // Hybrid (this machine's layout): the v1 hierarchy wins, v2 holds no controller.
        let hybrid = "1:cpu:/\n0::/\n";
        assert_eq!(
            own_group_dir(&SysFs, "cpu", MOUNTINFO, hybrid),
            Some((PathBuf::from("/sys/fs/cgroup/cpu"), Version::V1))
        );
        // Unified only: the controller is found in the group's cgroup.controllers.
        let (_tmp, kernel) = FakeKernel::tree(SCOPE, &[ME.pid], "cpu pids");
        let cgroup = format!("0::{SCOPE}\n");
        let expected = kernel.root.join(SCOPE.trim_start_matches('/'));
        assert_eq!(
            own_group_dir(&kernel, "cpu", &kernel.mountinfo(), &cgroup),
            Some((expected, Version::V2))
        );
        // Not delegated to this group: no such controller here.
        assert_eq!(
            own_group_dir(&kernel, "memory", &kernel.mountinfo(), &cgroup),
            None
        );
    }

    #[test]
    fn cgroup_v2_puts_every_controller_in_one_group_beside_the_supervisor() {
        let (_tmp, kernel) = FakeKernel::tree(SCOPE, &[ME.pid], "cpu memory pids");
        let own = kernel.root.join(SCOPE.trim_start_matches('/'));
        let mut placement = place(&kernel, &format!("0::{SCOPE}\n"), &ALL);
        assert!(placement.refused.is_empty(), "{:?}", placement.refused);
        let groups: Vec<Arc<Group>> = ALL.iter().filter_map(|c| placement.take(c)).collect();
        assert_eq!(groups.len(), 3);
        assert!(Arc::ptr_eq(&groups[0], &groups[1]) && Arc::ptr_eq(&groups[1], &groups[2]));
        let group = &groups[0];
        assert_eq!(group.version, Version::V2);
        assert_eq!(group.dir.parent(), Some(own.as_path()));
        assert!(group
            .self_join_file()
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with("/cgroup.procs"));
        // The controllers were enabled for the parent's children, so the group has them.
        let controllers = kernel.read(&group.dir.join("cgroup.controllers")).unwrap();
        assert_eq!(controllers, "cpu memory pids");
        // The kernel allows that only once the supervisor left for a leaf of its own.
        let leaf = own.join(format!("{}-supervisor", ME.prefix()));
        assert_eq!(kernel.words(&leaf.join("cgroup.procs")), ["4242"]);
        assert!(kernel.words(&own.join("cgroup.procs")).is_empty());
        // A second run in the same process finds its supervisor in the leaf already.
        let again = format!("0::{SCOPE}/{}-supervisor\n", ME.prefix());
        let mut second = place(&kernel, &again, &ALL);
        assert!(second.refused.is_empty(), "{:?}", second.refused);
        let group2 = second.take("memory").expect("a second group");
        assert_eq!(group2.dir.parent(), Some(own.as_path()));
        assert_ne!(group2.dir, group.dir);
    }

    #[test]
    fn cgroup_v2_in_the_root_group_needs_no_leaf() {
        // A container with its own cgroup namespace: the supervisor is in "/", where the
        // kernel allows processes beside enabled controllers.
        let (_tmp, kernel) = FakeKernel::tree("", &[ME.pid, 1], "cpu memory pids");
        fs::write(kernel.root.join("cgroup.controllers"), "cpu memory pids").unwrap();
        let mut placement = place(&kernel, "0::/\n", &ALL);
        assert!(placement.refused.is_empty(), "{:?}", placement.refused);
        assert!(placement.take("cpu").is_some());
        assert!(!kernel
            .root
            .join(format!("{}-supervisor", ME.prefix()))
            .exists());
    }

    #[test]
    fn cgroup_v2_falls_back_when_the_supervisor_is_not_alone_in_its_group() {
        // An interactive shell's scope: the shell (1000) is there too.
        let (_tmp, kernel) = FakeKernel::tree(SCOPE, &[ME.pid, 1000], "cpu memory pids");
        let own = kernel.root.join(SCOPE.trim_start_matches('/'));
        let mut placement = place(&kernel, &format!("0::{SCOPE}\n"), &ALL);
        assert!(ALL.iter().all(|c| placement.take(c).is_none()));
        assert_eq!(placement.refused.len(), 3);
        for (_, err) in &placement.refused {
            assert!(
                matches!(err, CgroupError::Enable { source, .. } if source.raw_os_error() == Some(libc::EBUSY)),
                "{err}"
            );
            assert!(err.to_string().contains("Delegate=yes"), "{err}");
        }
        // The supervisor went back where it was and left nothing behind.
        assert_eq!(kernel.words(&own.join("cgroup.procs")), ["1000", "4242"]);
        let mut groups = Vec::new();
        FakeKernel::groups(&own, &mut groups);
        assert_eq!(groups, [own]);
    }

    #[test]
    fn cgroup_v2_without_delegation_or_a_controller_falls_back_per_controller() {
        // Not delegated (a user outside user@UID.service): every write refused.
        let (_tmp, mut kernel) = FakeKernel::tree(SCOPE, &[ME.pid], "cpu memory pids");
        kernel.deny = true;
        let placement = place(&kernel, &format!("0::{SCOPE}\n"), &ALL);
        assert_eq!(placement.refused.len(), 3);
        assert!(placement.refused.iter().all(|(_, e)| matches!(
            e,
            CgroupError::Enable { source, .. } if source.raw_os_error() == Some(libc::EACCES)
        )));
        // Delegated without memory: cpu and pids share a group, memory has none.
        let (_tmp, kernel) = FakeKernel::tree(SCOPE, &[ME.pid], "cpu pids");
        let mut placement = place(&kernel, &format!("0::{SCOPE}\n"), &ALL);
        assert!(matches!(
            placement.refused.as_slice(),
            [("memory", CgroupError::NoController { .. })]
        ));
        let (cpu, pids) = (
            placement.take("cpu").unwrap(),
            placement.take("pids").unwrap(),
        );
        assert!(Arc::ptr_eq(&cpu, &pids));
        let controllers = kernel.read(&cpu.dir.join("cgroup.controllers")).unwrap();
        assert_eq!(controllers, "cpu pids");
    }

    #[test]
    fn cgroup_names_carry_their_owner() {
        assert_eq!(
            parse_name(&format!("{}-3", ME.prefix())),
            Some(NameOwner::Owner(ME))
        );
        assert_eq!(
            parse_name(&format!("{}-supervisor", ME.prefix())),
            Some(NameOwner::Owner(ME))
        );
        assert_eq!(parse_name("repy-81-0"), Some(NameOwner::Legacy(81)));
        assert_eq!(parse_name("repy-unowned-81-0"), None);
        for other in [
            "repy-81",
            "repy-x-0",
            "repy-1-2-3-x",
            "repy--0",
            "system.slice",
            "repy-1-2-3-4-5",
        ] {
            assert_eq!(parse_name(other), None, "{other}");
        }
    }

    #[test]
    fn cgroup_sweep_removes_only_the_empty_groups_of_dead_owners() {
        let tmp = tempfile::tempdir().unwrap();
        let live = Owner {
            pid: 10,
            start: 5,
            pidns: ME.pidns,
        };
        let reused = Owner { start: 6, ..live };
        let dead = Owner { pid: 11, ..live };
        let foreign = Owner { pidns: 1, ..dead };
        let names = [
            (format!("{}-0", live.prefix()), true),
            (format!("{}-supervisor", live.prefix()), true),
            (format!("{}-0", reused.prefix()), false),
            (format!("{}-1", dead.prefix()), false),
            (format!("{}-supervisor", dead.prefix()), false),
            (format!("{}-0", foreign.prefix()), true),
            ("repy-10-0".to_owned(), true),
            ("repy-11-4".to_owned(), false),
            ("user.slice".to_owned(), true),
        ];
        for (name, _) in &names {
            fs::create_dir(tmp.path().join(name)).unwrap();
        }
        // A dead owner's group with something in it stays (rmdir refuses it).
        let busy = format!("{}-7", dead.prefix());
        fs::create_dir_all(tmp.path().join(&busy).join("child")).unwrap();
        let alive = |owner: &NameOwner| match owner {
            NameOwner::Owner(o) => *o == live,
            NameOwner::Legacy(pid) => *pid == live.pid,
        };
        let mut removed = sweep(&SysFs, tmp.path(), &ME, &alive);
        removed.sort();
        let mut expected: Vec<String> = names
            .iter()
            .filter(|(_, kept)| !kept)
            .map(|(n, _)| n.clone())
            .collect();
        expected.sort();
        assert_eq!(removed, expected);
        for (name, kept) in &names {
            assert_eq!(tmp.path().join(name).exists(), *kept, "{name}");
        }
        assert!(tmp.path().join(&busy).exists());
    }

    #[test]
    fn cgroup_paths_come_from_mountinfo_and_proc_cgroup() {
        let cgroup = "4:memory:/process_api/abc\n1:cpu:/\n8:pids:/outer/inner\n0::/\n";
        assert_eq!(
            own_group_dir(&SysFs, "memory", MOUNTINFO, cgroup),
            Some((
                PathBuf::from("/sys/fs/cgroup/memory/process_api/abc"),
                Version::V1
            ))
        );
        assert_eq!(
            own_group_dir(&SysFs, "cpu", MOUNTINFO, cgroup),
            Some((PathBuf::from("/sys/fs/cgroup/cpu"), Version::V1))
        );
        assert_eq!(
            own_group_dir(&SysFs, "pids", MOUNTINFO, cgroup),
            Some((PathBuf::from("/sys/fs/cgroup/pids x/inner"), Version::V1))
        );
        let escaping = "8:pids:/outer/../../etc\n";
        assert_eq!(own_group_dir(&SysFs, "pids", MOUNTINFO, escaping), None);
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
        let mut placement = Placement::create(&["cpu"]);
        let group = match placement.take("cpu") {
            Some(group) => group,
            None => {
                let err = &placement.refused[0].1;
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
