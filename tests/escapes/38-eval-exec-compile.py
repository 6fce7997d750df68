# expect: R401
eval("__import__(\"os\")")
exec("x = 1")
code = compile("1", "f", "eval")
