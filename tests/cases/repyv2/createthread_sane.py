#! stdout = "done\n"
# Upstream: ut_repyv2api_createthreadissane. createthread refuses a non-function, runs the
# function in a new thread that holds one more event, and gives the event back when the
# function returns.
initial = getresources()[1]["events"]
flag = [False]

def second():
    flag[0] = True
    during = getresources()[1]["events"]
    if during != initial + 1:
        log("events while the thread runs:", during, "\n")

for bad in [None, 5, "second", len]:
    try:
        createthread(bad)
    except RepyArgumentError:
        pass
    else:
        log("createthread accepted", repr(bad), "\n")

createthread(second)
sleep(1)
if not flag[0]:
    log("the thread did not run\n")
after = getresources()[1]["events"]
if after != initial:
    log("events after the thread ended:", after, "expected", initial, "\n")
log("done\n")
