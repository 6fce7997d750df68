# functools in everyday use: lru_cache, reduce, cmp_to_key, partial, wraps, total_ordering.
from functools import cmp_to_key, lru_cache, partial, reduce, total_ordering, wraps


def logged(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return func(*args, **kwargs)
    wrapper.calls = 0
    return wrapper


@lru_cache(maxsize=None)
def partitions(n, largest=None):
    """Number of ways to write n as a sum of parts no larger than `largest`."""
    if largest is None:
        largest = n
    if n == 0:
        return 1
    return sum(partitions(n - k, k) for k in range(1, min(n, largest) + 1))


@logged
def gcd(a, b):
    """Euclid."""
    return a if b == 0 else gcd(b, a % b)


@total_ordering
class Version:
    def __init__(self, text):
        self.parts = tuple(int(p) for p in text.split("."))

    def __eq__(self, other):
        return self.parts == other.parts

    def __lt__(self, other):
        return self.parts < other.parts

    def __repr__(self):
        return "v" + ".".join(map(str, self.parts))


def compare_concat(a, b):
    return (a + b > b + a) - (a + b < b + a)


numbers = input().split()
print("largest concatenation:", "".join(sorted(numbers, key=cmp_to_key(compare_concat), reverse=True)))
ints = list(map(int, numbers))
print("product:", reduce(lambda a, b: a * b, ints, 1), "gcd all:", reduce(gcd, ints), "calls:", gcd.calls)
print(gcd.__name__, gcd.__doc__, partitions.__doc__.split()[0])
print("partitions:", [partitions(n) for n in range(1, 16)], partitions(100))
print("cache:", partitions.cache_info().hits > 0)
int_base2 = partial(int, base=2)
print("partial:", int_base2("101101"), [int_base2(b) for b in input().split()])
versions = [Version(v) for v in input().split()]
print("sorted versions:", sorted(versions), max(versions), Version("1.2") >= Version("1.10"), Version("2.0") <= Version("2.0"))
