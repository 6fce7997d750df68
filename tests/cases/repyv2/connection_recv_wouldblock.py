#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_connectionrecvwouldblock. With no data waiting, recv raises
# SocketWouldBlockError: on a fresh client socket, after the server accepted it, and on
# the server's side of the connection.
server = listenforconnection("127.0.0.1", 63107)
client = openconnection("127.0.0.1", 63107, "127.0.0.1", 63106, 1.0)

def expect_would_block(sock, what):
    try:
        sock.recv(10)
    except SocketWouldBlockError:
        pass
    else:
        log("recv on", what, "did not raise SocketWouldBlockError\n")

expect_would_block(client, "a fresh client socket")
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63106):
    log("accepted from", ip, port, "\n")
expect_would_block(client, "an accepted client socket")
expect_would_block(accepted, "the server side")
log("done\n")
