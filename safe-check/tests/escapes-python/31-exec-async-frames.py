# expect: R401, R103, R204
# Everything outside the python profile's widenings stays refused.
exec("x = 1")
async def later():
    await other()
def gen():
    yield 1
frame = gen().gi_frame
