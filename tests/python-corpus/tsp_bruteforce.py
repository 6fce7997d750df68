# Brute-force travelling salesman over a handful of cities, with a nearest-neighbour comparison.
import math
from itertools import permutations


def tour_length(order, coords):
    return sum(math.dist(coords[a], coords[b]) for a, b in zip(order, order[1:] + order[:1]))


def brute_force(names, coords):
    first, rest = names[0], names[1:]
    best = None
    count = 0
    for perm in permutations(rest):
        if perm[0] > perm[-1]:
            continue
        count += 1
        order = (first,) + perm
        length = tour_length(order, coords)
        if best is None or length < best[0] - 1e-12:
            best = (length, order)
    return best, count


def nearest_neighbour(names, coords):
    order = [names[0]]
    left = set(names[1:])
    while left:
        here = coords[order[-1]]
        nxt = min(sorted(left), key=lambda n: math.dist(here, coords[n]))
        order.append(nxt)
        left.remove(nxt)
    return tour_length(tuple(order), coords), tuple(order)


coords = {}
for _ in range(int(input())):
    name, x, y = input().split()
    coords[name] = (float(x), float(y))
names = sorted(coords)
(best_len, best_order), tried = brute_force(names, coords)
nn_len, nn_order = nearest_neighbour(names, coords)
print(f"{len(names)} cities, {tried} distinct tours ({math.factorial(len(names) - 1) // 2} expected)")
print(f"optimal: {' -> '.join(best_order)} -> {best_order[0]} = {best_len:.3f}")
print(f"greedy:  {' -> '.join(nn_order)} -> {nn_order[0]} = {nn_len:.3f} ({(nn_len / best_len - 1) * 100:.1f}% worse)")
legs = [(a, b, math.dist(coords[a], coords[b])) for a, b in zip(best_order, best_order[1:] + best_order[:1])]
for a, b, d in sorted(legs, key=lambda leg: -leg[2]):
    print(f"  {a}-{b}: {d:7.3f}")
