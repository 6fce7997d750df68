# expect: run namespace: `dataclasses.make_dataclass` must refuse field names starting with `_` (and `namespace=`)
# modules: dataclasses
# Field names given as strings become `__match_args__`, which a positional class pattern
# reads: `case X(c)` reads `subject.__class__`. The checker sees only strings.
import dataclasses
X = dataclasses.make_dataclass("X", ["__class__"])
match X(1):
    case X(kind):
        pass
