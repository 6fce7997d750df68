# Recursive generators: Towers of Hanoi, permutations, combinations and the power set.

def hanoi(n, source="A", target="C", spare="B"):
    if n == 0:
        return
    yield from hanoi(n - 1, source, spare, target)
    yield (n, source, target)
    yield from hanoi(n - 1, spare, target, source)


def permutations(items):
    if len(items) <= 1:
        yield list(items)
        return
    for i, first in enumerate(items):
        for rest in permutations(items[:i] + items[i + 1:]):
            yield [first] + rest


def combinations(items, k):
    if k == 0:
        yield ()
        return
    for i in range(len(items) - k + 1):
        for tail in combinations(items[i + 1:], k - 1):
            yield (items[i],) + tail


def power_set(items):
    if not items:
        yield []
        return
    for subset in power_set(items[1:]):
        yield subset
        yield [items[0]] + subset


def main():
    disks = int(input())
    letters = input().split()
    moves = list(hanoi(disks))
    print(f"{disks} disks need {len(moves)} moves (2**{disks}-1 = {2 ** disks - 1})")
    for step, (disk, src, dst) in enumerate(moves[:7], 1):
        print(f"  {step:2d}: move disk {disk} from {src} to {dst}")
    perms = list(permutations(letters))
    print(len(perms), "permutations; first five:")
    for p in perms[:5]:
        print("  " + "".join(p))
    for k in range(len(letters) + 1):
        combos = ["".join(c) for c in combinations(letters, k)]
        print(f"C({len(letters)},{k}) = {len(combos):2d}: {' '.join(combos) or '(empty)'}")
    subsets = sorted(power_set(letters), key=lambda s: (len(s), s))
    print("power set size", len(subsets))
    print(" ".join("{" + ",".join(s) + "}" for s in subsets))
    gen = hanoi(3)
    print("first move:", next(gen), "second:", next(gen))


if __name__ == "__main__":
    main()
