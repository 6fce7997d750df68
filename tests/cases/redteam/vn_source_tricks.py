#! stdout = "refused 14 of 14\n"
#! absent-files = ["canary"]
# Red team: code for a virtual namespace written so that a text-based checker would see it
# differently from the compiler (bare CR line ends, form feeds, tabs, continuations, a coding
# cookie, NUL, a 100,000-character line, NFKC identifiers, \N escapes). The checker parses
# exactly the string the compiler gets, so every one is refused with CodeUnsafeError; had
# one run, its payload would write the canary or print.
payload = "openfile('canary', True)\nleak = ().__class__\n"
sources = [
    "x = 1\rleak = ().__class__\r",
    "x = 1\r\nleak = ().__class__\n",
    "\x0cx = 1\n\x0cleak = ().__class__\n",
    "if 1:\n\tx = 1\n\tleak = ().__class__\n",
    "x = 1 + \\\n    ().__class__.__mro__[0]\n",
    "# coding: rot13\nyrnx = ().__pynff__\nleak = ().__class__\n",
    "# -*- coding: latin-1 -*-\nleak = ().__class__\n",
    "x = 1\x00\nleak = ().__class__\n",
    "x = '" + "a" * 100000 + "'; leak = ().__class__\n",
    "leak = ().__\uff43lass__\n",
    "leak = '\\N{LATIN SMALL LETTER A}' and ().__class__\n",
    "leak = \"\"\"\n\"\"\" + str(().__class__)\n",
    "class Box:\n    def __getattr__(self, name):\n        return name\n",
    payload,
]
refused = 0
for index, source in enumerate(sources):
    try:
        code = createvirtualnamespace(source, "trick" + str(index))
    except CodeUnsafeError:
        refused += 1
        continue
    code.evaluate({})
    print("ran", index)
print("refused", refused, "of", len(sources))
