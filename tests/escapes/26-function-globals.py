# expect: R201
# __globals__ is the module namespace of a function.
def f():
    pass
namespace = f.__globals__
