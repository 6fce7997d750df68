//! RepyV2's exception hierarchy, as Python classes in the module `repy`.
//!
//! Every class derives from [`RepyException`], itself an `Exception`; the 27 names of
//! [`EXPORTED`] are what the sandboxed program can name. Inside the sandbox Python 3's
//! built-in `TimeoutError`, `FileNotFoundError` and `ConnectionRefusedError` are shadowed by
//! RepyV2's classes of the same name.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyType;

create_exception!(
    repy,
    RepyException,
    PyException,
    "The base of every Repy exception."
);
create_exception!(
    repy,
    RepyArgumentError,
    RepyException,
    "An API function got an argument of the wrong type or value."
);
create_exception!(
    repy,
    TimeoutError,
    RepyException,
    "An operation did not complete in the time given."
);
create_exception!(
    repy,
    CodeUnsafeError,
    RepyException,
    "Code given to a virtual namespace failed the safety check."
);
create_exception!(
    repy,
    ContextUnsafeError,
    RepyException,
    "A context given to a virtual namespace holds an unsafe key."
);
create_exception!(
    repy,
    ResourceUsageError,
    RepyException,
    "The base of resource errors."
);
create_exception!(
    repy,
    ResourceExhaustedError,
    ResourceUsageError,
    "Every item of a resource is in use."
);
create_exception!(
    repy,
    ResourceForbiddenError,
    ResourceUsageError,
    "The restrictions grant no such resource (a port, an address)."
);
create_exception!(repy, FileError, RepyException, "The base of file errors.");
create_exception!(
    repy,
    FileNotFoundError,
    FileError,
    "No such file in the sandbox directory."
);
create_exception!(repy, FileInUseError, FileError, "The file is already open.");
create_exception!(
    repy,
    SeekPastEndOfFileError,
    FileError,
    "An offset lies past the end of the file."
);
create_exception!(
    repy,
    FileClosedError,
    FileError,
    "The file handle was closed."
);
create_exception!(
    repy,
    LockDoubleReleaseError,
    RepyException,
    "A lock that is not held was released."
);
create_exception!(
    repy,
    NetworkError,
    RepyException,
    "The base of network errors."
);
create_exception!(
    repy,
    NetworkAddressError,
    NetworkError,
    "A host name could not be resolved."
);
create_exception!(
    repy,
    AlreadyListeningError,
    NetworkError,
    "Something already listens on that local address."
);
create_exception!(
    repy,
    DuplicateTupleError,
    NetworkError,
    "A connection with the same address tuple exists."
);
create_exception!(
    repy,
    CleanupInProgressError,
    NetworkError,
    "The local address is still being cleaned up by the kernel."
);
create_exception!(
    repy,
    InternetConnectivityError,
    NetworkError,
    "The network is unreachable."
);
create_exception!(
    repy,
    AddressBindingError,
    NetworkError,
    "The local address cannot be bound."
);
create_exception!(
    repy,
    ConnectionRefusedError,
    NetworkError,
    "The remote end refused the connection."
);
create_exception!(
    repy,
    LocalIPChanged,
    NetworkError,
    "The local IP address changed (kept for RepyV2 compatibility)."
);
create_exception!(
    repy,
    SocketClosedLocal,
    NetworkError,
    "The socket was closed on this side."
);
create_exception!(
    repy,
    SocketClosedRemote,
    NetworkError,
    "The socket was closed by the remote end."
);
create_exception!(
    repy,
    SocketWouldBlockError,
    NetworkError,
    "The operation would block."
);
create_exception!(
    repy,
    TCPServerSocketInvalidError,
    NetworkError,
    "The server socket is no longer valid (kept for RepyV2 compatibility)."
);

// Not exported (as in RepyV2): the program cannot name them, and catches them through
// `RepyException`.
create_exception!(
    repy,
    SafeException,
    RepyException,
    "The base of RepyV2's safety exceptions (not exported)."
);
create_exception!(
    repy,
    RunBuiltinException,
    SafeException,
    "A forbidden builtin was called (RepyV2's stub exception, not exported)."
);

/// A function returning one exported class's type object.
type TypeGetter = for<'py> fn(Python<'py>) -> Bound<'py, PyType>;

macro_rules! exported {
    ($($name:ident),* $(,)?) => {
        /// The 27 exception classes RepyV2 exports to user code, with their names.
        pub const EXPORTED: &[(&str, TypeGetter)] = &[
            $((stringify!($name), |py| py.get_type::<$name>()),)*
        ];
    };
}

exported!(
    RepyException,
    RepyArgumentError,
    TimeoutError,
    CodeUnsafeError,
    ContextUnsafeError,
    ResourceUsageError,
    ResourceExhaustedError,
    ResourceForbiddenError,
    FileError,
    FileNotFoundError,
    FileInUseError,
    SeekPastEndOfFileError,
    FileClosedError,
    LockDoubleReleaseError,
    NetworkError,
    NetworkAddressError,
    AlreadyListeningError,
    DuplicateTupleError,
    CleanupInProgressError,
    InternetConnectivityError,
    AddressBindingError,
    ConnectionRefusedError,
    LocalIPChanged,
    SocketClosedLocal,
    SocketClosedRemote,
    SocketWouldBlockError,
    TCPServerSocketInvalidError,
);
