#! stdout = "done\n"
# Upstream: ut_repyv2api_getruntimebasictest (it only called getruntime). Also: the result
# is a non-negative float that does not go backwards.
first = getruntime()
second = getruntime()
if type(first) is not float or first < 0:
    log("getruntime returned", repr(first), "\n")
if second < first:
    log("getruntime went backwards\n")
log("done\n")
