//! TCP: `openconnection`, `listenforconnection`, and the socket and server-socket objects.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::{
    bind_error, connect_error, ip_arg, port_arg, require_tcp_port, resources_for, with_registry,
    PACKET_OVERHEAD,
};
use crate::args::{self, positional};
use crate::charge::{self, Item, Renewable};
use crate::descriptors::Counted;
use crate::exceptions::{
    AlreadyListeningError, DuplicateTupleError, RepyArgumentError, SocketClosedLocal,
    SocketClosedRemote, SocketWouldBlockError, TimeoutError,
};

/// The most one `recv` reads (far above what the receive buffer holds).
const MAX_RECV: usize = 64 * 1024;

/// The longest `openconnection` waits, whatever its timeout.
const MAX_CONNECT_WAIT: Duration = Duration::from_secs(86_400);

/// The socket buffer size RepyV2 sets (issue #88).
const BUFFER_SIZE: usize = 10_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn v4(addr: SocketAddr) -> SocketAddrV4 {
    match addr {
        SocketAddr::V4(a) => a,
        SocketAddr::V6(a) => SocketAddrV4::new(
            a.ip().to_ipv4_mapped().unwrap_or(Ipv4Addr::UNSPECIFIED),
            a.port(),
        ),
    }
}

/// A new TCP socket bound to `local` with RepyV2's options, counted in the descriptor budget.
fn bound_socket(local: SocketAddrV4, listening: bool) -> PyResult<Counted<Socket>> {
    let slot = crate::descriptors::take("open a TCP socket")?;
    let socket = Socket::new(Domain::IPV4, Type::STREAM.cloexec(), Some(Protocol::TCP))
        .map_err(|e| super::socket_error(&e, "TCP"))?;
    let _ = socket.set_reuse_address(true);
    let _ = socket.set_recv_buffer_size(BUFFER_SIZE);
    let _ = socket.set_send_buffer_size(BUFFER_SIZE);
    socket.bind(&SockAddr::from(local)).map_err(|e| {
        bind_error(&e, local, || {
            let ours = with_registry(|r| r.tcp_listeners.contains(&local));
            let whose = if ours {
                "this program"
            } else {
                "another program"
            };
            let _ = listening;
            AlreadyListeningError::new_err(format!(
                "There is a listening socket on the provided localip and localport! ({whose} listens on {local})"
            ))
        })
    })?;
    Ok(Counted::new(socket, slot))
}

/// An open TCP connection's state.
struct Connection {
    stream: Counted<TcpStream>,
    local: SocketAddrV4,
    remote: SocketAddrV4,
}

/// A connected TCP socket, from `openconnection` or `getconnection`.
#[pyclass(frozen, immutable_type, name = "socket", module = "repy")]
pub struct RepySocket {
    key: u64,
    state: Mutex<Option<Connection>>,
    loopback: bool,
}

impl RepySocket {
    /// A connected socket holding the `outsockets` item `key`.
    fn new(
        stream: Counted<TcpStream>,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        key: u64,
    ) -> Self {
        with_registry(|r| r.tcp_connections.insert((local, remote)));
        Self {
            key,
            loopback: remote.ip().is_loopback(),
            state: Mutex::new(Some(Connection {
                stream,
                local,
                remote,
            })),
        }
    }

    fn key(&self) -> u64 {
        self.key
    }

    fn resources(&self) -> (Renewable, Renewable) {
        resources_for(if self.loopback {
            Ipv4Addr::LOCALHOST
        } else {
            Ipv4Addr::UNSPECIFIED
        })
    }

    /// Closes the connection if open; returns whether it was.
    fn shut(&self) -> bool {
        let Some(conn) = lock(&self.state).take() else {
            return false;
        };
        let _ = conn.stream.shutdown(std::net::Shutdown::Write);
        with_registry(|r| r.tcp_connections.remove(&(conn.local, conn.remote)));
        charge::release(Item::OUTSOCKETS, self.key());
        true
    }

    fn closed_remote(&self) -> PyErr {
        self.shut();
        SocketClosedRemote::new_err("The socket has been closed by the remote end!")
    }
}

impl Drop for RepySocket {
    fn drop(&mut self) {
        self.shut();
    }
}

