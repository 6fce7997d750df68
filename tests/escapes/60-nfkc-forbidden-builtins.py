# expect: R401, R402
# Fullwidth spellings of forbidden names normalise to the real names: `ｅｘｅｃ` is exec and
# `ｔｙｐｅ` with three arguments builds a class with hooks.
ｅｘｅｃ("1")
Made = ｔｙｐｅ("Made", (), {"__getattr__": len})
