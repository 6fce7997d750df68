#! restrictions = "restrictions.fixed"
#! stdout = "done\n"
# Upstream: ut_repyv2api_getresourcedataisvalid, with its restrictions.fixed. The limits
# dict holds exactly the configured values, with the types RepyV2 gives them.
# Deliberate difference: repy's limits also hold its three run limits, `wall-time`,
# `cpu-time` and `output` (new resources, infinite when unset, as a legacy file cannot set
# them); the test allows those keys and nothing else.
limits, usage, stoptimes = getresources()

expected = {"cpu": 0.1, "memory": 25000000, "diskused": 100000000, "events": 10,
            "filewrite": 100000, "fileread": 100000, "filesopened": 5, "insockets": 5,
            "outsockets": 5, "netsend": 10000, "netrecv": 10000, "loopsend": 1000000,
            "looprecv": 1000000, "lograte": 30000, "random": 10000,
            "messport": set([12345]), "connport": set([12345])}
REPY_ONLY = ["wall-time", "cpu-time", "output"]

for name in expected:
    if name not in limits:
        log("missing limit", name, "\n")
    elif limits[name] != expected[name]:
        log("limit", name, "is", limits[name], "expected", expected[name], "\n")
for name in limits:
    if name not in expected and name not in REPY_ONLY:
        log("unexpected limit", name, "\n")
for name in REPY_ONLY:
    if limits[name] != float("inf"):
        log("run limit", name, "should be unlimited, is", limits[name], "\n")

# RepyV2 parses item and quantity resources as int (so e.g. range() accepts them) and
# rates as float.
for name in ["memory", "diskused", "events", "filesopened", "insockets", "outsockets"]:
    if type(limits[name]) is not int:
        log("limit", name, "should be an int, is", type(limits[name]), "\n")
for name in ["cpu", "filewrite", "fileread", "netsend", "netrecv", "loopsend", "looprecv",
             "lograte", "random"]:
    if type(limits[name]) is not float:
        log("limit", name, "should be a float, is", type(limits[name]), "\n")
log("done\n")
