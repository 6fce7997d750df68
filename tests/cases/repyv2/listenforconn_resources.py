#! restrictions = "restrictions.fixed.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listenforconn-resources, with restrictions.fixed (port 12345; here
# 63142). A listener holds one insockets item while it is open.
if getresources()[1]["insockets"] != 0:
    log("insockets should start at 0\n")
listener = listenforconnection("127.0.0.1", 63142)
if getresources()[1]["insockets"] != 1:
    log("insockets should be 1 while listening\n")
listener.close()
if getresources()[1]["insockets"] != 0:
    log("insockets should be 0 after close\n")
log("done\n")
