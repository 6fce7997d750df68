#! stdout = "done\n"
#! absent-files = ["unicode.txt"]
# Upstream: ut_repyv2api_unicodedisallowed, where the checker refused the Python 2 unicode
# literal u"bar". Deliberate difference: in Python 3 every str is unicode and u"bar" is the
# same str as "bar", so the literal is allowed. What RepyV2 enforced at the API instead
# (data must be byte strings) holds in repy's form: data are str with one character per
# byte, so a character above 255 is refused with RepyArgumentError, and file names stay
# within a-z0-9._-.
foo = u"bar"
if foo != "bar" or type(foo) is not str:
    log("u-prefixed literals should be plain str\n")

handle = openfile("unicode.txt", True)
try:
    handle.writeat("caf\u00e9 \u20ac", 0)
except RepyArgumentError:
    pass
else:
    log("writeat accepted a character above 255\n")
handle.writeat("caf\u00e9", 0)   # code points up to 255 are bytes
if handle.readat(None, 0) != "caf\u00e9":
    log("a Latin-1 character did not round-trip as one byte\n")
handle.close()
removefile("unicode.txt")

try:
    openfile("caf\u00e9", True)
except RepyArgumentError:
    pass
else:
    log("openfile accepted a non-ASCII name\n")
log("done\n")
