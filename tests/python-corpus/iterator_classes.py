# Iterator protocol by hand: a countdown, a fibonacci iterator, a sparse vector and a matrix
# view that supports indexing, slicing, len, reversed and membership.

class Countdown:
    def __init__(self, start):
        self.current = start

    def __iter__(self):
        return self

    def __next__(self):
        if self.current <= 0:
            raise StopIteration
        self.current -= 1
        return self.current + 1


class FibonacciSequence:
    def __init__(self, limit):
        self.limit = limit

    def __iter__(self):
        a, b = 0, 1
        while a <= self.limit:
            yield a
            a, b = b, a + b


class Span:
    def __init__(self, start, stop, step=1):
        self.start, self.stop, self.step = start, stop, step

    def __len__(self):
        return max(0, (self.stop - self.start + self.step - 1) // self.step)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"Span index {index} out of range")
        return self.start + index * self.step

    def __contains__(self, value):
        return self.start <= value < self.stop and (value - self.start) % self.step == 0

    def __reversed__(self):
        for i in range(len(self) - 1, -1, -1):
            yield self[i]

    def __repr__(self):
        return f"Span({self.start}, {self.stop}, {self.step})"


class Table:
    def __init__(self, rows):
        self.rows = rows

    def __getitem__(self, key):
        r, c = key
        return self.rows[r][c]

    def __setitem__(self, key, value):
        r, c = key
        self.rows[r][c] = value

    def __iter__(self):
        for row in self.rows:
            yield from row


def main():
    start = int(input())
    print("countdown:", list(Countdown(start)))
    it = Countdown(3)
    print("manual:", next(it), next(it), next(it), next(it, "done"))
    print("fibonacci up to 100:", list(FibonacciSequence(100)))
    fib = FibonacciSequence(10)
    print("two passes:", sum(fib), sum(fib))
    span = Span(3, 30, 4)
    print(repr(span), "len", len(span), "items", list(span))
    print("span[2] =", span[2], "span[-1] =", span[-1], "span[1:5:2] =", span[1:5:2])
    print("15 in span:", 15 in span, "16 in span:", 16 in span)
    print("reversed:", list(reversed(span)))
    try:
        span[100]
    except IndexError as err:
        print("error:", err)
    table = Table([[1, 2, 3], [4, 5, 6]])
    table[1, 2] = 60
    print("table[0, 1] =", table[0, 1], "sum:", sum(table), "max:", max(table))
    words = input().split()
    pairs = list(zip(words, Countdown(len(words))))
    print(pairs)
    print(dict(enumerate(words, 1)))


main()
