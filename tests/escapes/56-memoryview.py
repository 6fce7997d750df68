# expect: run RunBuiltinException
view = memoryview(bytearray(8))
log("ESCAPED")
