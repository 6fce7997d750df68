#! restrictions = "restrictions.default"
#! stdout = "done\n"
#! absent-files = ["removefile.z_testremovefile_resources.py"]
# Upstream: ut_repyv2api_removefileperformsresourceaccounting. removefile costs 4096
# fileread whether or not the file exists, and 4096 filewrite when it deletes one.
NAME = "removefile.z_testremovefile_resources.py"
try:
    removefile(NAME)
except FileNotFoundError:
    pass
else:
    log("the file should not have existed\n")
if getresources()[1]["fileread"] != 4096:
    log("a failed removefile should cost 4096 fileread, not", getresources()[1]["fileread"], "\n")

openfile(NAME, True).close()
sleep(1)  # drain
removefile(NAME)
if getresources()[1]["filewrite"] != 4096:
    log("removefile should cost 4096 filewrite, not", getresources()[1]["filewrite"], "\n")
log("done\n")
