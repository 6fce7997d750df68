//! UDP: `sendmessage`, `listenformessage` and the UDP server socket object.

use std::collections::HashMap;
use std::net::{SocketAddr, SocketAddrV4, UdpSocket};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::{bind_error, ip_arg, port_arg, require_udp_port, resources_for, PACKET_OVERHEAD};
use crate::args::{self, positional};
use crate::charge::{self, Item};
use crate::descriptors::Counted;
use crate::exceptions::{
    AlreadyListeningError, DuplicateTupleError, RepyArgumentError, SocketClosedLocal,
    SocketWouldBlockError,
};

/// The largest datagram `sendmessage` accepts (RepyV2's cross-platform cap, issue #113).
pub const MAX_MESSAGE: usize = 9216;
/// The largest datagram `getmessage` reads.
const MAX_RECEIVE: usize = 65535;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The UDP sockets bound by `listenformessage`, reused by `sendmessage` from that address.
static LISTENERS: Mutex<Option<HashMap<SocketAddrV4, Arc<Counted<UdpSocket>>>>> = Mutex::new(None);

fn listener_for(local: SocketAddrV4) -> Option<Arc<Counted<UdpSocket>>> {
    lock(&LISTENERS)
        .as_ref()
        .and_then(|m| m.get(&local).cloned())
}

/// A new UDP socket bound to `local`, counted in the descriptor budget.
fn bound_socket(local: SocketAddrV4) -> PyResult<Counted<UdpSocket>> {
    let slot = crate::descriptors::take("open a UDP socket")?;
    let socket = Socket::new(Domain::IPV4, Type::DGRAM.cloexec(), Some(Protocol::UDP))
        .map_err(|e| super::socket_error(&e, "UDP"))?;
    let _ = socket.set_recv_buffer_size(66_000);
    let _ = socket.set_send_buffer_size(66_000);
    socket.bind(&SockAddr::from(local)).map_err(|e| {
        bind_error(&e, local, || {
            AlreadyListeningError::new_err(format!("Something is already bound to UDP {local}"))
        })
    })?;
    let _ = socket.set_nonblocking(true);
    Ok(Counted::new(socket.into(), slot))
}

