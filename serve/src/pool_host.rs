//! The service's side of `repy pool-host` (src/pool_host.rs): one process that builds an
//! interpreter under the ceiling once and forks every warm pool the service asks for, so
//! that all the pools' zygotes share that interpreter's memory.
//!
//! The service talks to it over a Unix sequenced-packet socket (the host's standard input):
//! one message per pool asked for (the pool's directory and two pipe ends), one answer (the
//! pool's pid and a pidfd of it, or `error: ...`). A pool is not the service's child: the
//! service holds it by its pidfd (to kill it and see it end) and the host reaps it. The host
//! dies with the service and its pools with the host (`PR_SET_PDEATHSIG`).

use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsFd as _, AsRawFd as _, FromRawFd as _, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use nix::sys::socket::{
    recvmsg, sendmsg, socketpair, AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags,
    SockFlag, SockType,
};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use crate::executor::ExecError;

/// How long the host has to answer a request for a pool (it forks and answers at once).
const ANSWER_WAIT: Duration = Duration::from_secs(10);

/// How long the host has to end once its socket is closed.
const HOST_EXIT_WAIT: Duration = Duration::from_secs(5);

/// A running `repy pool-host` and the socket to it.
pub(crate) struct Host {
    process: tokio::process::Child,
    socket: OwnedFd,
}

/// A pool the host forked: its pipes and its process, held by a pidfd.
pub(crate) struct HostedPool {
    /// Its request pipe.
    pub(crate) stdin: tokio::net::unix::pipe::Sender,
    /// Its answer pipe.
    pub(crate) stdout: tokio::net::unix::pipe::Receiver,
    /// The pool process.
    pub(crate) process: PoolProcess,
}

/// A pool process, which is the host's child, not the service's: killed and awaited through
/// its pidfd.
pub(crate) struct PoolProcess {
    pidfd: AsyncFd<OwnedFd>,
}

