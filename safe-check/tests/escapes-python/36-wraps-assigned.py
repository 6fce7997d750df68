# expect: run namespace: `functools.wraps`/`update_wrapper` must refuse `assigned=`/`updated=` other than the defaults
# modules: functools
# `update_wrapper` copies attributes named by strings: `__globals__` onto an object whose
# attributes a positional pattern or a proxy may then read.
import functools
def f():
    pass
class Holder:
    pass
holder = Holder()
functools.update_wrapper(holder, f, assigned=("__globals__", "__code__"), updated=())
