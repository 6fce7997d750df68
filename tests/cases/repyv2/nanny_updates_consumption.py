#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_nannyupdatesresourceconsumption. A rate bucket drains with time,
# but only when the resource is charged again: after two listfiles (4096 fileread each)
# the level lies between 4096 and 8192, and it has not drained more than the elapsed time
# allows.
start = getruntime()
listfiles()
sleep(0.001)
listfiles()
stop = getruntime()
limits, usage, stops = getresources()

most_drained = (stop - start) * limits["fileread"]
drained = 8192 - usage["fileread"]
if not (0 <= drained <= min(4096, most_drained)):
    log("fileread level", usage["fileread"], "after", stop - start, "s; drained", drained,
        "of at most", min(4096, most_drained), "\n")
log("done\n")
