//! What each layer can do on this machine, for `repy doctor`, without confining the caller.
//! Where only trying tells (namespaces, loading the seccomp filter), the attempt happens in a
//! forked child that exits at once.

use crate::status::LayerState;
use crate::{ruleset, seccomp, sys, Layer, APPLY_ORDER};

/// The lowest Landlock ABI that knows every right and scope this crate requests.
const LANDLOCK_FULL_ABI: u32 = 6;

/// `CAP_SYS_ADMIN`.
const CAP_SYS_ADMIN: u32 = 21;

/// Reports, for every layer in application order, whether it can be applied here and how.
pub fn probe() -> Vec<(Layer, LayerState, String)> {
    APPLY_ORDER
        .into_iter()
        .map(|layer| {
            let (state, text) = match layer {
                Layer::NoNewPrivs => prctl_state(libc::PR_GET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS"),
                Layer::Dumpable => prctl_state(libc::PR_GET_DUMPABLE, "PR_SET_DUMPABLE"),
                Layer::CloseFds => close_fds_state(),
                Layer::NetNamespace => net_namespace_state(),
                Layer::DropPrivileges => drop_privileges_state(),
                Layer::Landlock => landlock_state(),
                Layer::Rlimits => (
                    LayerState::Available,
                    "setrlimit: nofile, fsize, core, as".to_string(),
                ),
                Layer::Seccomp => seccomp_state(),
            };
            (layer, state, text)
        })
        .collect()
}

/// Whether a `prctl` reading works.
fn prctl_state(option: libc::c_int, name: &str) -> (LayerState, String) {
    match sys::prctl(option, 0) {
        Ok(_) => (LayerState::Available, format!("prctl({name}) supported")),
        Err(e) => (LayerState::Unavailable, format!("prctl({name}): {e}")),
    }
}

/// Whether `close_range` exists (otherwise /proc/self/fd is walked).
fn close_fds_state() -> (LayerState, String) {
    // Closing the highest possible descriptor number closes nothing.
    match sys::close_range(u32::MAX, u32::MAX) {
        Ok(()) => (LayerState::Available, "close_range".to_string()),
        Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => (
            LayerState::Available,
            "no close_range: /proc/self/fd is walked".to_string(),
        ),
        Err(e) => (LayerState::Unavailable, format!("close_range: {e}")),
    }
}

/// Whether a network namespace can be created (tried in a child).
fn net_namespace_state() -> (LayerState, String) {
    let root = sys::capget().is_ok_and(|c| c.effective & (1 << CAP_SYS_ADMIN) != 0);
    let (flags, how) = if root {
        (libc::CLONE_NEWNET, "unshare(CLONE_NEWNET)")
    } else {
        (
            libc::CLONE_NEWUSER | libc::CLONE_NEWNET,
            "unshare(CLONE_NEWUSER | CLONE_NEWNET)",
        )
    };
    match in_child(|| {
        sys::unshare(flags)
            .err()
            .and_then(|e| e.raw_os_error())
            .unwrap_or(0)
    }) {
        Ok(0) => (LayerState::Available, how.to_string()),
        Ok(errno) => (
            LayerState::Unavailable,
            format!(
                "{how}: {} (runs without network need --allow-degraded net-namespace)",
                std::io::Error::from_raw_os_error(errno)
            ),
        ),
        Err(e) => (
            LayerState::Unavailable,
            format!("cannot fork to try {how}: {e}"),
        ),
    }
}

/// What dropping privileges means for this user.
fn drop_privileges_state() -> (LayerState, String) {
    if sys::geteuid() == 0 {
        (
            LayerState::Available,
            "root: the child takes the vessel owner's uid and gid, or keeps uid 0 with no capability when root owns the vessel"
                .to_string(),
        )
    } else {
        (
            LayerState::NotNeeded,
            format!(
                "not root (uid {}): capabilities are cleared",
                sys::geteuid()
            ),
        )
    }
}

/// The kernel's Landlock ABI against what this crate requests.
fn landlock_state() -> (LayerState, String) {
    let pinned = ruleset::PINNED_ABI as u32;
    match sys::landlock_abi_version() {
        Ok(abi) if abi >= LANDLOCK_FULL_ABI => {
            (LayerState::Available, format!("kernel ABI {abi}, rules written for ABI {pinned}"))
        }
        Ok(abi) => (
            LayerState::Partial,
            format!(
                "kernel ABI {abi}: ABI {LANDLOCK_FULL_ABI} is needed for TCP rules and scopes; runs need --allow-degraded landlock"
            ),
        ),
        Err(e) => (LayerState::Unavailable, format!("Landlock unavailable: {e}")),
    }
}

/// Whether the compiled filters load (tried in a child).
fn seccomp_state() -> (LayerState, String) {
    let mut prepared = match seccomp::prepare(sys::getpid(), false) {
        Ok(prepared) => prepared,
        Err(e) => return (LayerState::Unavailable, e.to_string()),
    };
    let rules = prepared.rules();
    let outcome = in_child(move || {
        if let Err(e) = sys::prctl(libc::PR_SET_NO_NEW_PRIVS, 1) {
            return e.raw_os_error().unwrap_or(libc::EIO);
        }
        match seccomp::install_raw(&mut prepared) {
            Ok(()) => 0,
            Err((_, e)) => e.raw_os_error().unwrap_or(libc::EIO),
        }
    });
    match outcome {
        Ok(0) => (LayerState::Available, format!("{rules} rules load")),
        Ok(errno) => (
            LayerState::Unavailable,
            format!(
                "the filter does not load: {}",
                std::io::Error::from_raw_os_error(errno)
            ),
        ),
        Err(e) => (
            LayerState::Unavailable,
            format!("cannot fork to try the filter: {e}"),
        ),
    }
}

/// Runs `f` in a forked child and returns its exit code (an errno, 0 for success).
///
/// `f` must only make system calls (no locks, no allocation): the caller may have other threads.
fn in_child(f: impl FnOnce() -> i32) -> std::io::Result<i32> {
    // SAFETY: the child runs `f`, which only makes system calls, and leaves with _exit without
    // running destructors or atexit handlers of the parent's state.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(std::io::Error::last_os_error());
    }
    if pid == 0 {
        let code = f();
        // SAFETY: _exit ends the child immediately, as a forked child of a possibly threaded
        // parent must.
        unsafe { libc::_exit(code.clamp(0, 255)) };
    }
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid, writable int; `pid` is our child.
        let rc = unsafe { libc::waitpid(pid, &mut status, 0) };
        if rc == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EINTR) {
            return Err(err);
        }
    }
    if libc::WIFEXITED(status) {
        Ok(libc::WEXITSTATUS(status))
    } else {
        Ok(libc::EIO)
    }
}
