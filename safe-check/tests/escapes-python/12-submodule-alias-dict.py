# expect: R201
# modules: collections
# A submodule comes with its package; what it holds stays behind dunder attributes.
from collections import abc as _x
namespace = _x.__dict__
import collections.abc as other
spec = other.__spec__
