# Competitive-programming style: read everything from sys.stdin at once, answer each query.
import sys

input = sys.stdin.readline


def main():
    n, q = map(int, input().split())
    values = list(map(int, input().split()))
    prefix = [0] * (n + 1)
    for i, v in enumerate(values):
        prefix[i + 1] = prefix[i] + v
    out = []
    for _ in range(q):
        l, r = map(int, input().split())
        out.append(str(prefix[r] - prefix[l - 1]))
    sys.stdout.write("\n".join(out) + "\n")
    rest = sys.stdin.read().split()
    print("trailing tokens:", len(rest), sum(map(int, rest)))
    print("max subarray:", max_subarray(values), file=sys.stderr)
    print("max subarray:", max_subarray(values))


def max_subarray(values):
    best = cur = values[0]
    for v in values[1:]:
        cur = max(v, cur + v)
        best = max(best, cur)
    return best


if __name__ == "__main__":
    sys.setrecursionlimit(10000)
    main()
