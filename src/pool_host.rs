//! `repy pool-host --policy CEILING`: the parent of a service's warm pools. It builds one
//! interpreter for the ceiling (`engine::preinitialize_pool`: CPython initialised, the
//! profile's namespace and modules, the checker; no program), then forks one `repy pool`
//! process (`crate::pool_cmd::serve`) each time the service asks for one. Every pool's zygote
//! is a fork of that process in turn, so all of them share the host's interpreter pages until
//! they write to them: an idle warm sandbox costs what it wrote, not an interpreter.
//!
//! Its standard input is a Unix sequenced-packet socket to the service (`repy serve`). Each
//! request is one message: the pool's directory (UTF-8, its `TMPDIR` and working directory)
//! with two descriptors, the read end of the pool's request pipe and the write end of its
//! answer pipe. The host answers each with one message: the pool's process id in decimal
//! with a pidfd of it, or `error: ...` with none. The host dies with the service, and its
//! pools with the host (`PR_SET_PDEATHSIG`); it reaps its pools, and ends when the socket
//! closes.

use std::io::IoSlice;
use std::os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd, RawFd};
use std::path::Path;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
use restrictions::Restrictions;

use crate::exit::ExitStatus;

/// The socket to the service.
const SOCKET: RawFd = 0;

/// The longest directory path a request carries.
const MAX_REQUEST: usize = 4096;

/// A pool forked by the host: its process id and a pidfd of it.
struct Pool {
    pid: libc::pid_t,
    pidfd: OwnedFd,
}

/// `repy pool-host`; returns the exit code.
pub fn main(policy: &Path) -> u8 {
    let ceiling = match engine::load_restrictions(policy) {
        Ok(ceiling) => ceiling,
        Err(err) => {
            eprintln!("{err}");
            return ExitStatus::BadRestrictions.code();
        }
    };
    if !die_with_parent() {
        return ExitStatus::InternalError.code();
    }
    name_process(c"repy-pool-host");
    // Only the socket and the standard descriptors: nothing the service inherited from its
    // own parent is handed on to the pools (their sandboxes close such descriptors; their
    // supervisors would keep them).
    // SAFETY: close_range closes descriptors this process owns and takes no pointers; none
    // above 2 is in use yet.
    unsafe {
        libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
    }
    // The interpreter is built here, not in a sandbox child whose environment the nanny has
    // emptied: empty it first, so that the zygotes' `os.environ` (which packages read) holds
    // nothing of the service's, as a child's would not.
    // SAFETY: the host is single-threaded; nothing reads the environment meanwhile.
    if unsafe { libc::clearenv() } != 0 {
        return ExitStatus::InternalError.code();
    }
    if let Err(message) = engine::preinitialize_pool(&ceiling) {
        eprintln!("{message}");
        return ExitStatus::InternalError.code();
    }
    // Before any pool is forked, so that all of them share the huge pages.
    let moved = crate::huge_code::move_read_only_segments();
    if !moved.stayed.is_empty() {
        eprintln!("repy pool-host: {moved}");
    }
    let mut pools: Vec<Pool> = Vec::new();
    loop {
        let (socket_ready, ended) = match wait(&pools, true, PollTimeout::NONE) {
            Ok(ready) => ready,
            Err(err) => {
                eprintln!("repy pool-host: cannot wait: {err}");
                return ExitStatus::InternalError.code();
            }
        };
        for index in ended.into_iter().rev() {
            reap(pools.swap_remove(index));
        }
        if !socket_ready {
            continue;
        }
        let Some((dir, fds)) = receive() else {
            // The service closed the socket (or it broke): the host's work is over.
            wind_down(pools);
            return 0;
        };
        match start_pool(&ceiling, policy, &dir, fds, &pools) {
            Ok(pool) => {
                let sent = reply(
                    pool.pid.to_string().as_bytes(),
                    Some(pool.pidfd.as_raw_fd()),
                );
                pools.push(pool);
                if !sent {
                    return 0;
                }
            }
            Err(message) => {
                if !reply(format!("error: {message}").as_bytes(), None) {
                    return 0;
                }
            }
        }
    }
}

