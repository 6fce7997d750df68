#! restrictions = "restrictions.fixed.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_tcpserver_wouldblock, with restrictions.fixed (port 12345; here
# 63143). getconnection with no connection pending raises SocketWouldBlockError.
listener = listenforconnection("127.0.0.1", 63143)
try:
    info = listener.getconnection()
except SocketWouldBlockError:
    pass
else:
    log("getconnection returned", info, "\n")
listener.close()
log("done\n")
