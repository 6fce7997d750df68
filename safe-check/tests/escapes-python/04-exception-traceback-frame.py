# expect: R201, R204
# `__cause__`/`__context__` are readable; the traceback and its frames are not.
try:
    raise KeyError(1)
except KeyError as error:
    frame = error.__traceback__.tb_frame
    outer = error.__context__.__traceback__
    globals_ = frame.f_globals
