#! restrictions = "restrictions.twoports.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_sendmessagecheckstypes, with restrictions.twoports (here ports
# 63157 and 63158 of restrictions.twoports.net). listenformessage and sendmessage refuse
# arguments of the wrong type with a RepyException (RepyArgumentError in fact).
for ip, port in [(5, 63157), ("127.0.0.1", "str")]:
    try:
        listenformessage(ip, port)
    except RepyArgumentError:
        pass
    else:
        log("listenformessage accepted", repr(ip), repr(port), "\n")

listener = listenformessage("127.0.0.1", 63157)
data = "HI" * 8
for attempt in [(2, 63157, data, "127.0.0.1", 63158),
                ("127.0.0.1", "str", data, "127.0.0.1", 63158),
                ("127.0.0.1", 63157, 6, "127.0.0.1", 63158),
                ("127.0.0.1", 63157, data, 6, 63158),
                ("127.0.0.1", 63157, data, "127.0.0.1", "str")]:
    try:
        sendmessage(attempt[0], attempt[1], attempt[2], attempt[3], attempt[4])
    except RepyArgumentError:
        pass
    else:
        log("sendmessage accepted", attempt, "\n")
# Nothing was sent.
try:
    listener.getmessage()
except SocketWouldBlockError:
    pass
else:
    log("a malformed sendmessage delivered a datagram\n")
listener.close()
log("done\n")
