#! exit = 200
#! stdout = ""
# Upstream: ut_repyv2api_createlockblocks. A second blocking acquire waits until another
# thread releases the lock (locks are not re-entrant and any thread may release them); a
# watchdog thread reports a hang after 5 s. exitall ends the run with code 200 (RepyV2's
# intended code; on Linux RepyV2 itself always died by SIGTERM).
lock = createlock()

def release_later():
    sleep(0.5)
    lock.release()

def watchdog():
    sleep(5)  # upstream: 2 s; a passing run ends long before
    log("Timed Out!\n")
    exitall()

createthread(watchdog)
createthread(release_later)
lock.acquire(True)
lock.acquire(True)
exitall()
