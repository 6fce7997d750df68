#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_multipleopenconnections. A listener holds two connections at once,
# each accepted before the next is opened.
server = listenforconnection("127.0.0.1", 63126)
first = openconnection("127.0.0.1", 63126, "127.0.0.1", 63124, 1.0)
ip, port, first_accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63124):
    log("first accepted from", ip, port, "\n")
second = openconnection("127.0.0.1", 63126, "127.0.0.1", 63125, 1.0)
ip, port, second_accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63125):
    log("second accepted from", ip, port, "\n")
first.close()
first_accepted.close()
second.close()
second_accepted.close()
log("done\n")
