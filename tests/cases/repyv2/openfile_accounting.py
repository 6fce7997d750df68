#! restrictions = "restrictions.default"
#! stdout = "done\n"
#! absent-files = ["random.junk.file.does.not.exist"]
# Upstream: ut_repyv2api_openfileperformsresourceaccounting. Opening a missing file costs
# 4096 fileread (the existence check); creating one costs 4096 fileread and 4096 filewrite.
NAME = "random.junk.file.does.not.exist"
while NAME in listfiles():
    NAME = NAME + ".abc"
sleep(0.5)  # drain listfiles' charge

try:
    openfile(NAME, False)
except FileNotFoundError:
    usage = getresources()[1]
    if usage["fileread"] != 4096:
        log("opening a missing file should cost 4096 fileread, not", usage["fileread"], "\n")
else:
    log("opened a file that does not exist\n")
    exitall()

sleep(0.5)
created = openfile(NAME, True)
usage = getresources()[1]
if NAME not in listfiles():
    log("the created file is not listed\n")
created.close()
removefile(NAME)
if usage["filewrite"] != 4096:
    log("creating should cost 4096 filewrite, not", usage["filewrite"], "\n")
if usage["fileread"] != 4096:
    log("creating should cost 4096 fileread, not", usage["fileread"], "\n")
log("done\n")
