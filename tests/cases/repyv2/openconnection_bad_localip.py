#! restrictions = "restrictions.fixed.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_openconnectionwithbadlocalip, with restrictions.fixed (local port
# 12345; here 63145). Connecting from an IP this host does not have raises
# AddressBindingError, even towards a port where nothing listens.
try:
    openconnection("127.0.0.1", 43214, "1.2.3.4", 63145, 1.0)
except AddressBindingError:
    pass
else:
    log("connecting from a foreign IP did not raise AddressBindingError\n")
log("done\n")
