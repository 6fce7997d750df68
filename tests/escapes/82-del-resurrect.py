# expect: run finished
# A finalizer that resurrects its object: CPython runs it once per object, and once the
# program has ended nothing runs, however the object re-arms itself.
class Phoenix:
    def __del__(self):
        mycontext["runs"] = mycontext.get("runs", 0) + 1
        if mycontext["runs"] > 1:
            log("ESCAPED")
        mycontext["saved"] = self
        self.cycle = self
bird = Phoenix()
del bird
if mycontext["runs"] != 1:
    log("ESCAPED")
del mycontext["saved"]
log("resurrected once\n")
