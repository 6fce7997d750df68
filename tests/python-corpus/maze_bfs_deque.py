# Shortest path through a maze with breadth-first search on a deque, points as namedtuples.
from collections import deque, namedtuple

Point = namedtuple("Point", ["row", "col"])
MOVES = {"N": Point(-1, 0), "S": Point(1, 0), "W": Point(0, -1), "E": Point(0, 1)}


def neighbours(maze, p):
    for name, d in MOVES.items():
        q = Point(p.row + d.row, p.col + d.col)
        if 0 <= q.row < len(maze) and 0 <= q.col < len(maze[0]) and maze[q.row][q.col] != "#":
            yield name, q


def bfs(maze, start, goal):
    queue = deque([start])
    came_from = {start: None}
    while queue:
        p = queue.popleft()
        if p == goal:
            break
        for name, q in neighbours(maze, p):
            if q not in came_from:
                came_from[q] = (p, name)
                queue.append(q)
    if goal not in came_from:
        return None
    moves = []
    p = goal
    while came_from[p] is not None:
        p, name = came_from[p]
        moves.append(name)
    return "".join(reversed(moves))


maze = [line for line in iter(input, "")]
find = lambda ch: next(Point(r, row.index(ch)) for r, row in enumerate(maze) if ch in row)
start, goal = find("S"), find("G")
print("start:", start, "goal:", goal, "fields:", Point._fields)
path = bfs(maze, start, goal)
print("path:", path, "length:", len(path) if path else None)
grid = [list(row) for row in maze]
p = start
for move in path or "":
    d = MOVES[move]
    p = p._replace(row=p.row + d.row, col=p.col + d.col)
    if grid[p.row][p.col] == ".":
        grid[p.row][p.col] = "*"
print("\n".join("".join(row) for row in grid))
print(Point(1, 2)._asdict(), Point._make([3, 4]), start.row, start[1])
