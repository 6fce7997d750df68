#! restrictions = "restrictions.fixed.net"
#! stdout = "done\n"
# Upstream: ut_repyv2api_openconnectionfailswithoutlisten, with restrictions.fixed (local
# port 12345; here 63144). Connecting to a port where nothing listens raises
# ConnectionRefusedError (RepyV2's class, not Python 3's builtin of that name).
try:
    openconnection("127.0.0.1", 43214, "127.0.0.1", 63144, 1.0)
except ConnectionRefusedError:
    pass
else:
    log("connecting to a closed port did not raise ConnectionRefusedError\n")
if not issubclass(ConnectionRefusedError, NetworkError):
    log("ConnectionRefusedError should be RepyV2's NetworkError subclass\n")
log("done\n")
