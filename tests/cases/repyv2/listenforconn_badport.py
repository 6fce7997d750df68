#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listenforconn-badport. Listening on a port outside connport raises
# ResourceForbiddenError.
def expect_forbidden(port):
    try:
        listenforconnection("127.0.0.1", port)
    except ResourceForbiddenError:
        pass
    else:
        log("listening on port", port, "worked\n")

for port in [2345, 80, 22, 1000, 10000]:
    expect_forbidden(port)
log("done\n")
