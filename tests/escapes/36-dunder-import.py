# expect: R202
os_module = __import__("os")
