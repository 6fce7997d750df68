#! # DO NOT REMOVE
#! stdout = "done\n"
# Upstream: ut_repyv2api_filereadatbasictest. The program reads its own first line back
# through readat. (The harness saves the program as program.py in the vessel directory; its
# first line is the TOML comment above, so the text sits at offset 5 instead of 2.)
fileh = openfile("program.py", False)
got = fileh.readat(14, 5)
if got != "DO NOT REMOVE\n":
    log("readat returned the wrong bytes:", repr(got), "\n")
fileh.close()
log("done\n")
