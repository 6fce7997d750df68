#! exit = 6
#! stderr-contains = ["\"program.py\", line 19, in <module>", "\"program.py\", line 10, in foo", "\"program.py\", line 17, in bar", "Exception (with class 'TypeError'): unsupported operand type(s) for +: 'int' and 'str'"]
# Upstream: ut_errorlineno_traceback. The traceback of an uncaught exception names the
# program's own lines, unshifted, frame by frame. (Repy's traceback also quotes each source
# line, which RepyV2's did not; the frame lines keep RepyV2's format.)


def foo():
    # the call on the next line is line 10
    bar()


def bar():
    a = 3
    b = 's'
    # type error on the next line (line 17)
    c = a + b

foo()   # line 19
