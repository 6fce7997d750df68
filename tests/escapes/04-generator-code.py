# expect: R204
# A generator code object carries constants and names of the function.
def gen():
    yield 1
consts = gen().gi_code.co_consts
