# expect: R201
# The real zero-argument super() reaches the bases' attributes; their hooks stay dunder
# attributes.
class Child(Base):
    def probe(self):
        return super().__init_subclass__, super().__thisclass__, super().__self__
