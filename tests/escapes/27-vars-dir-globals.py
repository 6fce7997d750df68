# expect: run RunBuiltinException
# Namespace introspection by name: each name holds RepyV2's stub, which raises when called.
def attempt(call):
    try:
        call()
    except RepyException:
        return
    log("ESCAPED")
attempt(lambda: dir())
attempt(lambda: vars(object))
attempt(lambda: locals())
everything = globals()
log("ESCAPED")
