# 0/1 knapsack and coin change with DP tables, items read from standard input.

def knapsack(items, capacity):
    n = len(items)
    best = [[0] * (capacity + 1) for _ in range(n + 1)]
    for i, (name, weight, value) in enumerate(items, 1):
        for c in range(capacity + 1):
            best[i][c] = best[i - 1][c]
            if weight <= c and best[i - 1][c - weight] + value > best[i][c]:
                best[i][c] = best[i - 1][c - weight] + value
    chosen = []
    c = capacity
    for i in range(n, 0, -1):
        if best[i][c] != best[i - 1][c]:
            name, weight, value = items[i - 1]
            chosen.append(name)
            c -= weight
    return best[n][capacity], chosen[::-1]


def coin_change(coins, amount):
    INF = amount + 1
    fewest = [0] + [INF] * amount
    last = [None] * (amount + 1)
    for a in range(1, amount + 1):
        for coin in coins:
            if coin <= a and fewest[a - coin] + 1 < fewest[a]:
                fewest[a] = fewest[a - coin] + 1
                last[a] = coin
    if fewest[amount] == INF:
        return None
    used = []
    while amount:
        used.append(last[amount])
        amount -= last[amount]
    return sorted(used, reverse=True)


def count_ways(coins, amount):
    ways = [1] + [0] * amount
    for coin in coins:
        for a in range(coin, amount + 1):
            ways[a] += ways[a - coin]
    return ways[amount]


def main():
    capacity = int(input())
    n = int(input())
    items = []
    for _ in range(n):
        name, weight, value = input().split()
        items.append((name, int(weight), int(value)))
    for cap in (capacity // 2, capacity):
        value, chosen = knapsack(items, cap)
        weight = sum(w for name, w, v in items if name in chosen)
        print(f"capacity {cap:3d}: value {value:4d}, weight {weight:3d}, items {chosen}")
    ratio = sorted(items, key=lambda it: it[2] / it[1], reverse=True)
    print("by value density:", [f"{name}={v / w:.2f}" for name, w, v in ratio])
    coins = [int(c) for c in input().split()]
    for amount in map(int, input().split()):
        change = coin_change(coins, amount)
        ways = count_ways(coins, amount)
        print(f"{amount:4d}: {'impossible' if change is None else change} ({ways} ways)")


main()
