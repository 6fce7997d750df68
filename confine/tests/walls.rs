//! Each wall, proven from outside: a forked child applies the plan and then tries what an
//! attacker who escaped the checker and the API would try; the parent checks that the effect is
//! absent (canary untouched, marker absent, process alive, port unbound), not only that an error
//! came back.

mod common;

use std::fs;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;
use std::time::Duration;

use common::{
    confined, confined_after, cstr, ensure, errno, in_child, is_root, require, require_all_layers,
    Check, Ended, Scratch,
};
use confine::{ConfinePlan, Layer, LayerOutcome};

/// Tries `open(path, flags)`; returns the errno on failure, closing any descriptor.
fn open_errno(path: &std::path::Path, flags: libc::c_int) -> Option<i32> {
    let c = cstr(path);
    // SAFETY: a valid C string; the descriptor, if any, is closed at once.
    let fd = unsafe { libc::open(c.as_ptr(), flags | libc::O_CLOEXEC, 0o644) };
    if fd >= 0 {
        // SAFETY: closing the descriptor just opened.
        unsafe { libc::close(fd) };
        None
    } else {
        Some(errno())
    }
}

#[test]
fn landlock_files_outside_the_vessel_are_out_of_reach() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("files");
    fs::write(scratch.root.join("secret"), "host secret").expect("write secret");
    fs::write(scratch.vessel().join("input.txt"), "given").expect("write input");
    let canary = scratch.root.join("canary");
    let plan = scratch.plan();
    let vessel = scratch.vessel();
    let root = scratch.root.clone();
    let run = confined(&plan, |_, pipe| -> Check {
        // Host files: unreadable, unwritable.
        ensure(
            fs::read("/etc/passwd").is_err(),
            "read /etc/passwd succeeded",
        )?;
        ensure(
            fs::read(root.join("secret")).is_err(),
            "read a file beside the vessel succeeded",
        )?;
        ensure(
            open_errno(&root.join("canary"), libc::O_WRONLY | libc::O_CREAT).is_some(),
            "created a canary outside",
        )?;
        ensure(fs::read_dir(&root).is_err(), "listed the vessel's parent")?;
        ensure(fs::read_dir("/").is_err(), "listed /")?;
        // The vessel: read, write, create, list, truncate, remove.
        ensure(
            fs::read_to_string(vessel.join("input.txt")).is_ok_and(|s| s == "given"),
            "read inside the vessel",
        )?;
        ensure(
            fs::write(vessel.join("out.txt"), "made").is_ok(),
            "create inside the vessel",
        )?;
        ensure(
            fs::OpenOptions::new()
                .append(true)
                .open(vessel.join("out.txt"))
                .is_ok_and(|mut f| f.write_all(b"+").is_ok()),
            "append",
        )?;
        let listed: Vec<String> = fs::read_dir(&vessel)
            .map_err(|e| format!("listing the vessel: {e}"))?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        ensure(
            listed.contains(&"out.txt".to_string()) && listed.contains(&"input.txt".to_string()),
            "listing",
        )?;
        ensure(
            fs::remove_file(vessel.join("input.txt")).is_ok(),
            "remove inside the vessel",
        )?;
        // No directories, renames, links, special files, permission changes.
        ensure(
            fs::create_dir(vessel.join("sub")).is_err(),
            "mkdir inside the vessel succeeded",
        )?;
        ensure(
            fs::rename(vessel.join("out.txt"), vessel.join("moved.txt")).is_err(),
            "rename succeeded",
        )?;
        ensure(
            std::os::unix::fs::symlink("/etc/passwd", vessel.join("link")).is_err(),
            "symlink succeeded",
        )?;
        ensure(
            fs::hard_link(vessel.join("out.txt"), vessel.join("hard")).is_err(),
            "hard link succeeded",
        )?;
        ensure(
            fs::set_permissions(vessel.join("out.txt"), fs::Permissions::from_mode(0o777)).is_err(),
            "chmod succeeded",
        )?;
        pipe.say("checks done");
        Ok(())
    });
    run.assert_ok();
    assert!(!canary.exists(), "the canary outside the vessel exists");
    assert_eq!(
        fs::read_to_string(scratch.vessel().join("out.txt"))
            .ok()
            .as_deref(),
        Some("made+")
    );
    assert!(
        !scratch.vessel().join("input.txt").exists(),
        "removal did not happen"
    );
    assert!(!scratch.vessel().join("sub").exists() && !scratch.vessel().join("moved.txt").exists());
    assert!(!scratch.vessel().join("link").exists() && !scratch.vessel().join("hard").exists());
    assert_eq!(
        fs::metadata(scratch.vessel().join("out.txt"))
            .map(|m| m.mode() & 0o777)
            .ok(),
        Some(0o644)
    );
}

