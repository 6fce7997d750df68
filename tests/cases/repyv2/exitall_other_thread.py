#! exit = 200
#! stdout = ""
# Upstream: ut_repyv2api_exitallstopsanotherthread. exitall in a thread ends the whole
# program, so the main program never logs. Exit code 200 is RepyV2's intended code for
# exitall (RepyV2 on Linux always died by SIGTERM).
def stop_everything():
    exitall()

createthread(stop_everything)
sleep(3)  # upstream: 0.5 s; longer so a slow thread start on a loaded machine cannot fail it
log("Print after exitall is called!\n")
