#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_multipleopenconnections2. Two connections opened before either is
# accepted are both accepted, in either order.
server = listenforconnection("127.0.0.1", 63129)
first = openconnection("127.0.0.1", 63129, "127.0.0.1", 63127, 1.0)
second = openconnection("127.0.0.1", 63129, "127.0.0.1", 63128, 1.0)
ip1, port1, accepted1 = server.getconnection()
ip2, port2, accepted2 = server.getconnection()
if not (ip1 == ip2 == "127.0.0.1"):
    log("accepted from", ip1, ip2, "\n")
if sorted([port1, port2]) != [63127, 63128]:
    log("accepted ports", port1, port2, "\n")
first.close()
accepted1.close()
second.close()
accepted2.close()
log("done\n")
