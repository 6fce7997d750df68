# Minimum spanning tree by Kruskal's algorithm with a union-find (path compression, ranks).

class DisjointSet:
    def __init__(self, elements):
        self.parent = {e: e for e in elements}
        self.rank = {e: 0 for e in elements}
        self.count = len(self.parent)

    def find(self, x):
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.rank[ra] < self.rank[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if self.rank[ra] == self.rank[rb]:
            self.rank[ra] += 1
        self.count -= 1
        return True

    def groups(self):
        result = {}
        for e in self.parent:
            result.setdefault(self.find(e), []).append(e)
        return sorted(sorted(g) for g in result.values())


def main():
    edges = []
    vertices = set()
    while True:
        try:
            line = input()
        except EOFError:
            break
        if not line.strip() or line.startswith("#"):
            continue
        u, v, w = line.split()
        edges.append((int(w), u, v))
        vertices.update((u, v))
    print(f"{len(vertices)} vertices, {len(edges)} edges")
    ds = DisjointSet(sorted(vertices))
    tree = []
    for w, u, v in sorted(edges):
        if ds.union(u, v):
            tree.append((u, v, w))
    total = sum(w for _, _, w in tree)
    for u, v, w in tree:
        print(f"  {u}-{v} ({w})")
    print("total weight:", total)
    print("components:", ds.count, ds.groups())
    friends = DisjointSet(range(10))
    for a, b in [(0, 1), (2, 3), (1, 3), (5, 6), (7, 7), (8, 9), (9, 5)]:
        friends.union(a, b)
    print("friend circles:", friends.groups())


main()
