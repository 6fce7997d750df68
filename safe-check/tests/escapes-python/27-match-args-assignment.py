# expect: R202
# Positional class patterns are allowed; the program cannot name what they read.
class Holder:
    __match_args__ = ("__class__", "__dict__")
match Holder():
    case Holder(kind, namespace):
        pass
