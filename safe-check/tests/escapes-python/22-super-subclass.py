# expect: R403
# repyv2: run RunBuiltinException (RepyV2's `super` is a stub)
# A subclass of super makes the two-argument call under another name.
class Walker(super):
    pass
class Spread(*[super]):
    pass
