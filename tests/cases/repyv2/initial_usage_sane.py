#! restrictions = "restrictions.fixed"
#! stdout = "done\n"
# Upstream: ut_repyv2api_initialusevaluesaresane, with restrictions.fixed. At start the CPU
# used is small, memory is plausible, one event (the main program) is held, and everything
# else is zero.
# Deliberate difference: repy starts in well under 0.1 s (RepyV2 spent 0.1-0.3 s in its
# code-safety subprocess before user code ran), so the interpreter's own start-up CPU is a
# larger share of the short runtime. The CPU bound gets a 0.25 s allowance for it.
limits, usage, stoptimes = getresources()

# Upstream's bound: CPU so far at most twice what the limit allows for the time run
# (plus repy's start-up allowance).
most = getruntime() * limits["cpu"] * 2 + 0.25
if usage["cpu"] > most:
    log("initial cpu", usage["cpu"], "above", most, "\n")
if usage["threadcpu"] > most:
    log("initial threadcpu", usage["threadcpu"], "above", most, "\n")
if usage["memory"] < 4000000:
    log("initial memory", usage["memory"], "is implausibly low\n")
if usage["events"] != 1:
    log("initial events", usage["events"], "should be 1\n")

for name in ["filewrite", "fileread", "filesopened", "insockets", "outsockets", "netsend",
             "netrecv", "loopsend", "looprecv", "lograte", "random", "messport", "connport"]:
    value = usage[name]
    if type(value) in [float, int] and value != 0:
        log("initial", name, "is", value, "\n")
    if type(value) in [set, list] and len(value) != 0:
        log("initial", name, "is", value, "\n")
log("done\n")
