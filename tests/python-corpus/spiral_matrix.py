# Grid manipulation: spiral order, rotation, transposition and diagonal sums of a matrix.

def read_grid():
    grid = []
    while True:
        try:
            line = input()
        except EOFError:
            break
        if line.strip():
            grid.append([int(x) for x in line.split()])
    return grid


def spiral(grid):
    result = []
    top, bottom, left, right = 0, len(grid) - 1, 0, len(grid[0]) - 1
    while top <= bottom and left <= right:
        result.extend(grid[top][c] for c in range(left, right + 1))
        result.extend(grid[r][right] for r in range(top + 1, bottom + 1))
        if top < bottom:
            result.extend(grid[bottom][c] for c in range(right - 1, left - 1, -1))
        if left < right:
            result.extend(grid[r][left] for r in range(bottom - 1, top, -1))
        top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
    return result


def rotate(grid):
    return [list(row) for row in zip(*grid[::-1])]


def build_spiral(n):
    grid = [[0] * n for _ in range(n)]
    r = c = 0
    dr, dc = 0, 1
    for value in range(1, n * n + 1):
        grid[r][c] = value
        nr, nc = r + dr, c + dc
        if not (0 <= nr < n and 0 <= nc < n and grid[nr][nc] == 0):
            dr, dc = dc, -dr
            nr, nc = r + dr, c + dc
        r, c = nr, nc
    return grid


def show(grid):
    width = max(len(str(x)) for row in grid for x in row)
    for row in grid:
        print(" ".join(str(x).rjust(width) for x in row))


def main():
    grid = read_grid()
    print("spiral:", spiral(grid))
    print("rotated:")
    show(rotate(grid))
    print("rotated four times is the same:", rotate(rotate(rotate(rotate(grid)))) == grid)
    square = build_spiral(5)
    show(square)
    n = len(square)
    main_diag = sum(square[i][i] for i in range(n))
    anti_diag = sum(square[i][n - 1 - i] for i in range(n))
    print(f"diagonals: {main_diag} and {anti_diag}")
    print("round trip:", spiral(square) == list(range(1, 26)))
    row_sums = [sum(row) for row in grid]
    col_sums = [sum(col) for col in zip(*grid)]
    print("row sums", row_sums, "col sums", col_sums)
    peak = max((v, r, c) for r, row in enumerate(grid) for c, v in enumerate(row))
    print("largest %d at row %d col %d" % peak)


main()
