#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_connectionsendlocalclose. send on a socket closed locally raises
# SocketClosedLocal.
server = listenforconnection("127.0.0.1", 63109)
client = openconnection("127.0.0.1", 63109, "127.0.0.1", 63108, 1.0)
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63108):
    log("accepted from", ip, port, "\n")
client.close()
try:
    client.send("hi")
except SocketClosedLocal:
    pass
else:
    log("send after a local close did not raise SocketClosedLocal\n")
log("done\n")
