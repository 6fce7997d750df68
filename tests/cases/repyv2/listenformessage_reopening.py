#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listenformessage-reopening (port 63100; here 63162). A UDP
# listener can be closed and opened again on the same address.
# Deliberate difference: udpserversocket.close() returns True on every call, as RepyV2's
# did in fact (its docs claimed False after the first).
listener = listenformessage("127.0.0.1", 63162)
if listener.close() is not True:
    log("close should return True\n")
listener = listenformessage("127.0.0.1", 63162)
listener.close()
if listener.close() is not True:
    log("a second close should return True as well\n")
log("done\n")
