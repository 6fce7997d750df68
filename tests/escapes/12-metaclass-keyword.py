# expect: R102
# A metaclass runs arbitrary code at class creation and controls attribute lookup.
class Meta(object):
    pass
class Target(metaclass=Meta):
    pass
