# expect: R204
# NFKC normalisation also applies to the introspection prefixes: `ｇi_frame` (fullwidth g)
# and `ｆ_back` are parsed as gi_frame and f_back, a generator's frame and its caller.
def gen():
    yield 1
caller = gen().ｇi_frame.ｆ_back
