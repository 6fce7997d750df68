# expect: R201
# Reading the chain is allowed, changing it or reading `__suppress_context__` is not.
try:
    raise KeyError(1)
except KeyError as error:
    error.__cause__ = secret
    error.__context__ = None
    hidden = error.__suppress_context__
    del error.__cause__