#[test]
fn seccomp_chmod_of_a_root_owned_host_file_is_refused() {
    // uid 0 without capabilities still owns root's files: chmod must be refused by seccomp
    // (Landlock does not mediate chmod).
    if !require_all_layers() || !require(is_root(), "not root: the kept-uid-0 path needs root") {
        return;
    }
    let scratch = Scratch::new("chmod");
    let target = scratch.root.join("rootfile");
    fs::write(&target, "x").expect("write");
    fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).expect("chmod 600");
    let t = target.clone();
    confined(&scratch.plan(), |status, _| -> Check {
        ensure(status.uid == 0, "the vessel is root's, uid 0 expected")?;
        let c = cstr(&t);
        // SAFETY: a valid C string.
        let rc = unsafe { libc::chmod(c.as_ptr(), 0o777) };
        ensure(
            rc == -1 && errno() == libc::EPERM,
            "chmod was not refused with EPERM",
        )?;
        // SAFETY: a valid C string.
        let rc = unsafe { libc::chown(c.as_ptr(), 1000, 1000) };
        ensure(
            rc == -1 && errno() == libc::EPERM,
            "chown was not refused with EPERM",
        )
    })
    .assert_ok();
    let meta = fs::metadata(&target).expect("metadata");
    assert_eq!((meta.mode() & 0o777, meta.uid()), (0o600, 0));
}

#[test]
fn seccomp_execve_kills_and_the_shell_never_runs() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("exec");
    let marker = scratch.vessel().join("marker");
    let script = format!("echo ran > {}", marker.display());
    let run = confined(&scratch.plan(), |_, pipe| -> Check {
        let sh = cstr("/bin/sh");
        let dash_c = cstr("-c");
        let cmd = cstr(&script);
        let argv = [sh.as_ptr(), dash_c.as_ptr(), cmd.as_ptr(), std::ptr::null()];
        let envp = [std::ptr::null()];
        // SAFETY: NUL-terminated argument and environment arrays of valid C strings.
        unsafe { libc::execve(sh.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
        pipe.say(&format!("execve returned, errno {}", errno()));
        Err("execve returned instead of killing the process".into())
    });
    run.assert_killed_by(libc::SIGSYS);
    assert!(!marker.exists(), "the shell ran");
}

#[test]
fn seccomp_fork_and_spawn_are_refused_and_no_grandchild_exists() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("fork");
    let marker = scratch.vessel().join("spawned");
    let m = marker.clone();
    let run = confined(&scratch.plan(), |_, pipe| -> Check {
        // SAFETY: if the fork succeeded, the grandchild reports and leaves with _exit at once.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            pipe.say("grandchild alive");
            // SAFETY: leaving the grandchild immediately.
            unsafe { libc::_exit(0) };
        }
        ensure(
            pid == -1 && errno() == libc::EPERM,
            "fork was not refused with EPERM",
        )?;
        let spawned = Command::new("/bin/sh")
            .arg("-c")
            .arg(format!("echo > {}", m.display()))
            .spawn();
        ensure(spawned.is_err(), "posix_spawn of a shell succeeded")?;
        // SAFETY: a raw vfork-like clone without CLONE_THREAD must be refused before it happens.
        let rc = unsafe { libc::syscall(libc::SYS_vfork) };
        if rc == 0 {
            pipe.say("grandchild alive");
            // SAFETY: leaving the grandchild immediately.
            unsafe { libc::_exit(0) };
        }
        ensure(
            rc == -1 && errno() == libc::EPERM,
            "vfork was not refused with EPERM",
        )?;
        // SAFETY: clone3 with no arguments: the filter answers before the kernel reads them.
        let rc = unsafe { libc::syscall(libc::SYS_clone3, std::ptr::null::<u8>(), 0usize) };
        ensure(
            rc == -1 && errno() == libc::ENOSYS,
            "clone3 did not answer ENOSYS",
        )
    });
    run.assert_ok();
    assert!(
        !run.said("grandchild alive"),
        "a grandchild ran:\n{}",
        run.said
    );
    assert!(!marker.exists(), "a spawned shell ran");
}

