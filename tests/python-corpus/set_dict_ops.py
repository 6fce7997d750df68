# Set algebra and dictionary tricks on two word lists and a list of key=value settings.

first = input().lower().split()
second = input().lower().split()
a, b = set(first), set(second)
print("A:", sorted(a))
print("B:", sorted(b))
print("union:", sorted(a | b))
print("intersection:", sorted(a & b))
print("A - B:", sorted(a - b), "B - A:", sorted(b - a))
print("symmetric:", sorted(a ^ b))
print("subset:", {"the"} <= a, a.isdisjoint({"zebra"}), len(a | b) == len(a) + len(b) - len(a & b))

defaults = {"color": "blue", "size": 10, "verbose": False}
overrides = {}
for item in input().split(";"):
    key, _, value = item.strip().partition("=")
    if value.isdigit():
        value = int(value)
    elif value in ("True", "False"):
        value = value == "True"
    overrides[key] = value
settings = defaults | overrides
print("settings:", settings)
merged = dict(defaults)
merged.update(overrides, extra=1)
print("update:", merged)
print("only overridden:", {k: v for k, v in settings.items() if defaults.get(k) != v})
inverse = {v: k for k, v in settings.items() if isinstance(v, str)}
print("inverse:", inverse)
print("pop:", settings.pop("size"), settings.pop("missing", "n/a"), "left:", list(settings))
print("fromkeys:", dict.fromkeys("abc", 0))
print("popitem:", settings.popitem(), len(settings))

positions = {}
for i, w in enumerate(first + second):
    positions.setdefault(w, []).append(i)
print("repeated:", {w: p for w, p in positions.items() if len(p) > 1})
groups = {}
for w in a | b:
    groups.setdefault(w[0], set()).add(w)
print("by letter:", [(k, sorted(v)) for k, v in sorted(groups.items())])
frozen = {frozenset(("x", "y")): 1, frozenset(("y", "x", "x")): 2}
print("frozen keys:", len(frozen), list(frozen.values()))
counts = {}
for ch in "".join(first):
    counts[ch] = counts.get(ch, 0) + 1
print("letters:", sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
nested = {"outer": {"inner": {"leaf": 42}}}
print("nested get:", nested.get("outer", {}).get("inner", {}).get("leaf"), nested.get("nope", {}).get("x"))
print("dict views:", sorted(defaults.keys() & overrides.keys()), sorted(defaults.keys() - overrides.keys()))
print("equal:", {1: "a", 2: "b"} == {2: "b", 1: "a"}, [1, 2] == [2, 1])
