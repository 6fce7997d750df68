# 10,000 TCP round trips of 100 bytes on loopback: the main program sends, a thread of the
# same program echoes. repy's sockets never block: an operation that would wait raises
# SocketWouldBlockError, and both sides then retry after YIELD (sleep(0) releases the
# interpreter so the other thread runs).
ROUNDS = 10000
SERVER_PORT = 40101
CLIENT_PORT = 40102
MESSAGE = b"x" * 100


def wait():
    sleep(0)


def echo(server):
    while True:
        try:
            conn = server.getconnection()[2]
            break
        except SocketWouldBlockError:
            wait()
    while True:
        try:
            data = conn.recv(4096)
        except SocketWouldBlockError:
            wait()
            continue
        except SocketClosedRemote:
            break
        while data:
            try:
                data = data[conn.send(data):]
            except SocketWouldBlockError:
                wait()
    conn.close()


def client():
    conn = openconnection("127.0.0.1", SERVER_PORT, "127.0.0.1", CLIENT_PORT, 5)
    received = 0
    for i in range(ROUNDS):
        data = MESSAGE
        while data:
            try:
                data = data[conn.send(data):]
            except SocketWouldBlockError:
                wait()
        got = 0
        while got < 100:
            try:
                got += len(conn.recv(100 - got))
            except SocketWouldBlockError:
                wait()
        received += got
    conn.close()
    return received


server = listenforconnection("127.0.0.1", SERVER_PORT)
createthread(lambda: echo(server))
print("checksum", client())
server.close()
