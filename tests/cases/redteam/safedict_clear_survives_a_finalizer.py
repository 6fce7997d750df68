#! stdout = "cleared: 0\nvalues: 0 items: 0\n"
# SafeDict.clear deleted a snapshot of its keys; a deleted value's __del__ that cleared the
# dict first made the next deletion raise KeyError. Keys already gone are skipped.
S = SafeDict()
class M:
    def __del__(self):
        S.clear()
S['a'] = M()
S['b'] = 1
S.clear()
log("cleared: %d\n" % len(S.keys()))
T = SafeDict()
class N:
    def __del__(self):
        T.clear()
T['a'] = N()
T['b'] = 2
del T['a']
log("values: %d items: %d\n" % (len(T.values()), len(T.items())))
