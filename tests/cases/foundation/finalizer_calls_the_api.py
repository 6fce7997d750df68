#! restrictions = "finalizers.toml"
#! stdout = "logged from __del__\nfile: from del\nlock taken and released\ncycle finalized: 1\ndone\n"
# RepyV2 allowed `__del__` (wrapper.r2py, and so every security layer, defines one). A
# finalizer is the program's own code and may use the API like any other: log, files, locks.
class Logger:
    def __del__(self):
        log("logged from __del__\n")

class Writer:
    def __del__(self):
        handle = openfile("fromdel", True)
        handle.writeat("from del", 0)
        handle.close()

class Locker:
    def __init__(self, lock):
        self.lock = lock
    def __del__(self):
        if self.lock.acquire(True):
            self.lock.release()
            mycontext["locked"] = True

class Cycle:
    def __del__(self):
        mycontext["cycles"] = mycontext.get("cycles", 0) + 1

item = Logger()
del item
item = Writer()
del item
handle = openfile("fromdel", False)
log("file:", handle.readat(None, 0) + "\n")
handle.close()
removefile("fromdel")
item = Locker(createlock())
del item
if mycontext.get("locked"):
    log("lock taken and released\n")
# A reference cycle is freed by the collector, which runs its finalizer while the program runs.
loop = Cycle()
loop.me = loop
del loop
junk = []
while "cycles" not in mycontext and len(junk) < 1000000:
    junk.append([])
log("cycle finalized: " + str(mycontext["cycles"]) + "\n")
log("done\n")
