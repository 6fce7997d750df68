# expect: run RunBuiltinException
view = memoryview(b"12345678")
log("ESCAPED")
