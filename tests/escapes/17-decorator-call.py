# expect: R101, R401
# A decorator is a call of an arbitrary expression with the function object.
@exec
def payload():
    pass
