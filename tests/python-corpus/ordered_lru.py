# An LRU cache on collections.OrderedDict, replaying a trace of lookups and reporting hit rates.
from collections import OrderedDict


class LRUCache:
    def __init__(self, capacity: int):
        self.capacity = capacity
        self.data = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key):
        if key in self.data:
            self.data.move_to_end(key)
            self.hits += 1
            return self.data[key]
        self.misses += 1
        return None

    def put(self, key, value):
        if key in self.data:
            self.data.move_to_end(key)
        self.data[key] = value
        if len(self.data) > self.capacity:
            evicted = self.data.popitem(last=False)
            return evicted
        return None

    def __repr__(self):
        return f"LRUCache({list(self.data.items())})"


capacities = list(map(int, input().split()))
trace = input().split()
for cap in capacities:
    cache = LRUCache(cap)
    evictions = []
    for key in trace:
        if cache.get(key) is None:
            ev = cache.put(key, key.upper())
            if ev:
                evictions.append(ev[0])
    rate = cache.hits / len(trace)
    print(f"capacity {cap}: hits {cache.hits} misses {cache.misses} rate {rate:.2%} evicted {''.join(evictions)}")
    print("  ", cache)
od = OrderedDict.fromkeys("abcde")
od.move_to_end("b")
od.move_to_end("e", last=False)
print("".join(od), od.popitem(), od == OrderedDict.fromkeys("eacd"), dict(od) == dict.fromkeys("dcae"))
