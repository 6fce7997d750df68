# expect: R201
# `__name__` is readable; what it gives is a `str`, and the chain ends there: the string's
# `__class__` (and so `object`, `__subclasses__`) stays refused.
kind = type(3).__name__.__class__
subclasses = kind.__base__.__subclasses__()
