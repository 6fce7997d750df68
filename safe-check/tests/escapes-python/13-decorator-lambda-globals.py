# expect: R101, R201
# A decorator must be a dotted name or a call of one: no lambda, and its body is checked.
@(lambda f: f.__globals__)
def payload():
    pass
