# An abstract base class for shapes with concrete subclasses, sorted and summarized.
from abc import ABC, abstractmethod


class Shape(ABC):
    count = 0

    def __init__(self, name):
        self.name = name
        Shape.count += 1

    @abstractmethod
    def area(self) -> float:
        ...

    @abstractmethod
    def perimeter(self) -> float:
        ...

    def __str__(self):
        return f"{self.name}: area={self.area():.2f} perimeter={self.perimeter():.2f}"


class Rectangle(Shape):
    def __init__(self, w, h):
        super().__init__("rectangle")
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h

    def perimeter(self):
        return 2 * (self.w + self.h)


class Square(Rectangle):
    def __init__(self, side):
        super().__init__(side, side)
        self.name = "square"


class Circle(Shape):
    PI = 3.141592653589793

    def __init__(self, r):
        super().__init__("circle")
        self.r = r

    def area(self):
        return self.PI * self.r ** 2

    def perimeter(self):
        return 2 * self.PI * self.r


class Triangle(Shape):
    def __init__(self, a, b, c):
        if a + b <= c or a + c <= b or b + c <= a:
            raise ValueError(f"sides {a}, {b}, {c} do not make a triangle")
        super().__init__("triangle")
        self.sides = (a, b, c)

    def perimeter(self):
        return sum(self.sides)

    def area(self):
        s = self.perimeter() / 2
        a, b, c = self.sides
        return (s * (s - a) * (s - b) * (s - c)) ** 0.5


KINDS = {"rect": Rectangle, "square": Square, "circle": Circle, "tri": Triangle}
shapes = []
for line in iter(input, ""):
    kind, *dims = line.split()
    try:
        shapes.append(KINDS[kind](*map(float, dims)))
    except (KeyError, TypeError, ValueError) as e:
        print("cannot build", repr(line), "->", type(e).__name__, e)
try:
    Shape("abstract")
except TypeError as e:
    print("TypeError:", e)
for s in sorted(shapes, key=lambda s: s.area()):
    print(s)
print("total area: %.3f" % sum(s.area() for s in shapes))
print("instances:", Shape.count, "squares are rectangles:", all(isinstance(s, Rectangle) for s in shapes if isinstance(s, Square)))
