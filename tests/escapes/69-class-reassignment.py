# expect: R201
# Assigning __class__ turns an instance into another class (an API handle's type, or a
# class with hooks) without defining anything the checker sees.
class Plain:
    pass
thing = Plain()
thing.__class__ = type(createlock())
