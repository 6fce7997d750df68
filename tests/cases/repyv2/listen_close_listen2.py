#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listencloselisten2. Closing a listener that had a connection (never
# accepted) and listening again works, and a new connection from the same local address
# is accepted.
server = listenforconnection("127.0.0.1", 63121)
client = openconnection("127.0.0.1", 63121, "127.0.0.1", 63120, 1.0)
client.close()
server.close()

server = listenforconnection("127.0.0.1", 63121)
client = openconnection("127.0.0.1", 63121, "127.0.0.1", 63120, 1.0)
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63120):
    log("accepted from", ip, port, "\n")
client.close()
accepted.close()
server.close()
log("done\n")
