# expect: R201
# Only a call of `Base.__init__(self, ...)` is excepted from R201: the bound method as a
# value, and assigning or deleting `__init__` on an object, are refused.
class Base:
    def __init__(self):
        self.ready = True
init = Base.__init__
handler = [Base.__init__][0]
Base.__init__ = len
del Base.__init__
