# expect: R204
# A class pattern reads the attributes named by its keywords: `gi_frame=` fetches a
# generator's frame without an attribute expression, and `f_globals=` its namespace.
def gen():
    yield 1
match gen():
    case object(gi_frame=frame):
        match frame:
            case object(f_globals=namespace):
                pass
