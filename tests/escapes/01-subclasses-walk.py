# expect: R201
# Classic ladder: from any literal to every loaded class, then to a module global.
for cls in ().__class__.__base__.__subclasses__():
    if cls.__name__ == "_wrap_close":
        system = cls.__init__.__globals__["system"]
        system("id")