#[test]
fn seccomp_ptrace_of_the_parent_kills_the_child() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("ptrace");
    let parent = std::process::id();
    let run = confined(&scratch.plan(), |_, _| -> Check {
        let target = libc::pid_t::try_from(parent).unwrap_or(1);
        // SAFETY: PTRACE_ATTACH takes a pid and null pointers.
        let rc = unsafe {
            libc::ptrace(
                libc::PTRACE_ATTACH,
                target,
                std::ptr::null_mut::<libc::c_void>(),
                std::ptr::null_mut::<libc::c_void>(),
            )
        };
        Err(format!("ptrace returned {rc}, errno {}", errno()))
    });
    run.assert_killed_by(libc::SIGSYS);
    let status = fs::read_to_string("/proc/self/status").expect("own status");
    assert!(
        status.lines().any(|l| l == "TracerPid:\t0"),
        "the test process is being traced"
    );
}

#[test]
fn seccomp_and_landlock_signals_to_other_processes_are_refused() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("kill");
    let mut victim = Command::new("sleep")
        .arg("30")
        .spawn()
        .expect("spawn a victim");
    let victim_pid = libc::pid_t::try_from(victim.id()).expect("pid");
    let parent = libc::pid_t::try_from(std::process::id()).expect("pid");
    let run = confined(&scratch.plan(), |_, _| -> Check {
        // SAFETY: kill takes integers only.
        let rc = unsafe { libc::kill(victim_pid, libc::SIGKILL) };
        ensure(
            rc == -1 && errno() == libc::EPERM,
            "kill(victim, SIGKILL) was not refused",
        )?;
        // SAFETY: kill takes integers only.
        let rc = unsafe { libc::kill(parent, libc::SIGTERM) };
        ensure(
            rc == -1 && errno() == libc::EPERM,
            "kill(parent, SIGTERM) was not refused",
        )?;
        // Signal 0 only asks whether kill(-1) (every process the uid may signal) would be allowed.
        // SAFETY: kill takes integers only.
        let rc = unsafe { libc::kill(-1, 0) };
        ensure(
            rc == -1 && errno() == libc::EPERM,
            "kill(-1, 0) was not refused",
        )?;
        // SAFETY: tgkill takes integers only.
        let rc = unsafe { libc::syscall(libc::SYS_tgkill, victim_pid, victim_pid, libc::SIGKILL) };
        ensure(
            rc == -1 && errno() == libc::EPERM,
            "tgkill(victim) was not refused",
        )?;
        // SAFETY: tkill takes integers only.
        let rc = unsafe { libc::syscall(libc::SYS_tkill, victim_pid, libc::SIGKILL) };
        ensure(
            rc == -1 && errno() == libc::EPERM,
            "tkill(victim) was not refused",
        )?;
        // Signalling itself stays possible (raise, abort): signal 0 to its own thread.
        // SAFETY: getpid and gettid take no arguments.
        let (me, tid) = unsafe { (libc::getpid(), libc::syscall(libc::SYS_gettid)) };
        // SAFETY: tgkill with signal 0 only checks permission.
        let rc = unsafe { libc::syscall(libc::SYS_tgkill, me, tid, 0) };
        ensure(rc == 0, "tgkill to its own thread was refused")
    });
    run.assert_ok();
    assert!(
        victim.try_wait().expect("try_wait").is_none(),
        "the victim died"
    );
    let _ = victim.kill();
    let _ = victim.wait();
}

