# expect: R201, R202
# Reading `__name__`, `__qualname__`, `__doc__` is allowed; writing them is not.
def f():
    pass
f.__name__ = "g"
f.__qualname__ = "g"
del f.__doc__
__name__ = "__main__"
