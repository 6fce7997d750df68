# expect: R202
# Every binding position counts as a name: lambda parameters, `except ... as`, pattern
# captures, a mapping pattern's rest and `nonlocal` can all try to bind or read `__x` names.
probe = lambda __builtins__=None: __builtins__
try:
    pass
except Exception as __class__:
    pass
match {}:
    case {**__rest}:
        pass
match []:
    case [*__items]:
        pass
def outer():
    __secret = 1
    def inner():
        nonlocal __secret
    return inner
