"""What RestrictedPython costs per call of a function, the two ways it can call one
(bench/run starts it; not a sandbox).

    python3.11 -I -S bench/rp_calls.py SITE_DIR CALLS

The program (``def f(n): return n + 1``) is compiled once with ``compile_restricted``.

* ``reexec``: each call executes the compiled program in fresh globals (RestrictedPython's
  only way to keep one call from seeing another's changes), then calls ``f``;
* ``inprocess``: the program is executed once and ``f`` called CALLS times in the same
  globals (nothing isolates one call from the next).

Prints one JSON object: seconds per call for each.
"""

import json
import sys
import time

PROGRAM = "def f(n):\n    return n + 1\n"


def main():
    site_dir, calls = sys.argv[1], int(sys.argv[2])
    sys.path.insert(0, site_dir)
    from RestrictedPython import compile_restricted, safe_globals

    code = compile_restricted(PROGRAM, "<calls>", "exec")

    def fresh():
        scope = dict(safe_globals)
        scope["__builtins__"] = safe_globals["__builtins__"]
        return scope

    start = time.perf_counter()
    total = 0
    for n in range(calls):
        scope = fresh()
        exec(code, scope)
        total += scope["f"](n)
    reexec = (time.perf_counter() - start) / calls

    scope = fresh()
    exec(code, scope)
    function = scope["f"]
    start = time.perf_counter()
    for n in range(calls):
        total += function(n)
    inprocess = (time.perf_counter() - start) / calls
    print(json.dumps({"reexec": reexec, "inprocess": inprocess, "checksum": total}))


if __name__ == "__main__":
    main()
