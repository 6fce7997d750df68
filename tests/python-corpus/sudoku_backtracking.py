# Solves a sudoku read as nine lines (0 or . for blanks) by constraint propagation and backtracking.

def read_board():
    board = []
    while len(board) < 9:
        line = input().strip().replace(" ", "")
        if not line or line.startswith("#"):
            continue
        board.append([0 if ch in "0." else int(ch) for ch in line])
    return board


def candidates(board, r, c):
    used = set(board[r]) | {board[i][c] for i in range(9)}
    br, bc = 3 * (r // 3), 3 * (c // 3)
    used |= {board[i][j] for i in range(br, br + 3) for j in range(bc, bc + 3)}
    return [d for d in range(1, 10) if d not in used]


def solve(board, stats):
    best = None
    for r in range(9):
        for c in range(9):
            if board[r][c] == 0:
                options = candidates(board, r, c)
                if not options:
                    return False
                if best is None or len(options) < len(best[2]):
                    best = (r, c, options)
    if best is None:
        return True
    r, c, options = best
    for d in options:
        stats["tries"] += 1
        board[r][c] = d
        if solve(board, stats):
            return True
    board[r][c] = 0
    stats["backtracks"] += 1
    return False


def show(board):
    for i, row in enumerate(board):
        if i and i % 3 == 0:
            print("------+-------+------")
        print(" | ".join(" ".join(str(d) if d else "." for d in row[k:k + 3]) for k in (0, 3, 6)))


def valid(board):
    groups = [row for row in board] + [list(col) for col in zip(*board)]
    groups += [[board[r][c] for r in range(br, br + 3) for c in range(bc, bc + 3)] for br in (0, 3, 6) for bc in (0, 3, 6)]
    return all(sorted(g) == list(range(1, 10)) for g in groups)


puzzles = int(input())
for n in range(1, puzzles + 1):
    board = read_board()
    blanks = sum(row.count(0) for row in board)
    stats = {"tries": 0, "backtracks": 0}
    print(f"puzzle {n}: {blanks} blanks")
    if solve(board, stats):
        show(board)
        print("valid:", valid(board), stats)
    else:
        print("no solution", stats)
