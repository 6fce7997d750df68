# expect: R202
# The sandbox's builtins do hold the real __build_class__ (the class statement needs it);
# called by name it takes a metaclass keyword that no class statement could carry.
def body():
    pass
def meta(name, bases, namespace):
    return namespace
Made = __build_class__(body, "Made", metaclass=meta)
