"""
Disjoint-set union with path compression and union by size, used for connected
components and for detecting the edge that closes a cycle.
"""


class DisjointSet:
    def __init__(self, n: int) -> None:
        self.parent: list[int] = list(range(n))
        self.size: list[int] = [1] * n
        self.components: int = n

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.components -= 1
        return True

    def groups(self) -> dict[int, list[int]]:
        result: dict[int, list[int]] = {}
        for x in range(len(self.parent)):
            result.setdefault(self.find(x), []).append(x)
        return result

    def __len__(self) -> int:
        return self.components

    def __repr__(self) -> str:
        return f"DisjointSet(components={self.components}, sizes={sorted(self.size[r] for r in self.groups())})"


def redundant_edges(n: int, edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    ds = DisjointSet(n)
    return [(a, b) for a, b in edges if not ds.union(a, b)]


def count_islands(grid: list[str]) -> int:
    rows, cols = len(grid), len(grid[0])
    ds = DisjointSet(rows * cols)
    water = 0
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] != "#":
                water += 1
                continue
            for dr, dc in ((0, 1), (1, 0)):
                nr, nc = r + dr, c + dc
                if nr < rows and nc < cols and grid[nr][nc] == "#":
                    ds.union(r * cols + c, nr * cols + nc)
    return len(ds) - water


if __name__ == "__main__":
    n, m = (int(x) for x in input().split())
    edges: list[tuple[int, int]] = []
    for _ in range(m):
        a, b = map(int, input().split())
        edges.append((a, b))
    ds = DisjointSet(n)
    for a, b in edges:
        ds.union(a, b)
    print(ds)
    for root, members in sorted(ds.groups().items(), key=lambda kv: kv[1][0]):
        print(f"  component of {members[0]}: {members}")
    print("redundant:", redundant_edges(n, edges))
    print("same set 0,4:", ds.find(0) == ds.find(4), "0,9:", ds.find(0) == ds.find(9))
    grid = [line for line in iter(input, "")]
    print("islands:", count_islands(grid))
