//! Test support: run a closure in a forked child (so the test process itself is never
//! confined), collect what it says through a pipe and how it ended; scratch directories;
//! `REPY_TEST_REQUIRE_ALL` skips.

#![allow(dead_code)]

use std::ffi::CString;
use std::fs;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use confine::{ConfinePlan, ConfineStatus, Layer, LayerState};

/// How a child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// `_exit(code)`.
    Code(i32),
    /// Killed by this signal.
    Signal(i32),
}

/// What a child said and how it ended.
#[derive(Debug)]
pub struct ChildRun {
    pub ended: Ended,
    pub said: String,
}

impl ChildRun {
    /// Panics with everything the child said unless it exited 0.
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(
            self.ended,
            Ended::Code(0),
            "child failed; it said:\n{}",
            self.said
        );
        self
    }

    /// Panics unless the child was killed by `signal`.
    pub fn assert_killed_by(&self, signal: i32) -> &Self {
        assert_eq!(
            self.ended,
            Ended::Signal(signal),
            "child was not killed by signal {signal}; it said:\n{}",
            self.said
        );
        self
    }

    /// Whether the child said a line containing `text`.
    pub fn said(&self, text: &str) -> bool {
        self.said.contains(text)
    }
}

/// The write end of the child's report pipe; `say` makes a raw write (no locks: the parent
/// process has other threads, which may hold std's locks at the fork).
pub struct Pipe(RawFd);

impl Pipe {
    /// Writes one line to the parent.
    pub fn say(&self, line: &str) {
        let text = format!("{line}\n");
        let mut rest = text.as_bytes();
        while !rest.is_empty() {
            // SAFETY: writing an owned buffer to our own pipe descriptor.
            let n = unsafe { libc::write(self.0, rest.as_ptr().cast(), rest.len()) };
            if n <= 0 {
                return;
            }
            rest = &rest[usize::try_from(n).unwrap_or(rest.len())..];
        }
    }

    /// The raw descriptor (so a plan can keep it).
    pub fn fd(&self) -> RawFd {
        self.0
    }
}

/// A check's verdict: `Err(message)` fails the test.
pub type Check = Result<(), String>;

/// Forks; the child runs `f` and exits with its code (101 on panic). Waits at most 60 s.
pub fn in_child(f: impl FnOnce(&Pipe) -> i32) -> ChildRun {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid array of two ints.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2");
    // SAFETY: both descriptors were just created and are owned here.
    let (read_end, write_end) =
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // SAFETY: the child only runs the test closure and leaves with _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        drop(read_end);
        let pipe = Pipe(write_end.as_raw_fd());
        let code = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&pipe))) {
            Ok(code) => code,
            Err(payload) => {
                let text = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                pipe.say(&format!("panic: {text}"));
                101
            }
        };
        // SAFETY: leaving the forked child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    drop(write_end);
    let mut said = String::new();
    let mut file = fs::File::from(read_end);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut buf = [0u8; 4096];
    loop {
        let mut pfd = libc::pollfd {
            fd: file.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&mut pfd, 1, 1000) };
        if ready > 0 {
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => said.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(_) => break,
            }
        }
        if Instant::now() > deadline {
            // SAFETY: killing our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            said.push_str("(timed out after 60 s)\n");
            break;
        }
    }
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    let ended = if libc::WIFSIGNALED(status) {
        Ended::Signal(libc::WTERMSIG(status))
    } else {
        Ended::Code(libc::WEXITSTATUS(status))
    };
    ChildRun { ended, said }
}

/// Forks; the child applies `plan` (exit 90 if that fails), reports the status, then runs
/// `check` (exit 1 with its message if it fails).
pub fn confined(
    plan: &ConfinePlan,
    check: impl FnOnce(&ConfineStatus, &Pipe) -> Check,
) -> ChildRun {
    confined_after(|_| Ok(()), plan, check)
}

/// As [`confined`], with `before` run in the child before `apply` (e.g. to become another user).
pub fn confined_after(
    before: impl FnOnce(&Pipe) -> Check,
    plan: &ConfinePlan,
    check: impl FnOnce(&ConfineStatus, &Pipe) -> Check,
) -> ChildRun {
    in_child(|pipe| {
        if let Err(msg) = before(pipe) {
            pipe.say(&format!("before apply: {msg}"));
            return 89;
        }
        let mut plan = plan.clone();
        plan.keep_fds.push(pipe.fd());
        let status = match confine::apply(&plan) {
            Ok(status) => status,
            Err(err) => {
                pipe.say(&format!("apply failed: {}", err.chain()));
                return 90;
            }
        };
        pipe.say(&format!("status: {status:?}"));
        match check(&status, pipe) {
            Ok(()) => 0,
            Err(msg) => {
                pipe.say(&format!("check failed: {msg}"));
                1
            }
        }
    })
}

/// A scratch directory `/tmp/confine-test-<pid>-<n>/` holding `vessel/`, removed on drop.
pub struct Scratch {
    pub root: PathBuf,
}

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "confine-test-{}-{}-{name}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("vessel")).expect("create scratch vessel");
        Scratch { root }
    }

    pub fn vessel(&self) -> PathBuf {
        self.root.join("vessel")
    }

    /// A plan for this vessel with generous limits and network granted.
    pub fn plan(&self) -> ConfinePlan {
        ConfinePlan {
            vessel_dir: self.vessel(),
            tcp_bind_ports: vec![],
            tcp_connect_any: true,
            network: true,
            max_open_files: 256,
            max_file_size: 1 << 30,
            max_address_space: None,
            allow_degraded: vec![],
            keep_fds: vec![],
            zygote: false,
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// The last OS error number.
pub fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// A C string from a path or text.
pub fn cstr(text: impl AsRef<Path>) -> CString {
    CString::new(text.as_ref().as_os_str().as_encoded_bytes()).expect("no NUL in test paths")
}

/// Returns true when the machine can run a test needing `what`; otherwise prints
/// `skipped: <reason>` and returns false, or panics when `REPY_TEST_REQUIRE_ALL=1`.
pub fn require(available: bool, reason: &str) -> bool {
    if available {
        return true;
    }
    if std::env::var("REPY_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("REPY_TEST_REQUIRE_ALL=1 but this machine lacks: {reason}");
    }
    println!("skipped: {reason}");
    false
}

/// Whether `confine::probe` says `layer` is fully available.
pub fn layer_available(layer: Layer) -> bool {
    confine::probe()
        .into_iter()
        .any(|(l, state, _)| l == layer && state == LayerState::Available)
}

/// Whether the test runs as root (needed to test the root paths and other uids).
pub fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Every layer the tests depend on; returns false (skipped) when one is missing.
pub fn require_all_layers() -> bool {
    let missing: Vec<String> = confine::probe()
        .into_iter()
        .filter(|(_, state, _)| !matches!(state, LayerState::Available | LayerState::NotNeeded))
        .map(|(layer, state, text)| format!("{layer} {state}: {text}"))
        .collect();
    require(
        missing.is_empty(),
        &format!("confinement layers missing: {}", missing.join("; ")),
    )
}

/// Fails the check with `what` and the current errno unless `ok`.
pub fn ensure(ok: bool, what: &str) -> Check {
    if ok {
        Ok(())
    } else {
        Err(format!("{what} (errno {})", errno()))
    }
}
