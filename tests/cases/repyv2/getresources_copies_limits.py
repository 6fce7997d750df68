#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_getresourcescopieslimitsdict (RepyV2 issue #71). getresources
# returns copies: adding a port to the returned connport set grants nothing.
limits, usage, stoptimes = getresources()
granted = limits["connport"]
new_port = None
for candidate in range(1024, 65536):
    if candidate not in granted:
        granted.add(candidate)
        new_port = candidate
        break
if new_port is None:
    log("every unprivileged port is already granted\n")

try:
    listenforconnection("127.0.0.1", new_port)
except ResourceForbiddenError:
    pass
else:
    log("a port added to the returned set could be used\n")

# A fresh call still shows the configured set.
if new_port in getresources()[0]["connport"]:
    log("the change leaked into the next getresources()\n")
log("done\n")
