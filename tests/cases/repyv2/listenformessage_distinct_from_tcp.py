#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listenformessage-distinctfromtcp (port 63100; here 63161). A UDP
# and a TCP listener on the same port do not interfere, and each holds an insockets item.
udp = listenformessage("127.0.0.1", 63161)
tcp = listenforconnection("127.0.0.1", 63161)
if getresources()[1]["insockets"] != 2:
    log("two listeners should hold two insockets\n")
udp.close()
tcp.close()
log("done\n")
