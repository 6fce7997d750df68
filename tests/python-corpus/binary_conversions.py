# Number base conversions and bit tricks on the integers read from stdin.

def to_base(n, base):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    n = abs(n)
    out = []
    while n:
        n, r = divmod(n, base)
        out.append(digits[r])
    return sign + "".join(reversed(out))


def popcount(n):
    count = 0
    while n:
        n &= n - 1
        count += 1
    return count


numbers = [int(tok, 0) for tok in input().split()]
for n in numbers:
    print(f"{n:>12,} bin={bin(n)} oct={oct(n)} hex={hex(n)} b36={to_base(n, 36)}")
    if n >= 0:
        print(f"{'':>12} {n:016b} {n:#06x} {n:o} bits={n.bit_length()} ones={popcount(n)}"
              f" pow2={n > 0 and n & (n - 1) == 0}")
for text in input().split():
    base = int(input())
    print(f"{text!r} in base {base} = {int(text, base)}")
n = numbers[0]
raw = n.to_bytes(4, "big")
print("bytes:", raw, list(raw), raw.hex())
print("little:", n.to_bytes(4, "little").hex(), int.from_bytes(raw, "little"))
print("signed:", (-2).to_bytes(2, "big", signed=True), int.from_bytes(b"\xff\xfe", "big", signed=True))
print("gray codes:", [format(i ^ (i >> 1), "03b") for i in range(8)])
mask = 0
for bit in (0, 3, 5):
    mask |= 1 << bit
print("mask", mask, bin(mask), "~mask & 0xff =", ~mask & 0xFF, "mask >> 1 =", mask >> 1)
print("xor swap:", end=" ")
a, b = 12, 34
a ^= b
b ^= a
a ^= b
print(a, b)
print("float bits:", (0.1).hex(), float.fromhex("0x1.8p1"), (2.5).as_integer_ratio(), (7.0).is_integer())
