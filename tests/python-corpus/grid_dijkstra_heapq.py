# Cheapest path through a grid of digit costs with Dijkstra (heapq) and the path drawn back.
from heapq import heappop, heappush

INF = float("inf")


def dijkstra(grid, start, goal, diagonal=False):
    rows, cols = len(grid), len(grid[0])
    steps = [(0, 1), (1, 0), (0, -1), (-1, 0)]
    if diagonal:
        steps += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    dist = {start: 0}
    prev = {}
    heap = [(0, start)]
    visited = 0
    while heap:
        d, (r, c) = heappop(heap)
        if d > dist.get((r, c), INF):
            continue
        visited += 1
        if (r, c) == goal:
            break
        for dr, dc in steps:
            nr, nc = r + dr, c + dc
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != "#":
                nd = d + int(grid[nr][nc])
                if nd < dist.get((nr, nc), INF):
                    dist[(nr, nc)] = nd
                    prev[(nr, nc)] = (r, c)
                    heappush(heap, (nd, (nr, nc)))
    if goal not in dist:
        return None, [], visited
    path = [goal]
    while path[-1] != start:
        path.append(prev[path[-1]])
    return dist[goal], path[::-1], visited


grid = []
while True:
    try:
        line = input().rstrip()
    except EOFError:
        break
    if line:
        grid.append(line)
start, goal = (0, 0), (len(grid) - 1, len(grid[0]) - 1)
for diagonal in (False, True):
    cost, path, visited = dijkstra(grid, start, goal, diagonal)
    print(f"diagonal={diagonal}: cost {cost}, {len(path)} cells, {visited} settled")
    on_path = set(path)
    for r, row in enumerate(grid):
        print("".join("*" if (r, c) in on_path else ch for c, ch in enumerate(row)))
blocked = [row[:3] + "#" + row[4:] for row in grid]
print("walled column 3:", dijkstra(blocked, start, goal)[0])
print("unreachable is", INF, INF > 10 ** 100, -INF < 0)
