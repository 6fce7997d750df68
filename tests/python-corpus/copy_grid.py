# Shallow versus deep copies of nested game boards, with a small tic-tac-toe search.
import copy


class Board:
    def __init__(self, cells):
        self.cells = cells
        self.history = []

    def play(self, r, c, mark):
        self.cells[r][c] = mark
        self.history.append((r, c, mark))

    def __str__(self):
        return "\n".join(" ".join(row) for row in self.cells)


def winner(cells):
    lines = cells + [list(col) for col in zip(*cells)]
    lines += [[cells[i][i] for i in range(3)], [cells[i][2 - i] for i in range(3)]]
    for line in lines:
        if line[0] != "." and line.count(line[0]) == 3:
            return line[0]
    return None


def best_move(board, mark):
    other = "O" if mark == "X" else "X"
    empty = [(r, c) for r in range(3) for c in range(3) if board.cells[r][c] == "."]
    for r, c in empty:
        trial = copy.deepcopy(board)
        trial.play(r, c, mark)
        if winner(trial.cells) == mark:
            return r, c, "win"
    for r, c in empty:
        trial = copy.deepcopy(board)
        trial.play(r, c, other)
        if winner(trial.cells) == other:
            return r, c, "block"
    return empty[0] + ("first free",)


rows = [list(input().strip()) for _ in range(3)]
board = Board(rows)
shallow = copy.copy(board)
deep = copy.deepcopy(board)
board.play(1, 1, "X")
print("original:\n" + str(board))
print("shallow shares cells:", shallow.cells is board.cells, shallow.cells[1][1], "history:", shallow.history)
print("deep is independent:", deep.cells[1][1], deep.history)
for mark in input().split():
    r, c, why = best_move(board, mark)
    print(f"{mark} plays {r},{c} ({why})")
    board.play(r, c, mark)
    if winner(board.cells):
        print("winner:", winner(board.cells))
        break
print(board)
nested = [[1, [2, 3]], {"k": [4]}]
dup = copy.deepcopy(nested)
dup[0][1].append(99)
dup[1]["k"].clear()
print(nested, dup, copy.copy(nested)[1] is nested[1])
