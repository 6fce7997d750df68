#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_openconnectionresourceforbidden. A local port outside connport
# raises ResourceForbiddenError, before anything is tried on the network.
try:
    openconnection("127.0.0.1", 43214, "127.0.0.1", 34232, 1.0)
except ResourceForbiddenError:
    pass
else:
    log("connecting from a port that is not granted did not raise\n")
log("done\n")
