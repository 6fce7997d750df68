# Computational geometry on points from stdin: convex hull, polygon area, closest pair, angles.
import math
from itertools import combinations


def cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def convex_hull(points):
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts
    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def shoelace(poly):
    s = 0
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]):
        s += x1 * y2 - x2 * y1
    return abs(s) / 2


def perimeter(poly):
    return sum(math.dist(a, b) for a, b in zip(poly, poly[1:] + poly[:1]))


n = int(input())
points = [tuple(map(int, input().split())) for _ in range(n)]
hull = convex_hull(points)
print("hull:", hull)
print(f"area: {shoelace(hull):.1f}, perimeter: {perimeter(hull):.4f}")
a, b = min(combinations(points, 2), key=lambda pair: math.dist(*pair))
print(f"closest pair: {a} {b} at {math.dist(a, b):.4f}")
far = max(combinations(hull, 2), key=lambda pair: math.dist(*pair))
print(f"diameter: {far} {math.dist(*far):.4f}")
cx = sum(x for x, _ in points) / n
cy = sum(y for _, y in points) / n
print(f"centroid: ({cx:.3f}, {cy:.3f})")
for p in hull:
    angle = math.degrees(math.atan2(p[1] - cy, p[0] - cx))
    print(f"  {str(p):>10} angle {angle:8.3f}° radius {math.hypot(p[0] - cx, p[1] - cy):.3f}")
inside = [p for p in points if p not in hull]
print("interior points:", len(inside))
tri = hull[:3]
sides = sorted(math.dist(tri[i], tri[(i + 1) % 3]) for i in range(3))
angle = math.degrees(math.acos((sides[0] ** 2 + sides[1] ** 2 - sides[2] ** 2) / (2 * sides[0] * sides[1])))
print(f"first hull triangle sides {[round(s, 3) for s in sides]} largest angle {angle:.2f}")
print("isclose:", math.isclose(shoelace([(0, 0), (1, 0), (0, 1)]), 0.5), math.pi, math.tau / 2 == math.pi)
