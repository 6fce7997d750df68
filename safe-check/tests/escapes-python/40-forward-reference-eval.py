# expect: run namespace: `typing.get_type_hints`/`ForwardRef` must not evaluate strings in the program's globals
# modules: typing
# A string annotation is evaluated by `get_type_hints`: a forward reference built at run
# time is unchecked code.
from __future__ import annotations
import typing
class Box:
    item: "__import__('os').system('true')"
hints = typing.get_type_hints(Box)
