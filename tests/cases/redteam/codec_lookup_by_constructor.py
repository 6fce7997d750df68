#! stdout = "refused 5 of 5\nbuilt-in codecs: abc abc\n"
# Red team: R206 refuses the `encode`/`decode` attributes, but the `str` and `bytes`
# constructors take an encoding name too and go through the same codec lookup.
# The lookup would import `encodings.<name>`; in the sandbox the import machinery finds no
# `__import__` in the program's builtins (and CPython's main phase, which loads the codec
# registry, never ran), so every codec outside CPython's fast paths is refused at run time
# (each call below would succeed had the lookup worked). UTF-8, Latin-1 and ASCII still work.
attempts = [
    lambda: str(b"abc", "cp1252"),
    lambda: str(b"abc", encoding="koi8_r"),
    lambda: bytes("abc", "utf_8_sig"),
    lambda: str(b"abc", "mac_roman"),
    lambda: bytes("abc", encoding="utf-7", errors="strict"),
]
refused = 0
for attempt in attempts:
    try:
        attempt()
    except (LookupError, KeyError):
        refused += 1
print("refused", refused, "of", len(attempts))
print("built-in codecs:", str(b"abc", "utf-8"), str(bytes("abc", "latin-1"), "ascii"))
