# expect: R105
# Positional sub-patterns read the attributes named in __match_args__, a runtime tuple of
# strings: with a class whose __match_args__ came from a dict, any attribute is readable.
match value:
    case Holder(secret):
        pass