#[test]
fn seccomp_only_tcp_and_udp_sockets_exist() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("sockets");
    confined(&scratch.plan(), |_, _| -> Check {
        let refused = [
            (libc::AF_UNIX, libc::SOCK_STREAM, 0, "AF_UNIX stream"),
            (libc::AF_UNIX, libc::SOCK_DGRAM, 0, "AF_UNIX datagram"),
            (
                libc::AF_INET,
                libc::SOCK_RAW,
                libc::IPPROTO_ICMP,
                "AF_INET raw",
            ),
            (
                libc::AF_INET6,
                libc::SOCK_RAW,
                libc::IPPROTO_ICMPV6,
                "AF_INET6 raw",
            ),
            (
                libc::AF_INET,
                libc::SOCK_DGRAM,
                libc::IPPROTO_ICMP,
                "ICMP ping socket",
            ),
            (libc::AF_NETLINK, libc::SOCK_RAW, 0, "AF_NETLINK"),
            (libc::AF_PACKET, libc::SOCK_RAW, 0, "AF_PACKET"),
            (libc::AF_INET, libc::SOCK_STREAM, libc::IPPROTO_SCTP, "SCTP"),
        ];
        for (domain, kind, proto, what) in refused {
            // SAFETY: socket takes integers only; a descriptor, if any, is closed.
            let fd = unsafe { libc::socket(domain, kind | libc::SOCK_CLOEXEC, proto) };
            if fd >= 0 {
                // SAFETY: closing the descriptor just created.
                unsafe { libc::close(fd) };
                return Err(format!("{what} socket was created"));
            }
            ensure(
                errno() == libc::EPERM,
                &format!("{what} refused with another errno than EPERM"),
            )?;
        }
        let mut pair = [0; 2];
        // SAFETY: socketpair with a valid array; AF_UNIX must be refused.
        let rc =
            unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, pair.as_mut_ptr()) };
        ensure(rc == -1, "socketpair(AF_UNIX) succeeded")?;
        ensure(
            std::net::UdpSocket::bind("0.0.0.0:0").is_ok(),
            "UDP socket refused",
        )?;
        ensure(
            TcpListener::bind("127.0.0.1:0").is_err(),
            "TCP bind on an ungranted port (ephemeral) succeeded",
        )
    })
    .assert_ok();
}

/// A TCP port that is free now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[test]
fn landlock_tcp_bind_only_on_granted_ports() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("bind");
    let granted = free_port();
    let other = free_port();
    let mut plan = scratch.plan();
    plan.tcp_bind_ports = vec![granted];
    confined(&plan, |status, _| -> Check {
        ensure(
            status.outcome(Layer::Landlock) == Some(&LayerOutcome::Applied),
            "landlock not applied",
        )?;
        // The granted port binds. Listening is never the sandbox's to do (repy's supervisor
        // makes listeners for it): listen() is refused even on the granted port, so no
        // unbound socket can listen on an ephemeral port either.
        // SAFETY: a plain TCP socket; bind and listen on a valid sockaddr_in of its length.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
            ensure(fd >= 0, "socket")?;
            let addr = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: granted.to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from(Ipv4Addr::LOCALHOST).to_be(),
                },
                sin_zero: [0; 8],
            };
            let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            let rc = libc::bind(fd, (&addr as *const libc::sockaddr_in).cast(), len);
            ensure(
                rc == 0,
                &format!("binding the granted port {granted}: errno {}", errno()),
            )?;
            let rc = libc::listen(fd, 1);
            ensure(
                rc == -1 && errno() == libc::EPERM,
                "listen() was not refused",
            )?;
            let unbound = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
            let rc = libc::listen(unbound, 1);
            ensure(rc == -1, "listen() on an unbound socket was not refused")?;
            libc::close(fd);
            libc::close(unbound);
        }
        // SAFETY: a plain TCP socket; bound by hand so the port can be read back after failure.
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
        ensure(fd >= 0, "socket")?;
        let addr = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: other.to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from(Ipv4Addr::LOCALHOST).to_be(),
            },
            sin_zero: [0; 8],
        };
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        // SAFETY: a valid sockaddr_in of the given length.
        let rc = unsafe { libc::bind(fd, (&addr as *const libc::sockaddr_in).cast(), len) };
        ensure(
            rc == -1 && errno() == libc::EACCES,
            &format!("bind on ungranted port {other} was not refused with EACCES"),
        )?;
        let mut back: libc::sockaddr_in = addr;
        back.sin_port = 0;
        let mut back_len = len;
        // SAFETY: a valid, writable sockaddr_in buffer and length.
        unsafe {
            libc::getsockname(
                fd,
                (&mut back as *mut libc::sockaddr_in).cast(),
                &mut back_len,
            )
        };
        ensure(back.sin_port == 0, "the socket ended up bound")
    })
    .assert_ok();
    // The ungranted port is still free for others.
    assert!(TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, other)).is_ok());
}

