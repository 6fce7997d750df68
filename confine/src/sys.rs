//! Thin, checked wrappers over the system calls the layers use. Each returns `io::Result` with
//! the OS error; callers name the layer and the step.

use std::io;

/// `_LINUX_CAPABILITY_VERSION_3`: 64-bit capability sets in two 32-bit words.
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;

/// `struct __user_cap_header_struct`.
#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

/// `struct __user_cap_data_struct`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// The three per-thread capability sets, as 64-bit masks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CapSets {
    pub(crate) effective: u64,
    pub(crate) permitted: u64,
    pub(crate) inheritable: u64,
}

impl CapSets {
    /// Whether every set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.effective == 0 && self.permitted == 0 && self.inheritable == 0
    }
}

/// Turns a `-1`-on-error return value into an `io::Result`.
fn check(rc: libc::c_long) -> io::Result<libc::c_long> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// Turns a `-1`-on-error `c_int` return value into an `io::Result`.
fn check_int(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// `prctl(option, arg2, 0, 0, 0)`.
pub(crate) fn prctl(option: libc::c_int, arg2: libc::c_ulong) -> io::Result<libc::c_int> {
    // SAFETY: every prctl option used by this crate takes integer arguments only; unused
    // arguments are zero as the kernel requires.
    check_int(unsafe {
        libc::prctl(
            option,
            arg2,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        )
    })
}

/// The parent-death signal of the calling thread (0 when none).
pub(crate) fn parent_death_signal() -> io::Result<libc::c_int> {
    let mut signal: libc::c_int = 0;
    // SAFETY: PR_GET_PDEATHSIG writes one int through the pointer, which is valid and writable.
    check_int(unsafe {
        libc::prctl(
            libc::PR_GET_PDEATHSIG,
            &mut signal as *mut libc::c_int,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        )
    })?;
    Ok(signal)
}

/// The parent's pid.
pub(crate) fn getppid() -> libc::pid_t {
    // SAFETY: getppid cannot fail and touches no memory.
    unsafe { libc::getppid() }
}

/// Reads the calling thread's capability sets.
pub(crate) fn capget() -> io::Result<CapSets> {
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: header and data are valid, writable and sized for version 3 (two data words).
    check(unsafe {
        libc::syscall(
            libc::SYS_capget,
            &mut header as *mut CapHeader,
            data.as_mut_ptr(),
        )
    })?;
    let join = |lo: u32, hi: u32| u64::from(lo) | (u64::from(hi) << 32);
    Ok(CapSets {
        effective: join(data[0].effective, data[1].effective),
        permitted: join(data[0].permitted, data[1].permitted),
        inheritable: join(data[0].inheritable, data[1].inheritable),
    })
}

/// Empties the calling thread's effective, permitted and inheritable capability sets.
pub(crate) fn capset_empty() -> io::Result<()> {
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let data = [CapData::default(); 2];
    // SAFETY: header and data are valid and sized for version 3; lowering capabilities is
    // always permitted.
    check(unsafe {
        libc::syscall(
            libc::SYS_capset,
            &mut header as *mut CapHeader,
            data.as_ptr(),
        )
    })?;
    Ok(())
}

/// Drops every capability from the bounding set; returns how many capabilities the kernel knows.
pub(crate) fn drop_bounding_set() -> io::Result<u32> {
    let mut cap: u32 = 0;
    loop {
        match prctl(libc::PR_CAPBSET_READ, libc::c_ulong::from(cap)) {
            Ok(_) => {}
            // EINVAL: past the last capability this kernel knows.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => return Ok(cap),
            Err(e) => return Err(e),
        }
        prctl(libc::PR_CAPBSET_DROP, libc::c_ulong::from(cap))?;
        cap += 1;
    }
}

/// Whether any capability is left in the bounding set.
pub(crate) fn bounding_set_is_empty() -> io::Result<bool> {
    let mut cap: u32 = 0;
    loop {
        match prctl(libc::PR_CAPBSET_READ, libc::c_ulong::from(cap)) {
            Ok(0) => cap += 1,
            Ok(_) => return Ok(false),
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => return Ok(true),
            Err(e) => return Err(e),
        }
    }
}

/// Empties the ambient capability set.
pub(crate) fn clear_ambient() -> io::Result<()> {
    // SAFETY: PR_CAP_AMBIENT takes integer arguments only.
    check_int(unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        )
    })?;
    Ok(())
}

