# expect: R202
# Assignment expressions bind names like any assignment.
if (__builtins__ := None) is None:
    pass
