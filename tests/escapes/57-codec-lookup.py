# expect: R206
# Codec lookup imports encodings.<name> modules chosen by a runtime string.
data = "x".encode("rot13")