#[test]
fn landlock_tcp_connect_refused_when_not_granted() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("connect");
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let mut plan = scratch.plan();
    plan.tcp_connect_any = false;
    confined(&plan, |_, _| -> Check {
        match TcpStream::connect_timeout(
            &SocketAddrV4::new(Ipv4Addr::LOCALHOST, port).into(),
            Duration::from_secs(2),
        ) {
            Ok(_) => Err("connected to the parent's listener".into()),
            Err(e) => ensure(
                e.raw_os_error() == Some(libc::EACCES),
                &format!("connect failed with {e}, not EACCES"),
            ),
        }
    })
    .assert_ok();
    assert!(
        listener.accept().is_err(),
        "a connection reached the parent's listener"
    );
}

#[test]
fn netns_without_network_no_peer_outside_is_reachable() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("netns");
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let mut plan = scratch.plan();
    plan.network = false;
    confined(&plan, |status, _| -> Check {
        ensure(
            status.outcome(Layer::NetNamespace) == Some(&LayerOutcome::Applied),
            "no network namespace",
        )?;
        let result = TcpStream::connect_timeout(
            &SocketAddrV4::new(Ipv4Addr::LOCALHOST, port).into(),
            Duration::from_secs(2),
        );
        ensure(
            result.is_err(),
            "connected to the parent's loopback listener from the namespace",
        )?;
        let udp = std::net::UdpSocket::bind("0.0.0.0:0").map_err(|e| format!("udp socket: {e}"))?;
        ensure(
            udp.send_to(b"x", ("127.0.0.1", port)).is_err(),
            "a UDP datagram left the namespace",
        )
    })
    .assert_ok();
    assert!(
        listener.accept().is_err(),
        "a connection reached the parent's listener"
    );
}

/// Reads /proc/self/status through a descriptor opened before confinement.
fn status_field(fd: libc::c_int, field: &str) -> Option<String> {
    let mut buf = vec![0u8; 8192];
    // SAFETY: reading into an owned buffer from a descriptor kept open for the purpose.
    let n = unsafe { libc::pread(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
    let text = String::from_utf8_lossy(&buf[..usize::try_from(n).ok()?]).into_owned();
    text.lines().find_map(|l| {
        l.strip_prefix(field)?
            .strip_prefix(':')
            .map(|v| v.trim().to_string())
    })
}

#[test]
fn drop_privileges_capabilities_end_empty() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("caps");
    let run = in_child(|pipe| {
        // Opened before confinement (Landlock forbids /proc afterwards) and kept open; pread at
        // offset 0 regenerates the text, so it shows the state after apply.
        let Ok(own) = fs::File::open("/proc/self/status") else {
            return 2;
        };
        let mut plan = scratch.plan();
        // Without network a non-root run gets a user namespace, whose capabilities must go too.
        plan.network = false;
        plan.keep_fds = vec![pipe.fd(), own.as_raw_fd()];
        if let Err(e) = confine::apply(&plan) {
            pipe.say(&format!("apply failed: {}", e.chain()));
            return 90;
        }
        for field in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            let value = status_field(own.as_raw_fd(), field);
            pipe.say(&format!("{field}={value:?}"));
            if value.as_deref() != Some("0000000000000000") {
                return 1;
            }
        }
        for (field, wanted) in [("NoNewPrivs", "1"), ("Seccomp", "2")] {
            let value = status_field(own.as_raw_fd(), field);
            pipe.say(&format!("{field}={value:?}"));
            if value.as_deref() != Some(wanted) {
                return 1;
            }
        }
        // SAFETY: reading the dumpable flag.
        let dumpable = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        if dumpable != 0 {
            pipe.say("still dumpable");
            return 1;
        }
        0
    });
    run.assert_ok();
    assert!(
        run.said("CapBnd=Some(\"0000000000000000\")"),
        "{}",
        run.said
    );
}

