# Ordinary modern Python that the checker must accept.
from_config = {"port": 12345, "name": "server"}


class Vector:
    """A small value type with operators."""

    def __init__(self, x: float, y: float = 0.0) -> None:
        self.x = x
        self.y = y

    def __repr__(self):
        return f"Vector({self.x!r}, {self.y!r})"

    def __eq__(self, other):
        return isinstance(other, Vector) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y)

    def __iadd__(self, other):
        self.x += other.x
        self.y += other.y
        return self

    def __abs__(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5

    def __iter__(self):
        yield self.x
        yield self.y

    def __format__(self, spec):
        return "(" + ", ".join(f"{part:{spec}}" for part in self) + ")"


class Point3(Vector):
    def __init__(self, x, y, z):
        Vector.__init__(self, x, y)
        self.z = z


class Registry:
    def __init__(self):
        self.items = {}

    def __len__(self):
        return len(self.items)

    def __contains__(self, key):
        return key in self.items

    def __getitem__(self, key):
        return self.items[key]

    def __setitem__(self, key, value):
        self.items[key] = value

    def __enter__(self):
        return self

    def __exit__(self, kind, value, trace):
        self.items.clear()
        return False


def fibonacci(limit):
    first, second = 0, 1
    while first < limit:
        yield first
        first, second = second, first + second


def make_counter():
    count = 0

    def step(by=1, *, label="step", **extra):
        nonlocal count
        count += by
        return label, count, extra

    return step


def describe(value):
    match value:
        case {"kind": "point", "x": x, **rest}:
            return f"point at {x} ({len(rest)} more)"
        case [first, *others] if others:
            return f"list starting {first}"
        case Vector(x=0, y=0):
            return "origin"
        case int() | float() as number if number > 0:
            return "positive"
        case str() as text:
            return text.upper()
        case None:
            return "nothing"
        case _:
            return "other"


squares = [n * n for n in range(10) if n % 2]
lookup = {name: len(name) for name in ("a", "bb", "ccc")}
unique = {n % 3 for n in range(10)}
total = sum(n for n in fibonacci(100))
pairs = sorted(zip("abc", [3, 1, 2]), key=lambda pair: pair[1], reverse=True)
label = "big" if total > 10 else "small"
if (size := len(squares)) > 3:
    first, *middle, last = squares
matrix = [[1, 2], [3, 4]]
flat = [cell for row in matrix for cell in row]
text = "%s has %d items" % ("list", len(flat))
chunk = flat[1:3], flat[::-1], flat[-1]
data = b"\x00\x01"
number = 0x_ff + 1_000 + 1e3 + 2j.imag
try:
    result = 1 / 0
except ZeroDivisionError as error:
    result = None
except (KeyError, ValueError):
    raise
else:
    pass
finally:
    cleanup = True
with Registry() as registry:
    registry["a"] = 1
assert "a" not in registry, "cleared on exit"
del squares[0], lookup["a"]
counter = make_counter()
counter(by=2, label="two", note="x")
for index, item in enumerate(flat):
    if index > 2:
        break
    elif item == 2:
        continue
else:
    index = -1
kind = type(flat)
is_list = isinstance(flat, list) and issubclass(kind, object)
log = lambda *args: args
print("total:", total, sep=" ", end="\n")
log(f"{total=}", describe(Vector(0, 0)), repr(Point3(1, 2, 3)))
