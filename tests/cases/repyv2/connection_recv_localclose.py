#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_connectionrecvlocalclose. recv on a socket closed locally raises
# SocketClosedLocal.
server = listenforconnection("127.0.0.1", 63103)
client = openconnection("127.0.0.1", 63103, "127.0.0.1", 63102, 1.0)
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63102):
    log("accepted from", ip, port, "\n")
client.close()
try:
    client.recv(10)
except SocketClosedLocal:
    pass
else:
    log("recv after a local close did not raise SocketClosedLocal\n")
log("done\n")
