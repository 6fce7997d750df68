#! exit = 200
#! stdout = ""
# Upstream: ut_repyv2api_exitallstopscurrentthread. exitall in the main program ends every
# thread at once: the thread never gets to log.
def late_logger():
    sleep(0.1)
    log("After exitall called\n")

createthread(late_logger)
exitall()
