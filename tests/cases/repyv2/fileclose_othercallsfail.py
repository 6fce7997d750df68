#! files = { "existing.txt" = "contents" }
#! stdout = "done\n"
# Upstream: ut_repyv2api_fileclosemakesothercallsfail (it opened repy.py). After close,
# readat, writeat and a second close all raise FileClosedError.
fileh = openfile("existing.txt", False)
fileh.close()

try:
    fileh.readat(1, 0)
except FileClosedError:
    pass
else:
    log("readat after close\n")

try:
    fileh.writeat("", 0)
except FileClosedError:
    pass
else:
    log("writeat after close\n")

try:
    fileh.close()
except FileClosedError:
    pass
else:
    log("second close did not raise\n")
log("done\n")
