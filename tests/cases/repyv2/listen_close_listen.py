#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listencloselisten. After closing a listener the same address can
# be listened on again, and the new listener accepts connections.
server = listenforconnection("127.0.0.1", 63119)
server.close()
server = listenforconnection("127.0.0.1", 63119)
client = openconnection("127.0.0.1", 63119, "127.0.0.1", 63118, 1.0)
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63118):
    log("accepted from", ip, port, "\n")
client.close()
accepted.close()
log("done\n")
