#! restrictions = "restrictions.fixed.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listenforconn-addrbinding, with restrictions.fixed (port 12345;
# here 63146 of restrictions.fixed.net). Listening on an IP this host does not have raises
# AddressBindingError.
def expect_binding_error(ip):
    try:
        listenforconnection(ip, 63146)
    except AddressBindingError:
        pass
    else:
        log("listening on", ip, "worked\n")

expect_binding_error("72.123.45.62")
expect_binding_error("12.10.3.1")
expect_binding_error("123.214.111.221")
log("done\n")
