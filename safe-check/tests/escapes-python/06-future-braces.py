# expect: R302
# Only `annotations` may come from `__future__`.
from __future__ import braces
