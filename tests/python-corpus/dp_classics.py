# Dynamic programming classics: coin change, rod cutting, LCS, 0/1 subset counts, stairs.

def coin_change_min(coins: list[int], amount: int) -> int:
    best = [0] + [float("inf")] * amount
    for a in range(1, amount + 1):
        best[a] = min((best[a - c] + 1 for c in coins if c <= a), default=float("inf"))
    return -1 if best[amount] == float("inf") else best[amount]


def coin_change_ways(coins: list[int], amount: int) -> int:
    ways = [1] + [0] * amount
    for c in coins:
        for a in range(c, amount + 1):
            ways[a] += ways[a - c]
    return ways[amount]


def rod_cutting(prices: dict[int, int], length: int, memo: dict[int, tuple[int, list[int]]] | None = None):
    if memo is None:
        memo = {}
    if length == 0:
        return 0, []
    if length in memo:
        return memo[length]
    best = (-1, [])
    for cut, price in prices.items():
        if cut <= length:
            value, pieces = rod_cutting(prices, length - cut, memo)
            if value + price > best[0]:
                best = (value + price, sorted(pieces + [cut]))
    memo[length] = best
    return best


def lcs(a: str, b: str) -> str:
    table = [[""] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            if a[i] == b[j]:
                table[i][j] = a[i] + table[i + 1][j + 1]
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1], key=len)
    return table[0][0]


def stairs(n: int, steps: tuple[int, ...] = (1, 2)) -> int:
    counts = [1] + [0] * n
    for i in range(1, n + 1):
        counts[i] = sum(counts[i - s] for s in steps if s <= i)
    return counts[n]


coins = list(map(int, input().split()))
for amount in map(int, input().split()):
    print(f"amount {amount:3}: min coins {coin_change_min(coins, amount):3}, ways {coin_change_ways(coins, amount)}")
prices = {i + 1: int(p) for i, p in enumerate(input().split())}
for length in (4, 7, 10):
    print(f"rod {length}: {rod_cutting(prices, length)}")
for line in iter(input, ""):
    a, b = line.split()
    common = lcs(a, b)
    print(f"lcs({a}, {b}) = {common!r} ({len(common)})")
print("stairs:", [stairs(n) for n in range(10)], stairs(30, (1, 3, 5)))
