#! restrictions = "restrictions.twoports.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listenformessage-exceptions, with restrictions.twoports (ports
# 12345, 12346; here 63151 of restrictions.twoports.net, and 12347 as the port that is not
# granted). Each faulty call raises exactly the documented class.
def expect(ip, port, expected, what):
    try:
        s = listenformessage(ip, port)
    except Exception as e:
        if type(e) is not expected:
            log("wrong exception for", what + ":", type(e), str(e), "\n")
    else:
        s.close()
        log("no exception for", what, "\n")

first = listenformessage("127.0.0.1", 63151)
expect("127.0.0.1", 63151, AlreadyListeningError, "binding an address twice")
first.close()

for ip, port in [(5, 5), ("127.0.0.1", None), ("1...", 5), ("127.0.0.1", 65536)]:
    expect(ip, port, RepyArgumentError, "an invalid local address")
expect("8.8.4.4", 63151, AddressBindingError, "a non-local IP")
expect("127.0.0.1", 12347, ResourceForbiddenError, "a port that is not granted")
log("done\n")
