# expect: run RunBuiltinException
# Descriptors run code on attribute access; classmethod/staticmethod/property build them.
class Sneaky:
    size = property(lambda self: 1)
    make = classmethod(lambda cls: cls)
log("ESCAPED")
