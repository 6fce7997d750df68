#! stdout = "done\n"
#! absent-files = ["this.is.a.test.file.123s34"]
# Upstream: ut_repyv2api_filewriteatbasictest. What writeat stores, readat returns.
NAME = "this.is.a.test.file.123s34"
fileh = openfile(NAME, True)
payload = "hi" * 8
fileh.writeat(payload, 0)
back = fileh.readat(16, 0)
if back != payload:
    log("read back", repr(back), "instead of", repr(payload), "\n")
fileh.close()
removefile(NAME)
log("done\n")
