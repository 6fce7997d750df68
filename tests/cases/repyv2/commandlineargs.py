#! args = ["--logfile", "captured", "--cwd", "/nonexistent", "--execinfo", "-h", "plain"]
#! stdout = "['--logfile', 'captured', '--cwd', '/nonexistent', '--execinfo', '-h', 'plain']\n"
#! absent-files = ["captured.old", "captured.new"]
# Upstream: ut_repyv2api_commandlineargs (RepyV2 issue #101). Options written after the
# program name belong to the program: repy must not interpret them (no log file appears,
# the vessel stays where it is, no banner, no help).
print(callargs)
