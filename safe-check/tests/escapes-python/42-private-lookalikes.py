# expect: R201, R202
# Class-private names `__x` are allowed; every other shape with `__` is not: dunders, three
# underscores, a `__` inside, the spelled-out mangled form, an introspection word after the
# underscores, and the positions CPython 3.11 does not mangle (keyword arguments,
# class-pattern attributes) or that name modules.
kind = obj.__class__
namespace = obj.___dict
hidden = obj.__a__b
mangled = obj._OrderedDict__map
frame_globals = obj.__f_globals
generator_frame = obj.__gi_frame
real = __builtins__
loader = __import__
__code__ = 1
def __f_locals(self):
    pass
call(__x=1)
match obj:
    case C(__x=value):
        pass
import math as __m
