//! Listening sockets brokered by the supervisor.
//!
//! The sandbox may not call `listen` at all (its seccomp filter refuses it): a socket that
//! listens without an explicit `bind` gets an ephemeral port the kernel's other walls do not
//! mediate. Instead the API asks the supervisor, over a socket pair made before the fork, for
//! a TCP listener on a granted local address; the supervisor checks the port against
//! `connport`, creates, binds and listens, and passes the descriptor back (`SCM_RIGHTS`).
//!
//! A request is 10 bytes: the IPv4 address (4), the port (2, big-endian) and the backlog
//! (4, big-endian). The reply is 4 bytes, an errno (0 for success, big-endian), with the
//! listening descriptor attached on success.

use std::collections::BTreeSet;
use std::io::{IoSlice, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::sys::socket::{
    bind, listen, recvmsg, sendmsg, setsockopt, socket, sockopt, AddressFamily, Backlog,
    ControlMessage, MsgFlags, SockFlag, SockType, SockaddrIn,
};

const REQUEST: usize = 10;

/// The socket buffer size RepyV2 sets on TCP sockets (issue #88).
const BUFFER_SIZE: usize = 10_000;

/// Makes the socket pair: (the supervisor's end, the sandbox's end).
pub(crate) fn pair() -> nix::Result<(OwnedFd, OwnedFd)> {
    nix::sys::socket::socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
}

/// Supervisor side: answers one request waiting on `end`, for the granted `ports`. Returns
/// false when the sandbox's end is closed.
pub(crate) fn serve_one(end: &OwnedFd, ports: &BTreeSet<u16>) -> bool {
    let mut request = [0u8; REQUEST];
    let received = {
        let mut iov = [IoSliceMut::new(&mut request)];
        recvmsg::<()>(end.as_raw_fd(), &mut iov, None, MsgFlags::MSG_DONTWAIT).map(|m| m.bytes)
    };
    let length = match received {
        Ok(0) => return false,
        Ok(n) => n,
        Err(Errno::EAGAIN | Errno::EINTR) => return true,
        Err(_) => return false,
    };
    let reply = if length != REQUEST {
        Err(Errno::EINVAL)
    } else {
        let ip = Ipv4Addr::new(request[0], request[1], request[2], request[3]);
        let port = u16::from_be_bytes([request[4], request[5]]);
        let backlog = i32::from_be_bytes([request[6], request[7], request[8], request[9]]);
        if ports.contains(&port) {
            make_listener(SocketAddrV4::new(ip, port), backlog)
        } else {
            Err(Errno::EACCES)
        }
    };
    let (errno, fd) = match &reply {
        Ok(fd) => (0, Some(fd.as_raw_fd())),
        Err(errno) => (*errno as i32, None),
    };
    let bytes = errno.to_be_bytes();
    let iov = [IoSlice::new(&bytes)];
    let fds: Vec<RawFd> = fd.into_iter().collect();
    let cmsg = [ControlMessage::ScmRights(&fds)];
    let cmsgs: &[ControlMessage<'_>] = if fds.is_empty() { &[] } else { &cmsg };
    let _ = sendmsg::<()>(end.as_raw_fd(), &iov, cmsgs, MsgFlags::MSG_NOSIGNAL, None);
    true
}

/// Supervisor side, between two calls of a batch (or requests of a pool): reads and drops
/// every request still waiting on `end`, unanswered. The call that sent them has ended; an
/// answer would wait for the next call, which would take it for its own.
pub(crate) fn discard_requests(end: &OwnedFd) {
    let mut request = [0u8; REQUEST];
    loop {
        let mut iov = [IoSliceMut::new(&mut request)];
        match recvmsg::<()>(end.as_raw_fd(), &mut iov, None, MsgFlags::MSG_DONTWAIT) {
            Ok(message) if message.bytes > 0 => continue,
            Err(Errno::EINTR) => continue,
            _ => return,
        }
    }
}

/// Sandbox side, in a zygote before it forks the next call: reads and drops every reply still
/// waiting on `end` (answers to a call that ended before it read them), closing the
/// listening sockets they carry. With [`discard_requests`] on the supervisor's side, each
/// call starts with an empty broker: no call gets an answer or a socket meant for another.
pub fn discard_replies(end: RawFd) {
    let mut reply = [0u8; 4];
    // The descriptors received are owned, and closed as they drop.
    while let Ok((bytes, _sockets)) =
        crate::fd_passing::receive_with_fds(end, &mut reply, MsgFlags::MSG_DONTWAIT)
    {
        if bytes == 0 {
            return;
        }
    }
}

/// A listening TCP socket on `local` with RepyV2's options.
fn make_listener(local: SocketAddrV4, backlog: i32) -> nix::Result<OwnedFd> {
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    setsockopt(&fd, sockopt::ReuseAddr, &true)?;
    let _ = setsockopt(&fd, sockopt::RcvBuf, &BUFFER_SIZE);
    let _ = setsockopt(&fd, sockopt::SndBuf, &BUFFER_SIZE);
    bind(fd.as_raw_fd(), &SockaddrIn::from(local))?;
    listen(
        &fd,
        Backlog::new(backlog.clamp(1, 128)).unwrap_or(Backlog::MAXCONN),
    )?;
    Ok(fd)
}

/// Sandbox side: asks the supervisor, over `end`, for a TCP listener on `local`. The error
/// is the errno of whatever failed (EACCES: the port is not granted).
pub fn request_listener(end: RawFd, local: SocketAddrV4, backlog: i32) -> std::io::Result<OwnedFd> {
    let mut request = [0u8; REQUEST];
    request[..4].copy_from_slice(&local.ip().octets());
    request[4..6].copy_from_slice(&local.port().to_be_bytes());
    request[6..].copy_from_slice(&backlog.to_be_bytes());
    let iov = [IoSlice::new(&request)];
    sendmsg::<()>(end, &iov, &[], MsgFlags::MSG_NOSIGNAL, None).map_err(std::io::Error::from)?;
    let mut reply = [0u8; 4];
    let (bytes, fds) = crate::fd_passing::receive_with_fds(end, &mut reply, MsgFlags::empty())
        .map_err(std::io::Error::from)?;
    if bytes != 4 {
        return Err(std::io::Error::from_raw_os_error(libc::EPROTO));
    }
    let errno = i32::from_be_bytes(reply);
    // Any descriptor past the first is closed as `fds` drops.
    match (errno, fds.into_iter().next()) {
        (0, Some(fd)) => Ok(fd),
        (0, None) => Err(std::io::Error::from_raw_os_error(libc::EPROTO)),
        (errno, _) => Err(std::io::Error::from_raw_os_error(errno)),
    }
}
