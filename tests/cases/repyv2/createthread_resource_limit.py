#! restrictions = "restrictions.fixed"
#! exit = 200
#! stdout = ""
# Upstream: ut_repyv2api_createthreadhasresourcecontrols, with restrictions.fixed (events
# 10, one held by the main program). Nine threads start; the tenth raises
# ResourceExhaustedError. exitall ends the run at once (code 200).
def linger():
    sleep(60)

for i in range(9):
    createthread(linger)
try:
    createthread(linger)
except ResourceExhaustedError:
    pass
else:
    log("a thread beyond the events limit was started\n")
exitall()
