#! files = { "first.txt" = "1", "second.txt" = "2", ".hidden" = "3", "UPPER.TXT" = "4" }
#! stdout = "done\n"
# Upstream: ut_repyv2api_listfilesbasictest, which listed RepyV2's own directory (itself,
# repy.py, more than 50 files). Here the vessel directory holds the program, the harness's
# restrictions file and four files. listfiles returns every entry unfiltered, including
# names openfile would refuse (RepyV2 did the same).
files = set(listfiles())
expected = set(["program.py", "restrictions.toml", "first.txt", "second.txt", ".hidden",
                "UPPER.TXT"])
if files != expected:
    log("listfiles returned", sorted(files), "\n")
if type(listfiles()) is not list:
    log("listfiles should return a list\n")
log("done\n")
