# expect: R401
view = memoryview(bytearray(8))
