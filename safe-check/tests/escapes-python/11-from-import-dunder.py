# expect: R202, R302
# modules: math
# Imported names are checked like any name: a module's loader, spec, dict, builtins.
from math import __loader__
from math import __dict__ as namespace
