# Shapes parsed from stdin and dispatched with structural pattern matching (class patterns).

class Point:
    __match_args__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return f"Point({self.x}, {self.y})"


class Circle:
    __match_args__ = ("center", "radius")

    def __init__(self, center, radius):
        self.center = center
        self.radius = radius


class Rectangle:
    __match_args__ = ("corner", "width", "height")

    def __init__(self, corner, width, height):
        self.corner = corner
        self.width = width
        self.height = height


def parse(line):
    match line.split():
        case ["point", x, y]:
            return Point(int(x), int(y))
        case ["circle", x, y, r]:
            return Circle(Point(int(x), int(y)), int(r))
        case ["rect", x, y, w, h]:
            return Rectangle(Point(int(x), int(y)), int(w), int(h))
        case ["square", x, y, side]:
            return Rectangle(Point(int(x), int(y)), int(side), int(side))
        case []:
            return None
        case [word, *rest]:
            raise ValueError(f"unknown shape {word!r} with {len(rest)} arguments")


def describe(shape):
    match shape:
        case Point(0, 0):
            return "the origin"
        case Point(x, 0) | Point(0, x):
            return f"a point on an axis at distance {abs(x)}"
        case Point(x, y) if x == y:
            return f"a point on the diagonal at {x}"
        case Point():
            return f"a point {shape!r}"
        case Circle(Point(0, 0), r):
            return f"a circle of radius {r} around the origin"
        case Circle(center, r) if r > 10:
            return f"a large circle at {center!r}"
        case Circle(radius=r):
            return f"a circle with area {3.14159 * r * r:.2f}"
        case Rectangle(_, w, h) if w == h:
            return f"a square of side {w}"
        case Rectangle(Point(x, y), w, h):
            return f"a {w}x{h} rectangle from ({x}, {y}) to ({x + w}, {y + h})"
        case _:
            return "nothing"


def main():
    shapes = []
    while True:
        try:
            line = input()
        except EOFError:
            break
        try:
            shape = parse(line)
        except ValueError as err:
            print("skipped:", err)
            continue
        if shape is not None:
            shapes.append(shape)
    for shape in shapes:
        print(f"{type(shape).__name__:>9}: {describe(shape)}")
    kinds = {}
    for shape in shapes:
        kinds[type(shape).__name__] = kinds.get(type(shape).__name__, 0) + 1
    print(sorted(kinds.items()))


main()
