#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_connectionrecvremoteclose. recv on a socket whose peer closed
# raises SocketClosedRemote.
server = listenforconnection("127.0.0.1", 63105)
client = openconnection("127.0.0.1", 63105, "127.0.0.1", 63104, 1.0)
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63104):
    log("accepted from", ip, port, "\n")
accepted.close()
try:
    client.recv(10)
except SocketClosedRemote:
    pass
else:
    log("recv after the peer closed did not raise SocketClosedRemote\n")
log("done\n")
