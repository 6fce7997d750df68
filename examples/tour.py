# A tour of the capability API: files, a TCP echo over loopback, UDP messages, threads with
# a lock, and a virtual namespace. Run it in a scratch vessel directory:
#   mkdir -p /tmp/vessel && cargo run -q -- --cwd /tmp/vessel examples/restrictions.toml examples/tour.py

# Files: flat names in the vessel directory, absolute offsets, one handle per file.
notes = openfile("notes.txt", True)
notes.writeat("hello from the sandbox\n", 0)
print("file says:", notes.readat(None, 0).strip())
notes.close()
print("vessel holds notes.txt:", "notes.txt" in listfiles())
removefile("notes.txt")

# TCP echo over loopback: sockets never block; a call that would wait raises
# SocketWouldBlockError, so the program polls with sleep().
def receive(sock, size):
    while True:
        try:
            return sock.recv(size)
        except SocketWouldBlockError:
            sleep(0.01)

server = listenforconnection("127.0.0.1", 12345)
client = openconnection("127.0.0.1", 12345, "127.0.0.1", 12346, 5)
while True:
    try:
        remote_ip, remote_port, conn = server.getconnection()
        break
    except SocketWouldBlockError:
        sleep(0.01)
client.send("ping")
conn.send(receive(conn, 4).upper())
print("tcp echo:", receive(client, 4), "from port", remote_port)
client.close()
conn.close()
server.close()

# UDP: one datagram from a granted local port.
inbox = listenformessage("127.0.0.1", 12347)
sendmessage("127.0.0.1", 12347, "a datagram", "127.0.0.1", 12346)
while True:
    try:
        ip, port, message = inbox.getmessage()
        break
    except SocketWouldBlockError:
        sleep(0.01)
print("udp message:", message, "from", ip, port)
inbox.close()

# Threads with a lock: each thread holds one `events` item while it runs.
lock = createlock()
mycontext["total"] = 0
def add_ten():
    for _ in range(10):
        lock.acquire(True)
        mycontext["total"] += 1
        lock.release()
for _ in range(4):
    createthread(add_ten)
while mycontext["total"] < 40:
    sleep(0.01)
print("threads counted to", mycontext["total"])

# A virtual namespace: code checked by the same static checker, run in its own SafeDict.
plugin = createvirtualnamespace("result = [n * factor for n in numbers]\n", "plugin")
context = plugin.evaluate({"numbers": [1, 2, 3], "factor": 7})
print("virtual namespace computed", context["result"])
