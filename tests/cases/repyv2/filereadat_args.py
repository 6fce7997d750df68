#! files = { "input.txt" = "some bytes to read\n" }
#! stdout = "done\n"
# Upstream: ut_repyv2api_filereadatsanitychecksargs (it read repy.py). Bad sizelimit or
# offset arguments raise RepyArgumentError; an offset past the end SeekPastEndOfFileError.
def expect_argument_error(sizelimit, offset):
    try:
        fileh.readat(sizelimit, offset)
    except RepyArgumentError:
        pass
    else:
        log("readat(" + repr(sizelimit) + ", " + repr(offset) + ") was accepted\n")

fileh = openfile("input.txt", False)
expect_argument_error(-1, 0)
expect_argument_error(0, -1)
expect_argument_error(False, 0)   # a bool is not an int
expect_argument_error(1, None)    # the offset is mandatory
expect_argument_error(1.0, 0)     # nor is a float an int

try:
    fileh.readat(8, 500000)
except SeekPastEndOfFileError:
    pass
else:
    log("readat beyond the end did not raise\n")
fileh.close()
log("done\n")
