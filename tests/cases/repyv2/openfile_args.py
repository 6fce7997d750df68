#! stdout = "done\n"
#! absent-files = ["random.junk.file.does.not.exist", "valid-filename"]
# Upstream: ut_repyv2api_openfilesanitychecksargs. Invalid names and a non-bool create
# flag raise RepyArgumentError; a missing file raises FileNotFoundError unless created.
# (Upstream's helper used a default argument; the API itself takes none.)
def expect_argument_error(name, create):
    try:
        handle = openfile(name, create)
        handle.close()
    except RepyArgumentError:
        pass
    else:
        log("openfile accepted", repr(name), repr(create), "\n")

for bad_name in [".", "..", "\t\n", 123, "a" * 121, "dir/file", ".testfile", "...",
                 "TESTFILE", "", b"bytes.name", "sp ace"]:
    expect_argument_error(bad_name, False)
expect_argument_error("valid-filename", 123)
expect_argument_error("valid-filename", None)
expect_argument_error("valid-filename", 1)

# The longest allowed name is 120 characters.
longest = openfile("b" * 120, True)
longest.close()
removefile("b" * 120)

NAME = "random.junk.file.does.not.exist"
while NAME in listfiles():
    NAME = NAME + ".abc"
try:
    handle = openfile(NAME, False)
    handle.close()
except FileNotFoundError:
    pass
else:
    log("opened a missing file without create\n")

handle = openfile(NAME, True)
handle.close()
if NAME not in listfiles():
    log("the created file is not listed\n")
removefile(NAME)
log("done\n")