#[test]
fn drop_privileges_root_takes_the_vessel_owner_uid() {
    if !require_all_layers()
        || !require(
            is_root(),
            "not root: cannot hand the vessel to another user",
        )
    {
        return;
    }
    let scratch = Scratch::new("owner");
    let vessel = scratch.vessel();
    std::os::unix::fs::chown(&vessel, Some(65534), Some(65534)).expect("chown the vessel");
    let v = vessel.clone();
    // "Die with the parent", set by the caller before apply, must survive the id change.
    let die_with_parent = |_: &common::Pipe| -> Check {
        // SAFETY: PR_SET_PDEATHSIG takes a signal number.
        let rc = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
        ensure(rc == 0, "PR_SET_PDEATHSIG")
    };
    confined_after(die_with_parent, &scratch.plan(), |status, _| -> Check {
        let mut signal: libc::c_int = 0;
        // SAFETY: PR_GET_PDEATHSIG writes one int through a valid pointer.
        unsafe {
            libc::prctl(
                libc::PR_GET_PDEATHSIG,
                &mut signal as *mut libc::c_int,
                0,
                0,
                0,
            )
        };
        ensure(
            signal == libc::SIGKILL,
            &format!("the parent-death signal is {signal} after the id change"),
        )?;
        ensure(
            status.uid == 65534 && status.gid == 65534,
            &format!("uid {} gid {}", status.uid, status.gid),
        )?;
        let (mut r, mut e, mut s) = (0, 0, 0);
        // SAFETY: getresuid with valid pointers.
        unsafe { libc::getresuid(&mut r, &mut e, &mut s) };
        ensure((r, e, s) == (65534, 65534, 65534), "not every uid changed")?;
        // SAFETY: getgroups with a zero count only returns the number of groups.
        let groups = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
        ensure(groups == 0, "supplementary groups left")?;
        fs::write(v.join("made"), "by nobody").map_err(|e| format!("writing in the vessel: {e}"))
    })
    .assert_ok();
    assert_eq!(
        fs::metadata(vessel.join("made")).expect("made").uid(),
        65534
    );
}

#[test]
fn drop_privileges_non_root_gets_a_user_namespace_for_the_network_namespace() {
    if !require_all_layers()
        || !require(
            is_root(),
            "not root: cannot become another user to test the non-root path",
        )
    {
        return;
    }
    let scratch = Scratch::new("nonroot");
    let vessel = scratch.vessel();
    std::os::unix::fs::chown(&vessel, Some(65534), Some(65534)).expect("chown the vessel");
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let mut plan = scratch.plan();
    plan.network = false;
    let v = vessel.clone();
    let become_nobody = |_: &common::Pipe| -> Check {
        // SAFETY: plain id changes in the single-threaded child, before apply.
        let ok = unsafe {
            libc::setgroups(0, std::ptr::null()) == 0
                && libc::setresgid(65534, 65534, 65534) == 0
                && libc::setresuid(65534, 65534, 65534) == 0
        };
        ensure(ok, "becoming nobody")
    };
    let run = confined_after(become_nobody, &plan, |status, _| -> Check {
        ensure(
            status.outcome(Layer::NetNamespace) == Some(&LayerOutcome::Applied),
            "no network namespace",
        )?;
        ensure(
            status.outcome(Layer::DropPrivileges) == Some(&LayerOutcome::Applied),
            "user-namespace capabilities not cleared",
        )?;
        ensure(fs::read("/etc/passwd").is_err(), "read /etc/passwd")?;
        fs::write(v.join("made"), "x").map_err(|e| format!("writing in the vessel: {e}"))?;
        let result = TcpStream::connect_timeout(
            &SocketAddrV4::new(Ipv4Addr::LOCALHOST, port).into(),
            Duration::from_secs(2),
        );
        ensure(result.is_err(), "connected to the parent's listener")
    });
    run.assert_ok();
    assert!(run.said("user namespace"), "{}", run.said);
    assert_eq!(
        fs::metadata(vessel.join("made")).expect("made").uid(),
        65534
    );
    assert!(listener.accept().is_err());
}

