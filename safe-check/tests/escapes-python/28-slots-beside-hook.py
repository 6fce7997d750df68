# expect: R202
# Only `__slots__` may be bound in a class body, and only by a plain assignment.
def hook(self, name):
    return name
class Proxy:
    __slots__ = ("value",)
    __getattr__ = hook
    __slots__: tuple = ("other",)
