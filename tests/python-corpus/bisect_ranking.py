# Grade boundaries, sorted insertion and range counting with bisect.
from bisect import bisect, bisect_left, bisect_right, insort
import bisect as bs


def grade(score, breakpoints=(60, 70, 80, 90), grades="FDCBA"):
    return grades[bisect(breakpoints, score)]


def count_in_range(sorted_values, lo, hi):
    """How many values v satisfy lo <= v <= hi."""
    return bisect_right(sorted_values, hi) - bisect_left(sorted_values, lo)


class Leaderboard:
    def __init__(self):
        self.scores = []
        self.names = {}

    def add(self, name, score):
        insort(self.scores, -score)
        self.names.setdefault(score, []).append(name)

    def rank(self, score):
        return bisect_left(self.scores, -score) + 1

    def top(self, n):
        out = []
        for s in sorted(set(self.scores))[:n]:
            out.append((-s, sorted(self.names[-s])))
        return out


scores = []
board = Leaderboard()
for line in iter(input, ""):
    name, score = line.rsplit(" ", 1)
    score = int(score)
    scores.append(score)
    board.add(name, score)
    print(f"{name:<12}{score:4d} {grade(score)}  rank now {board.rank(score)}")
ordered = sorted(scores)
print("sorted:", ordered)
for lo, hi in [(60, 79), (80, 100), (0, 59), (85, 85)]:
    print(f"in [{lo}, {hi}]: {count_in_range(ordered, lo, hi)}")
print("top 3:", board.top(3))
print("grades:", [grade(s) for s in [33, 59, 60, 77, 89, 90, 100]])
print("positions:", bs.bisect_left(ordered, 75), bs.bisect_right(ordered, 75), bs.bisect(ordered, 1000))
seq = []
for x in [5, 1, 4, 1, 5, 9, 2, 6]:
    bs.insort_left(seq, x)
print("insort_left:", seq)
words = sorted(["kiwi", "fig", "apple", "banana", "cherry"], key=len)
print("by length, where 5 letters go:", bisect_left(words, 5, key=len), words)
print("percentile of 75:", f"{bisect_left(ordered, 75) / len(ordered):.0%}")