/// How long the host waits, at its end, for the pools the service killed to be gone and
/// their groups removed.
const WIND_DOWN: std::time::Duration = std::time::Duration::from_secs(3);

/// The host's end: the service has ended its pools (the idle ones the orderly way, which
/// removes their groups; those past the grace period by SIGKILL, which does not). Waits for
/// them to be gone and reaps them, then removes the groups the killed ones left, once the
/// processes in them (their zygotes and runs, dying after them) are gone too. Pools still
/// running then die with the host.
fn wind_down(mut pools: Vec<Pool>) {
    let deadline = std::time::Instant::now() + WIND_DOWN;
    while !pools.is_empty() && std::time::Instant::now() < deadline {
        let ended = match wait(&pools, false, PollTimeout::from(50u16)) {
            Ok((_, ended)) => ended,
            Err(_) => break,
        };
        for index in ended.into_iter().rev() {
            reap(pools.swap_remove(index));
        }
    }
    while std::time::Instant::now() < deadline {
        if nanny::sweep_dead_groups().busy == 0 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Asks for SIGKILL when the parent (the service) dies; false if it has died already.
fn die_with_parent() -> bool {
    // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and no pointers.
    let armed = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
    armed == 0 && nix::unistd::getppid().as_raw() != 1
}

/// Names this process (what `ps` and `top` show; forked pools share the host's command
/// line).
fn name_process(name: &std::ffi::CStr) {
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes, which `name` is.
    unsafe {
        libc::prctl(libc::PR_SET_NAME, name.as_ptr(), 0, 0, 0);
    }
}

/// Waits for a request (when `socket`) or for pools to end, at most `timeout`: whether the
/// socket is readable (or closed), and the indexes of the pools that ended.
fn wait(pools: &[Pool], socket: bool, timeout: PollTimeout) -> nix::Result<(bool, Vec<usize>)> {
    use std::os::fd::BorrowedFd;
    // SAFETY: descriptor 0 is the socket, open for the host's whole life.
    let socket_fd = unsafe { BorrowedFd::borrow_raw(SOCKET) };
    let mut fds: Vec<PollFd<'_>> = socket
        .then(|| PollFd::new(socket_fd, PollFlags::POLLIN))
        .into_iter()
        .collect();
    fds.extend(
        pools
            .iter()
            .map(|pool| PollFd::new(std::os::fd::AsFd::as_fd(&pool.pidfd), PollFlags::POLLIN)),
    );
    loop {
        match poll(&mut fds, timeout) {
            Ok(_) => break,
            Err(nix::errno::Errno::EINTR) if timeout == PollTimeout::NONE => continue,
            Err(nix::errno::Errno::EINTR) => return Ok((false, Vec::new())),
            Err(err) => return Err(err),
        }
    }
    let ready = |fd: &PollFd| fd.revents().is_some_and(|events| !events.is_empty());
    let first_pool = usize::from(socket);
    let ended = fds[first_pool..]
        .iter()
        .enumerate()
        .filter(|(_, fd)| ready(fd))
        .map(|(index, _)| index)
        .collect();
    Ok((socket && ready(&fds[0]), ended))
}

/// Reaps an ended pool.
fn reap(pool: Pool) {
    // SAFETY: an all-zero siginfo_t is a valid value of this plain C struct; waitid writes
    // into it and reads the pidfd, which is live.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        libc::waitid(
            libc::P_PIDFD,
            pool.pidfd.as_raw_fd() as libc::id_t,
            &mut info,
            libc::WEXITED,
        );
    }
}

/// Reads one request: the pool's directory and its two descriptors. `None` when the socket
/// is closed or broken.
fn receive() -> Option<(String, Vec<OwnedFd>)> {
    let mut buffer = vec![0u8; MAX_REQUEST];
    let (length, fds) =
        nanny::fd_passing::receive_with_fds(SOCKET, &mut buffer, MsgFlags::empty()).ok()?;
    if length == 0 && fds.is_empty() {
        return None;
    }
    Some((String::from_utf8_lossy(&buffer[..length]).into_owned(), fds))
}

