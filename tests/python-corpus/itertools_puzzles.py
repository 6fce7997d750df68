# Small combinatorial puzzles solved with itertools, reading their parameters from stdin.
import itertools
from itertools import accumulate, chain, combinations, groupby, islice, permutations, product


def subset_sums(values, target):
    return [c for r in range(1, len(values) + 1) for c in combinations(values, r) if sum(c) == target]


def dice_distribution(dice, sides):
    counts = {}
    for roll in product(range(1, sides + 1), repeat=dice):
        counts[sum(roll)] = counts.get(sum(roll), 0) + 1
    return counts


def run_length(text):
    return "".join(f"{len(list(group))}{key}" for key, group in groupby(text))


def cryptarithm(a, b, total):
    letters = "".join(sorted(set(a + b + total)))
    leading = {a[0], b[0], total[0]}
    for digits in permutations(range(10), len(letters)):
        v = dict(zip(letters, digits))
        if any(v[c] == 0 for c in leading):
            continue
        num = lambda word: int("".join(str(v[c]) for c in word))
        if num(a) + num(b) == num(total):
            return num(a), num(b), num(total)
    return None


values = list(map(int, input().split()))
target = int(input())
found = subset_sums(values, target)
print(f"{len(found)} subsets sum to {target}; smallest: {min(found, key=len)}")
dist = dice_distribution(3, 6)
total = sum(dist.values())
for s in range(3, 19):
    print(f"{s:2} {dist[s]:3} {dist[s] / total:.4f} {'#' * dist[s]}")
for text in input().split():
    print(text, "->", run_length(text))
print("running totals:", list(accumulate(values)))
print("running max:", list(accumulate(values, max)))
print("chained:", list(chain(values[:2], "ab", range(3))))
print("from_iterable:", list(chain.from_iterable([[1, 2], [3], []])))
print("first evens:", list(islice((x for x in itertools.count(1) if x % 2 == 0), 5)))
print("cycle:", "".join(islice(itertools.cycle("abc"), 8)))
print("pairwise gaps:", [b - a for a, b in itertools.pairwise(sorted(values))])
print("zip_longest:", list(itertools.zip_longest("abc", [1, 2], fillvalue="-")))
print("takewhile/dropwhile:", list(itertools.takewhile(lambda x: x < 5, values)), list(itertools.dropwhile(lambda x: x < 5, values)))
print("compress:", list(itertools.compress("abcdef", [1, 0, 1, 0, 1, 1])))
print("starmap:", list(itertools.starmap(pow, [(2, 5), (3, 2), (10, 3)])))
print("combos with replacement:", len(list(itertools.combinations_with_replacement(range(4), 3))))
a, b = itertools.tee(values)
next(b)
print("tee pairs:", list(zip(a, b))[:3])
print("groups by parity:", [(k, list(g)) for k, g in groupby(sorted(values, key=lambda v: v % 2), key=lambda v: v % 2)])
print("repeat:", list(itertools.repeat("x", 3)), "filterfalse:", list(itertools.filterfalse(lambda v: v % 3, values)))
for puzzle in input().split(","):
    a, b, total = puzzle.replace("+", " ").replace("=", " ").split()
    print(f"{puzzle.strip()}:", cryptarithm(a, b, total))
