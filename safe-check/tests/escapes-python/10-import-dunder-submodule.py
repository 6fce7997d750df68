# expect: R202, R301
# modules: math
# A dotted import path is checked like any name.
import math.__loader__
