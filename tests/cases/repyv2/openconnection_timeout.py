#! restrictions = "restrictions.fixed.oneout"
#! stdout = "done\n"
# Upstream: ut_repyv2api_openconnectiontimeout, which connected to www.google.com:80 with a
# 0.00001 s timeout. repy's tests stay on loopback, where a connection is refused or
# accepted at once; so the case makes the kernel drop the connection attempt instead: a
# listener's backlog is the outsockets limit (1 here), and two connections that are never
# accepted fill its queue (the second gets ResourceExhaustedError and is closed, but stays
# queued). A third attempt then times out with TimeoutError (RepyV2's class, not Python 3's
# builtin), after about its timeout.
server = listenforconnection("127.0.0.1", 63135)
held = openconnection("127.0.0.1", 63135, "127.0.0.1", 63136, 1.0)
try:
    openconnection("127.0.0.1", 63135, "127.0.0.1", 63137, 1.0)
except ResourceExhaustedError:
    pass
else:
    log("a second outsocket was granted\n")

for localport, timeout in [(63138, 0.00001), (63139, 0.5)]:
    start = getruntime()
    try:
        openconnection("127.0.0.1", 63135, "127.0.0.1", localport, timeout)
    except TimeoutError:
        took = getruntime() - start
        if took < timeout * 0.9 or took > timeout + 2:
            log("a", timeout, "s timeout took", took, "s\n")
    else:
        log("connecting to a full listen queue did not time out\n")
if not issubclass(TimeoutError, RepyException):
    log("TimeoutError should be RepyV2's class\n")
log("done\n")
