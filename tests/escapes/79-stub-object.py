# expect: run TypeError
# The stub itself: its class has no constructor, cannot be subclassed or modified, and the
# five readable method names lead to nothing but calling them.
stub = open
kind = type(stub)
text = stub.__str__() + stub.__repr__()
stub.__init__()
def attempt(call):
    try:
        call()
    except (TypeError, AttributeError):
        return
    log("ESCAPED")
def subclass():
    class Spy(kind):
        pass
def modify():
    kind.name = "eval"
attempt(subclass)
attempt(modify)
attempt(lambda: stub.name)
kind("eval")
log("ESCAPED")
