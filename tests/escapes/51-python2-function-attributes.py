# expect: R204
# The Python 2 names RepyV2 refused remain refused.
def f():
    pass
code = f.func_code
owner = f.im_self
