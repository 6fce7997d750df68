# expect: R202
# A safe special method may be bound to a name, a `lambda` or `None` in a class body; the
# hooks R203 refuses as `def` stay refused as assignments, and so does any dunder value.
def lookup(self, name):
    return name
class Proxy:
    __getattr__ = lookup
    __getattribute__ = lookup
    __class__ = object
    __match_args__ = ("__class__",)
    __init_subclass__ = classmethod(lookup)
    __set_name__ = lookup
    __index__ = lookup
    __reduce_ex__ = lookup
    __deepcopy__ = lookup
    __len__ = __getattr__
    __iter__ = __class__
    __repr__ = __builtins__
