#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_connectionduplicateclose. A connected socket's close returns True
# the first time and False after, on both ends.
server = listenforconnection("127.0.0.1", 63101)
client = openconnection("127.0.0.1", 63101, "127.0.0.1", 63100, 1.0)
ip, port, accepted = server.getconnection()
if (ip, port) != ("127.0.0.1", 63100):
    log("accepted from", ip, port, "\n")
if client.close() is not True:
    log("first client close should return True\n")
if client.close() is not False:
    log("second client close should return False\n")
if accepted.close() is not True:
    log("first server-side close should return True\n")
if accepted.close() is not False:
    log("second server-side close should return False\n")
server.close()
log("done\n")
