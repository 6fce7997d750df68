#! files = { "small.txt" = "twelve bytes" }
#! stdout = "done\n"
# Upstream: ut_repyv2api_filereadatpastendoffile (it read repy.py; here a 12-byte file).
# Reading at an offset beyond the end of the file raises SeekPastEndOfFileError.
handle = openfile("small.txt", False)
try:
    handle.readat(8, 100000)
except SeekPastEndOfFileError:
    pass
else:
    log("readat past the end did not raise SeekPastEndOfFileError\n")
# At exactly the end nothing is read and nothing is raised.
if handle.readat(None, 12) != "":
    log("readat at the end should return an empty string\n")
handle.close()
log("done\n")
