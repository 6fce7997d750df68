# Shortest path through a maze read from standard input: S start, E end, # wall.

def read_grid():
    rows, cols = map(int, input().split())
    grid = [input() for _ in range(rows)]
    for row in grid:
        if len(row) != cols:
            raise ValueError(f"row {row!r} is not {cols} wide")
    return grid


def find(grid, symbol):
    for r, row in enumerate(grid):
        c = row.find(symbol)
        if c >= 0:
            return (r, c)
    return None


def bfs(grid, start, goal):
    rows, cols = len(grid), len(grid[0])
    previous = {start: None}
    frontier = [start]
    while frontier:
        next_frontier = []
        for r, c in frontier:
            if (r, c) == goal:
                path = []
                node = goal
                while node is not None:
                    path.append(node)
                    node = previous[node]
                return path[::-1]
            for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                nr, nc = r + dr, c + dc
                if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != "#":
                    if (nr, nc) not in previous:
                        previous[(nr, nc)] = (r, c)
                        next_frontier.append((nr, nc))
        frontier = next_frontier
    return None


def main():
    grid = read_grid()
    start, goal = find(grid, "S"), find(grid, "E")
    path = bfs(grid, start, goal)
    if path is None:
        print("no path")
        return
    print(f"shortest path has {len(path) - 1} steps")
    on_path = set(path)
    for r, row in enumerate(grid):
        line = "".join(
            "*" if (r, c) in on_path and ch == "." else ch for c, ch in enumerate(row)
        )
        print(line)
    turns = 0
    for a, b, c in zip(path, path[1:], path[2:]):
        if (b[0] - a[0], b[1] - a[1]) != (c[0] - b[0], c[1] - b[1]):
            turns += 1
    print("turns:", turns)


if __name__ == "__main__":
    main()
