# expect: R204
# A generator exposes its frame; the frame reaches the caller and its globals.
def gen():
    yield 1
g = gen()
globals_of_caller = g.gi_frame.f_back.f_globals
