#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_openconnectionduplicatetuple. Opening a connection whose local and
# remote addresses equal an existing connection's raises DuplicateTupleError.
server = listenforconnection("127.0.0.1", 63132)
first = openconnection("127.0.0.1", 63132, "127.0.0.1", 63131, 1.0)
try:
    openconnection("127.0.0.1", 63132, "127.0.0.1", 63131, 1.0)
except DuplicateTupleError:
    pass
else:
    log("a second identical connection did not raise DuplicateTupleError\n")
log("done\n")
