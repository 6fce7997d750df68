#! exit = 200
#! stdout = ""
# Upstream: ut_repyv2api_createlocknonblocking. acquire(False) returns at once: True the
# first time, False while the lock is held. exitall ends the run (code 200).
lock = createlock()

def watchdog():
    sleep(5)  # upstream: 2 s; a passing run ends long before
    log("Timed Out!\n")
    exitall()

createthread(watchdog)
if lock.acquire(False) is not True:
    log("first acquire should succeed\n")
if lock.acquire(False) is not False:
    log("second acquire should fail\n")
# The blocking flag is mandatory and must be a bool.
for bad in [(), (1,), (None,)]:
    try:
        lock.acquire(*bad)
    except RepyArgumentError:
        pass
    else:
        log("acquire accepted", bad, "\n")
lock.release()
try:
    lock.release()
except LockDoubleReleaseError:
    pass
else:
    log("releasing an unlocked lock did not raise\n")
exitall()
