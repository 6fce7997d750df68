//! Networking: `gethostbyname`, `getmyip`, TCP (`openconnection`, `listenforconnection`) and
//! UDP (`sendmessage`, `listenformessage`), with RepyV2's non-blocking semantics.
//!
//! Only *local* ports are restricted: TCP ones must be granted by `connport`, UDP ones by
//! `messport`. Traffic to or from 127.x.y.z is charged to `loopsend`/`looprecv`, everything
//! else to `netsend`/`netrecv`, with 64 bytes of overhead per packet. The sandbox tracks its
//! own listeners and connections to classify address errors (RepyV2 parsed `netstat`).

pub mod tcp;
pub mod udp;

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::args::{self, positional};
use crate::charge::{self, Renewable};
use crate::exceptions::{
    AddressBindingError, CleanupInProgressError, ConnectionRefusedError, InternetConnectivityError,
    NetworkAddressError, RepyArgumentError, ResourceForbiddenError,
};

/// Bytes of overhead charged per packet.
pub const PACKET_OVERHEAD: u64 = 64;

/// The sockets this sandbox has open, to classify address errors.
#[derive(Default)]
pub struct Registry {
    /// Local addresses with a TCP listener.
    pub tcp_listeners: HashSet<SocketAddrV4>,
    /// (local, remote) pairs of TCP connections.
    pub tcp_connections: HashSet<(SocketAddrV4, SocketAddrV4)>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

/// The registry, created on first use.
pub fn registry() -> MutexGuard<'static, Option<Registry>> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `f` on the registry.
pub fn with_registry<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    let mut guard = registry();
    f(guard.get_or_insert_with(Registry::default))
}

/// Parses the IP argument `name` (`destip`, `localip`) with RepyV2's rule: an exact `str`
/// holding a dotted quad of four decimal octets, the first neither 0 nor 224 or above.
pub fn ip_arg(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Ipv4Addr> {
    let text = args::exact_str(value)?;
    let invalid =
        || RepyArgumentError::new_err(format!("Provided {name} is not valid! IP: '{text}'"));
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4 || text == "192.168.0.0" {
        return Err(invalid());
    }
    let mut octets = [0u8; 4];
    for (slot, part) in octets.iter_mut().zip(&parts) {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        *slot = part.parse().map_err(|_| invalid())?;
    }
    if octets[0] == 0 || octets[0] >= 224 {
        return Err(invalid());
    }
    Ok(Ipv4Addr::from(octets))
}

/// Parses the port argument `name` (`destport`, `localport`): an exact `int` from 1 to
/// 65535.
pub fn port_arg(value: &Bound<'_, PyAny>, name: &str) -> PyResult<u16> {
    let port = args::exact_int(value)?;
    u16::try_from(port).ok().filter(|p| *p != 0).ok_or_else(|| {
        RepyArgumentError::new_err(format!("Provided {name} is not valid! Port: {port}"))
    })
}

/// Refuses a local TCP port the restrictions do not grant.
pub fn require_tcp_port(port: u16) -> PyResult<()> {
    if charge::tcp_port_allowed(port) {
        Ok(())
    } else {
        Err(ResourceForbiddenError::new_err(format!(
            "Provided localport is not allowed! Port: {port}"
        )))
    }
}

/// Refuses a local UDP port the restrictions do not grant.
pub fn require_udp_port(port: u16) -> PyResult<()> {
    if charge::udp_port_allowed(port) {
        Ok(())
    } else {
        Err(ResourceForbiddenError::new_err(format!(
            "Provided localport is not allowed! Port: {port}"
        )))
    }
}

/// The send and receive resources for traffic involving `ip`.
pub fn resources_for(ip: Ipv4Addr) -> (Renewable, Renewable) {
    if ip.is_loopback() {
        (Renewable::LOOPSEND, Renewable::LOOPRECV)
    } else {
        (Renewable::NETSEND, Renewable::NETRECV)
    }
}

/// Maps errors that mean "the network itself is not there".
pub fn connectivity_error(err: &std::io::Error) -> Option<PyErr> {
    match err.raw_os_error() {
        Some(libc::ENETDOWN | libc::ENETUNREACH | libc::EHOSTUNREACH) => {
            Some(InternetConnectivityError::new_err(
                "The network is down or cannot be reached from the local IP!",
            ))
        }
        _ => None,
    }
}

/// Maps an error from creating a socket: no descriptors left is a resource the program
/// can run out of; anything else is internal.
pub fn socket_error(err: &std::io::Error, kind: &str) -> PyErr {
    match err.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) => {
            crate::exceptions::ResourceExhaustedError::new_err(format!(
                "Cannot create a {kind} socket: {err}"
            ))
        }
        _ => crate::errors::internal(format!("cannot create a {kind} socket: {err}")),
    }
}

