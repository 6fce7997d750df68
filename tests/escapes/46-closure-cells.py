# expect: R201
# Closure cells expose the enclosing variables of a function.
def outer():
    secret = 1
    return lambda: secret
cell = outer().__closure__[0]
