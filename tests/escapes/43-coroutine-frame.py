# expect: R103, R204
# Coroutines expose cr_frame like generators expose gi_frame.
async def job():
    pass
frame = job().cr_frame
