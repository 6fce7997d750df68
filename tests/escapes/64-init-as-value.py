# expect: R201
# RepyV2's five method names may be read (`Base.__init__(self)`, `self.__str__()`), never
# assigned or deleted: that would install a hook on a class after its creation.
class Base:
    def __init__(self):
        self.ready = True
Base.__init__ = len
del Base.__init__
Base.__del__ = len
Base.__str__ = repr
Base.__iter__ = iter
Base.__repr__ = repr
