# expect: R401, R402
# Fullwidth spellings of forbidden builtins normalise to the real names: `ｅｖａｌ` is eval,
# `ｇｅｔａｔｔｒ` is getattr and `ｔｙｐｅ` with three arguments builds a class with hooks.
ｅｖａｌ("1")
leak = ｇｅｔａｔｔｒ(1, "__class__")
Made = ｔｙｐｅ("Made", (), {"__getattr__": len})
