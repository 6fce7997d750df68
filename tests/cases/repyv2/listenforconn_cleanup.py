#! restrictions = "restrictions.fixed.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listenforconn-cleanup, with restrictions.fixed (port 12345; here
# 63140). Listening again on an address whose listener was closed works.
first = listenforconnection("127.0.0.1", 63140)
first.close()
second = listenforconnection("127.0.0.1", 63140)
second.close()
log("done\n")
