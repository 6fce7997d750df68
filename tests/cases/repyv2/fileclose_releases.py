#! files = { "existing.txt" = "contents" }
#! stdout = "done\n"
# Upstream: ut_repyv2api_fileclosereleasesresource. An open file holds one filesopened
# item; close gives it back.
fileh = openfile("existing.txt", False)
if getresources()[1]["filesopened"] != 1:
    log("one file is open, usage says", getresources()[1]["filesopened"], "\n")
fileh.close()
if getresources()[1]["filesopened"] != 0:
    log("no file is open, usage says", getresources()[1]["filesopened"], "\n")
log("done\n")
