#! restrictions = "restrictions.fixed"
#! stdout = "done\n"
# Upstream: ut_repyv2api_randombytesisresourcelimited, with restrictions.fixed (random
# 10000 bytes/s). Twenty calls of 1024 bytes take about one second (upstream: 1.0-1.5 s).
# The bounds here are wider because the test machine is shared: 0.7-3 s.
start = getruntime()
for i in range(20):
    randombytes()
took = getruntime() - start
if took < 0.7:
    log("randombytes returned too quickly:", took, "\n")
if took > 3.0:
    log("randombytes took too long:", took, "\n")
log("done\n")
