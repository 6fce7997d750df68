# Counts islands and lakes on a map from stdin with recursive and iterative flood fill.


def read_map():
    rows = []
    while True:
        try:
            line = input()
        except EOFError:
            break
        if line:
            rows.append(list(line))
    return rows


def neighbours(r, c, rows, cols, diagonal=False):
    steps = [(1, 0), (-1, 0), (0, 1), (0, -1)]
    if diagonal:
        steps += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    for dr, dc in steps:
        nr, nc = r + dr, c + dc
        if 0 <= nr < rows and 0 <= nc < cols:
            yield nr, nc


def fill_recursive(grid, r, c, target, mark):
    if grid[r][c] != target:
        return 0
    grid[r][c] = mark
    size = 1
    for nr, nc in neighbours(r, c, len(grid), len(grid[0])):
        size += fill_recursive(grid, nr, nc, target, mark)
    return size


def fill_iterative(grid, r, c, target, mark):
    stack = [(r, c)]
    grid[r][c] = mark
    cells = []
    while stack:
        r, c = stack.pop()
        cells.append((r, c))
        for nr, nc in neighbours(r, c, len(grid), len(grid[0]), diagonal=True):
            if grid[nr][nc] == target:
                grid[nr][nc] = mark
                stack.append((nr, nc))
    return cells


def main():
    original = read_map()
    grid = [row[:] for row in original]
    labels = "abcdefghijklmnopqrstuvwxyz"
    sizes = []
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            if grid[r][c] == "#":
                sizes.append(fill_recursive(grid, r, c, "#", labels[len(sizes) % 26]))
    print(f"{len(sizes)} islands (4-connected), sizes {sizes}")
    for row in grid:
        print("".join(row))
    grid = [row[:] for row in original]
    groups = []
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            if grid[r][c] == "#":
                groups.append(fill_iterative(grid, r, c, "#", "*"))
    print(f"{len(groups)} islands (8-connected), largest {max(map(len, groups))}")
    grid = [row[:] for row in original]
    for r in range(len(grid)):
        for c in (0, len(grid[0]) - 1):
            if grid[r][c] == ".":
                fill_iterative(grid, r, c, ".", "~")
    for c in range(len(grid[0])):
        for r in (0, len(grid) - 1):
            if grid[r][c] == ".":
                fill_iterative(grid, r, c, ".", "~")
    lakes = sum(row.count(".") for row in grid)
    print(f"enclosed water cells: {lakes}")
    for row in grid:
        print("".join(row))


main()