/// `sendmessage(destip, destport, message, localip, localport)`: sends one datagram from a
/// granted local UDP port; returns the bytes sent.
#[pyfunction(signature = (*args, **kwargs))]
pub fn sendmessage(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<usize> {
    let [destip, destport, message, localip, localport] =
        positional::<5>("sendmessage", args, kwargs)?;
    let dest = SocketAddrV4::new(ip_arg(&destip, "destip")?, port_arg(&destport, "destport")?);
    let message = args::data(&message)?;
    let local = SocketAddrV4::new(
        ip_arg(&localip, "localip")?,
        port_arg(&localport, "localport")?,
    );
    if dest == local {
        return Err(RepyArgumentError::new_err(
            "Local socket name cannot match destination socket name! Local/Dest IP and Port match.",
        ));
    }
    require_udp_port(local.port())?;
    if message.len() > MAX_MESSAGE {
        return Err(RepyArgumentError::new_err(format!(
            "Message is {} bytes; the limit is {MAX_MESSAGE}",
            message.len()
        )));
    }
    let (send, _) = resources_for(*dest.ip());
    charge::before(py, send)?;
    let sent = match listener_for(local) {
        Some(socket) => py.detach(|| socket.send_to(&message, dest)),
        None => {
            // A socket of its own for this one message: it holds an outsockets item only
            // while it exists (RepyV2 leaked the item).
            // Only an address in use is a duplicate tuple; a foreign local IP stays an
            // AddressBindingError (RepyV2: EADDRNOTAVAIL), and so on.
            // The item is taken before the socket exists (no descriptor without an item).
            let key = charge::new_key();
            charge::acquire(Item::OUTSOCKETS, key)?;
            let socket = bound_socket(local).map_err(|e| {
                charge::release(Item::OUTSOCKETS, key);
                if e.is_instance_of::<AlreadyListeningError>(py) {
                    DuplicateTupleError::new_err(
                        "Provided Local IP and Local Port is already in use!",
                    )
                } else {
                    e
                }
            })?;
            let result = py.detach(|| socket.send_to(&message, dest));
            charge::release(Item::OUTSOCKETS, key);
            result
        }
    };
    match sent {
        Ok(n) => {
            charge::after(py, send, n as u64 + PACKET_OVERHEAD)?;
            Ok(n)
        }
        Err(e) => Err(match e.raw_os_error() {
            Some(libc::EAGAIN) => {
                SocketWouldBlockError::new_err("The message could not be sent now.")
            }
            _ => super::destination_error(&e, local, dest)
                .unwrap_or_else(|| crate::errors::internal(format!("sendto {dest}: {e}"))),
        }),
    }
}

/// A UDP socket listening for messages, from `listenformessage`.
#[pyclass(frozen, immutable_type, name = "udpserversocket", module = "repy")]
pub struct RepyUdpServer {
    key: u64,
    socket: Mutex<Option<Arc<Counted<UdpSocket>>>>,
    local: SocketAddrV4,
}

impl RepyUdpServer {
    fn key(&self) -> u64 {
        self.key
    }

    fn shut(&self) {
        if lock(&self.socket).take().is_some() {
            if let Some(map) = lock(&LISTENERS).as_mut() {
                map.remove(&self.local);
            }
            charge::release(Item::INSOCKETS, self.key());
        }
    }
}

impl Drop for RepyUdpServer {
    fn drop(&mut self) {
        self.shut();
    }
}

#[pymethods]
impl RepyUdpServer {
    /// `getmessage()`: `(remote_ip, remote_port, message)` of a waiting datagram.
    #[pyo3(signature = (*args, **kwargs))]
    fn getmessage<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<(String, u16, Bound<'py, PyString>)> {
        positional::<0>("getmessage", args, kwargs)?;
        let (_, recv) = resources_for(*self.local.ip());
        charge::before(py, recv)?;
        let Some(socket) = lock(&self.socket).clone() else {
            return Err(SocketClosedLocal::new_err("The socket has been closed!"));
        };
        let received = py.detach(|| {
            // One zeroed buffer per thread, reused: zeroing 64 KiB for every poll of an
            // empty socket cost more than the poll.
            thread_local! {
                static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; MAX_RECEIVE]);
            }
            BUFFER.with(|buffer| {
                let mut buffer = buffer.borrow_mut();
                socket.recv_from(&mut buffer).map(|(n, from)| (buffer[..n].to_vec(), from))
            })
        });
        match received {
            Ok((data, from)) => {
                charge::after(py, recv, data.len() as u64 + PACKET_OVERHEAD)?;
                let (ip, port) = match from {
                    SocketAddr::V4(a) => (a.ip().to_string(), a.port()),
                    SocketAddr::V6(a) => (a.ip().to_string(), a.port()),
                };
                Ok((ip, port, args::data_to_str(py, &data)?))
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::Interrupted =>
            {
                Err(SocketWouldBlockError::new_err(
                    "No messages currently available!",
                ))
            }
            Err(e) => {
                self.shut();
                Err(SocketClosedLocal::new_err(format!(
                    "The socket failed and was closed: {e}"
                )))
            }
        }
    }

    /// `close()`: stops listening. Returns `True` (on every call, as RepyV2).
    #[pyo3(signature = (*args, **kwargs))]
    fn close(
        &self,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<bool> {
        positional::<0>("close", args, kwargs)?;
        self.shut();
        Ok(true)
    }

    fn __repr__(&self) -> String {
        "<Namespace wrapped udpserversocket>".to_string()
    }
}

/// `listenformessage(localip, localport)`: receives datagrams on a granted local UDP port.
#[pyfunction(signature = (*args, **kwargs))]
pub fn listenformessage(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<RepyUdpServer> {
    let [localip, localport] = positional::<2>("listenformessage", args, kwargs)?;
    let local = SocketAddrV4::new(
        ip_arg(&localip, "localip")?,
        port_arg(&localport, "localport")?,
    );
    require_udp_port(local.port())?;
    if listener_for(local).is_some() {
        return Err(AlreadyListeningError::new_err(
            "There is a listening socket on the provided localip and localport!",
        ));
    }
    let socket = Arc::new(bound_socket(local)?);
    let server = RepyUdpServer {
        key: charge::new_key(),
        socket: Mutex::new(Some(Arc::clone(&socket))),
        local,
    };
    charge::acquire(Item::INSOCKETS, server.key())?;
    lock(&LISTENERS)
        .get_or_insert_with(HashMap::new)
        .insert(local, socket);
    Ok(server)
}