#[pymethods]
impl RepySocket {
    /// `send(message)`: sends what the kernel takes without blocking; returns the count.
    #[pyo3(signature = (*args, **kwargs))]
    fn send(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<usize> {
        let [message] = positional::<1>("send", args, kwargs)?;
        let message = args::data(&message)?;
        let (send, recv) = self.resources();
        charge::before(py, send)?;
        charge::before(py, recv)?;
        let result = py.detach(|| -> Result<usize, std::io::Error> {
            let guard = lock(&self.state);
            let Some(conn) = guard.as_ref() else {
                return Err(std::io::Error::from_raw_os_error(libc::EBADF));
            };
            // A peer that has closed shows as a readable socket with nothing to read.
            let mut peek = [0u8; 1];
            if let Ok(0) = conn.stream.peek(&mut peek) {
                return Err(std::io::Error::from_raw_os_error(libc::EPIPE));
            }
            (&*conn.stream).write(&message)
        });
        match result {
            Ok(sent) => {
                charge::after(py, send, sent as u64 + PACKET_OVERHEAD)?;
                charge::after(py, recv, PACKET_OVERHEAD)?;
                Ok(sent)
            }
            Err(e) => Err(self.io_error(&e, "send() would block.")),
        }
    }

    /// `recv(numbytes)`: up to `numbytes` bytes that have arrived, without blocking.
    #[pyo3(signature = (*args, **kwargs))]
    fn recv<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyString>> {
        let [numbytes] = positional::<1>("recv", args, kwargs)?;
        let numbytes = args::int_at_least(&numbytes, 1)?;
        // No read returns more than the socket's receive buffer holds (RepyV2 sets 10,000
        // bytes, which Linux doubles), so a larger request needs no larger buffer.
        let numbytes = usize::try_from(numbytes)
            .unwrap_or(usize::MAX)
            .min(MAX_RECV);
        let (send, recv) = self.resources();
        charge::before(py, send)?;
        charge::before(py, recv)?;
        let result = py.detach(|| -> Result<Vec<u8>, std::io::Error> {
            let guard = lock(&self.state);
            let Some(conn) = guard.as_ref() else {
                return Err(std::io::Error::from_raw_os_error(libc::EBADF));
            };
            let mut buffer = vec![0u8; numbytes];
            let n = (&*conn.stream).read(&mut buffer)?;
            if n == 0 {
                return Err(std::io::Error::from_raw_os_error(libc::EPIPE));
            }
            buffer.truncate(n);
            Ok(buffer)
        });
        match result {
            Ok(data) => {
                charge::after(py, recv, data.len() as u64 + PACKET_OVERHEAD)?;
                charge::after(py, send, PACKET_OVERHEAD)?;
                args::data_to_str(py, &data)
            }
            Err(e) => Err(self.io_error(&e, "There is no data! recv() would block.")),
        }
    }

    /// `close()`: closes the connection; `False` if it already was.
    #[pyo3(signature = (*args, **kwargs))]
    fn close(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<bool> {
        positional::<0>("close", args, kwargs)?;
        if lock(&self.state).is_none() {
            return Ok(false);
        }
        let (send, recv) = self.resources();
        charge::before(py, send)?;
        charge::before(py, recv)?;
        let closed = py.detach(|| self.shut());
        if closed {
            charge::after(py, recv, PACKET_OVERHEAD)?;
            charge::after(py, send, 2 * PACKET_OVERHEAD)?;
        }
        Ok(closed)
    }

    fn __repr__(&self) -> String {
        "<Namespace wrapped socket>".to_string()
    }
}

impl RepySocket {
    /// Maps an I/O error of an established connection.
    fn io_error(&self, e: &std::io::Error, would_block: &'static str) -> PyErr {
        match e.raw_os_error() {
            Some(libc::EBADF) => SocketClosedLocal::new_err("The socket has been closed locally!"),
            Some(libc::EAGAIN | libc::EINTR) => SocketWouldBlockError::new_err(would_block),
            Some(
                libc::EPIPE | libc::ECONNRESET | libc::ENOTCONN | libc::ETIMEDOUT | libc::ENETRESET,
            ) => self.closed_remote(),
            _ => {
                self.shut();
                SocketClosedLocal::new_err(format!("The socket failed and was closed: {e}"))
            }
        }
    }
}

/// Validates the common address arguments of TCP calls.
fn addresses(
    destip: &Bound<'_, PyAny>,
    destport: &Bound<'_, PyAny>,
    localip: &Bound<'_, PyAny>,
    localport: &Bound<'_, PyAny>,
) -> PyResult<(SocketAddrV4, SocketAddrV4)> {
    let dest = SocketAddrV4::new(ip_arg(destip, "destip")?, port_arg(destport, "destport")?);
    let local = SocketAddrV4::new(
        ip_arg(localip, "localip")?,
        port_arg(localport, "localport")?,
    );
    if dest == local {
        return Err(RepyArgumentError::new_err(
            "Local socket name cannot match destination socket name! Local/Dest IP and Port match.",
        ));
    }
    Ok((dest, local))
}

/// `openconnection(destip, destport, localip, localport, timeout)`: a TCP connection from a
/// granted local port, waiting at most `timeout` seconds to connect.
#[pyfunction(signature = (*args, **kwargs))]
pub fn openconnection(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<RepySocket> {
    let [destip, destport, localip, localport, timeout] =
        positional::<5>("openconnection", args, kwargs)?;
    let (dest, local) = addresses(&destip, &destport, &localip, &localport)?;
    let timeout = args::non_negative_number(&timeout)?;
    if timeout <= 0.0 {
        return Err(RepyArgumentError::new_err(format!(
            "Provided timeout is not valid, must be positive! Timeout: {timeout}"
        )));
    }
    require_tcp_port(local.port())?;
    if with_registry(|r| r.tcp_connections.contains(&(local, dest))) {
        return Err(DuplicateTupleError::new_err(
            "There is a duplicate connection which conflicts with the request!",
        ));
    }
    let (send, recv) = resources_for(*dest.ip());
    charge::before(py, send)?;
    charge::before(py, recv)?;
    // As in RepyV2, the outsockets item is taken once connected (so a refused or timed-out
    // connection reports that first). Threads racing to connect can hold more descriptors
    // meanwhile; the descriptor rlimit bounds them, and running out is a Repy exception.
    let stream = open_connection(py, local, dest, timeout)?;
    let key = charge::new_key();
    if let Err(err) = charge::acquire(Item::OUTSOCKETS, key) {
        let _ = stream.shutdown(std::net::Shutdown::Both);
        return Err(err);
    }
    let handle = RepySocket::new(stream, local, dest, key);
    charge::after(py, send, 2 * PACKET_OVERHEAD)?;
    charge::after(py, recv, PACKET_OVERHEAD)?;
    Ok(handle)
}

/// Binds `local` and connects to `dest` within `timeout` seconds.
fn open_connection(
    py: Python<'_>,
    local: SocketAddrV4,
    dest: SocketAddrV4,
    timeout: f64,
) -> PyResult<Counted<TcpStream>> {
    let socket = bound_socket(local, false)?;
    let connected = py.detach(|| -> Result<(), std::io::Error> {
        // A timeout beyond a day waits a day: the kernel gives up on a connection long before.
        let wait = Duration::try_from_secs_f64(timeout)
            .unwrap_or(MAX_CONNECT_WAIT)
            .min(MAX_CONNECT_WAIT);
        match socket.connect_timeout(&SockAddr::from(dest), wait.max(Duration::from_millis(1))) {
            Ok(()) => Ok(()),
            Err(e)
                if e.kind() == std::io::ErrorKind::TimedOut
                    || e.kind() == std::io::ErrorKind::WouldBlock =>
            {
                Err(std::io::Error::from_raw_os_error(libc::ETIMEDOUT))
            }
            Err(e) => Err(e),
        }
    });
    if let Err(e) = connected {
        if e.raw_os_error() == Some(libc::ETIMEDOUT) {
            return Err(TimeoutError::new_err(
                "Timed-out connecting to the remote host!",
            ));
        }
        return Err(connect_error(&e, local, dest));
    }
    let _ = socket.set_nonblocking(true);
    Ok(socket.map(TcpStream::from))
}

/// A listening TCP socket from `listenforconnection`.
#[pyclass(frozen, immutable_type, name = "tcpserversocket", module = "repy")]
pub struct RepyTcpServer {
    key: u64,
    state: Mutex<Option<Counted<TcpListener>>>,
    local: SocketAddrV4,
}

impl RepyTcpServer {
    fn key(&self) -> u64 {
        self.key
    }

    fn shut(&self) {
        if lock(&self.state).take().is_some() {
            with_registry(|r| r.tcp_listeners.remove(&self.local));
            charge::release(Item::INSOCKETS, self.key());
        }
    }
}

impl Drop for RepyTcpServer {
    fn drop(&mut self) {
        self.shut();
    }
}

#[pymethods]
impl RepyTcpServer {
    /// `getconnection()`: `(remote_ip, remote_port, socket)` of a pending connection.
    #[pyo3(signature = (*args, **kwargs))]
    fn getconnection<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<(String, u16, RepySocket)> {
        positional::<0>("getconnection", args, kwargs)?;
        let (send, recv) = resources_for(*self.local.ip());
        charge::before(py, send)?;
        charge::before(py, recv)?;
        let slot = crate::descriptors::take("accept a connection")?;
        let accepted = py.detach(|| -> Result<(TcpStream, SocketAddr), std::io::Error> {
            let guard = lock(&self.state);
            let Some(listener) = guard.as_ref() else {
                return Err(std::io::Error::from_raw_os_error(libc::EBADF));
            };
            listener.accept()
        });
        let (stream, remote) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                return Err(match e.raw_os_error() {
                    Some(libc::EBADF) => {
                        SocketClosedLocal::new_err("The server socket has been closed!")
                    }
                    Some(libc::EMFILE | libc::ENFILE) => {
                        crate::exceptions::ResourceExhaustedError::new_err(
                            "No file descriptors are left to accept a connection",
                        )
                    }
                    _ => SocketWouldBlockError::new_err("No connections currently available!"),
                })
            }
        };
        let _ = stream.set_nonblocking(true);
        let stream = Counted::new(stream, slot);
        let remote = v4(remote);
        let local = stream.local_addr().map(v4).unwrap_or(self.local);
        let key = charge::new_key();
        if let Err(err) = charge::acquire(Item::OUTSOCKETS, key) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return Err(err);
        }
        let handle = RepySocket::new(stream, local, remote, key);
        charge::after(py, recv, 2 * PACKET_OVERHEAD)?;
        charge::after(py, send, PACKET_OVERHEAD)?;
        Ok((remote.ip().to_string(), remote.port(), handle))
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
        "<Namespace wrapped tcpserversocket>".to_string()
    }
}

