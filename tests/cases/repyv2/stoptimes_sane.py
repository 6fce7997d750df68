#! restrictions = "restrictions.fixed"
#! stdout = "done\n"
# Upstream: ut_repyv2api_stoptimesaresane, with restrictions.fixed (cpu 0.1). Burning CPU
# for two seconds of runtime gets the program stopped, and getresources lists the stops.
# Deliberate difference: repy's CPU throttle is finer than RepyV2's (which stopped a
# program once per 0.1 s poll for about 0.9 s): its stops last 20-180 ms (about 70-100 ms
# measured at cpu 0.1), so the check on the last stop is 0.01-0.5 s instead of
# upstream's 0.76-1.05 s.
limits, usage, initial_stops = getresources()
if len(initial_stops) > 2:
    log("more than two stops before any work:", initial_stops, "\n")

start = getruntime()
while getruntime() - start < 2:
    for x in range(100):
        x = x ** x

limits, usage, stops = getresources()
if usage["cpu"] < 0.2 or usage["threadcpu"] < 0.2:
    log("used less than 0.2 s of CPU:", usage["cpu"], usage["threadcpu"], "\n")
if len(stops) <= len(initial_stops):
    log("never stopped while burning CPU\n")
else:
    when, length = stops[-1]
    if type(when) is not float or type(length) is not float:
        log("stop entries should be pairs of floats:", stops[-1], "\n")
    if length < 0.01 or length > 0.5:
        log("last stop lasted", length, "s\n")
    if when > getruntime():
        log("a stop lies in the future:", when, "\n")
log("done\n")