/// `close_range(first, last, 0)`.
pub(crate) fn close_range(first: u32, last: u32) -> io::Result<()> {
    // SAFETY: close_range only closes descriptors of the calling process; no memory is passed.
    check(unsafe { libc::syscall(libc::SYS_close_range, first, last, 0 as libc::c_uint) })?;
    Ok(())
}

/// `unshare(flags)`.
pub(crate) fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: unshare takes flags only; the caller is single-threaded, as CLONE_NEWUSER requires.
    check_int(unsafe { libc::unshare(flags) })?;
    Ok(())
}

/// `setgroups(0, NULL)`: leaves no supplementary group.
pub(crate) fn clear_groups() -> io::Result<()> {
    // SAFETY: a zero-length list with a null pointer is the documented way to clear the groups.
    check_int(unsafe { libc::setgroups(0, std::ptr::null()) })?;
    Ok(())
}

/// `setresgid(gid, gid, gid)`.
pub(crate) fn set_all_gids(gid: libc::gid_t) -> io::Result<()> {
    // SAFETY: integer arguments only.
    check_int(unsafe { libc::setresgid(gid, gid, gid) })?;
    Ok(())
}

/// `setresuid(uid, uid, uid)`.
pub(crate) fn set_all_uids(uid: libc::uid_t) -> io::Result<()> {
    // SAFETY: integer arguments only.
    check_int(unsafe { libc::setresuid(uid, uid, uid) })?;
    Ok(())
}

/// The real, effective and saved user ids.
pub(crate) fn uids() -> io::Result<(libc::uid_t, libc::uid_t, libc::uid_t)> {
    let (mut r, mut e, mut s) = (0, 0, 0);
    // SAFETY: the three pointers are valid and writable.
    check_int(unsafe { libc::getresuid(&mut r, &mut e, &mut s) })?;
    Ok((r, e, s))
}

/// The effective user id.
pub(crate) fn geteuid() -> libc::uid_t {
    // SAFETY: geteuid cannot fail and touches no memory.
    unsafe { libc::geteuid() }
}

/// The calling process's id.
pub(crate) fn getpid() -> libc::pid_t {
    // SAFETY: getpid cannot fail and touches no memory.
    unsafe { libc::getpid() }
}

/// Lowers a resource limit to `value` (soft and hard); never raises the hard limit. Returns the
/// value in force afterwards.
pub(crate) fn lower_rlimit(resource: libc::__rlimit_resource_t, value: u64) -> io::Result<u64> {
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `current` is a valid, writable rlimit.
    check_int(unsafe { libc::getrlimit(resource, &mut current) })?;
    let target = value.min(current.rlim_max);
    let wanted = libc::rlimit {
        rlim_cur: target,
        rlim_max: target,
    };
    // SAFETY: `wanted` is a valid rlimit; lowering both limits needs no privilege.
    check_int(unsafe { libc::setrlimit(resource, &wanted) })?;
    Ok(target)
}

/// Installs one classic BPF seccomp filter on the calling thread.
pub(crate) fn seccomp_install(program: &mut [libc::sock_filter]) -> io::Result<()> {
    let len = u16::try_from(program.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "seccomp program longer than 65535 instructions",
        )
    })?;
    let prog = libc::sock_fprog {
        len,
        filter: program.as_mut_ptr(),
    };
    // SAFETY: `prog` points at `len` valid instructions that outlive the call; the kernel copies
    // the program and does not keep the pointer.
    check(unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER as libc::c_ulong,
            0 as libc::c_ulong,
            &prog as *const libc::sock_fprog,
        )
    })?;
    Ok(())
}

/// The Landlock ABI version the kernel offers; an error means Landlock is disabled at boot
/// (`EOPNOTSUPP`) or not built in (`ENOSYS`).
pub(crate) fn landlock_abi_version() -> io::Result<u32> {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute, zero size and the VERSION flag the call only returns a number.
    let rc = check(unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0 as libc::size_t,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    })?;
    u32::try_from(rc)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "landlock ABI out of range"))
}
