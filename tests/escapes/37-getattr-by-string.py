# expect: run RunBuiltinException
# getattr with a computed name would dodge every identifier rule; the name is a stub.
lookup = getattr
leak = lookup(1, "__cl" + "ass__")
log("ESCAPED")
