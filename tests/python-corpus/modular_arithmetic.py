# Modular arithmetic: inverses, fast exponentiation, the Chinese remainder theorem, RSA toy.
import math


def egcd(a: int, b: int) -> tuple[int, int, int]:
    if a == 0:
        return b, 0, 1
    g, x, y = egcd(b % a, a)
    return g, y - (b // a) * x, x


def mod_inverse(a: int, m: int) -> int:
    g, x, _ = egcd(a % m, m)
    if g != 1:
        raise ValueError(f"{a} has no inverse modulo {m}")
    return x % m


def power_mod(base: int, exp: int, mod: int) -> int:
    result = 1
    base %= mod
    while exp:
        if exp & 1:
            result = result * base % mod
        base = base * base % mod
        exp >>= 1
    return result


def crt(remainders: list[int], moduli: list[int]) -> tuple[int, int]:
    x, m = 0, 1
    for r, n in zip(remainders, moduli):
        if math.gcd(m, n) != 1:
            raise ValueError("moduli must be pairwise coprime")
        x += m * ((r - x) * mod_inverse(m, n) % n)
        m *= n
    return x % m, m


def rsa_demo(p: int, q: int, e: int, message: str) -> None:
    n, phi = p * q, (p - 1) * (q - 1)
    d = mod_inverse(e, phi)
    assert d == pow(e, -1, phi)
    cipher = [pow(ord(ch), e, n) for ch in message]
    plain = "".join(chr(pow(c, d, n)) for c in cipher)
    print(f"n={n} phi={phi} e={e} d={d}")
    print("cipher:", cipher[:6], "...")
    print("decrypted:", plain)


for line in iter(input, ""):
    a, m = map(int, line.split())
    try:
        inv = mod_inverse(a, m)
        print(f"{a}^-1 mod {m} = {inv} (check {a * inv % m}), pow: {pow(a, -1, m)}")
    except ValueError as e:
        print(e)
print("2^1000 mod 1000007 =", power_mod(2, 1000, 1000007), pow(2, 1000, 1000007))
print("fermat 341:", power_mod(2, 340, 341) == 1, "but 341 =", 11 * 31)
print("crt:", crt([2, 3, 2], [3, 5, 7]), crt([1, 4, 6], [5, 7, 11]))
try:
    crt([1, 2], [4, 6])
except ValueError as e:
    print("crt error:", e)
rsa_demo(61, 53, 17, input())
print("divmod:", divmod(-17, 5), -17 // 5, -17 % 5, math.fmod(-17, 5), math.remainder(17, 5))