#[test]
fn rlimits_are_in_place_and_bite() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("rlimits");
    let mut plan = scratch.plan();
    plan.max_open_files = 32;
    plan.max_file_size = 4096;
    plan.max_address_space = Some(4 << 30);
    let v = scratch.vessel();
    confined(&plan, |_, _| -> Check {
        let get = |resource| {
            let mut r = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            // SAFETY: a valid, writable rlimit.
            unsafe { libc::getrlimit(resource, &mut r) };
            (r.rlim_cur, r.rlim_max)
        };
        ensure(get(libc::RLIMIT_NOFILE) == (32, 32), "RLIMIT_NOFILE")?;
        ensure(get(libc::RLIMIT_FSIZE) == (4096, 4096), "RLIMIT_FSIZE")?;
        ensure(get(libc::RLIMIT_CORE) == (0, 0), "RLIMIT_CORE")?;
        ensure(get(libc::RLIMIT_AS) == (4 << 30, 4 << 30), "RLIMIT_AS")?;
        let raised = libc::rlimit {
            rlim_cur: 64,
            rlim_max: 64,
        };
        // SAFETY: a valid rlimit; raising must be refused.
        let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) };
        ensure(rc == -1, "raised RLIMIT_NOFILE")?;
        // SAFETY: ignoring SIGXFSZ so the limit shows as EFBIG instead of killing.
        unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
        let mut f = fs::File::create(v.join("big")).map_err(|e| format!("create: {e}"))?;
        let err = f.write_all(&[0u8; 8192]).err();
        ensure(
            err.and_then(|e| e.raw_os_error()) == Some(libc::EFBIG),
            "writing past RLIMIT_FSIZE",
        )
    })
    .assert_ok();
    assert_eq!(
        fs::metadata(scratch.vessel().join("big"))
            .expect("big")
            .len(),
        4096
    );
}

#[test]
fn close_fds_keeps_only_the_listed_descriptors() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("fds");
    let run = in_child(|pipe| {
        let Ok(kept) = fs::File::open("/dev/null") else {
            return 2;
        };
        let Ok(leaked) = fs::File::open("/etc/passwd") else {
            return 2;
        };
        let mut plan = scratch.plan();
        plan.keep_fds = vec![pipe.fd(), kept.as_raw_fd()];
        if let Err(e) = confine::apply(&plan) {
            pipe.say(&format!("apply failed: {}", e.chain()));
            return 90;
        }
        // SAFETY: F_GETFD only queries the descriptor.
        let (k, l) = unsafe {
            (
                libc::fcntl(kept.as_raw_fd(), libc::F_GETFD),
                libc::fcntl(leaked.as_raw_fd(), libc::F_GETFD),
            )
        };
        pipe.say(&format!("kept {k} leaked {l}"));
        std::mem::forget(leaked);
        i32::from(!(k >= 0 && l == -1 && errno() == libc::EBADF))
    });
    run.assert_ok();
}

#[test]
fn seccomp_threads_clocks_sleep_and_randomness_still_work() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("threads");
    fs::write(scratch.vessel().join("shared"), "from the vessel").expect("write");
    let v = scratch.vessel();
    confined(&scratch.plan(), |_, _| -> Check {
        let path = v.join("shared");
        let handle = std::thread::spawn(move || fs::read_to_string(path).ok());
        let read = handle
            .join()
            .map_err(|_| "the thread panicked".to_string())?;
        ensure(
            read.as_deref() == Some("from the vessel"),
            "a thread could not read the vessel",
        )?;
        let outside = std::thread::spawn(|| fs::read("/etc/passwd").is_err()).join();
        ensure(
            outside.is_ok_and(|refused| refused),
            "a thread read /etc/passwd",
        )?;
        let mut bytes = [0u8; 32];
        // SAFETY: a valid, writable buffer.
        let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
        ensure(n == 32 && bytes.iter().any(|&b| b != 0), "getrandom")?;
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: a valid, writable timespec.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
        ensure(rc == 0, "clock_gettime")?;
        let started = std::time::Instant::now();
        std::thread::sleep(Duration::from_millis(20));
        ensure(started.elapsed() >= Duration::from_millis(20), "sleep")?;
        let _ = std::time::SystemTime::now();
        Ok(())
    })
    .assert_ok();
}

