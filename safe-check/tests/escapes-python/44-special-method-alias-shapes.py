# expect: R202
# Only `__x__ = name | lambda | None` as the one target of a plain assignment directly in a
# class body: chained, tuple, annotated and augmented assignments, nested statements, other
# value expressions, module and function scopes stay refused.
def impl(self, *args):
    return self
__add__ = impl
class Shapes:
    __radd__ = __rmul__ = impl
    __rsub__, __rtruediv__ = impl, impl
    __iter__: object = impl
    __iadd__ += impl
    if True:
        __len__ = impl
    __call__ = staticmethod(impl)
    __eq__ = impl.method
    __hash__ = 0
    __str__ = "text"
    def method(self):
        __repr__ = impl
        return __repr__
