# expect: R103, R204
# An asynchronous generator expression creates an async generator (with ag_frame) without
# any `async def`.
def make(source):
    return (item async for item in source)
frame = make([]).ag_frame
