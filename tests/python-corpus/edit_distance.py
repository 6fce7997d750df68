# Dynamic programming on strings: edit distance with the alignment, and the longest common
# subsequence, for pairs of words read from standard input.

def edit_distance(a, b):
    rows, cols = len(a) + 1, len(b) + 1
    table = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        table[i][0] = i
    for j in range(cols):
        table[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
    ops = []
    i, j = len(a), len(b)
    while i > 0 or j > 0:
        if i > 0 and j > 0 and table[i][j] == table[i - 1][j - 1] + (a[i - 1] != b[j - 1]):
            ops.append("=" if a[i - 1] == b[j - 1] else "~")
            i, j = i - 1, j - 1
        elif i > 0 and table[i][j] == table[i - 1][j] + 1:
            ops.append("-")
            i -= 1
        else:
            ops.append("+")
            j -= 1
    return table[-1][-1], "".join(reversed(ops))


def lcs(a, b):
    table = [[""] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            if a[i] == b[j]:
                table[i][j] = a[i] + table[i + 1][j + 1]
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1], key=len)
    return table[0][0]


def main():
    pairs = []
    while True:
        try:
            line = input()
        except EOFError:
            break
        words = line.split()
        if len(words) == 2:
            pairs.append(tuple(words))
        elif words:
            print(f"skipping malformed line: {line!r}")
    width = max(len(w) for pair in pairs for w in pair)
    for a, b in pairs:
        dist, ops = edit_distance(a, b)
        common = lcs(a, b)
        similarity = 1 - dist / max(len(a), len(b), 1)
        print(f"{a:>{width}} {b:<{width}} d={dist} lcs={common!r:<10} sim={similarity:6.1%} ops={ops}")
    closest = min(pairs, key=lambda p: (edit_distance(*p)[0], p))
    print("closest pair:", closest)


main()
