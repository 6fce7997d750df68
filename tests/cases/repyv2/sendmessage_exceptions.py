#! restrictions = "restrictions.twoports.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_sendmessage-exceptions, with restrictions.twoports (here
# restrictions.twoports.net: local port 63152, and 12347 as the port that is not granted).
# Sending from a non-local IP raises AddressBindingError; from a port that is not granted,
# ResourceForbiddenError (checked first, so the non-local IP does not matter).
try:
    sendmessage("127.0.0.1", 63151, "x", "8.8.4.4", 63152)
except AddressBindingError:
    pass
except Exception as e:
    log("wrong exception for a non-local IP:", type(e), str(e), "\n")
else:
    log("sending from a non-local IP worked\n")

try:
    sendmessage("127.0.0.1", 63151, "x", "8.8.4.4", 12347)
except ResourceForbiddenError:
    pass
except Exception as e:
    log("wrong exception for a port that is not granted:", type(e), str(e), "\n")
else:
    log("sending from a port that is not granted worked\n")
log("done\n")
