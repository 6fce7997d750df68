#! stdout = "3 3.14 naïve\n"
# CPython's parser normalises non-ASCII identifiers with unicodedata, which the sandbox loads
# before confinement when the program needs it.
café = 3
π = 3.14
print(café, π, "naïve")
