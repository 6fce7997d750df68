# expect: run RunBuiltinException
# Aliases of eval and compile reach the stub, never the real builtin.
run = eval
make = compile
table = {"e": eval}
try:
    make("1", "f", "eval")
except RepyException:
    pass
else:
    log("ESCAPED")
table["e"]("1")
log("ESCAPED")
