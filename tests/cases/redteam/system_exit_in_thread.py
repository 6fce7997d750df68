#! exit = 30
#! stderr-contains = ["SystemExit"]
# In a thread, SystemExit(0) is an exception escaping the thread (RepyV2's 30), not a quiet
# end of the thread or of the run.
def worker():
    raise SystemExit(0)
createthread(worker)
sleep(1)
log("main went on")
