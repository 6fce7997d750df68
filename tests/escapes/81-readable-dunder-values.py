# expect: run AttributeError
# Read as values, RepyV2's five method names give bound methods, method-wrappers and slot
# wrappers; they have no attribute without `__` (a bound method forwards to its function,
# whose only such attributes are the program's own), and the sandbox's classes cannot be
# modified to attach anything.
class Probe:
    def __init__(self):
        self.x = 1
    def __del__(self):
        pass
def gen():
    yield 1
values = [Probe().__init__, Probe().__del__, Probe.__init__, gen().__iter__, log.__str__,
          (1).__repr__, type.__repr__, createlock().__init__, _context.__iter__,
          int.__init__, openfile.__str__, open.__repr__]
probes = [lambda v: v.globals, lambda v: v.code, lambda v: v.closure, lambda v: v.self,
          lambda v: v.func, lambda v: v.builtins, lambda v: v.objclass, lambda v: v.frame]
for value in values:
    for probe in probes:
        try:
            probe(value)
        except AttributeError:
            continue
        log("ESCAPED")
def modify(kind):
    kind.acquire = len
handles = [type(createlock()), SafeDict, type(createvirtualnamespace("x = 1", "v")),
           type(openfile.__str__), type(RepyException("x").__init__)]
for kind in handles:
    try:
        modify(kind)
    except TypeError:
        continue
    log("ESCAPED")
Probe().__init__.globals
log("ESCAPED")
