# expect: R208
# Names built at run time cannot be checked.
names = ["_" + "_dict__"]
class Built:
    __slots__ = tuple(names)
class Concatenated:
    __slots__ = ("a",) + extra