/// `listenforconnection(localip, localport)`: listens on a granted local TCP port.
#[pyfunction(signature = (*args, **kwargs))]
pub fn listenforconnection(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<RepyTcpServer> {
    let [localip, localport] = positional::<2>("listenforconnection", args, kwargs)?;
    let local = SocketAddrV4::new(
        ip_arg(&localip, "localip")?,
        port_arg(&localport, "localport")?,
    );
    require_tcp_port(local.port())?;
    if with_registry(|r| r.tcp_listeners.contains(&local)) {
        return Err(AlreadyListeningError::new_err(
            "There is a listening socket on the provided localip and localport!",
        ));
    }
    let backlog = i32::try_from(charge::item_limit(Item::OUTSOCKETS))
        .unwrap_or(5)
        .clamp(1, 128);
    let server = RepyTcpServer {
        key: charge::new_key(),
        state: Mutex::new(None),
        local,
    };
    charge::acquire(Item::INSOCKETS, server.key())?;
    // The sandbox may not call listen() itself: the supervisor makes the listener (it
    // checks connport again) and passes it back.
    let slot = match crate::descriptors::take("listen for connections") {
        Ok(slot) => slot,
        Err(err) => {
            charge::release(Item::INSOCKETS, server.key());
            return Err(err);
        }
    };
    let listener = match py.detach(|| super::broker_listen(local, backlog)) {
        Ok(listener) => Counted::new(listener, slot),
        Err(e) => {
            charge::release(Item::INSOCKETS, server.key());
            if let Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) =
                e.raw_os_error()
            {
                return Err(crate::exceptions::ResourceExhaustedError::new_err(format!(
                    "Cannot listen on {local}: {e}"
                )));
            }
            return Err(bind_error(&e, local, || {
                let ours = with_registry(|r| r.tcp_listeners.contains(&local));
                let whose = if ours {
                    "this program"
                } else {
                    "another program"
                };
                AlreadyListeningError::new_err(format!(
                "There is a listening socket on the provided localip and localport! ({whose} listens on {local})"
            ))
            }));
        }
    };
    let _ = listener.set_nonblocking(true);
    *lock(&server.state) = Some(listener);
    with_registry(|r| r.tcp_listeners.insert(local));
    Ok(server)
}
