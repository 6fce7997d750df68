# N queens: count all solutions for small boards and print the first one for the given n.

def solve(n):
    columns = set()
    diagonals = set()
    anti_diagonals = set()
    placement = []

    def place(row):
        if row == n:
            yield list(placement)
            return
        for col in range(n):
            if col in columns or row - col in diagonals or row + col in anti_diagonals:
                continue
            columns.add(col)
            diagonals.add(row - col)
            anti_diagonals.add(row + col)
            placement.append(col)
            yield from place(row + 1)
            placement.pop()
            columns.remove(col)
            diagonals.remove(row - col)
            anti_diagonals.remove(row + col)

    return place(0)


def canonical(solution):
    n = len(solution)
    boards = []
    current = solution
    for _ in range(4):
        current = [current.index(n - 1 - i) for i in range(n)]
        boards.append(tuple(current))
        boards.append(tuple(reversed(current)))
    return min(boards)


def main():
    n = int(input())
    for size in range(1, n + 1):
        solutions = list(solve(size))
        unique = {canonical(s) for s in solutions}
        print(f"{size}x{size}: {len(solutions):3d} solutions, {len(unique):2d} unique")
    first = next(solve(n), None)
    if first:
        print(f"first solution for n={n}: {first}")
        for col in first:
            print(" ".join("Q" if c == col else "." for c in range(n)))


main()
