#! stdout = "[1, 4, 9] {1: 1} {2} 10 yes 3 [2, 1] hi\n"
# Ordinary modern Python works: comprehensions, lambdas, generators, with, f-strings.
class Ctx:
    def __enter__(self):
        return 3
    def __exit__(self, kind, value, tb):
        return False

def gen(n):
    for i in range(n):
        yield i

square = lambda v: v * v
with Ctx() as three:
    got = three
print([square(x) for x in (1, 2, 3)], {k: k for k in [1]}, {v for v in [2]},
      sum(gen(5)), "yes" if got else "no", got, sorted([1, 2], reverse=True), f"{'hi'}")
