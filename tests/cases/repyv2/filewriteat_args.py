#! stdout = "done\n"
#! absent-files = ["this.is.a.test.junk.file.123v912"]
# Upstream: ut_repyv2api_filewriteatsanitychecksargs. Bad data or offset arguments raise
# RepyArgumentError; writing beyond the end (a gap) raises SeekPastEndOfFileError.
def expect_argument_error(data, offset):
    try:
        fileh.writeat(data, offset)
    except RepyArgumentError:
        pass
    else:
        log("writeat(" + repr(data) + ", " + repr(offset) + ") was accepted\n")

NAME = "this.is.a.test.junk.file.123v912"
fileh = openfile(NAME, True)
expect_argument_error("test", -1)
expect_argument_error("test", None)
expect_argument_error(None, 0)
expect_argument_error(1, 0)
# Python 3: data is one character per byte, so a code point above 255 is refused.
expect_argument_error("\u0100", 0)

try:
    fileh.writeat("test", 500000)
except SeekPastEndOfFileError:
    pass
else:
    log("writeat beyond the end did not raise\n")
fileh.close()
removefile(NAME)
log("done\n")
