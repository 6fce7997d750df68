#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_openconnectionsanitychecksargs, which used getmyip() as the local
# IP and port 12345; here the loopback address and a granted port (repy's tests stay on
# loopback). Every malformed argument raises RepyArgumentError before any network use.
def expect_argument_error(destip, destport, localip, localport, timeout):
    try:
        openconnection(destip, destport, localip, localport, timeout)
    except RepyArgumentError:
        pass
    else:
        log("openconnection accepted", destip, destport, localip, localport, timeout, "\n")

LOCAL = "127.0.0.1"
expect_argument_error("foo.com", 1000, LOCAL, 63133, 10)     # not a dotted quad
expect_argument_error("0.1.2.3", 1000, LOCAL, 63133, 10)     # first octet 0
expect_argument_error("234.1.2.3", 1000, LOCAL, 63133, 10)   # first octet 224 or above
expect_argument_error("1.2.3.4", 1000, "0.0.0.0", 63133, 10)  # local IP starting with 0
expect_argument_error("1.2.3.4", 0, LOCAL, 63133, 10)        # port 0
expect_argument_error("1.2.3.4", 65536, LOCAL, 63133, 10)    # port above 65535
expect_argument_error("1.2.3.4", 12345, LOCAL, 5423452, 10)  # local port above 65535
expect_argument_error("1.2.3.4", 12345, LOCAL, -5, 10)       # negative local port
expect_argument_error("1.2.3.4", 12345, LOCAL, 63133, -.0001)  # negative timeout
expect_argument_error("1.2.3.4", 12345, LOCAL, 63133, 0)     # zero timeout
expect_argument_error("1.2.3.4", 12345, LOCAL, 63133, None)  # timeout of the wrong type
expect_argument_error("1.2.3.4", True, LOCAL, 63133, 10)     # a bool is not an int
expect_argument_error(LOCAL, 63133, LOCAL, 63133, 10)        # local equals destination
log("done\n")
