#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_openconnectionalreadyalistening. Connecting from an address this
# program listens on raises AlreadyListeningError, even towards a port where nothing
# listens (the listening error takes precedence over the refusal).
server = listenforconnection("127.0.0.1", 63130)
try:
    openconnection("127.0.0.1", 43214, "127.0.0.1", 63130, 1.0)
except AlreadyListeningError:
    pass
else:
    log("connecting from a listening address did not raise AlreadyListeningError\n")
server.close()
log("done\n")
