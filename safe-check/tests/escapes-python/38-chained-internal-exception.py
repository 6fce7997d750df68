# expect: run namespace: exceptions leaving trusted code must have `__cause__` and `__context__` cut
# modules: json
# `__context__` holds whatever trusted code caught before raising; its `args` (and
# `AttributeError.obj`, `StopIteration.value`) can be internal objects.
import json
try:
    json.loads("{")
except ValueError as error:
    inner = error.__context__
    leaked = inner.args if inner is not None else None
