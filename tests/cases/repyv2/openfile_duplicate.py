#! files = { "shared.txt" = "contents" }
#! stdout = "done\n"
# Upstream: ut_repyv2api_openfileduplicatefilefails (it used repy.py). A second handle on
# an open file raises FileInUseError; after close the file opens again.
first = openfile("shared.txt", False)
try:
    second = openfile("shared.txt", False)
except FileInUseError:
    pass
else:
    log("a second handle was granted\n")
# The create flag makes no difference.
try:
    openfile("shared.txt", True)
except FileInUseError:
    pass
else:
    log("a second handle was granted with create\n")
first.close()
again = openfile("shared.txt", False)
again.close()
log("done\n")
