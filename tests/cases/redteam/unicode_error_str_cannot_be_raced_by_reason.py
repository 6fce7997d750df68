#! stdout = "raced: ('ascii', b'a', 0, 1, 'r')\nfloat object: no byte read\nencode: 'ascii' codec can't encode character '\\xe9' in position 0: r\ntranslate: can't translate character '\\u263a' in position 1: r\ndecode: 'utf-8' codec can't decode bytes in position 0-1: r\n"
# The first guard checked the fields and then called CPython's own __str__, which calls
# str(reason) before it reads object[start]: a reason whose __str__ moved start (or swapped
# object for a float whose value bits pass for a length) read any address and crashed.
e = UnicodeDecodeError("ascii", b"a", 0, 1, "r")
class R:
    def __str__(self):
        e.start = -1000000000000
        e.end = e.start + 1
        return "x"
    def __repr__(self):
        return "<R>"
e.reason = R()
text = str(e)
e.start = 0
e.end = 1
log("raced: " + str(e.args) + "\n" if "byte 0x" not in text else "raced: read a byte\n")
f = UnicodeDecodeError("ascii", b"a", 0, 1, "r")
anchor = 1e300
class S:
    def __str__(self):
        f.object = anchor
        f.start = 5
        f.end = 6
        return "y"
f.reason = S()
log("float object: " + ("no byte read" if "byte 0x" not in str(f) else "read a byte") + "\n")
log("encode: " + str(UnicodeEncodeError("ascii", "\xe9", 0, 1, "r")) + "\n")
log("translate: " + str(UnicodeTranslateError("a\u263a", 1, 2, "r")) + "\n")
log("decode: " + str(UnicodeDecodeError("utf-8", b"ab", 0, 2, "r")) + "\n")
