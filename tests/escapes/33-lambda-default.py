# expect: R201
# Default values are evaluated at definition time: the same expressions, same rules.
probe = lambda leak=(1).__class__: leak
