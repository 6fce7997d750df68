# expect: R205
# The unbound method, reached from the type, formats just the same.
fmt = str.format
leak = fmt("{0.__class__}", 1)
