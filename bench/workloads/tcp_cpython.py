# 10,000 TCP round trips of 100 bytes on loopback with plain blocking sockets: the main
# program sends, a thread of the same program echoes.
import socket
import threading

ROUNDS = 10000
MESSAGE = b"x" * 100


def echo(server):
    conn = server.accept()[0]
    while True:
        data = conn.recv(4096)
        if not data:
            break
        conn.sendall(data)
    conn.close()


def client(port):
    conn = socket.create_connection(("127.0.0.1", port))
    received = 0
    for i in range(ROUNDS):
        conn.sendall(MESSAGE)
        got = 0
        while got < 100:
            got += len(conn.recv(100 - got))
        received += got
    conn.close()
    return received


server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
thread = threading.Thread(target=echo, args=(server,))
thread.start()
print("checksum", client(server.getsockname()[1]))
thread.join()
server.close()
