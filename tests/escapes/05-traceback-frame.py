# expect: R204
# A traceback reaches the frame of every function on the failing stack.
def probe(tb):
    return tb.tb_frame.f_globals
try:
    1 / 0
except ZeroDivisionError as error:
    trace = error.with_traceback(None)
