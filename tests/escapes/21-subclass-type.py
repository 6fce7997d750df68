# expect: R402
# A subclass of type is a metaclass.
class Meta(type):
    pass
