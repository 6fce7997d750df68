# expect: R201
# The code object can be swapped or inspected.
def f():
    pass
code = f.__code__
