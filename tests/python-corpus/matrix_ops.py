# Reads two matrices and prints their product, transposes and a determinant.

def read_matrix():
    rows, cols = map(int, input().split())
    return [[int(x) for x in input().split()] for _ in range(rows)]


def transpose(m):
    return [list(col) for col in zip(*m)]


def multiply(a, b):
    if len(a[0]) != len(b):
        raise ValueError("shapes do not match")
    bt = transpose(b)
    return [[sum(x * y for x, y in zip(row, col)) for col in bt] for row in a]


def determinant(m):
    n = len(m)
    if n == 1:
        return m[0][0]
    if n == 2:
        return m[0][0] * m[1][1] - m[0][1] * m[1][0]
    total = 0
    for j in range(n):
        minor = [row[:j] + row[j + 1:] for row in m[1:]]
        total += (-1) ** j * m[0][j] * determinant(minor)
    return total


def show(title, m):
    width = max(len(str(x)) for row in m for x in row)
    print(f"{title} ({len(m)}x{len(m[0])}):")
    for row in m:
        print("  [" + " ".join(f"{x:>{width}}" for x in row) + "]")


def main():
    a = read_matrix()
    b = read_matrix()
    show("A", a)
    show("B", b)
    show("A^T", transpose(a))
    product = multiply(a, b)
    show("A*B", product)
    if len(product) == len(product[0]):
        print("det(A*B) =", determinant(product))
        trace = sum(product[i][i] for i in range(len(product)))
        print(f"trace(A*B) = {trace:+d}")
    try:
        multiply(a, a)
    except ValueError as err:
        print("A*A:", err)
    identity = [[int(i == j) for j in range(3)] for i in range(3)]
    show("I", identity)
    print("A*I == A:", multiply(a, identity) == a)


main()
