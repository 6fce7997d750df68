# 100,000 os.pwrite calls of 100 bytes each, appending to one file in the current directory.
import os

ROUNDS = 100000
DATA = b"x" * 100


def write_all(fd):
    offset = 0
    for i in range(ROUNDS):
        os.pwrite(fd, DATA, offset)
        offset += 100
    return offset


fd = os.open("bench.dat", os.O_RDWR | os.O_CREAT, 0o644)
print("checksum", write_all(fd))
os.close(fd)