/// Maps an error from sending to or connecting to a destination that the local address
/// cannot reach (EINVAL: e.g. from a loopback address to a public one) or may not reach
/// (EACCES/EPERM: e.g. a broadcast address), or that is not reachable at all.
pub fn destination_error(
    err: &std::io::Error,
    local: SocketAddrV4,
    dest: SocketAddrV4,
) -> Option<PyErr> {
    match err.raw_os_error() {
        Some(libc::EINVAL | libc::EADDRNOTAVAIL) => Some(AddressBindingError::new_err(format!(
            "The local address {local} cannot reach {dest}"
        ))),
        Some(libc::EACCES | libc::EPERM) => Some(ResourceForbiddenError::new_err(format!(
            "Sending from {local} to {dest} is not permitted (e.g. a broadcast address)"
        ))),
        _ => connectivity_error(err),
    }
}

/// Maps an error from binding `local`.
pub fn bind_error(
    err: &std::io::Error,
    local: SocketAddrV4,
    listening: impl FnOnce() -> PyErr,
) -> PyErr {
    match err.raw_os_error() {
        Some(libc::EADDRINUSE) => listening(),
        Some(libc::EADDRNOTAVAIL) => {
            AddressBindingError::new_err("Cannot bind to the specified local ip, invalid!")
        }
        Some(libc::EACCES | libc::EPERM) => ResourceForbiddenError::new_err(format!(
            "The sandbox may not bind local address {local}: {err}"
        )),
        _ => connectivity_error(err)
            .unwrap_or_else(|| crate::errors::internal(format!("bind {local}: {err}"))),
    }
}

/// Maps an error from connecting.
pub fn connect_error(err: &std::io::Error, local: SocketAddrV4, remote: SocketAddrV4) -> PyErr {
    match err.raw_os_error() {
        Some(libc::ECONNREFUSED | libc::ECONNABORTED | libc::ECONNRESET) => {
            ConnectionRefusedError::new_err("The connection was refused!")
        }
        Some(libc::EADDRINUSE | libc::EADDRNOTAVAIL) => CleanupInProgressError::new_err(format!(
            "The address tuple {local} -> {remote} is still being cleaned up"
        )),
        Some(libc::EACCES | libc::EPERM | libc::EINVAL) => destination_error(err, local, remote)
            .unwrap_or_else(|| crate::errors::internal(format!("connect {remote}: {err}"))),
        _ => connectivity_error(err)
            .unwrap_or_else(|| crate::errors::internal(format!("connect {remote}: {err}"))),
    }
}

/// The sandbox's end of the supervisor's listening-socket broker.
static BROKER: OnceLock<std::os::fd::OwnedFd> = OnceLock::new();

/// Installs the broker's descriptor (the sandbox child does, before the program runs).
pub fn install_broker(end: std::os::fd::OwnedFd) {
    let _ = BROKER.set(end);
}

