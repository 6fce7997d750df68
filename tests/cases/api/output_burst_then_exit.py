#! exit = 200
#! stdout-contains = ["line 0\nline 1\n", "line 9999\nline 10000\n", "line 19998\nline 19999\nlast words\n"]
# 20,000 lines (about 230 kB, most of the output ring) written as fast as the API allows,
# then an immediate exit: the supervisor relays the ring a moment after being woken, or
# once the child is gone, and nothing may be lost or reordered either way.
for i in range(20000):
    log("line %d\n" % i)
log("last words\n")
exitall()
