"""
Longest increasing subsequence in O(n log n) with patience sorting (bisect), with the
subsequence reconstructed, compared against the O(n^2) dynamic program.
"""
from bisect import bisect_left, bisect_right


def lis_length_quadratic(seq: list[int]) -> int:
    if not seq:
        return 0
    best = [1] * len(seq)
    for i in range(len(seq)):
        for j in range(i):
            if seq[j] < seq[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best)


def longest_increasing_subsequence(seq: list[int], strict: bool = True) -> list[int]:
    """Return one longest (strictly, unless strict=False) increasing subsequence."""
    tails: list[int] = []
    tail_index: list[int] = []
    parent: list[int] = [-1] * len(seq)
    place = bisect_left if strict else bisect_right
    for i, x in enumerate(seq):
        k = place(tails, x)
        if k == len(tails):
            tails.append(x)
            tail_index.append(i)
        else:
            tails[k] = x
            tail_index[k] = i
        parent[i] = tail_index[k - 1] if k > 0 else -1
    out = []
    i = tail_index[-1] if tail_index else -1
    while i != -1:
        out.append(seq[i])
        i = parent[i]
    return out[::-1]


def longest_decreasing(seq: list[int]) -> list[int]:
    return [-x for x in longest_increasing_subsequence([-x for x in seq])]


if __name__ == "__main__":
    for line_number, line in enumerate(iter(input, ""), start=1):
        seq = [int(x) for x in line.split()]
        lis = longest_increasing_subsequence(seq)
        assert len(lis) == lis_length_quadratic(seq)
        print(f"#{line_number} n={len(seq)}")
        print(f"  strictly increasing ({len(lis)}): {lis}")
        print(f"  non-decreasing ({len(longest_increasing_subsequence(seq, strict=False))})")
        print(f"  decreasing: {longest_decreasing(seq)}")
    print(longest_increasing_subsequence.__doc__.strip())
