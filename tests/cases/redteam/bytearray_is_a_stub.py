#! stdout = "bytearray refused\n"
# RepyV2 stubbed bytearray, and in CPython 3.11 program code that empties a bytearray while
# its own `%` formatting (`%a` calling __repr__) or `hex(sep)` (a str subclass's __len__)
# runs makes CPython read freed memory (gh-142557, gh-143195): a crash, and the heap's
# contents handed back. The name is a stub that raises when called.
try:
    fmt = bytearray(b"%a" + b"A" * 1000)
    log("bytearray made\n")
except RepyException:
    log("bytearray refused\n")