#[test]
fn seccomp_refuses_executable_memory_and_terminal_injection() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("mem");
    confined(&scratch.plan(), |_, _| -> Check {
        // SAFETY: an anonymous mapping request; refused before anything is mapped.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        ensure(
            p == libc::MAP_FAILED && errno() == libc::EPERM,
            "an executable mapping was made",
        )?;
        // SAFETY: an anonymous read-write mapping, made executable (refused), then unmapped.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        ensure(p != libc::MAP_FAILED, "a plain mapping was refused")?;
        // SAFETY: `p` is the page just mapped.
        let rc = unsafe { libc::mprotect(p, 4096, libc::PROT_READ | libc::PROT_EXEC) };
        ensure(
            rc == -1 && errno() == libc::EPERM,
            "mprotect(PROT_EXEC) succeeded",
        )?;
        // SAFETY: unmapping the page mapped above.
        unsafe { libc::munmap(p, 4096) };
        let c = b'x';
        // SAFETY: TIOCSTI with a valid byte pointer; refused before the kernel reads it.
        let rc = unsafe { libc::ioctl(0, libc::TIOCSTI, &c) };
        ensure(
            rc == -1 && errno() == libc::EPERM,
            "TIOCSTI was not refused",
        )?;
        // SAFETY: memfd_create with a valid name; refused.
        let rc = unsafe { libc::memfd_create(c"x".as_ptr(), 0) };
        ensure(
            rc == -1 && errno() == libc::EPERM,
            "memfd_create was not refused",
        )
    })
    .assert_ok();
}

#[test]
fn seccomp_kernel_attack_surface_kills() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("surface");
    let attempts = [
        ("io_uring_setup", libc::SYS_io_uring_setup, [8, 0, 0]),
        ("bpf", libc::SYS_bpf, [0, 0, 0]),
        (
            "unshare",
            libc::SYS_unshare,
            [libc::c_long::from(libc::CLONE_NEWUSER), 0, 0],
        ),
        ("userfaultfd", libc::SYS_userfaultfd, [0, 0, 0]),
        ("perf_event_open", libc::SYS_perf_event_open, [0, 0, -1]),
        ("keyctl", libc::SYS_keyctl, [0, 0, 0]),
        ("init_module", libc::SYS_init_module, [0, 0, 0]),
    ];
    for (name, number, args) in attempts {
        let run = confined(&scratch.plan(), |_, _| -> Check {
            // SAFETY: the filter kills the process before the kernel reads any argument (null
            // pointers otherwise make the calls fail harmlessly).
            let rc = unsafe { libc::syscall(number, args[0], args[1], args[2], 0, 0) };
            Err(format!("{name} returned {rc}"))
        });
        assert_eq!(
            run.ended,
            Ended::Signal(libc::SIGSYS),
            "{name}: {}",
            run.said
        );
    }
}

#[test]
fn apply_reports_every_layer_applied_on_a_capable_machine() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("report");
    let mut plan: ConfinePlan = scratch.plan();
    plan.network = false;
    let run = confined(&plan, |status, _| -> Check {
        ensure(status.layers.len() == 8, "eight layers")?;
        ensure(status.is_complete(), "a layer is degraded")?;
        ensure(status.landlock_abi >= 6, "landlock ABI")?;
        ensure(
            status.landlock_ruleset == "fully enforced",
            "landlock not fully enforced",
        )?;
        ensure(status.seccomp_rules > 100, "seccomp rules")?;
        ensure(
            status
                .layers
                .iter()
                .map(|r| r.layer)
                .eq(confine::APPLY_ORDER),
            "layers reported in the order applied",
        )
    });
    run.assert_ok();
}

#[test]
fn probe_confines_nothing() {
    let before = fs::read_to_string("/proc/self/status").expect("status");
    let report = confine::probe();
    assert_eq!(report.len(), 8);
    let after = fs::read_to_string("/proc/self/status").expect("status");
    let field = |text: &str, name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .map(str::to_string)
    };
    for name in ["NoNewPrivs", "Seccomp:", "CapEff", "CapBnd"] {
        assert_eq!(
            field(&before, name),
            field(&after, name),
            "probe changed {name}"
        );
    }
    assert!(
        fs::read("/etc/passwd").is_ok(),
        "the test process lost file access"
    );
}
