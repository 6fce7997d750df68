# A 2-D vector class with operator overloading, read from pairs of numbers on stdin.

class Vector:
    def __init__(self, x=0.0, y=0.0):
        self.x = x
        self.y = y

    def __repr__(self):
        return f"Vector({self.x!r}, {self.y!r})"

    def __str__(self):
        return f"({self.x:g}, {self.y:g})"

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y)

    def __sub__(self, other):
        return Vector(self.x - other.x, self.y - other.y)

    def __mul__(self, k):
        if isinstance(k, Vector):
            return self.x * k.x + self.y * k.y
        return Vector(self.x * k, self.y * k)

    __rmul__ = __mul__

    def __truediv__(self, k):
        return Vector(self.x / k, self.y / k)

    def __neg__(self):
        return Vector(-self.x, -self.y)

    def __abs__(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5

    def __bool__(self):
        return bool(self.x or self.y)

    def __eq__(self, other):
        return isinstance(other, Vector) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def __iter__(self):
        yield self.x
        yield self.y

    def __getitem__(self, i):
        return (self.x, self.y)[i]

    def __format__(self, spec):
        if spec.endswith("p"):
            r = abs(self)
            return f"<{r:{spec[:-1] or 'g'}}, angle>"
        return f"({format(self.x, spec)}, {format(self.y, spec)})"


points = []
while True:
    try:
        line = input().strip()
    except EOFError:
        break
    if line:
        x, y = (float(t) for t in line.split(","))
        points.append(Vector(x, y))

print("points:", points)
total = Vector()
for p in points:
    total = total + p
print("sum:", total, "centroid:", total / len(points))
a, b = points[0], points[1]
print(f"a={a} b={b} a+b={a + b} a-b={a - b} -a={-a} 2*a={2 * a} a*3={a * 3}")
print(f"a.b = {a * b}, |a| = {abs(a):.4f}, a == b: {a == b}")
print(f"formatted: {a:.2f} {b:8.3f} {a:.3p}")
x, y = b
print("unpacked:", x, y, "indexed:", b[0], b[-1])
print("truthiness:", [bool(p) for p in points])
print("distinct:", len(set(points)))
far = max(points, key=abs)
print("farthest from origin:", repr(far), round(abs(far), 3))
print("sorted by angle-free key:", sorted(points, key=lambda p: (p.x, p.y)))
