#! restrictions = "restrictions.default"
#! stdout = "done\n"
# Upstream: ut_repyv2api_listfilesperformsresourceaccounting. listfiles costs 4096 fileread.
listfiles()
usage = getresources()[1]
if usage["fileread"] != 4096:
    log("listfiles should cost 4096 fileread, not", usage["fileread"], "\n")
log("done\n")
