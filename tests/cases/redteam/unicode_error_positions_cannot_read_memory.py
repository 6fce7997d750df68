#! stdout = "decode: ('utf-8', b'x', -1000000000000, -999999999999, 'r')\nslot wrapper: same\nobject swapped: same\nencode: ok\ntranslate: ok\nno byte leaked\nvalid: 'utf-8' codec can't decode byte 0x78 in position 0: r\n"
# CPython 3.11's UnicodeDecodeError.__str__ indexes its bytes at `start` without a bounds
# check (gh-123378): str() of an error with positions out of range read the sandbox's memory
# below the buffer and crashed the run (exit 120). The guard falls back to the arguments.
e = UnicodeDecodeError('utf-8', b'x', -10**12, -10**12 + 1, 'r')
log("decode: " + str(e) + "\n")
log("slot wrapper: " + ("same" if UnicodeDecodeError.__str__(e) == str(e) else "differs") + "\n")
e.object = "a str, not bytes"
e.start = 0
e.end = 1
log("object swapped: " + ("same" if "decode byte" not in str(e) else "read it") + "\n")
u = UnicodeEncodeError('ascii', 'x', 0, 1, 'r')
u.start = -10**12
u.end = -10**12 + 1
str(u)
log("encode: ok\n")
t = UnicodeTranslateError('x', 0, 1, 'r')
t.object = b"bytes, not str"
str(t)
log("translate: ok\n")
b = bytes(16)
probe = UnicodeDecodeError('utf-8', b, 0, 1, 'r')
leaked = []
for offset in range(-64, 0):
    probe.start = offset
    probe.end = offset + 1
    if "byte 0x" in str(probe):
        leaked.append(offset)
log("no byte leaked\n" if not leaked else "leaked %d bytes\n" % len(leaked))
log("valid: " + str(UnicodeDecodeError('utf-8', b'x', 0, 1, 'r')) + "\n")
