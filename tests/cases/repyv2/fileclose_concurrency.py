#! restrictions = "restrictions.file10k"
#! stdout = "done\n"
#! absent-files = ["test.write.junk.data"]
# Upstream: ut_repyv2api_filecloseconcurrency, with its restrictions.file10k (filewrite and
# fileread 10 kB/s). A close from another thread while a long writeat/readat is under way
# lets that operation finish; only later calls see FileClosedError. (Pay-after-use: the
# 50 kB operation runs at once and then waits about 5 s for its charge; the other thread
# closes the handle meanwhile.) Takes about 10 s.
NAME = "test.write.junk.data"
COUNT = 50000

def close_soon():
    sleep(0.1)
    mycontext["handle"].close()

mycontext["handle"] = openfile(NAME, True)
createthread(close_soon)
mycontext["handle"].writeat("." * COUNT, 0)
try:
    mycontext["handle"].readat(15, 0)
except FileClosedError:
    pass
else:
    log("readat worked after the writer's handle was closed\n")

mycontext["handle"] = openfile(NAME, False)
createthread(close_soon)
data = mycontext["handle"].readat(COUNT, 0)
if len(data) != COUNT:
    log("read", len(data), "bytes instead of", COUNT, "\n")
try:
    mycontext["handle"].readat(15, 0)
except FileClosedError:
    pass
else:
    log("readat worked after the reader's handle was closed\n")
removefile(NAME)
log("done\n")
