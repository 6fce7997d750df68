# 100,000 writeat calls of 100 bytes each, appending to one file in the vessel directory.
ROUNDS = 100000
DATA = b"x" * 100


def write_all(handle):
    offset = 0
    for i in range(ROUNDS):
        handle.writeat(DATA, offset)
        offset += 100
    return offset


handle = openfile("bench.dat", True)
print("checksum", write_all(handle))
handle.close()
