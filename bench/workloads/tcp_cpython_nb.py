# The same 10,000 round trips as tcp_repy.py, with plain sockets made non-blocking and the
# same retry loop (BlockingIOError for repy's SocketWouldBlockError, time.sleep(0) for sleep(0)).
import socket
import threading
import time

ROUNDS = 10000
MESSAGE = b"x" * 100


def wait():
    time.sleep(0)


def echo(server):
    while True:
        try:
            conn = server.accept()[0]
            break
        except BlockingIOError:
            wait()
    conn.setblocking(False)
    while True:
        try:
            data = conn.recv(4096)
        except BlockingIOError:
            wait()
            continue
        if not data:
            break
        while data:
            try:
                data = data[conn.send(data):]
            except BlockingIOError:
                wait()
    conn.close()


def client(port):
    conn = socket.create_connection(("127.0.0.1", port))
    conn.setblocking(False)
    received = 0
    for i in range(ROUNDS):
        data = MESSAGE
        while data:
            try:
                data = data[conn.send(data):]
            except BlockingIOError:
                wait()
        got = 0
        while got < 100:
            try:
                got += len(conn.recv(100 - got))
            except BlockingIOError:
                wait()
        received += got
    conn.close()
    return received


server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
server.setblocking(False)
thread = threading.Thread(target=echo, args=(server,))
thread.start()
print("checksum", client(server.getsockname()[1]))
thread.join()
server.close()
