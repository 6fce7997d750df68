#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_connectionsendwilleventuallyblock. Sends of 1 MiB from the client
# eventually raise SocketWouldBlockError, before 1 MiB in all is buffered; the server then
# receives exactly what was sent and no more.
SANE_MAX_BUFFER_SIZE = 1024 * 1024
server = listenforconnection("127.0.0.1", 63113)
client = openconnection("127.0.0.1", 63113, "127.0.0.1", 63112, 1.0)
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63112):
    log("accepted from", ip, port, "\n")

# Keep sending until a send would block; the buffers must fill up before the sane maximum.
sent = 0
while True:
    try:
        sent = sent + client.send("h" * SANE_MAX_BUFFER_SIZE)
    except SocketWouldBlockError:
        break
    if sent > SANE_MAX_BUFFER_SIZE:
        log("buffered", sent, "bytes without blocking\n")
        break

received = 0
while received < sent:
    try:
        received = received + len(accepted.recv(sent - received))
    except SocketWouldBlockError:
        sleep(0.01)
if received != sent:
    log("received", received, "of", sent, "\n")
try:
    accepted.recv(1)
except SocketWouldBlockError:
    pass
else:
    log("the receive buffer should be empty\n")
server.close()
log("done\n")
