#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listenforconn-args. Malformed addresses are refused. (Upstream
# accepted any exception; here the expected RepyArgumentError is named.)
def expect_argument_error(ip, port):
    try:
        listenforconnection(ip, port)
    except RepyArgumentError:
        pass
    else:
        log("listening on", ip, port, "worked\n")

expect_argument_error(None, None)
expect_argument_error("abcd", 63134)
expect_argument_error("0.0.0.0", 63134)
expect_argument_error("255.255.255.255", 63134)
expect_argument_error("192.168.0.0", 63134)
expect_argument_error("127.0.0.1", 0)
expect_argument_error("127.0.0.1", 3.1415)
expect_argument_error("127.0.0.1", -2)
log("done\n")
