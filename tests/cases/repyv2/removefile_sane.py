#! stdout = "done\n"
#! absent-files = ["removefile.z_testremovefile.py"]
# Upstream: ut_repyv2api_removefileissane. removefile raises FileNotFoundError for a
# missing file, FileInUseError for an open one, RepyArgumentError for bad names, and
# otherwise deletes the file.
NAME = "removefile.z_testremovefile.py"
if NAME in listfiles():
    removefile(NAME)
if NAME in listfiles():
    log("the file is still listed after removal\n")

try:
    removefile(NAME)
except FileNotFoundError:
    pass
else:
    log("removing a missing file did not raise\n")

fileh = openfile(NAME, True)
if NAME not in listfiles():
    log("the created file is not listed\n")
try:
    removefile(NAME)
except FileInUseError:
    pass
else:
    log("removed a file that is open\n")
fileh.close()
removefile(NAME)
if NAME in listfiles():
    log("the removed file is still listed\n")

def expect_argument_error(arg):
    try:
        removefile(arg)
    except RepyArgumentError:
        pass
    else:
        log("removefile accepted", repr(arg), "\n")

for bad in [123, None, 3.1415, ".", "..", "dir/file"]:
    expect_argument_error(bad)
log("done\n")
