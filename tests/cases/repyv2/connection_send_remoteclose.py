#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_connectionsendremoteclose. send on a socket whose peer closed
# raises SocketClosedRemote.
server = listenforconnection("127.0.0.1", 63111)
client = openconnection("127.0.0.1", 63111, "127.0.0.1", 63110, 1.0)
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63110):
    log("accepted from", ip, port, "\n")
accepted.close()
try:
    client.send("hi")
except SocketClosedRemote:
    pass
else:
    log("send after the peer closed did not raise SocketClosedRemote\n")
log("done\n")
