# expect: run finished
# Finalizers of objects alive when the program ends (a global, a reference cycle) would run
# at interpreter shutdown or at a later collection, after the program has ended: the
# interpreter is never finalised and the collector stops at the end. (Running while the
# program runs is allowed, hence the flag.)
class Tail:
    def __del__(self):
        if mycontext.get("ended"):
            log("ESCAPED")
            openfile("escaped", True).close()
            exitall()
keep = Tail()
loop = Tail()
loop.me = loop
del loop
mycontext["ended"] = True