/// Sends one answer, with a descriptor if any; false if the socket is broken.
fn reply(text: &[u8], fd: Option<RawFd>) -> bool {
    let iov = [IoSlice::new(text)];
    let fds: Vec<RawFd> = fd.into_iter().collect();
    let rights = [ControlMessage::ScmRights(&fds)];
    let cmsgs: &[ControlMessage<'_>] = if fds.is_empty() { &[] } else { &rights };
    sendmsg::<()>(SOCKET, &iov, cmsgs, MsgFlags::empty(), None).is_ok()
}

/// Forks a pool serving the request pipe in `fds` on the answer pipe, in `dir`.
fn start_pool(
    ceiling: &Restrictions,
    policy: &Path,
    dir: &str,
    fds: Vec<OwnedFd>,
    pools: &[Pool],
) -> Result<Pool, String> {
    let [requests, answers] = <[OwnedFd; 2]>::try_from(fds)
        .map_err(|fds| format!("a request carries two descriptors, not {}", fds.len()))?;
    let dir = Path::new(dir);
    if !dir.is_absolute() || !dir.is_dir() {
        return Err(format!("{}: not an absolute directory", dir.display()));
    }
    let host = nix::unistd::getpid();
    // SAFETY: the host is single-threaded (it never starts a thread), so the child may run
    // anything; it never returns into the host's loop (it exits).
    match unsafe { nix::unistd::fork() } {
        Err(err) => Err(format!("cannot fork a pool: {err}")),
        Ok(nix::unistd::ForkResult::Child) => {
            let code = become_pool(ceiling, policy, dir, host, requests, answers, pools);
            std::process::exit(i32::from(code))
        }
        Ok(nix::unistd::ForkResult::Parent { child }) => {
            // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
            let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, child.as_raw(), 0) };
            match i32::try_from(fd).ok().filter(|&fd| fd >= 0) {
                // SAFETY: the kernel just returned this descriptor; nothing else owns it.
                Some(fd) => Ok(Pool {
                    pid: child.as_raw(),
                    pidfd: unsafe { OwnedFd::from_raw_fd(fd) },
                }),
                None => {
                    let _ = nix::sys::signal::kill(child, nix::sys::signal::Signal::SIGKILL);
                    let _ = nix::sys::wait::waitpid(child, None);
                    Err("cannot open a pidfd of the pool".into())
                }
            }
        }
    }
}

/// The forked pool: its pipes on standard input and output, its directory its `TMPDIR` and
/// working directory, dies with the host; serves its requests. Returns its exit code.
fn become_pool(
    ceiling: &Restrictions,
    policy: &Path,
    dir: &Path,
    host: nix::unistd::Pid,
    requests: OwnedFd,
    answers: OwnedFd,
    pools: &[Pool],
) -> u8 {
    // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and no pointers.
    let armed = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
    if armed != 0 || nix::unistd::getppid() != host {
        return ExitStatus::InternalError.code();
    }
    name_process(c"repy-pool");
    // SAFETY: dup2 onto the standard descriptors (the socket on 0 is replaced), then closing
    // descriptors this process owns and no longer needs: the pipes' originals and the other
    // pools' pidfds.
    unsafe {
        if libc::dup2(requests.as_raw_fd(), 0) < 0 || libc::dup2(answers.as_raw_fd(), 1) < 0 {
            return ExitStatus::InternalError.code();
        }
        for pool in pools {
            libc::close(pool.pidfd.as_raw_fd());
        }
    }
    drop(requests);
    drop(answers);
    std::env::set_var("TMPDIR", dir);
    if std::env::set_current_dir(dir).is_err() {
        return ExitStatus::InternalError.code();
    }
    crate::pool_cmd::serve(ceiling.clone(), policy)
}
