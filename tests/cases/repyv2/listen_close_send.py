#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listenclosesend. Closing a listener leaves the connections it
# accepted working: data sent over one afterwards all arrives.
MAXSENDSIZE = 1024 * 1024
server = listenforconnection("127.0.0.1", 63123)
client = openconnection("127.0.0.1", 63123, "127.0.0.1", 63122, 1.0)
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63122):
    log("accepted from", ip, port, "\n")
server.close()

sent = 0
while sent < MAXSENDSIZE:
    try:
        sent = sent + client.send("h" * (MAXSENDSIZE - sent))
    except SocketWouldBlockError:
        break
if sent == 0:
    log("nothing could be sent after the listener closed\n")

received = 0
while received < sent:
    try:
        received = received + len(accepted.recv(sent - received))
    except SocketWouldBlockError:
        sleep(0.01)
if received != sent:
    log("received", received, "of", sent, "\n")
client.close()
accepted.close()
log("done\n")
