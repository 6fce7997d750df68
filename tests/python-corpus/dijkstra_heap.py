# Dijkstra's shortest paths over a weighted graph from stdin, with a hand-written binary heap.

class MinHeap:
    def __init__(self):
        self.items = []

    def __len__(self):
        return len(self.items)

    def push(self, item):
        items = self.items
        items.append(item)
        i = len(items) - 1
        while i > 0:
            parent = (i - 1) // 2
            if items[i] < items[parent]:
                items[i], items[parent] = items[parent], items[i]
                i = parent
            else:
                break

    def pop(self):
        items = self.items
        last = items.pop()
        if not items:
            return last
        top, items[0] = items[0], last
        i, n = 0, len(items)
        while True:
            smallest = i
            for child in (2 * i + 1, 2 * i + 2):
                if child < n and items[child] < items[smallest]:
                    smallest = child
            if smallest == i:
                return top
            items[i], items[smallest] = items[smallest], items[i]
            i = smallest


def read_graph():
    nodes, edges = map(int, input().split())
    graph = {}
    for _ in range(edges):
        a, b, w = input().split()
        graph.setdefault(a, []).append((b, int(w)))
        graph.setdefault(b, []).append((a, int(w)))
    return graph


def dijkstra(graph, source):
    dist = {source: 0}
    prev = {}
    heap = MinHeap()
    heap.push((0, source))
    done = set()
    while heap:
        d, node = heap.pop()
        if node in done:
            continue
        done.add(node)
        for neighbour, weight in graph.get(node, []):
            nd = d + weight
            if nd < dist.get(neighbour, float("inf")):
                dist[neighbour] = nd
                prev[neighbour] = node
                heap.push((nd, neighbour))
    return dist, prev


def path_to(prev, target):
    path = [target]
    while path[-1] in prev:
        path.append(prev[path[-1]])
    return path[::-1]


def main():
    graph = read_graph()
    source = input().strip()
    dist, prev = dijkstra(graph, source)
    for node in sorted(graph):
        if node in dist:
            print(f"{source} -> {node}: {dist[node]:3d} via {' -> '.join(path_to(prev, node))}")
        else:
            print(f"{source} -> {node}: unreachable")
    heap = MinHeap()
    for x in [5, 3, 8, 1, 9, 2, 7]:
        heap.push(x)
    print("heap sort:", [heap.pop() for _ in range(len(heap))])


main()
