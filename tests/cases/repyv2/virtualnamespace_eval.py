#! stdout = "done\n"
# Upstream: ut_repyv2api_virtualnamespace-eval. evaluate runs code in a given SafeDict
# (returning that same object) or in a new SafeDict copied from a plain dict; it refuses a
# missing or non-mapping context.
vn = createvirtualnamespace("meaning_of_life = 42\n", "Test VN")
context = SafeDict()
returned = vn.evaluate(context)
if returned is not context:
    log("evaluate should return the SafeDict it was given\n")
if "meaning_of_life" not in context:
    log("the code's assignment is missing from the context\n")

plain = {"info": 42}
vn2 = createvirtualnamespace("result = info\n", "Test VN 2")
returned = vn2.evaluate(plain)
if returned is plain:
    log("evaluate returned the plain dict itself\n")
if "result" not in returned:
    log("result is missing\n")
elif returned["result"] != 42:
    log("result is", returned["result"], "\n")
if "result" in plain:
    log("the plain dict was changed; it should have been copied\n")

try:
    vn2.evaluate()
except RepyArgumentError:
    pass
else:
    log("evaluate accepted no context\n")
try:
    vn2.evaluate(123)
except RepyArgumentError:
    pass
else:
    log("evaluate accepted 123 as a context\n")
log("done\n")
