# expect: run RunBuiltinException
# Default values are evaluated where the lambda is defined, with the same builtins.
probe = lambda reader=open, lookup=getattr: lookup(reader, "x")
probe()
log("ESCAPED")
