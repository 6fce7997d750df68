# expect: R402
# Three-argument type() builds a class from a dict whose keys are plain strings,
# defining hooks the checker never sees as identifiers.
Evil = type("Evil", (), {"__getattr__": lambda self, name: name})
