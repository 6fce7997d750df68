# expect: R103, R204
async def ticker():
    yield 1
frame = ticker().ag_frame
