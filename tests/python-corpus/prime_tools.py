"""Number-theory helpers on the integers read from standard input."""
import math


def is_prime(n: int) -> bool:
    """Trial division up to the integer square root."""
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    return all(n % d for d in range(3, math.isqrt(n) + 1, 2))


def prime_factors(n: int) -> list[int]:
    factors = []
    d = 2
    while d * d <= n:
        while n % d == 0:
            factors.append(d)
            n //= d
        d += 1
    if n > 1:
        factors.append(n)
    return factors


def divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def totient(n: int) -> int:
    return sum(1 for k in range(1, n + 1) if math.gcd(n, k) == 1)


def classify(n: int) -> str:
    s = sum(divisors(n)) - n
    return "perfect" if s == n else ("abundant" if s > n else "deficient")


if __name__ == "__main__":
    numbers = list(map(int, input().split()))
    for n in numbers:
        fs = prime_factors(n)
        print(f"{n}: prime={is_prime(n)} factors={'*'.join(map(str, fs)) or '-'} "
              f"divisors={len(divisors(n))} phi={totient(n)} {classify(n)}")
    print("gcd of all:", math.gcd(*numbers), "lcm of first three:", math.lcm(*numbers[:3]))
    print("product:", math.prod(numbers[:4]), "digits of 50!:", len(str(math.factorial(50))))
    print("C(30, 12) =", math.comb(30, 12), "P(10, 3) =", math.perm(10, 3))
    primes = [p for p in range(2, 200) if is_prime(p)]
    print(len(primes), "primes below 200, last five:", primes[-5:])
    twins = [(p, p + 2) for p in primes if is_prime(p + 2)]
    print("twin primes:", twins[:8])
    gaps = [b - a for a, b in zip(primes, primes[1:])]
    print("largest gap below 200:", max(gaps), "at", primes[gaps.index(max(gaps))])
    print("log2(2**100) =", math.log2(2 ** 100), "floor(log10(10**20 - 1)) =", math.floor(math.log10(10 ** 20 - 1)))
    print(f"prime counting check: {len(primes)} vs x/ln x = {200 / math.log(200):.2f}")
