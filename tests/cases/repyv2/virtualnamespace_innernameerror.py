#! stdout = "All is good! We caught the inner exception just fine.\n"
# Upstream: ut_repyv2api_virtualnamespace_innernameerror (RepyV2 issue #132). A NameError
# raised by code evaluated in a virtual namespace reaches the caller, which can catch it.
vn = createvirtualnamespace("x", "NameError test")
try:
    vn.evaluate({})
except NameError:
    pass
log("All is good! We caught the inner exception just fine.\n")
