# Conway's Game of Life on a bounded grid read from stdin, run for several generations.

def read_board():
    generations = int(input())
    rows = []
    while True:
        try:
            line = input().rstrip()
        except EOFError:
            break
        if line:
            rows.append(line)
    width = max(len(r) for r in rows)
    live = {(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch == "#"}
    return generations, len(rows), width, live


def step(live, height, width):
    counts = {}
    for r, c in live:
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                if dr or dc:
                    cell = (r + dr, c + dc)
                    if 0 <= cell[0] < height and 0 <= cell[1] < width:
                        counts[cell] = counts.get(cell, 0) + 1
    return {cell for cell, n in counts.items() if n == 3 or (n == 2 and cell in live)}


def render(live, height, width):
    return "\n".join(
        "".join("#" if (r, c) in live else "." for c in range(width)) for r in range(height)
    )


def main():
    generations, height, width, live = read_board()
    seen = {frozenset(live): 0}
    print(f"generation 0: {len(live)} alive")
    print(render(live, height, width))
    for gen in range(1, generations + 1):
        live = step(live, height, width)
        key = frozenset(live)
        print(f"generation {gen}: {len(live)} alive")
        print(render(live, height, width))
        if key in seen:
            print(f"state repeats generation {seen[key]} (period {gen - seen[key]})")
            break
        seen[key] = gen
    if live:
        rows = [r for r, _ in live]
        cols = [c for _, c in live]
        print("bounding box:", (min(rows), min(cols)), (max(rows), max(cols)))


main()
