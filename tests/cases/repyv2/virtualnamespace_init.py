#! stdout = "done\n"
# Upstream: ut_repyv2api_virtualnamespace-init. createvirtualnamespace checks the code:
# unsafe code raises CodeUnsafeError (message starting "Code failed safety check!"), and
# code or name that are not str raise RepyArgumentError.
createvirtualnamespace("meaning_of_life = 42\n", "TEST VN")
try:
    createvirtualnamespace("import sys\n", "TEST VN 2")
except CodeUnsafeError as e:
    if not str(e).startswith("Code failed safety check! Error: "):
        log("unexpected message:", str(e), "\n")
else:
    log("created a namespace from unsafe code\n")

try:
    createvirtualnamespace("this is not valid Python!\n", "TEST VN 3")
except CodeUnsafeError:
    pass
else:
    log("created a namespace from a syntax error\n")

try:
    createvirtualnamespace(123, "TEST VN 4")
except RepyArgumentError:
    pass
else:
    log("accepted 123 as code\n")
try:
    createvirtualnamespace("meaning_of_life = 42\n", 123)
except RepyArgumentError:
    pass
else:
    log("accepted 123 as a name\n")
log("done\n")
