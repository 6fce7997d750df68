# expect: R205
# str.format resolves "{0.attr}" fields with getattr at run time: no dunder appears in code.
leak = "{0.__class__.__mro__}".format(1)
