# Prime sieve, factorisation and divisor functions for numbers read until end of input.

def sieve(limit):
    is_prime = [True] * (limit + 1)
    is_prime[0] = is_prime[1] = False
    for p in range(2, int(limit ** 0.5) + 1):
        if is_prime[p]:
            for multiple in range(p * p, limit + 1, p):
                is_prime[multiple] = False
    return [i for i, flag in enumerate(is_prime) if flag]


PRIMES = sieve(1000)


def factorize(n):
    factors = {}
    for p in PRIMES:
        if p * p > n:
            break
        while n % p == 0:
            factors[p] = factors.get(p, 0) + 1
            n //= p
    if n > 1:
        factors[n] = factors.get(n, 0) + 1
    return factors


def describe(factors):
    parts = []
    for p in sorted(factors):
        e = factors[p]
        parts.append(str(p) if e == 1 else f"{p}^{e}")
    return " * ".join(parts) if parts else "1"


def divisor_count(factors):
    count = 1
    for e in factors.values():
        count *= e + 1
    return count


def divisor_sum(factors):
    total = 1
    for p, e in factors.items():
        total *= (p ** (e + 1) - 1) // (p - 1)
    return total


def totient(n, factors):
    result = n
    for p in factors:
        result = result // p * (p - 1)
    return result


def main():
    print(f"{len(PRIMES)} primes below 1000; the last five: {PRIMES[-5:]}")
    twins = [(p, p + 2) for p in PRIMES if p + 2 in set(PRIMES)]
    print("twin primes below 100:", [t for t in twins if t[1] < 100])
    numbers = []
    try:
        while True:
            numbers.extend(int(tok) for tok in input().split())
    except EOFError:
        pass
    print(f"{'n':>10} | {'factors':<22} | {'d(n)':>4} | {'sigma':>8} | {'phi':>8} | kind")
    print("-" * 75)
    for n in numbers:
        f = factorize(n)
        sigma = divisor_sum(f)
        if sigma - n == n:
            kind = "perfect"
        elif sigma - n > n:
            kind = "abundant"
        else:
            kind = "deficient"
        prime = "prime" if f == {n: 1} else kind
        print(f"{n:>10} | {describe(f):<22} | {divisor_count(f):>4} | {sigma:>8} | {totient(n, f):>8} | {prime}")


main()
