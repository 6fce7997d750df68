# expect: R102, R402
# Class keywords and class creation from a dictionary stay refused.
class Plugin(Base, metaclass=Meta):
    pass
Made = type("Made", (), {"__getattr__": len})
