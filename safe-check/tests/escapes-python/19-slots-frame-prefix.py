# expect: R208
# Slot names follow the attribute rules: no introspection prefix.
class Frame:
    __slots__ = ("f_globals", "gi_frame", "tb_next")
