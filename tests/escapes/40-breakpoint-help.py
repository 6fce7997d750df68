# expect: run RunBuiltinException
# Both would drop into interactive machinery (pdb, pydoc) with imports of their own.
try:
    help(object)
except RepyException:
    pass
else:
    log("ESCAPED")
breakpoint()
log("ESCAPED")
