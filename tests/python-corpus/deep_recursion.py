# Recursive algorithms that go a few hundred frames deep: list sums, a path DFS, Ackermann.

def rec_sum(values, i=0):
    if i == len(values):
        return 0
    return values[i] + rec_sum(values, i + 1)


def rec_reverse(s):
    return s if len(s) <= 1 else rec_reverse(s[1:]) + s[0]


def longest_path(graph, node, seen):
    seen.add(node)
    best = [node]
    for nxt in graph.get(node, ()):
        if nxt not in seen:
            path = longest_path(graph, nxt, seen)
            if len(path) + 1 > len(best):
                best = [node] + path
    seen.discard(node)
    return best


def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


def flood(grid, r, c, seen):
    if (r, c) in seen or not (0 <= r < len(grid) and 0 <= c < len(grid[0])) or grid[r][c] == "#":
        return 0
    seen.add((r, c))
    return 1 + sum(flood(grid, r + dr, c + dc, seen) for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)))


n = int(input())
values = list(range(1, n + 1))
print("rec_sum:", rec_sum(values), "==", n * (n + 1) // 2)
print("reverse:", rec_reverse(input().strip()))
chain = {i: [i + 1] for i in range(n - 1)}
chain[5] = [6, 100]
path = longest_path(chain, 0, set())
print("longest path length:", len(path), "ends at", path[-1])
print("ackermann(2, 3) =", ackermann(2, 3), "ackermann(3, 3) =", ackermann(3, 3))
rows = [input() for _ in range(int(input()))]
print("flood area:", flood(rows, 0, 0, set()))
try:
    rec_sum(list(range(5000)))
except RecursionError as e:
    print("too deep:", type(e).__name__)
