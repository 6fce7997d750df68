# Ordinary Python 3 that the python profile must accept (and RepyV2 refuses).
# modules: math, collections, functools, dataclasses, typing
"""Inventory report: dataclasses, properties, decorators, slots, class-private names and `__main__`."""
from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Optional

TOTAL_CALLS = 0


@dataclass(frozen=True, order=True)
class Item:
    name: str
    price: float
    tags: tuple = field(default_factory=tuple)

    def __post_init__(self):
        if self.price < 0:
            raise ValueError("negative price")


@functools.total_ordering
class Version:
    __slots__ = ("major", "minor")

    def __init__(self, major: int, minor: int = 0) -> None:
        self.major = major
        self.minor = minor

    def __eq__(self, other):
        return (self.major, self.minor) == (other.major, other.minor)

    def __lt__(self, other):
        return (self.major, self.minor) < (other.major, other.minor)

    def __repr__(self):
        return "%s(%d.%d)" % (type(self).__name__, self.major, self.minor)


class Shelf:
    def __init__(self, items: Iterable[Item]):
        self._items = list(items)

    @property
    def size(self) -> int:
        return len(self._items)

    @size.setter
    def size(self, value):
        del self._items[value:]

    @staticmethod
    def parse(line: str) -> Optional[Item]:
        name, _, price = line.partition(",")
        return Item(name.strip(), float(price)) if price else None

    @classmethod
    def from_lines(cls, lines):
        return cls(item for item in map(cls.parse, lines) if item)

    def __iter__(self):
        return iter(self._items)


class Discounted(Shelf):
    def __init__(self, items, rate):
        super().__init__(items)
        self.rate = rate


def counted(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        global TOTAL_CALLS
        TOTAL_CALLS += 1
        return function(*args, **kwargs)

    return wrapper


@counted
@functools.lru_cache(maxsize=None)
def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def make_counter():
    count = 0

    def step():
        nonlocal count
        count += 1
        return count

    return step


def describe(value):
    match value:
        case int(n) if n < 0:
            return "negative %d" % n
        case Item(name=name, price=price):
            return f"{name} at {price:.2f}"
        case Version(major=major):
            return "version %d" % major
        case str(text):
            return "text " + text
        case _:
            return "something"


def parse_all(lines):
    try:
        return [float(line) for line in lines]
    except ValueError as error:
        raise RuntimeError("bad input") from error


class Money:
    """Class-private state and special methods bound to another method or a lambda."""

    __count = 0

    def __init__(self, cents):
        self.__cents = cents
        Money.__count += 1

    def __add__(self, other):
        return Money(self.__cents + self.__value_of(other))

    __radd__ = __add__
    __eq__ = lambda self, other: self.__cents == Money.__value_of(self, other)
    __hash__ = None

    def __value_of(self, other):
        return other.__cents if isinstance(other, Money) else other

    def __repr__(self):
        return f"Money({self.__cents})"

    __str__ = __repr__


def main():
    shelf = Shelf.from_lines(["pen, 1.5", "book, 12", "bad"])
    by_tag = defaultdict(list)
    for item in shelf:
        by_tag[item.name[0]].append(item)
    print(shelf.size, sorted(by_tag), Counter("abracadabra").most_common(2))
    print(math.sqrt(16), fib(20), TOTAL_CALLS, fib.__name__, fib.__doc__)
    print(Version(3, 11) > Version(3, 9), Version(1))
    print([describe(v) for v in (-1, Item("ink", 2.0), Version(2), "hi", None)])
    step = make_counter()
    step()
    print(step(), describe.__qualname__)
    try:
        parse_all(["1", "x"])
    except RuntimeError as error:
        print(type(error.__cause__).__name__, error.__context__ is error.__cause__)


    print(sum([Money(5), Money(7)]), Money(3) == 3, Money(1) + 2)


if __name__ == "__main__":
    main()
