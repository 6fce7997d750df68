#! stdout = "updated: a b\n"
# SafeDict.update iterated the source dict while replacing values; a replaced value's
# __del__ that grows the source made the iteration panic (exit 125, internal error).
class D:
    def __del__(self):
        for i in range(20):
            src['k%d' % i] = i
sd = SafeDict()
sd['a'] = D()
src = {'a': 1, 'b': 2}
sd.update(src)
log("updated:", " ".join(k for k in sorted(sd.keys()) if k in ("a", "b")) + "\n")
