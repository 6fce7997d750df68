#! restrictions = "restrictions.default"
#! stdout = "done\n"
#! absent-files = ["this.is.a.junk.file.2340v234"]
# Upstream: ut_repyv2api_filewriteatperformsresourceaccounting. writeat charges filewrite
# in whole 4 KiB blocks: one byte costs a block, 4098 bytes at offset 1 touch two.
NAME = "this.is.a.junk.file.2340v234"
fileh = openfile(NAME, True)
sleep(0.25)  # let the creation charge drain

fileh.writeat("X", 0)
usage = getresources()[1]
if usage["filewrite"] != 4096:
    log("one byte should cost one block, usage:", usage["filewrite"], "\n")

sleep(0.25)
fileh.writeat("N" * 4098, 1)
usage = getresources()[1]
if usage["filewrite"] != 2 * 4096:
    log("4098 bytes at offset 1 should cost two blocks, usage:", usage["filewrite"], "\n")
fileh.close()
removefile(NAME)
log("done\n")
