# expect: R201, R204
# The five readable method names end the chain: what a bound method holds is behind other
# `__` names or introspection prefixes.
class Probe:
    def __init__(self):
        self.x = 1
def gen():
    yield 1
owner = Probe().__init__.__func__.__globals__
module = log.__str__.__self__
frame = gen().__iter__().gi_frame
kind = Probe.__repr__.__objclass__
cells = Probe.__init__.__closure__
