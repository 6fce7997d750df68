# expect: R203
# `__post_init__` joins the safe special methods; attribute, descriptor, class-creation and
# conversion hooks do not.
class Hooks:
    def __getattr__(self, name):
        return name
    def __setattr__(self, name, value):
        pass
    def __init_subclass__(cls):
        pass
    def __set_name__(self, owner, name):
        pass
    def __get__(self, instance, owner):
        return owner
    def __class_getitem__(cls, item):
        return item
    def __index__(self):
        return 0
    def __deepcopy__(self, memo):
        return memo
