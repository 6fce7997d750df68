#! restrictions = "finalizers.toml"
#! stdout = "collected handles: 200\nin use seen: True\ndone\n"
# Finalizers run wherever the collector runs: here while file handles are being closed, by
# `close()` in another thread and by the collector itself (a handle in a reference cycle with
# an object whose `__del__` opens the same file again). The API holds none of its locks while
# Python objects are freed or program code runs, so nothing deadlocks (the wall-time limit
# would end a deadlock with its own exit code) and the `filesopened` count comes back.
class Reopener:
    def __init__(self, name):
        self.name = name
        self.handle = openfile(name, True)
        self.me = self
    def __del__(self):
        try:
            again = openfile(self.name, True)
            again.close()
        except FileInUseError:
            mycontext["in use"] = True
        lock = mycontext["lock"]
        lock.acquire(True)
        lock.release()
        mycontext["collected"] = mycontext.get("collected", 0) + 1

mycontext["lock"] = createlock()
done = createlock()
done.acquire(True)

def closer():
    for round in range(300):
        handle = openfile("closer" + str(round % 5), True)
        handle.writeat("x" * 100, 0)
        handle.close()
    done.release()

createthread(closer)
for round in range(201):
    # Live objects until the collector has run and freed the previous cycle (closing its
    # handle); the collector counts allocations net of frees.
    junk = []
    while mycontext.get("collected", 0) < round:
        junk.append([])
    if round < 200:
        Reopener("cycle" + str(round % 10))
done.acquire(True)
log("collected handles: " + str(mycontext["collected"]) + "\n")
log("in use seen: " + str(mycontext.get("in use", False)) + "\n")
# Every handle was closed by the collector: all 20 `filesopened` items are free again.
handles = [openfile("again" + str(n), True) for n in range(20)]
for handle in handles:
    handle.close()
log("done\n")
