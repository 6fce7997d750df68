//! Receiving descriptors passed over a Unix socket (`SCM_RIGHTS`): the broker's listening
//! sockets, and a pool host's pipe ends.

use std::io::IoSliceMut;
use std::os::fd::{FromRawFd as _, OwnedFd, RawFd};

use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags};

/// The most descriptors one message is read with; more are closed by the kernel
/// (`MSG_CTRUNC`).
pub const MAX_FDS: usize = 4;

/// Receives one message on `socket` into `buffer` (`MSG_CMSG_CLOEXEC` added to `flags`),
/// retrying on EINTR: the bytes read and every descriptor it carried, owned (so none leaks,
/// whatever the caller keeps).
pub fn receive_with_fds(
    socket: RawFd,
    buffer: &mut [u8],
    flags: MsgFlags,
) -> nix::Result<(usize, Vec<OwnedFd>)> {
    loop {
        let mut space = nix::cmsg_space!([RawFd; MAX_FDS]);
        let mut iov = [IoSliceMut::new(buffer)];
        let message = match recvmsg::<()>(
            socket,
            &mut iov,
            Some(&mut space),
            flags | MsgFlags::MSG_CMSG_CLOEXEC,
        ) {
            Ok(message) => message,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(err) => return Err(err),
        };
        let mut fds = Vec::new();
        // A message whose control data was cut short (more descriptors than MAX_FDS) still
        // counts as read, with none of its descriptors.
        if let Ok(cmsgs) = message.cmsgs() {
            for cmsg in cmsgs {
                if let ControlMessageOwned::ScmRights(received) = cmsg {
                    // SAFETY: descriptors received with SCM_RIGHTS are new in this process
                    // and owned by nothing else.
                    fds.extend(
                        received
                            .into_iter()
                            .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
                    );
                }
            }
        }
        return Ok((message.bytes, fds));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::socket::{
        sendmsg, socketpair, AddressFamily, ControlMessage, SockFlag, SockType,
    };
    use std::io::IoSlice;
    use std::os::fd::AsRawFd as _;

    #[test]
    fn every_descriptor_a_message_carries_comes_back_owned() {
        let (a, b) = socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .expect("a socket pair");
        let (r, w) = nix::unistd::pipe().expect("a pipe");
        let fds = [r.as_raw_fd(), w.as_raw_fd()];
        let iov = [IoSlice::new(b"dir")];
        sendmsg::<()>(
            a.as_raw_fd(),
            &iov,
            &[ControlMessage::ScmRights(&fds)],
            MsgFlags::empty(),
            None,
        )
        .expect("send");
        let mut buffer = [0u8; 16];
        let (bytes, received) =
            receive_with_fds(b.as_raw_fd(), &mut buffer, MsgFlags::empty()).expect("receive");
        assert_eq!(&buffer[..bytes], b"dir");
        assert_eq!(received.len(), 2);
        // A message without descriptors carries none.
        sendmsg::<()>(a.as_raw_fd(), &iov, &[], MsgFlags::empty(), None).expect("send");
        let (_, none) =
            receive_with_fds(b.as_raw_fd(), &mut buffer, MsgFlags::empty()).expect("receive");
        assert!(none.is_empty());
    }
}
