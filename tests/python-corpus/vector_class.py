# A small 2-D/3-D vector class exercising arithmetic and container special methods.

class Vector:
    def __init__(self, *components):
        self.components = tuple(components)

    def __repr__(self):
        return "Vector(" + ", ".join(repr(c) for c in self.components) + ")"

    def __str__(self):
        return "<" + ", ".join(f"{c:g}" for c in self.components) + ">"

    def __len__(self):
        return len(self.components)

    def __iter__(self):
        return iter(self.components)

    def __getitem__(self, index):
        return self.components[index]

    def __add__(self, other):
        return Vector(*(a + b for a, b in zip(self, other)))

    def __sub__(self, other):
        return Vector(*(a - b for a, b in zip(self, other)))

    def __mul__(self, scalar):
        return Vector(*(a * scalar for a in self))

    def __rmul__(self, scalar):
        return self * scalar

    def __matmul__(self, other):
        return sum(a * b for a, b in zip(self, other))

    def __abs__(self):
        return (self @ self) ** 0.5

    def __neg__(self):
        return self * -1

    def __bool__(self):
        return any(self.components)

    def __eq__(self, other):
        return isinstance(other, Vector) and self.components == other.components

    def __hash__(self):
        return hash(self.components)

    def __contains__(self, value):
        return value in self.components

    def cross(self, other):
        a1, a2, a3 = self
        b1, b2, b3 = other
        return Vector(a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1)


def main():
    u = Vector(1, 2, 3)
    v = Vector(4, -5, 6)
    print(repr(u), str(v))
    print("u + v =", u + v)
    print("u - v =", u - v)
    print("2 * u =", 2 * u, " u * 0.5 =", u * 0.5)
    print("u . v =", u @ v)
    print("u x v =", u.cross(v))
    print(f"|v| = {abs(v):.5f}")
    print("-u =", -u, "len", len(u), "u[1:] =", u[1:])
    print("bool zero:", bool(Vector(0, 0)), "bool u:", bool(u))
    print("2 in u:", 2 in u, "-5 in u:", -5 in u)
    print("unpacked:", *v)
    seen = {u, Vector(1, 2, 3), v}
    print("distinct vectors:", len(seen))
    points = [Vector(3, 4), Vector(-1, 1), Vector(0, 2), Vector(6, -8)]
    points.sort(key=abs)
    print("by length:", [str(p) for p in points])
    centroid = Vector(0, 0)
    for p in points:
        centroid = centroid + p
    centroid = centroid * (1 / len(points))
    print("centroid:", centroid)


main()
