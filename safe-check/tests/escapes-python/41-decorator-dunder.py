# expect: R201
# A decorator's dotted name is checked like any attribute.
@handler.__call__
def payload():
    pass
@functools.wraps(target.__wrapped__)
def other():
    pass
