# expect: R101
# A decorator is `d(f)`: only a dotted name or a call of one, nothing computed.
@hooks[0]
def indexed():
    pass
@make()()
def twice():
    pass
@make().attribute
def attribute_of_call():
    pass
@(first or second)
def chosen():
    pass
