"""Runs one benchmark program under RestrictedPython (bench/run starts it; not a sandbox).

    python3.11 -I -S bench/rp_runner.py SITE_DIR PROGRAM [ARGS...]

SITE_DIR holds the RestrictedPython package (bench/.venv-rp, installed by bench/run).
The program is compiled with ``compile_restricted`` and run with RestrictedPython's
``safe_globals`` and its guards, as a RestrictedPython deployment would:

* ``_getattr_`` = ``safer_getattr``, ``_getitem_``/``_getiter_`` = the default guards,
  ``_iter_unpack_sequence_``/``_unpack_sequence_`` = the guarded unpackers;
* ``_write_``: RestrictedPython's ``full_write_guard``, except that instances of classes
  the program defined itself may have their attributes written (the stock guard refuses
  every attribute write on a user object, so a program with classes could not run);
* ``_inplacevar_``: ``n += 1`` becomes a call of this helper;
* ``_print_``: writes to the real standard output (the stock ``PrintCollector`` only
  collects into ``printed``);
* builtins: ``safe_builtins`` plus ``sorted sum min max list dict tuple enumerate zip bytes``
  (the stock set has none of them; Zope adds guarded versions);
* for the API-heavy programs, a capability layer in plain Python with repy's names
  (``log``, ``openfile``/``writeat``, ``listenforconnection``/``openconnection`` with
  non-blocking sockets and ``SocketWouldBlockError``, ``createthread``, ``sleep``,
  ``getruntime``, ``getresources`` for the CPU clock), so the same program text runs under
  repy and here.

It prints ``BENCH-COMPILE <seconds>`` (compile_restricted) to standard error.
"""

import builtins
import warnings
import operator
import os
import socket
import sys
import threading
import time

START = time.perf_counter()


def main():
    site_dir, program = sys.argv[1], sys.argv[2]
    sys.path.insert(0, site_dir)
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    from RestrictedPython import compile_restricted, safe_builtins
    from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
    from RestrictedPython.Guards import (
        full_write_guard,
        guarded_iter_unpack_sequence,
        guarded_unpack_sequence,
        safer_getattr,
    )

    with open(program, encoding="utf-8") as handle:
        source = handle.read()
    t0 = time.perf_counter()
    code = compile_restricted(source, program, "exec")
    sys.stderr.write("BENCH-COMPILE %.9f\n" % (time.perf_counter() - t0))

    class ProgramClass(type):
        """The metaclass of the program's classes: their instances are writable."""

    def write_guard(ob):
        if type(type(ob)) is ProgramClass:
            return ob
        return full_write_guard(ob)

    inplace = {
        "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul,
        "/=": operator.itruediv, "//=": operator.ifloordiv, "%=": operator.imod,
        "**=": operator.ipow, "<<=": operator.ilshift, ">>=": operator.irshift,
        "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor,
    }

    def inplacevar(op, x, y):
        return inplace[op](x, y)

    class Printer:
        def __init__(self, _getattr_=None):
            pass

        def _call_print(self, *objects, **kwargs):
            kwargs.pop("file", None)
            print(*objects, **kwargs)

    allowed = dict(safe_builtins)
    for name in ("sorted", "sum", "min", "max", "list", "dict", "tuple", "enumerate", "zip",
                 "bytes"):
        allowed[name] = getattr(builtins, name)
    glob = {
        "__builtins__": allowed,
        "__name__": "__main__",
        "__metaclass__": ProgramClass,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": write_guard,
        "_inplacevar_": inplacevar,
        "_print_": Printer,
        "callargs": sys.argv[3:],
    }
    glob.update(capabilities())
    exec(code, glob)
    for thread in list(THREADS):
        thread.join()


THREADS = []


class SocketWouldBlockError(Exception):
    pass


class SocketClosedRemote(Exception):
    pass


def capabilities():
    """repy's API names, implemented with plain Python for the restricted program."""

    def log(*args):
        sys.stdout.write(" ".join(str(a) for a in args))

    class File:
        def __init__(self, name):
            self.fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o644)
            self.size = os.fstat(self.fd).st_size

        def writeat(self, data, offset):
            if offset > self.size:
                raise ValueError("Seek offset extends past the EOF!")
            if isinstance(data, str):
                data = data.encode("latin-1")
            os.pwrite(self.fd, data, offset)
            self.size = max(self.size, offset + len(data))

        def close(self):
            os.close(self.fd)

    def openfile(name, create):
        return File(name)

    class Conn:
        def __init__(self, sock):
            sock.setblocking(False)
            self.sock = sock

        def send(self, data):
            try:
                return self.sock.send(data)
            except BlockingIOError:
                raise SocketWouldBlockError("The socket operation would block.") from None

        def recv(self, n):
            try:
                data = self.sock.recv(n)
            except BlockingIOError:
                raise SocketWouldBlockError("The socket operation would block.") from None
            if not data:
                raise SocketClosedRemote("The socket has been closed by the remote end!")
            return data

        def close(self):
            self.sock.close()
            return True

    class Server:
        def __init__(self, ip, port):
            self.sock = socket.socket()
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind((ip, port))
            self.sock.listen(5)
            self.sock.setblocking(False)

        def getconnection(self):
            try:
                conn, addr = self.sock.accept()
            except BlockingIOError:
                raise SocketWouldBlockError("No connections currently available!") from None
            return addr[0], addr[1], Conn(conn)

        def close(self):
            self.sock.close()
            return True

    def listenforconnection(ip, port):
        return Server(ip, port)

    def openconnection(destip, destport, localip, localport, timeout):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((localip, localport))
        sock.settimeout(timeout)
        sock.connect((destip, destport))
        return Conn(sock)

    def createthread(function):
        thread = threading.Thread(target=function)
        THREADS.append(thread)
        thread.start()

    def getruntime():
        return time.perf_counter() - START

    def randombytes():
        return os.urandom(1024)

    def getresources():
        return {}, {"cpu": time.process_time()}, []

    return {
        "log": log,
        "openfile": openfile,
        "listenforconnection": listenforconnection,
        "openconnection": openconnection,
        "createthread": createthread,
        "sleep": time.sleep,
        "getruntime": getruntime,
        "randombytes": randombytes,
        "getresources": getresources,
        "SocketWouldBlockError": SocketWouldBlockError,
        "SocketClosedRemote": SocketClosedRemote,
    }


if __name__ == "__main__":
    main()
