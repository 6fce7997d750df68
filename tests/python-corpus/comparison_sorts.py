"""
Classic comparison sorts with a common interface, checked against sorted() and
counted by comparisons, in the style of an algorithms collection.
"""
from __future__ import annotations

from typing import Any


class Counter:
    """Counts the comparisons a sort makes."""

    def __init__(self) -> None:
        self.comparisons = 0

    def less(self, a: Any, b: Any) -> bool:
        self.comparisons += 1
        return a < b


def bubble_sort(collection: list, c: Counter) -> list:
    """Pure implementation of bubble sort, stopping early when a pass swaps nothing."""
    items = collection[:]
    length = len(items)
    for i in range(length - 1):
        swapped = False
        for j in range(length - 1 - i):
            if c.less(items[j + 1], items[j]):
                swapped = True
                items[j], items[j + 1] = items[j + 1], items[j]
        if not swapped:
            break
    return items


def insertion_sort(collection: list, c: Counter) -> list:
    items = collection[:]
    for i in range(1, len(items)):
        value = items[i]
        j = i - 1
        while j >= 0 and c.less(value, items[j]):
            items[j + 1] = items[j]
            j -= 1
        items[j + 1] = value
    return items


def merge_sort(collection: list, c: Counter) -> list:
    if len(collection) <= 1:
        return collection[:]
    mid = len(collection) // 2
    left, right = merge_sort(collection[:mid], c), merge_sort(collection[mid:], c)
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


def quick_sort(collection: list, c: Counter) -> list:
    if len(collection) < 2:
        return collection[:]
    pivot, *rest = collection
    lesser = [x for x in rest if c.less(x, pivot)]
    greater = [x for x in rest if not c.less(x, pivot)]
    return quick_sort(lesser, c) + [pivot] + quick_sort(greater, c)


def heap_sort(collection: list, c: Counter) -> list:
    items = collection[:]
    n = len(items)

    def sift(start: int, end: int) -> None:
        root = start
        while 2 * root + 1 < end:
            child = 2 * root + 1
            if child + 1 < end and c.less(items[child], items[child + 1]):
                child += 1
            if c.less(items[root], items[child]):
                items[root], items[child] = items[child], items[root]
                root = child
            else:
                return

    for start in range(n // 2 - 1, -1, -1):
        sift(start, n)
    for end in range(n - 1, 0, -1):
        items[0], items[end] = items[end], items[0]
        sift(0, end)
    return items


ALGORITHMS = [bubble_sort, insertion_sort, merge_sort, quick_sort, heap_sort]

if __name__ == "__main__":
    user_input = input("Enter numbers separated by a comma:\n").strip()
    unsorted = [int(item) for item in user_input.split(",")]
    words = input("Enter words:\n").split()
    for data in (unsorted, words, sorted(unsorted), unsorted[::-1]):
        print(f"input: {data}")
        for algorithm in ALGORITHMS:
            counter = Counter()
            result = algorithm(data, counter)
            assert result == sorted(data), algorithm.__name__
            print(f"  {algorithm.__name__:<15} {counter.comparisons:4d} comparisons")
    print(*merge_sort(unsorted, Counter()), sep=",")
