#! restrictions = "restrictions.twoports.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_sendmessage5ktest, with restrictions.twoports (here ports 63153
# and 63154 of restrictions.twoports.net). A 5 KiB datagram arrives whole.
listener = listenformessage("127.0.0.1", 63153)
data = "H" * 4096 + "i" * 1024
if sendmessage("127.0.0.1", 63153, data, "127.0.0.1", 63154) != len(data):
    log("sendmessage did not send every byte\n")
for attempt in range(100):
    try:
        rip, rport, message = listener.getmessage()
        break
    except SocketWouldBlockError:
        sleep(0.01)
listener.close()
if message != data:
    log("the datagram arrived changed\n")
if (rip, rport) != ("127.0.0.1", 63154):
    log("the datagram came from", rip, rport, "\n")
log("done\n")
