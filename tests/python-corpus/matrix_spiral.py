# Reads a grid of integers and prints it transposed, rotated, in spiral order and with sums.

rows, cols = map(int, input().split())
grid = [list(map(int, input().split())) for _ in range(rows)]


def show(title, m):
    print(title)
    width = max(len(str(x)) for row in m for x in row)
    for row in m:
        print(" ".join(str(x).rjust(width) for x in row))


def spiral(m):
    out = []
    top, bottom, left, right = 0, len(m) - 1, 0, len(m[0]) - 1
    while top <= bottom and left <= right:
        out.extend(m[top][c] for c in range(left, right + 1))
        top += 1
        out.extend(m[r][right] for r in range(top, bottom + 1))
        right -= 1
        if top <= bottom:
            out.extend(m[bottom][c] for c in range(right, left - 1, -1))
            bottom -= 1
        if left <= right:
            out.extend(m[r][left] for r in range(bottom, top - 1, -1))
            left += 1
    return out


show("grid:", grid)
show("transposed:", [list(col) for col in zip(*grid)])
show("rotated clockwise:", [list(row) for row in zip(*grid[::-1])])
print("spiral:", *spiral(grid))
print("row sums:", [sum(r) for r in grid])
print("column sums:", [sum(c) for c in zip(*grid)])
diag = [grid[i][i] for i in range(min(rows, cols))]
print("diagonal:", diag, "trace:", sum(diag))
flat = sorted(x for row in grid for x in row)
print("min/median/max:", flat[0], flat[len(flat) // 2], flat[-1])
r, c = max(((r, c) for r in range(rows) for c in range(cols)), key=lambda p: grid[p[0]][p[1]])
print(f"largest at row {r}, col {c}")
