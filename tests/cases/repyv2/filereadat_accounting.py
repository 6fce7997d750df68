#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_filereadatperformsresourceaccounting (it read repy.py; here the
# program writes its own 5000-byte file first). readat charges fileread in whole 4 KiB
# blocks: one byte at offset 0 costs one block, eight bytes at 4090 straddle two.
setup = openfile("blocks.bin", True)
setup.writeat("z" * 5000, 0)
setup.close()

fileh = openfile("blocks.bin", False)
sleep(0.25)  # let the fileread bucket drain (10 MB/s)

fileh.readat(1, 0)
usage = getresources()[1]
if usage["fileread"] != 4096:
    log("one byte should cost one block, usage:", usage["fileread"], "\n")

sleep(0.25)
fileh.readat(8, 4090)
usage = getresources()[1]
if usage["fileread"] != 2 * 4096:
    log("a read across a block boundary should cost two blocks, usage:", usage["fileread"], "\n")
fileh.close()
log("done\n")
