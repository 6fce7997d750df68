# expect: R207
# mro() lists the hidden bases of any class.
bases = type(openfile).mro()
