"""Course scheduling: topological order (smallest name first), levels and cycle detection."""
import heapq


def topological_order(nodes: set[str], edges: list[tuple[str, str]]) -> list[str] | None:
    indegree = {n: 0 for n in nodes}
    after = {n: [] for n in nodes}
    for a, b in edges:
        after[a].append(b)
        indegree[b] += 1
    ready = [n for n, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        n = heapq.heappop(ready)
        order.append(n)
        for m in after[n]:
            indegree[m] -= 1
            if indegree[m] == 0:
                heapq.heappush(ready, m)
    return order if len(order) == len(nodes) else None


def levels(order, edges):
    level = {n: 0 for n in order}
    for n in order:
        for a, b in edges:
            if a == n:
                level[b] = max(level[b], level[a] + 1)
    grouped = {}
    for n, l in level.items():
        grouped.setdefault(l, []).append(n)
    return [sorted(grouped[l]) for l in sorted(grouped)]


def find_cycle(nodes, edges):
    graph = {n: sorted(b for a, b in edges if a == n) for n in nodes}
    WHITE, GREY, BLACK = 0, 1, 2
    color = dict.fromkeys(nodes, WHITE)
    stack = []

    def visit(n):
        color[n] = GREY
        stack.append(n)
        for m in graph[n]:
            if color[m] == GREY:
                return stack[stack.index(m):] + [m]
            if color[m] == WHITE:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        color[n] = BLACK
        return None

    for n in sorted(nodes):
        if color[n] == WHITE:
            cycle = visit(n)
            if cycle:
                return cycle
    return None


if __name__ == "__main__":
    cases = int(input())
    for case in range(1, cases + 1):
        edges = []
        nodes = set()
        for _ in range(int(input())):
            a, b = input().split("->")
            a, b = a.strip(), b.strip()
            edges.append((a, b))
            nodes.update((a, b))
        order = topological_order(nodes, edges)
        print(f"case {case}: {len(nodes)} courses, {len(edges)} prerequisites")
        if order is None:
            print("  impossible, cycle:", " -> ".join(find_cycle(nodes, edges)))
        else:
            print("  order:", ", ".join(order))
            for i, level in enumerate(levels(order, edges), 1):
                print(f"  semester {i}: {level}")
