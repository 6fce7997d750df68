# Sieve of Eratosthenes over a bytearray, a segmented count, and prime statistics.
import math


def sieve(limit: int) -> bytearray:
    is_prime = bytearray([1]) * (limit + 1)
    is_prime[0:2] = b"\x00\x00"
    for p in range(2, math.isqrt(limit) + 1):
        if is_prime[p]:
            is_prime[p * p::p] = bytes(len(range(p * p, limit + 1, p)))
    return is_prime


def primes_up_to(limit: int) -> list[int]:
    flags = sieve(limit)
    return [i for i, flag in enumerate(flags) if flag]


def count_in_segment(lo: int, hi: int, small_primes: list[int]) -> int:
    seg = bytearray([1]) * (hi - lo)
    for p in small_primes:
        start = max(p * p, (lo + p - 1) // p * p)
        for multiple in range(start, hi, p):
            seg[multiple - lo] = 0
    return sum(seg[i] for i in range(hi - lo) if lo + i >= 2)


limit = int(input())
primes = primes_up_to(limit)
print(f"{len(primes)} primes up to {limit}; last: {primes[-3:]}")
print("sum:", sum(primes), "density: %.4f" % (len(primes) / limit))
lo, hi = map(int, input().split())
small = primes_up_to(math.isqrt(hi) + 1)
print(f"primes in [{lo}, {hi}): {count_in_segment(lo, hi, small)}")
last_digits = {}
for p in primes:
    last_digits[p % 10] = last_digits.get(p % 10, 0) + 1
print("last digits:", dict(sorted(last_digits.items())))
goldbach = {n: next((p, n - p) for p in primes if sieve_flags[n - p]) for n in range(4, 41, 2)} if (sieve_flags := sieve(limit)) else {}
print("goldbach:", list(goldbach.items())[:6])
