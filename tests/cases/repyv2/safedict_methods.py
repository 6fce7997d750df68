#! stdout = "done\n"
# Upstream: ut_repyv2api_safedictests. SafeDict creation from a mapping, clear, copy, get,
# has_key, items, keys, values, pop, popitem, setdefault and update (RepyV2 issue #125).
# Python 3: keys/items/values are sorted through sorted() rather than list.sort().
empty = SafeDict()
from_mapping = SafeDict({"one": 2, "three": 4})
from_mapping.clear()
if from_mapping != empty:
    log("clear did not empty the SafeDict:", from_mapping, "\n")

original = SafeDict({"a": 1, "b": 2})
duplicate = original.copy()
if original != duplicate:
    log("copy differs:", original, duplicate, "\n")
duplicate["c"] = 3
if original == duplicate:
    log("copies are not independent:", original, duplicate, "\n")

if original.get("a") != 1:
    log("get returned", original.get("a"), "\n")
if original.get("nonexistent key", "default value") != "default value":
    log("get ignored its default\n")
if not original.has_key("b"):
    log("has_key misses b\n")
if original.has_key("this key shouldn't be here!"):
    log("has_key finds a missing key\n")
if sorted(original.items()) != [("a", 1), ("b", 2)]:
    log("items:", original.items(), "\n")
if sorted(original.keys()) != ["a", "b"]:
    log("keys:", original.keys(), "\n")
if sorted(original.values()) != [1, 2]:
    log("values:", original.values(), "\n")

if original.pop("a") != 1:
    log("pop returned the wrong value\n")
if original.pop("a nonexistent key", "the default") != "the default":
    log("pop ignored its default\n")

k, v = original.popitem()
if k not in duplicate.keys() or duplicate[k] != v:
    log("popitem returned", k, v, "\n")
try:
    original.popitem()
except KeyError:
    pass
else:
    log("popitem on an empty SafeDict did not raise KeyError\n")

new_key = "This key wasn't in the SafeDict previously"
if original.setdefault(new_key) is not None:
    log("setdefault without a default should return None\n")
if new_key not in original:
    log("setdefault did not add the key\n")
another_key = "Yet another key"
if original.setdefault(another_key, "a default") != "a default":
    log("setdefault did not return its default\n")
if original.get(another_key) != "a default":
    log("setdefault did not store its default\n")

target = SafeDict({"1": 2, "3": 4})
try:
    target.update({4: 5})
except TypeError:
    pass
else:
    log("update accepted a non-str key:", target, "\n")
target.update({"4": 5})
if "4" not in target.keys():
    log("update from a dict failed:", target, "\n")
target.update(SafeDict({"6": 7}))
if "6" not in target.keys():
    log("update from a SafeDict failed:", target, "\n")
target.update({}, one=12345)
if "one" not in target.keys() or 12345 not in target.values():
    log("update with keywords failed:", target, "\n")
log("done\n")
