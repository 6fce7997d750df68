#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_connectionsendwillnotblock. A small send does not block: before
# the server accepts, after it, and from the server's side.
server = listenforconnection("127.0.0.1", 63115)
client = openconnection("127.0.0.1", 63115, "127.0.0.1", 63114, 1.0)
if client.send("hi") != 2:
    log("the first send did not send 2 bytes\n")
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63114):
    log("accepted from", ip, port, "\n")
if client.send("hi") != 2:
    log("the second send did not send 2 bytes\n")
if accepted.send("hi") != 2:
    log("the server's send did not send 2 bytes\n")
log("done\n")
