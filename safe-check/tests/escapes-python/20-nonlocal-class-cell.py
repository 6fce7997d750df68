# expect: R202
# `nonlocal __class__` would rebind the class cell that zero-argument super() reads.
class Child(Base):
    def method(self):
        def inner():
            nonlocal __class__
            __class__ = Other
        inner()
        return super().method()
