# Backtracking sudoku solver for a puzzle read from standard input ('.' or 0 for blanks).

def read_puzzle():
    grid = []
    while len(grid) < 9:
        line = input().replace(" ", "")
        if not line:
            continue
        grid.append([0 if ch in ".0" else int(ch) for ch in line])
    return grid


def candidates(grid, r, c):
    used = set(grid[r])
    used.update(grid[i][c] for i in range(9))
    br, bc = 3 * (r // 3), 3 * (c // 3)
    used.update(grid[i][j] for i in range(br, br + 3) for j in range(bc, bc + 3))
    return [d for d in range(1, 10) if d not in used]


class Solver:
    def __init__(self, grid):
        self.grid = [row[:] for row in grid]
        self.guesses = 0

    def solve(self):
        best = None
        for r in range(9):
            for c in range(9):
                if self.grid[r][c] == 0:
                    options = candidates(self.grid, r, c)
                    if best is None or len(options) < len(best[2]):
                        best = (r, c, options)
        if best is None:
            return True
        r, c, options = best
        for d in options:
            self.guesses += 1
            self.grid[r][c] = d
            if self.solve():
                return True
        self.grid[r][c] = 0
        return False


def show(grid):
    for r, row in enumerate(grid):
        if r and r % 3 == 0:
            print("------+-------+------")
        cells = [str(d) if d else "." for d in row]
        print(" | ".join(" ".join(cells[i:i + 3]) for i in (0, 3, 6)))


def valid(grid):
    units = [row for row in grid]
    units += [[grid[r][c] for r in range(9)] for c in range(9)]
    units += [[grid[r][c] for r in range(br, br + 3) for c in range(bc, bc + 3)]
              for br in (0, 3, 6) for bc in (0, 3, 6)]
    return all(sorted(u) == list(range(1, 10)) for u in units)


def main():
    puzzle = read_puzzle()
    blanks = sum(row.count(0) for row in puzzle)
    print(f"puzzle with {blanks} blanks:")
    show(puzzle)
    solver = Solver(puzzle)
    if solver.solve():
        print(f"\nsolved with {solver.guesses} guesses:")
        show(solver.grid)
        print("valid:", valid(solver.grid))
    else:
        print("no solution")


main()
