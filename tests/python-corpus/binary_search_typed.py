"""
Binary search variants, written in the style of an algorithms collection: type hints,
docstrings with examples, and a demonstration under ``if __name__ == "__main__"``.
"""
from __future__ import annotations


def binary_search(collection: list[int], target: int) -> int | None:
    """Return the index of ``target`` in the sorted ``collection``, or None.

    >>> binary_search([0, 5, 7, 10, 15], 15)
    4
    >>> binary_search([0, 5, 7, 10, 15], 6) is None
    True
    """
    left, right = 0, len(collection) - 1
    while left <= right:
        midpoint = left + (right - left) // 2
        current = collection[midpoint]
        if current == target:
            return midpoint
        if target < current:
            right = midpoint - 1
        else:
            left = midpoint + 1
    return None


def binary_search_recursive(collection: list[int], target: int, left: int = 0, right: int | None = None) -> int:
    """Recursive version returning -1 when the target is absent."""
    if right is None:
        right = len(collection) - 1
    if left > right:
        return -1
    mid = (left + right) // 2
    if collection[mid] == target:
        return mid
    if collection[mid] > target:
        return binary_search_recursive(collection, target, left, mid - 1)
    return binary_search_recursive(collection, target, mid + 1, right)


def lower_bound(collection: list[int], target: int) -> int:
    """First index whose value is not less than target."""
    lo, hi = 0, len(collection)
    while lo < hi:
        mid = (lo + hi) // 2
        if collection[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def exponential_search(collection: list[int], target: int) -> int:
    if not collection:
        return -1
    bound = 1
    while bound < len(collection) and collection[bound] < target:
        bound *= 2
    return binary_search_recursive(collection, target, bound // 2, min(bound, len(collection) - 1))


def sqrt_floor(n: int) -> int:
    """Integer square root by binary search on the answer."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid * mid <= n:
            lo = mid
        else:
            hi = mid - 1
    return lo


if __name__ == "__main__":
    user_input = input("Enter numbers separated by comma:\n").strip()
    collection = sorted(int(item) for item in user_input.split(","))
    print(f"sorted: {collection}")
    targets = [int(t) for t in input("Enter targets:\n").split()]
    for target in targets:
        result = binary_search(collection, target)
        if result is not None:
            print(f"{target} was found at position {result}")
        else:
            print(f"{target} was not found")
        assert (result if result is not None else -1) == binary_search_recursive(collection, target)
        print(f"  lower_bound={lower_bound(collection, target)} exponential={exponential_search(collection, target)}")
    print("sqrt floors:", [sqrt_floor(n) for n in (0, 1, 15, 16, 17, 10**12 + 1)])
    print(binary_search.__doc__.splitlines()[0])
    print(binary_search.__name__, sqrt_floor.__doc__)
