"""Weighted graph utilities with typing annotations: Dijkstra, Prim, and path reconstruction."""
import heapq
from typing import Dict, List, Optional, Tuple

Graph = Dict[str, List[Tuple[str, int]]]


def read_graph() -> Graph:
    graph: Graph = {}
    for line in iter(input, ""):
        a, b, w = line.split()
        graph.setdefault(a, []).append((b, int(w)))
        graph.setdefault(b, []).append((a, int(w)))
    return graph


def dijkstra(graph: Graph, source: str) -> Tuple[Dict[str, int], Dict[str, Optional[str]]]:
    dist: Dict[str, int] = {source: 0}
    prev: Dict[str, Optional[str]] = {source: None}
    heap: List[Tuple[int, str]] = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in graph[u]:
            if d + w < dist.get(v, 10 ** 9):
                dist[v] = d + w
                prev[v] = u
                heapq.heappush(heap, (d + w, v))
    return dist, prev


def path_to(prev: Dict[str, Optional[str]], target: str) -> List[str]:
    path: List[str] = []
    node: Optional[str] = target
    while node is not None:
        path.append(node)
        node = prev[node]
    return path[::-1]


def prim(graph: Graph, start: str) -> Tuple[int, List[Tuple[str, str, int]]]:
    seen = {start}
    edges = [(w, start, v) for v, w in graph[start]]
    heapq.heapify(edges)
    tree: List[Tuple[str, str, int]] = []
    total = 0
    while edges and len(seen) < len(graph):
        w, u, v = heapq.heappop(edges)
        if v in seen:
            continue
        seen.add(v)
        tree.append((u, v, w))
        total += w
        for x, wx in graph[v]:
            if x not in seen:
                heapq.heappush(edges, (wx, v, x))
    return total, tree


if __name__ == "__main__":
    g = read_graph()
    dist, prev = dijkstra(g, "A")
    for node in sorted(g):
        print(f"A -> {node}: {dist[node]:3d} via {' -> '.join(path_to(prev, node))}")
    total, tree = prim(g, "A")
    print("minimum spanning tree weight:", total)
    for u, v, w in tree:
        print(f"  {u}-{v} ({w})")
