# expect: R402
# A one-argument call is the only form of type() allowed: starred or keyword arguments could
# carry the three-argument form, and a walrus or default value aliases it.
parts = ("Made", (), {"__getattr__": len})
Made = type(*parts)
Other = type(**{"name": "x"})
if (alias := type):
    pass
probe = lambda make=type: make("Made", (), {})
