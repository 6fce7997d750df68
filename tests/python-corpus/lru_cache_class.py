# An LRU cache built from a dict and a doubly linked list, driven by get/put commands.

class Entry:
    __slots__ = ("key", "value", "prev", "next")

    def __init__(self, key=None, value=None):
        self.key = key
        self.value = value
        self.prev = self.next = None


class LRUCache:
    def __init__(self, capacity):
        self.capacity = capacity
        self.map = {}
        self.head = Entry()
        self.tail = Entry()
        self.head.next, self.tail.prev = self.tail, self.head
        self.hits = self.misses = self.evictions = 0

    def _unlink(self, e):
        e.prev.next, e.next.prev = e.next, e.prev

    def _push_front(self, e):
        e.prev, e.next = self.head, self.head.next
        self.head.next.prev = e
        self.head.next = e

    def get(self, key, default=None):
        e = self.map.get(key)
        if e is None:
            self.misses += 1
            return default
        self.hits += 1
        self._unlink(e)
        self._push_front(e)
        return e.value

    def put(self, key, value):
        if key in self.map:
            e = self.map[key]
            e.value = value
            self._unlink(e)
        else:
            if len(self.map) == self.capacity:
                oldest = self.tail.prev
                self._unlink(oldest)
                del self.map[oldest.key]
                self.evictions += 1
            e = Entry(key, value)
            self.map[key] = e
        self._push_front(e)

    def __contains__(self, key):
        return key in self.map

    def __len__(self):
        return len(self.map)

    def __iter__(self):
        e = self.head.next
        while e is not self.tail:
            yield e.key
            e = e.next

    def __repr__(self):
        items = ", ".join(f"{k}={self.map[k].value}" for k in self)
        return f"LRUCache({self.capacity})[{items}]"


def main():
    cache = LRUCache(int(input()))
    while True:
        try:
            parts = input().split()
        except EOFError:
            break
        if parts[0] == "put":
            cache.put(parts[1], int(parts[2]))
        elif parts[0] == "get":
            print(f"get {parts[1]} -> {cache.get(parts[1], 'miss')}")
        print(f"  {cache!r}")
    print(f"hits={cache.hits} misses={cache.misses} evictions={cache.evictions} size={len(cache)}")
    print("'c' cached:", "c" in cache, "| order:", list(cache))
    try:
        Entry().colour = "red"
    except AttributeError as err:
        print("slots:", err)


main()
