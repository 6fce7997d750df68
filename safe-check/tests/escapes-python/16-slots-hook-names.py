# expect: R208
# A slot is a descriptor on the class under its name: under a special-method name it sits
# where the interpreter looks for a hook.
class Hooked:
    __slots__ = ("__getattr__", "__class__", "__index__")
