# expect: R301, R302
# modules: random, re
# A listed package brings its public submodules only; private names are not exported.
import re._compiler
from random import _os
from random import _urandom as entropy
