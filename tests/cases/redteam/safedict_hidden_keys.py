#! stdout = "refused 10 of 10\nvisible: [] ['a'] ['a']\nevaluate builtins: 2 2\n"
# Red team: `_context` wraps the program's real globals, which hold `__builtins__` and
# `__name__`. Every SafeDict route to those keys is refused or filtered: item access,
# get/pop/setdefault/update, `in`, `%`-formatting with the SafeDict as the mapping, keys(),
# copies, construction from a dict and virtual-namespace contexts (a context's own
# `__builtins__` is dropped and the sandbox's are installed).
attempts = [
    lambda: _context["__builtins__"],
    lambda: _context.get("__builtins__"),
    lambda: _context.pop("__builtins__"),
    lambda: _context.setdefault("__builtins__", None),
    lambda: _context.update({"__name__": "x"}),
    lambda: "%(__builtins__)s" % _context,
    lambda: SafeDict({"__class__": 1}),
    lambda: SafeDict({("tuple", "key"): 1}),
    lambda: createvirtualnamespace("x = 1", "v").evaluate({"__import__": print}),
    lambda: "__builtins__" in _context,
]
refused = 0
for attempt in attempts:
    try:
        attempt()
    except (ValueError, TypeError, ContextUnsafeError):
        refused += 1
print("refused", refused, "of", len(attempts))
hidden = [key for key in _context.keys() + _context.copy().keys() if "__" in key]
dropped = SafeDict({"__builtins__": {"len": print}, "__doc__": "x", "a": 1})
print("visible:", hidden, dropped.keys(), sorted(dropped.copy()))
code = createvirtualnamespace("result = len('ab')\n", "v")
hijack = {"__builtins__": {"len": lambda text: "hijacked"}}
first = code.evaluate(hijack)["result"]
second = code.evaluate(SafeDict(hijack))["result"]
print("evaluate builtins:", first, second)