impl PoolProcess {
    /// Sends it SIGKILL (its zygote and calls die with it).
    pub(crate) fn kill(&self) {
        // SAFETY: pidfd_send_signal takes a live pidfd, a signal number, no siginfo and no
        // flags.
        unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.pidfd.get_ref().as_raw_fd(),
                libc::SIGKILL,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            );
        }
    }

    /// Whether it has ended, without waiting.
    pub(crate) fn has_ended(&self) -> bool {
        let mut fds = [libc::pollfd {
            fd: self.pidfd.get_ref().as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        // SAFETY: poll reads and writes the one live pollfd passed, and does not wait.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), 1, 0) };
        ready != 0
    }

    /// Waits until it has ended (a pidfd becomes readable when its process exits).
    pub(crate) async fn ended(&self) {
        if let Ok(mut guard) = self.pidfd.readable().await {
            guard.retain_ready();
        }
    }
}

impl Host {
    /// Starts `program pool-host --policy ceiling_file` in `scratch`.
    pub(crate) fn start(
        program: &Path,
        ceiling_file: &Path,
        scratch: &Path,
    ) -> Result<Host, ExecError> {
        let (ours, theirs) = socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .map_err(|err| ExecError::Io(err.into()))?;
        let mut command = crate::executor::repy_command(program, scratch);
        command
            .arg("pool-host")
            .arg("--policy")
            .arg(ceiling_file)
            .stdin(Stdio::from(theirs))
            .stdout(Stdio::null())
            // The host's and its pools' own messages (an interpreter that cannot be built, a
            // pool that cannot start, code left off huge pages) belong in the server's log.
            // No program writes there: a sandbox's output goes to its supervisor's pipes.
            .stderr(Stdio::inherit());
        let process = command.spawn().map_err(|source| ExecError::Spawn {
            program: program.display().to_string(),
            source,
        })?;
        Ok(Host {
            process,
            socket: ours,
        })
    }

    /// Asks the host for a pool whose `TMPDIR` and working directory is `dir`.
    pub(crate) fn start_pool(&mut self, dir: &Path) -> Result<HostedPool, ExecError> {
        let io = |err: nix::errno::Errno| ExecError::Io(err.into());
        let (requests_read, requests_write) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(io)?;
        let (answers_read, answers_write) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(io)?;
        let path = dir.as_os_str().as_encoded_bytes();
        let fds = [requests_read.as_raw_fd(), answers_write.as_raw_fd()];
        let iov = [IoSlice::new(path)];
        sendmsg::<()>(
            self.socket.as_raw_fd(),
            &iov,
            &[ControlMessage::ScmRights(&fds)],
            MsgFlags::MSG_NOSIGNAL,
            None,
        )
        .map_err(io)?;
        // The host holds its own copies now.
        drop(requests_read);
        drop(answers_write);
        let (answer, pidfd) = self.answer()?;
        let pidfd = match (answer.strip_prefix("error: "), pidfd) {
            (None, Some(pidfd)) if answer.parse::<i32>().is_ok() => pidfd,
            (Some(message), _) => {
                return Err(ExecError::Failed {
                    status: "the pool host refused".into(),
                    detail: message.to_owned(),
                })
            }
            _ => {
                return Err(ExecError::Failed {
                    status: "the pool host answered".into(),
                    detail: format!("not a pool: {answer:?}"),
                })
            }
        };
        let io = ExecError::Io;
        Ok(HostedPool {
            stdin: tokio::net::unix::pipe::Sender::from_owned_fd(requests_write).map_err(io)?,
            stdout: tokio::net::unix::pipe::Receiver::from_owned_fd(answers_read).map_err(io)?,
            process: PoolProcess {
                // SAFETY: the pidfd is owned by the AsyncFd from here on, open for its whole
                // life, and its raw descriptor never changes.
                pidfd: unsafe { AsyncFd::register_with_interest(pidfd, Interest::READABLE) }
                    .map_err(|err| ExecError::Io(std::io::Error::other(err.to_string())))?,
            },
        })
    }

    /// Reads the host's answer: its text and the descriptor it carried, if any.
    fn answer(&self) -> Result<(String, Option<OwnedFd>), ExecError> {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        let millis = u16::try_from(ANSWER_WAIT.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(self.socket.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::from(millis)) {
            Ok(n) if n > 0 => {}
            _ => {
                return Err(ExecError::Failed {
                    status: "the pool host".into(),
                    detail: "no answer".into(),
                })
            }
        }
        let mut buffer = [0u8; 512];
        let mut space = nix::cmsg_space!([RawFd; 1]);
        let mut iov = [IoSliceMut::new(&mut buffer)];
        let message = recvmsg::<()>(
            self.socket.as_raw_fd(),
            &mut iov,
            Some(&mut space),
            MsgFlags::MSG_CMSG_CLOEXEC,
        )
        .map_err(|err| ExecError::Io(err.into()))?;
        let length = message.bytes;
        let mut pidfd = None;
        if let Ok(cmsgs) = message.cmsgs() {
            for cmsg in cmsgs {
                if let ControlMessageOwned::ScmRights(received) = cmsg {
                    for fd in received {
                        // SAFETY: a descriptor received with SCM_RIGHTS is new in this
                        // process and owned by nothing else.
                        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
                        pidfd.get_or_insert(fd);
                    }
                }
            }
        }
        if length == 0 {
            return Err(ExecError::Failed {
                status: "the pool host ended".into(),
                detail: "no answer".into(),
            });
        }
        Ok((
            String::from_utf8_lossy(&buffer[..length]).into_owned(),
            pidfd,
        ))
    }

    /// Ends the host: closes its socket (it exits, and any pool still running with it) and
    /// waits; kills it if it does not end within [`HOST_EXIT_WAIT`].
    pub(crate) async fn end(self) {
        let Host {
            mut process,
            socket,
        } = self;
        drop(socket);
        if tokio::time::timeout(HOST_EXIT_WAIT, process.wait())
            .await
            .is_err()
        {
            let _ = process.start_kill();
            let _ = process.wait().await;
        }
    }
}

/// The directory a pool lives in, made in `scratch`.
pub(crate) fn pool_dir(scratch: &Path) -> std::io::Result<(tempfile::TempDir, PathBuf)> {
    let dir = tempfile::Builder::new()
        .prefix("pool-")
        .tempdir_in(scratch)?;
    let path = dir.path().canonicalize()?;
    Ok((dir, path))
}
