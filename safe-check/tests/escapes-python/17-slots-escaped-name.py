# expect: R208
# The names are read from the source: an escape would hide a dunder from the text.
class Hidden:
    __slots__ = ("\x5f_dict__", "\u005f_class__")
