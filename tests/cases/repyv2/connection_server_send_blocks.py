#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_connectionserversendblocks. As connection_send_eventually_blocks
# with the roles swapped: the server's side blocks before buffering the sane maximum; after
# a pause the client receives exactly that much and no more.
SANE_MAX_BUFFER_SIZE = 1024 * 1024
server = listenforconnection("127.0.0.1", 63117)
client = openconnection("127.0.0.1", 63117, "127.0.0.1", 63116, 1.0)
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63116):
    log("accepted from", ip, port, "\n")

# Keep sending until a send would block; the buffers must fill up before the sane maximum.
sent = 0
while True:
    try:
        sent = sent + accepted.send("h" * SANE_MAX_BUFFER_SIZE)
    except SocketWouldBlockError:
        break
    if sent > SANE_MAX_BUFFER_SIZE:
        log("buffered", sent, "bytes without blocking\n")
        break

sleep(1)  # upstream waited 5 s for the data to reach the peer's buffer
received = 0
while received < sent:
    try:
        received = received + len(client.recv(sent - received))
    except SocketWouldBlockError:
        sleep(0.01)
if received != sent:
    log("received", received, "of", sent, "\n")
try:
    client.recv(1)
except SocketWouldBlockError:
    pass
else:
    log("the receive buffer should be empty\n")
server.close()
log("done\n")