/// In a zygote, before it forks a call: drops the broker's answers a call that ended never
/// read, closing their sockets (see `nanny::broker::discard_replies`).
pub fn discard_stale_broker_replies() {
    use std::os::fd::AsRawFd;
    if let Some(end) = BROKER.get() {
        nanny::broker::discard_replies(end.as_raw_fd());
    }
}

/// A TCP listener on `local`, made by the supervisor (the sandbox may not call `listen`).
pub fn broker_listen(local: SocketAddrV4, backlog: i32) -> std::io::Result<std::net::TcpListener> {
    use std::os::fd::AsRawFd;
    // One request at a time: requests and replies share the socket pair.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let end = BROKER
        .get()
        .ok_or_else(|| std::io::Error::from_raw_os_error(libc::ENOTCONN))?;
    nanny::broker::request_listener(end.as_raw_fd(), local, backlog)
        .map(std::net::TcpListener::from)
}

/// Names from the hosts file, read once before confinement (the file is unreadable after).
static HOSTS: OnceLock<Vec<(String, Ipv4Addr)>> = OnceLock::new();

/// Reads the hosts file so `gethostbyname` can answer for local names after confinement.
pub fn load_hosts() {
    let _ = HOSTS.get_or_init(|| {
        let text = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
        let mut entries = vec![("localhost".to_string(), Ipv4Addr::LOCALHOST)];
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let mut words = line.split_whitespace();
            let Some(Ok(ip)) = words.next().map(str::parse::<Ipv4Addr>) else {
                continue;
            };
            entries.extend(words.map(|name| (name.to_ascii_lowercase(), ip)));
        }
        entries
    });
}

/// `gethostbyname(name)`: the IPv4 address of `name` (an IPv4 literal is returned as is).
///
/// Names are resolved from the hosts file read at start-up; the sandbox has no access to
/// the host's resolver configuration, so other names raise `NetworkAddressError`.
#[pyfunction(signature = (*args, **kwargs))]
pub fn gethostbyname(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let [name] = positional::<1>("gethostbyname", args, kwargs)?;
    let name = args::exact_str(&name)?;
    charge::before(py, Renewable::NETSEND)?;
    charge::before(py, Renewable::NETRECV)?;
    charge::after(py, Renewable::NETSEND, 1024)?;
    charge::after(py, Renewable::NETRECV, 4096)?;
    if let Ok(ip) = name.parse::<Ipv4Addr>() {
        return Ok(ip.to_string());
    }
    let wanted = name.to_ascii_lowercase();
    HOSTS
        .get()
        .and_then(|hosts| hosts.iter().find(|(n, _)| *n == wanted))
        .map(|(_, ip)| ip.to_string())
        .ok_or_else(|| {
            NetworkAddressError::new_err(format!("The hostname '{name}' could not be resolved."))
        })
}

/// `getmyip()`: the local IPv4 address the kernel would use to reach the Internet.
#[pyfunction(signature = (*args, **kwargs))]
pub fn getmyip(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    positional::<0>("getmyip", args, kwargs)?;
    charge::after(py, Renewable::NETSEND, 256)?;
    charge::after(py, Renewable::NETRECV, 128)?;
    // A UDP "connect" sends nothing: it only asks the kernel for a route.
    let slot = crate::descriptors::take("find the local address")?;
    let probe = py.detach(|| -> std::io::Result<Ipv4Addr> {
        let socket = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;
        socket.connect((Ipv4Addr::new(192, 0, 2, 1), 80))?;
        match socket.local_addr()? {
            std::net::SocketAddr::V4(addr) => Ok(*addr.ip()),
            std::net::SocketAddr::V6(_) => {
                Err(std::io::Error::from_raw_os_error(libc::ENETUNREACH))
            }
        }
    });
    drop(slot);
    match probe {
        Ok(ip) if !ip.is_unspecified() => Ok(ip.to_string()),
        _ => Err(InternetConnectivityError::new_err(
            "Cannot detect a connection to the Internet.",
        )),
    }
}
