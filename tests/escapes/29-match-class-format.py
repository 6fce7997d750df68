# expect: R205
# A class pattern can fetch a bound str.format without writing an attribute access.
match "{0.__class__}":
    case str(format=method):
        leak = method(1)
