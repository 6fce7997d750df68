#! restrictions = "redteam-fixes.toml"
#! stdout = "before\nRecursionError\nafter\n"
# Red-team finding: pyo3 created its PanicException type lazily, the first time it looked at
# an error; at the recursion limit that creation failed and waited on itself forever. The
# type is now created at start-up, so deep recursion through the API is a RecursionError.
v = createvirtualnamespace("v.evaluate(ctx)\n", "inner")
ctx = SafeDict()
ctx["v"] = v
ctx["ctx"] = ctx
print("before")
try:
    v.evaluate(ctx)
except RecursionError:
    print("RecursionError")
s = SafeDict()
s["me"] = s
print("after")
