# expect: run RunBuiltinException
# Zero-argument super() relies on the hidden __class__ cell; two-argument super bypasses
# overrides of any class. The name is a stub that reads nothing.
class Base:
    def method(self):
        return 1
class Child(Base):
    def method(self):
        return super().method()
Child().method()
log("ESCAPED")
