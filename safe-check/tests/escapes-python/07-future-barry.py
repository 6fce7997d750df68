# expect: R302
# `barry_as_FLUFL` changes how the parser reads the rest of the program.
from __future__ import barry_as_FLUFL
