# A Matrix class with operator overloading (including @ and **), solving linear systems.

class Matrix:
    def __init__(self, rows):
        if len({len(r) for r in rows}) != 1:
            raise ValueError("ragged rows")
        self.rows = [list(r) for r in rows]

    @classmethod
    def identity(cls, n):
        return cls([[int(i == j) for j in range(n)] for i in range(n)])

    @property
    def shape(self):
        return len(self.rows), len(self.rows[0])

    def __getitem__(self, index):
        r, c = index
        return self.rows[r][c]

    def __setitem__(self, index, value):
        r, c = index
        self.rows[r][c] = value

    def __eq__(self, other):
        return isinstance(other, Matrix) and self.rows == other.rows

    def __add__(self, other):
        return Matrix([[a + b for a, b in zip(r1, r2)] for r1, r2 in zip(self.rows, other.rows)])

    def __mul__(self, k):
        return Matrix([[k * x for x in row] for row in self.rows])

    __rmul__ = __mul__

    def __matmul__(self, other):
        if self.shape[1] != other.shape[0]:
            raise ValueError(f"cannot multiply {self.shape} by {other.shape}")
        cols = list(zip(*other.rows))
        return Matrix([[sum(a * b for a, b in zip(row, col)) for col in cols] for row in self.rows])

    def __pow__(self, n):
        result, base = Matrix.identity(self.shape[0]), self
        while n:
            if n & 1:
                result = result @ base
            base = base @ base
            n >>= 1
        return result

    def transpose(self):
        return Matrix(zip(*self.rows))

    def determinant(self):
        n = self.shape[0]
        if n == 1:
            return self.rows[0][0]
        return sum((-1) ** c * self.rows[0][c] * self.minor(0, c).determinant() for c in range(n))

    def minor(self, r, c):
        return Matrix([row[:c] + row[c + 1:] for i, row in enumerate(self.rows) if i != r])

    def __str__(self):
        cells = [[f"{x:g}" if isinstance(x, float) else str(x) for x in row] for row in self.rows]
        w = max(len(s) for row in cells for s in row)
        return "\n".join("[" + " ".join(s.rjust(w) for s in row) + "]" for row in cells)

    def __repr__(self):
        return f"Matrix({self.rows})"


def solve(a, b):
    """Gaussian elimination with partial pivoting on floats."""
    n = len(b)
    m = [list(map(float, row)) + [float(v)] for row, v in zip(a.rows, b)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [round(m[i][n] / m[i][i], 10) for i in range(n)]


def read_matrix():
    r, _ = map(int, input().split())
    return Matrix([list(map(int, input().split())) for _ in range(r)])


a = read_matrix()
b = read_matrix()
print(a, "\n")
print(a @ b, "\n")
print((a + a) == 2 * a, a.shape, (a @ b).shape, a[1, 2])
print("det:", a.determinant(), "transpose:", repr(a.transpose()))
fib = Matrix([[1, 1], [1, 0]])
print("fib via power:", (fib ** 50)[0, 1], (fib ** 10))
rhs = list(map(int, input().split()))
x = solve(a, rhs)
print("solution:", x, "check:", [round(sum(c * v for c, v in zip(row, x)), 6) for row in a.rows])
try:
    a @ Matrix([[1, 2]])
except ValueError as e:
    print("error:", e)
a[0, 0] = 100
print(a.rows[0])
