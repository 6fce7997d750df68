#! restrictions = "restrictions.twoports.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_sendmessagebasictest, with restrictions.twoports (here ports 63155
# and 63156 of restrictions.twoports.net). A datagram sent to a listener is received.
# (Upstream read it at once; here getmessage is retried briefly, as delivery on loopback is
# fast but not synchronous.)
listener = listenformessage("127.0.0.1", 63155)
data = "HI" * 8
sendmessage("127.0.0.1", 63155, data, "127.0.0.1", 63156)
for attempt in range(100):
    try:
        rip, rport, message = listener.getmessage()
        break
    except SocketWouldBlockError:
        sleep(0.01)
listener.close()
if message != data:
    log("got", repr(message), "\n")
log("done\n")
