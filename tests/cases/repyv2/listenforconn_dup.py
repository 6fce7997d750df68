#! restrictions = "restrictions.fixed.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listenforconn-dup, with restrictions.fixed (port 12345; here
# 63141). Listening twice on one address raises AlreadyListeningError.
first = listenforconnection("127.0.0.1", 63141)
try:
    listenforconnection("127.0.0.1", 63141)
except AlreadyListeningError:
    pass
else:
    log("a second listener on the same address was allowed\n")
log("done\n")
