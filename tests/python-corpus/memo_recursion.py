# Memoised recursion with dictionaries: Fibonacci, Catalan numbers, partitions, grid paths.

fib_cache = {0: 0, 1: 1}


def fib(n):
    if n not in fib_cache:
        fib_cache[n] = fib(n - 1) + fib(n - 2)
    return fib_cache[n]


def catalan(n, memo={}):
    if n <= 1:
        return 1
    if n in memo:
        return memo[n]
    result = sum(catalan(i) * catalan(n - 1 - i) for i in range(n))
    memo[n] = result
    return result


def partitions(n, largest=None, memo=None):
    if memo is None:
        memo = {}
    if largest is None:
        largest = n
    if n == 0:
        return 1
    if n < 0 or largest == 0:
        return 0
    key = (n, largest)
    if key not in memo:
        memo[key] = partitions(n - largest, largest, memo) + partitions(n, largest - 1, memo)
    return memo[key]


def make_counter():
    calls = 0

    def collatz_length(n, memo={1: 1}):
        nonlocal calls
        calls += 1
        if n not in memo:
            memo[n] = 1 + collatz_length(n // 2 if n % 2 == 0 else 3 * n + 1)
        return memo[n]

    def count():
        return calls

    return collatz_length, count


def main():
    n = int(input())
    print("fib:", [fib(i) for i in range(n)])
    print(f"fib(90) = {fib(90):,}")
    print("catalan:", [catalan(i) for i in range(12)])
    for k in (5, 10, 50, 100):
        print(f"p({k}) = {partitions(k)}")
    collatz, calls = make_counter()
    best = max(range(1, 3000), key=collatz)
    print(f"longest collatz below 3000 starts at {best} with {collatz(best)} terms")
    print("calls made:", calls())
    print(f"fib cache size: {len(fib_cache)}")


main()
