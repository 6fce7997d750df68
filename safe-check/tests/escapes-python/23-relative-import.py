# expect: R302
# modules: math
# A program is one file: relative imports reach the sandbox's own package, if any.
from . import helpers
from ..math import sqrt
