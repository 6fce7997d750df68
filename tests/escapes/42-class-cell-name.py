# expect: R202
# __class__ inside a method is the implicit class cell.
class Child:
    def method(self):
        return __class__
