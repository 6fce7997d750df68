# expect: R202
# Under `from __future__ import annotations` annotations are not evaluated, but they are
# still checked: trusted code (`typing.get_type_hints`) may evaluate the strings later.
from __future__ import annotations
def f(x: __builtins__) -> __import__("os"):
    return x
