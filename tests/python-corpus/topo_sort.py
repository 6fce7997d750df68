# Course prerequisites: topological order by DFS (with cycle detection) and by Kahn's algorithm.

class CycleError(Exception):
    def __init__(self, cycle):
        super().__init__(" -> ".join(cycle))
        self.cycle = cycle


def read_dependencies():
    graph = {}
    while True:
        try:
            line = input().strip()
        except EOFError:
            return graph
        if not line:
            continue
        course, _, prereqs = line.partition(":")
        course = course.strip()
        graph.setdefault(course, [])
        for p in prereqs.split(","):
            p = p.strip()
            if p:
                graph.setdefault(p, [])
                graph[course].append(p)


def dfs_order(graph):
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {node: WHITE for node in graph}
    order = []
    stack = []

    def visit(node):
        colour[node] = GREY
        stack.append(node)
        for dep in sorted(graph[node]):
            if colour[dep] == GREY:
                raise CycleError(stack[stack.index(dep):] + [dep])
            if colour[dep] == WHITE:
                visit(dep)
        stack.pop()
        colour[node] = BLACK
        order.append(node)

    for node in sorted(graph):
        if colour[node] == WHITE:
            visit(node)
    return order


def kahn_levels(graph):
    remaining = {node: len(deps) for node, deps in graph.items()}
    dependants = {node: [] for node in graph}
    for node, deps in graph.items():
        for d in deps:
            dependants[d].append(node)
    level = sorted(n for n, k in remaining.items() if k == 0)
    levels = []
    while level:
        levels.append(level)
        nxt = []
        for n in level:
            for m in dependants[n]:
                remaining[m] -= 1
                if remaining[m] == 0:
                    nxt.append(m)
        level = sorted(nxt)
    return levels


def main():
    graph = read_dependencies()
    print(f"{len(graph)} courses")
    order = dfs_order(graph)
    print("study order:", ", ".join(order))
    for semester, courses in enumerate(kahn_levels(graph), 1):
        print(f"semester {semester}: {' '.join(courses)}")
    graph["intro"].append("thesis")
    try:
        dfs_order(graph)
    except CycleError as err:
        print("cycle found:", err)
        print("cycle length:", len(err.cycle) - 1)
    stuck = sum(len(level) for level in kahn_levels(graph))
    print(f"schedulable with the cycle: {stuck} of {len(graph)}")


main()
