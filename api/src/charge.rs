//! The API's one accounting interface: every call charges the nanny through here.
// TEMP: wired to nanny::Accountant when it lands.

use pyo3::prelude::*;

/// A renewable (rate-limited) resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewable {
    /// Bytes written to files.
    FileWrite,
    /// Bytes read from files.
    FileRead,
    /// Bytes sent to non-loopback addresses.
    NetSend,
    /// Bytes received from non-loopback addresses.
    NetRecv,
    /// Bytes sent over loopback.
    LoopSend,
    /// Bytes received over loopback.
    LoopRecv,
    /// Bytes written by `log` and `print`.
    LogRate,
    /// Bytes from `randombytes`.
    Random,
}

/// A fungible item resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// Threads (the main program holds one).
    Events,
    /// Open file handles.
    FilesOpened,
    /// Listening sockets.
    InSockets,
    /// Connected sockets.
    OutSockets,
}

/// Waits, with the interpreter released, until `resource` is under its limit.
pub fn before(_py: Python<'_>, _resource: Renewable) -> PyResult<()> {
    Ok(())
}

/// Charges `amount` of `resource` after an operation, then waits while over the limit.
pub fn after(_py: Python<'_>, _resource: Renewable, _amount: u64) -> PyResult<()> {
    Ok(())
}

/// Takes one `item` for `key`; `ResourceExhaustedError` when all are in use.
pub fn acquire(_item: Item, _key: u64) -> PyResult<()> {
    Ok(())
}

/// Returns the `item` held for `key` (idempotent).
pub fn release(_item: Item, _key: u64) {}

/// Whether the restrictions grant local TCP port `port` (`connport`).
pub fn tcp_port_allowed(_port: u16) -> bool {
    true
}

/// Whether the restrictions grant local UDP port `port` (`messport`).
pub fn udp_port_allowed(_port: u16) -> bool {
    true
}

/// The limit of an item resource.
pub fn item_limit(_item: Item) -> u64 {
    5
}
