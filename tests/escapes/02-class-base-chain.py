# expect: R201
# Walk from an instance to object, then to type.
root = "".__class__.__mro__[-1]
meta = root.__class__
