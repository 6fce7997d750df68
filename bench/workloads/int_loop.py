# A 3-million-iteration integer loop.
def int_loop(n):
    total = 0
    for i in range(n):
        total += i & 1023
        if total > 1000000007:
            total -= 1000000007
    return total


print("checksum", int_loop(3000000))
