#! stdout = "refused 5 of 5\nhooks ran: 0\nin: True False True True\n"
# Red team: `in` on a SafeDict takes the same keys as its other methods: an exact `str`
# naming a safe key (RepyV2's SafeDict raised on anything else). A `str` subclass is refused
# before the lookup, so its own `__hash__`/`__eq__` never run inside the API; a non-str key
# and a hidden or unsafe name raise instead of answering False.
ran = []
class Sneaky(str):
    def __hash__(self):
        ran.append("hash")
        return 0
    def __eq__(self, other):
        ran.append("eq")
        return True
d = SafeDict({"a": 1})
attempts = [
    lambda: Sneaky("a") in d,
    lambda: 1 in d,
    lambda: ("a",) in d,
    lambda: "__builtins__" in _context,
    lambda: d.has_key(Sneaky("a")),
]
refused = 0
for attempt in attempts:
    try:
        attempt()
    except (TypeError, ValueError):
        refused += 1
print("refused", refused, "of", len(attempts))
print("hooks ran:", len(ran))
print("in:", "a" in d, "b" in d, d.has_key("a"), "a" not in SafeDict())
