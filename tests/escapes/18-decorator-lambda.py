# expect: R101
# Decorators accept any expression (PEP 614).
@(lambda function: function)
def payload():
    pass
