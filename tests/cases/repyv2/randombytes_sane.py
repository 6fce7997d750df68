#! stdout = "done\n"
# Upstream: ut_repyv2api_randombytesissane. Each call gives 1024 bytes (one character per
# byte, code points 0-255); over 4096 bytes every value occurs at least once and none more
# than 40 times.
data = randombytes() + randombytes() + randombytes() + randombytes()
if type(data) is not str or len(data) != 4096:
    log("expected a 4096-character str, got", type(data), len(data), "\n")
counts = {}
for value in range(256):
    counts[value] = 0
for char in data:
    counts[ord(char)] += 1
for value in range(256):
    if counts[value] < 1:
        log("byte", value, "never occurs\n")
    if counts[value] > 40:
        log("byte", value, "occurs", counts[value], "times\n")
log("done\n")
