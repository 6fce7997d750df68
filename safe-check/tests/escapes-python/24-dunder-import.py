# expect: R202
# modules: math
# `__import__` imports any module, whatever the policy lists.
os = __import__("os")
