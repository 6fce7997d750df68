# expect: R102
# `**mapping` in a class statement smuggles `metaclass` in under a string key.
def meta(name, bases, namespace):
    return namespace
class Target(**{"metaclass": meta}):
    pass
