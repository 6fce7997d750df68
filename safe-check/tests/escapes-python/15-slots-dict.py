# expect: R208
# A `__dict__` or `__weakref__` slot changes the instances' layout; dunder names are refused.
class Open:
    __slots__ = ("__dict__", "__weakref__")
