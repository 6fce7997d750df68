# Classic sorting algorithms checked against sorted(), with comparison counts and stability.

class Counter:
    def __init__(self):
        self.comparisons = 0

    def less(self, a, b):
        self.comparisons += 1
        return a < b


def insertion_sort(items, c):
    items = list(items)
    for i in range(1, len(items)):
        j = i
        while j > 0 and c.less(items[j], items[j - 1]):
            items[j], items[j - 1] = items[j - 1], items[j]
            j -= 1
    return items


def merge_sort(items, c):
    if len(items) <= 1:
        return list(items)
    mid = len(items) // 2
    left, right = merge_sort(items[:mid], c), merge_sort(items[mid:], c)
    merged = []
    i = j = 0
    while i < len(left) and j < len(right):
        if c.less(right[j], left[i]):
            merged.append(right[j])
            j += 1
        else:
            merged.append(left[i])
            i += 1
    return merged + left[i:] + right[j:]


def quick_sort(items, c):
    if len(items) <= 1:
        return list(items)
    pivot = items[len(items) // 2]
    less = [x for x in items if c.less(x, pivot)]
    more = [x for x in items if c.less(pivot, x)]
    equal = [x for x in items if x == pivot]
    return quick_sort(less, c) + equal + quick_sort(more, c)


def heap_sort(items, c):
    a = list(items)
    n = len(a)

    def sift(start, end):
        root = start
        while 2 * root + 1 < end:
            child = 2 * root + 1
            if child + 1 < end and c.less(a[child], a[child + 1]):
                child += 1
            if c.less(a[root], a[child]):
                a[root], a[child] = a[child], a[root]
                root = child
            else:
                return

    for start in range(n // 2 - 1, -1, -1):
        sift(start, n)
    for end in range(n - 1, 0, -1):
        a[0], a[end] = a[end], a[0]
        sift(0, end)
    return a


def counting_sort(items):
    if not items:
        return []
    low = min(items)
    counts = [0] * (max(items) - low + 1)
    for x in items:
        counts[x - low] += 1
    return [i + low for i, n in enumerate(counts) for _ in range(n)]


def main():
    numbers = [int(x) for x in input().split()]
    expected = sorted(numbers)
    for algorithm in (insertion_sort, merge_sort, quick_sort, heap_sort):
        c = Counter()
        result = algorithm(numbers, c)
        status = "ok" if result == expected else "WRONG"
        print(f"{algorithm.__name__:<15} {status:<5} {c.comparisons:4d} comparisons")
    print("counting sort ok:", counting_sort(numbers) == expected)
    print("sorted:", expected)
    print("descending, by last digit:", sorted(numbers, key=lambda n: (n % 10, -n)))
    people = []
    while True:
        try:
            name, age, city = input().split(",")
        except EOFError:
            break
        people.append((name.strip(), int(age), city.strip()))
    by_city = sorted(people, key=lambda p: p[2])
    print("stable by city:", [f"{p[0]}/{p[2]}" for p in by_city])
    by_age_desc = sorted(people, key=lambda p: (-p[1], p[0]))
    print("by age desc:", [f"{n}({a})" for n, a, _ in by_age_desc])
    people.sort(key=lambda p: len(p[0]))
    print("by name length:", [p[0] for p in people])


main()
